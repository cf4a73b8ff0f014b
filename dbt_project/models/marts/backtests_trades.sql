{{
    config(
        materialized='incremental',
        unique_key='run_id',
        incremental_strategy='delete+insert',
        tags=['backtests']
    )
}}
-- Every fill of each stored backtest run: signed contracts at the fill price, its notional and
-- cost in the base currency, and why (signal: a rebalance; roll: one leg of a roll).
--
-- Only committed runs, incrementally by run (macros/backtest_new_runs.sql).
with

stored as (

    select * from {{ ref('stg_lake__backtest_trades') }}

),

{{ backtest_new_runs() }}

final as (

    select
        run_id,
        fill_seq,
        market_id,
        trade_date,
        contract_id,
        quantity,
        price,
        notional,
        cost,
        reason

    from stored
    where run_id in (select run_id from new_runs)

)

select * from final
