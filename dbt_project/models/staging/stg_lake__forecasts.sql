{{ config(materialized='ephemeral') }}
with

source as (

    select * from {{ source('lake', 'forecasts') }}

),

renamed as (

    select
        model,
        market_id,
        cast(trade_date as date) as trade_date,
        rule,
        cast(forecast as double) as forecast,
        fitted_at

    from source

),

final as (

    select * from renamed

)

select * from final
