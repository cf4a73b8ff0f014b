{{ config(materialized='ephemeral', tags=['backtests']) }}
-- Every fill per run (rows of runs not yet committed included).
with

source as (

    select * from {{ source('lake', 'backtest_trades') }}

),

renamed as (

    select
        run_id,
        fill_seq,
        market_id,
        cast(trade_date as date) as trade_date,
        contract_id,
        cast(quantity as double) as quantity,
        cast(price as double) as price,
        cast(notional as double) as notional,
        cast(cost as double) as cost,
        reason

    from source

),

final as (

    select * from renamed

)

select * from final
