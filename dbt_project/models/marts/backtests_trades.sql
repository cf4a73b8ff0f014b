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
-- Only committed runs (those with a backtest_runs row, written after their data): rows of a
-- store that died half way are never served. Incremental by run: a committed run is never
-- rewritten, so a build copies only the runs committed since the last one.
with

stored as (

    select * from {{ ref('stg_lake__backtest_trades') }}

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
