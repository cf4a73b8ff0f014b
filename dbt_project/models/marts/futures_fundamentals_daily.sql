-- Each fundamental series on each of its market's trading dates, as known on that date: the
-- value of the last release on or before the date, never a later one (a release on a closed
-- day shows from the next trading date). No row before a series' first release.
with

days as (

    select market_id, trade_date from {{ ref('futures_cont') }}

),

releases as (

    select market_id, series, release_date, period_end, value
    from {{ ref('stg_lake__fundamentals') }}

),

market_series as (

    select distinct market_id, series from releases

),

series_days as (

    select
        days.market_id,
        days.trade_date,
        market_series.series

    from days
    inner join market_series on market_series.market_id = days.market_id

),

filled as (

    -- the release with the greatest release_date <= trade_date of the same market and series
    select
        series_days.market_id,
        series_days.trade_date,
        series_days.series,
        releases.value,
        releases.release_date,
        releases.period_end

    from series_days
    asof inner join releases
        on releases.market_id = series_days.market_id
        and releases.series = series_days.series
        and releases.release_date <= series_days.trade_date

),

final as (

    select
        *,
        datediff('day', release_date, trade_date) as release_age_days

    from filled

)

select * from final
