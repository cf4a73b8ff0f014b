{{ config(materialized='ephemeral', tags=['backtests']) }}
-- Daily P&L per run and market, base currency (rows of runs not yet committed included).
with

source as (

    select * from {{ source('lake', 'backtest_pnl') }}

),

renamed as (

    select
        run_id,
        market_id,
        cast(trade_date as date) as trade_date,
        cast(pnl_price as double) as pnl_price,
        cast(pnl_fx as double) as pnl_fx,
        cast(cost as double) as cost,
        cast(pnl as double) as pnl

    from source

),

final as (

    select * from renamed

)

select * from final
