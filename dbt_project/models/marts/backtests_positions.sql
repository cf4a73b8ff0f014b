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
-- Only committed runs (those with a backtest_runs row, written after their data): rows of a
-- store that died half way are never served. Incremental by run: a committed run is never
-- rewritten, so a build copies only the runs committed since the last one.
with

stored as (

    select * from {{ ref('stg_lake__backtest_positions') }}

),

committed_runs as (

    select run_id from {{ ref('stg_lake__backtest_runs') }}

),

{% if is_incremental() %}

new_runs as (

    select run_id
    from committed_runs
    where run_id not in (select distinct run_id from {{ this }})

),

{% else %}

new_runs as (

    select run_id from committed_runs

),

{% endif %}

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
