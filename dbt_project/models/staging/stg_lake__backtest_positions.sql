{{ config(materialized='ephemeral', tags=['backtests']) }}
-- Contracts held per run, market and day (rows of runs not yet committed included).
with

source as (

    select * from {{ source('lake', 'backtest_positions') }}

),

renamed as (

    select
        run_id,
        market_id,
        cast(trade_date as date) as trade_date,
        contract_id,
        cast(contracts as double) as contracts,
        cast(notional as double) as notional

    from source

),

final as (

    select * from renamed

)

select * from final
