{{ config(severity='error') }}
-- On a roll day the return is the new contract's own move, checked against the raw bars: the
-- new contract's own bar at the previous day's last observation, never the old contract's.
with

returns as (

    select
        *,
        lag(contract_id) over (partition by market_id order by trade_date) as prev_contract_id,
        lag(observed_at) over (partition by market_id order by trade_date) as prev_observed_at

    from {{ ref('futures_returns_daily') }}

),

roll_days as (

    select * from returns
    where is_roll

),

own_bars as (

    -- the new contract's own bar at the previous day's last observation (any role: a peer
    -- contract can be both FORWARD and CARRY, at one price)
    select
        roll_days.market_id,
        roll_days.trade_date,
        max(bars.close) as prev_own_close

    from roll_days
    inner join {{ ref('stg_lake__bars') }} as bars
        on roll_days.market_id = bars.market_id
        and roll_days.contract_id = bars.contract_id
        and roll_days.prev_observed_at = bars.observed_at
    group by 1, 2

),

checked as (

    select
        roll_days.market_id,
        roll_days.trade_date,
        roll_days.prev_contract_id as from_contract,
        roll_days.contract_id as to_contract,
        roll_days.ret_pts,
        roll_days.price - own_bars.prev_own_close as own_move

    from roll_days
    left join own_bars
        on roll_days.market_id = own_bars.market_id
        and roll_days.trade_date = own_bars.trade_date

),

final as (

    select * from checked
    where ret_pts is not null
        and (own_move is null or abs(ret_pts - own_move) > 1e-9 * greatest(1, abs(own_move)))

)

select * from final
