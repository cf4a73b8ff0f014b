-- The factor models' forecasts, one row per model, market, trade date and rule: the forecast a
-- strategy may use on trade_date (computed from data through the bar before it), capped at the
-- model's cap. rule = 'combined' is the model's combined forecast.
with

forecasts as (

    select * from {{ ref('stg_lake__forecasts') }}

),

final as (

    select
        model,
        market_id,
        trade_date,
        rule,
        forecast,
        fitted_at

    from forecasts

)

select * from final
