{{ config(materialized='ephemeral', tags=['backtests']) }}
-- The capital each run sized on, per day (rows of runs not yet committed included).
with

source as (

    select * from {{ source('lake', 'backtest_capital') }}

),

renamed as (

    select
        run_id,
        cast(trade_date as date) as trade_date,
        cast(capital as double) as capital

    from source

),

final as (

    select * from renamed

)

select * from final
