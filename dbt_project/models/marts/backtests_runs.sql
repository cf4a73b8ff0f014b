{{ config(tags=['backtests']) }}
-- One row per stored backtest run: the strategy and window, the capital it started with, its
-- headline figures, the lake table versions it read (JSON) and the strategy definition as run.
with

runs as (

    select * from {{ ref('stg_lake__backtest_runs') }}

),

final as (

    select
        run_id,
        strategy,
        start_date,
        end_date,
        capital,
        base_currency,
        ann_return,
        ann_vol,
        sharpe,
        gross_sharpe,
        max_drawdown,
        turnover,
        cost_ann,
        lake_versions,
        summary_json,
        definition_yaml,
        created_at

    from runs

)

select * from final
