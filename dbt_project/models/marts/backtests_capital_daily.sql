{{
    config(
        materialized='incremental',
        unique_key='run_id',
        incremental_strategy='delete+insert',
        tags=['backtests']
    )
}}
-- Each stored backtest run's whole portfolio per day: the capital it sized on, its P&L and costs
-- summed over markets (0 on a day without P&L rows), and ret_pct, the day's P&L over the
-- previous day's capital (the first day's own capital on the first day): the run's returns.
--
-- Only committed runs, incrementally by run (macros/backtest_new_runs.sql).
with

capital as (

    select * from {{ ref('stg_lake__backtest_capital') }}

),

pnl as (

    select * from {{ ref('stg_lake__backtest_pnl') }}

),

{{ backtest_new_runs() }}

daily_pnl as (

    select
        run_id,
        trade_date,
        sum(pnl) as pnl,
        sum(cost) as cost

    from pnl
    where run_id in (select run_id from new_runs)
    group by 1, 2

),

joined as (

    select
        capital.run_id,
        capital.trade_date,
        capital.capital,
        coalesce(daily_pnl.pnl, 0) as pnl,
        coalesce(daily_pnl.cost, 0) as cost,
        lag(capital.capital) over (
            partition by capital.run_id order by capital.trade_date
        ) as prev_capital

    from capital
    left join daily_pnl
        on capital.run_id = daily_pnl.run_id
        and capital.trade_date = daily_pnl.trade_date
    where capital.run_id in (select run_id from new_runs)

),

final as (

    select
        run_id,
        trade_date,
        capital,
        pnl,
        cost,
        pnl / coalesce(prev_capital, capital) as ret_pct

    from joined

)

select * from final
