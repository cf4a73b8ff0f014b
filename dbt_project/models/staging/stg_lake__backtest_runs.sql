{{ config(materialized='ephemeral', tags=['backtests']) }}
-- One row per stored backtest run: the run's commit marker (written after its data).
with

source as (

    select * from {{ source('lake', 'backtest_runs') }}

),

renamed as (

    select
        run_id,
        strategy,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(capital as double) as capital,
        base_currency,
        cast(ann_return as double) as ann_return,
        cast(ann_vol as double) as ann_vol,
        cast(sharpe as double) as sharpe,
        cast(max_drawdown as double) as max_drawdown,
        cast(turnover as double) as turnover,
        cast(cost_ann as double) as cost_ann,
        cast(gross_sharpe as double) as gross_sharpe,
        lake_versions,
        summary_json,
        definition_yaml,
        created_at

    from source

),

final as (

    select * from renamed

)

select * from final
