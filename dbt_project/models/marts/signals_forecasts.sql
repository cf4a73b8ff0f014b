{{
    config(
        materialized='incremental',
        unique_key='model',
        incremental_strategy='delete+insert'
    )
}}
-- The factor models' forecasts, one row per model, market, trade date and rule: the forecast a
-- strategy may use on trade_date (computed from data through the bar before it), capped at the
-- model's cap. rule = 'combined' is the model's combined forecast.
--
-- Incremental by model: the `signals` flow replaces a model's rows in the lake in one commit
-- (one fitted_at), so a build copies only the models fitted since the last one, and replaces
-- each of them whole; every other build copies nothing.
with

forecasts as (

    select * from {{ ref('stg_lake__forecasts') }}

),

{% if is_incremental() %}

stored as (

    select model, max(fitted_at) as fitted_at
    from {{ this }}
    group by 1

),

-- which models were fitted since: two columns of the lake table read, not the forecasts
refitted_models as (

    select latest.model
    from (select model, max(fitted_at) as fitted_at from forecasts group by 1) as latest
    left join stored on latest.model = stored.model
    where stored.fitted_at is null or latest.fitted_at > stored.fitted_at

),

refitted as (

    select *
    from forecasts
    where model in (select model from refitted_models)

),

{% else %}

refitted as (

    select * from forecasts

),

{% endif %}

final as (

    select
        model,
        market_id,
        trade_date,
        rule,
        forecast,
        fitted_at

    from refitted

)

select * from final
