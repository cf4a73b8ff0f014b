{{
    config(
        materialized='incremental',
        unique_key='run_id',
        incremental_strategy='delete+insert',
        tags=['backtests']
    )
}}
-- Daily P&L of each stored backtest run per market, in the base currency:
-- pnl = pnl_price + pnl_fx - cost.
--
-- Only committed runs, incrementally by run (macros/backtest_new_runs.sql).
with

stored as (

    select * from {{ ref('stg_lake__backtest_pnl') }}

),

{{ backtest_new_runs() }}

final as (

    select
        run_id,
        market_id,
        trade_date,
        pnl_price,
        pnl_fx,
        cost,
        pnl

    from stored
    where run_id in (select run_id from new_runs)

)

select * from final
