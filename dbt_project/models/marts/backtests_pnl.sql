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
-- Only committed runs (those with a backtest_runs row, written after their data): rows of a
-- store that died half way are never served. Incremental by run: a committed run is never
-- rewritten, so a build copies only the runs committed since the last one.
with

stored as (

    select * from {{ ref('stg_lake__backtest_pnl') }}

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
        pnl_price,
        pnl_fx,
        cost,
        pnl

    from stored
    where run_id in (select run_id from new_runs)

)

select * from final
