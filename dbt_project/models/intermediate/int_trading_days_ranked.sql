-- Each vendor market's own trading days (dates it has bars), numbered, then projected onto
-- weekdays past its last bar so a roll due after the data's edge still has a date.
with

vendor_bars as (

    select * from {{ ref('stg_lake__bars') }}
    where role is null

),

chain as (

    select * from {{ ref('int_contracts_chained') }}

),

observed_days as (

    select distinct market_id, trade_date
    from vendor_bars

),

horizons as (

    select
        observed_days.market_id,
        max(observed_days.trade_date) as last_observed_date,
        (select max(chain.last_hold_date) from chain where chain.market_id = observed_days.market_id) as last_hold_date

    from observed_days
    group by 1

),

projected_days as (

    select
        horizons.market_id,
        cast(day as date) as trade_date

    from horizons,
        generate_series(
            cast(horizons.last_observed_date + interval 1 day as timestamp),
            cast(greatest(horizons.last_hold_date, horizons.last_observed_date) as timestamp),
            interval 1 day
        ) as days(day)
    where isodow(day) <= 5

),

all_days as (

    select market_id, trade_date, false as is_projected from observed_days
    union all
    select market_id, trade_date, true as is_projected from projected_days

),

ranked as (

    select
        *,
        row_number() over (partition by market_id order by trade_date) as day_rank

    from all_days

),

final as (

    select * from ranked

)

select * from final
