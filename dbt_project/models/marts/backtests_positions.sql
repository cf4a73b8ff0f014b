{{
    config(
        materialized='incremental',
        unique_key='run_id',
        incremental_strategy='delete+insert',
        tags=['backtests']
    )
}}
-- Contracts held at the close of each day, per stored backtest run and market; contract_id is
-- the contract held (NULL when flat, or where the run's fills do not say); notional the signed
-- exposure in the base currency.
--
-- Only committed runs, incrementally by run (macros/backtest_new_runs.sql).
with

stored as (

    select * from {{ ref('stg_lake__backtest_positions') }}

),

{{ backtest_new_runs() }}

final as (

    select
        run_id,
        market_id,
        trade_date,
        contract_id,
        contracts,
        notional

    from stored
    where run_id in (select run_id from new_runs)

)

select * from final
