{{ config(severity='error') }}
-- A daily return inside the held contract equals the change of the Panama-adjusted price,
-- whenever the day's roll (if any) happened at the previous day's last observation (always for
-- daily data; an intraday roll also moves the spread between the two contracts).
with

returns as (

    select
        *,
        lag(price_adj) over (partition by market_id order by trade_date) as prev_price_adj,
        lag(observed_at) over (partition by market_id order by trade_date) as prev_observed_at

    from {{ ref('futures_returns_daily') }}

),

rolls as (

    select market_id, roll_at from {{ ref('futures_roll_schedule') }}

),

checked as (

    select
        returns.market_id,
        returns.trade_date,
        returns.contract_id,
        returns.ret_pts,
        returns.price_adj - returns.prev_price_adj as price_adj_change

    from returns
    left join rolls
        on returns.market_id = rolls.market_id
        and rolls.roll_at = returns.prev_observed_at
    where returns.ret_pts is not null
        and returns.prev_price_adj is not null
        and (not returns.is_roll or rolls.roll_at is not null)

),

final as (

    select * from checked
    where abs(ret_pts - price_adj_change) > 1e-9 * greatest(1, abs(price_adj_change))

)

select * from final
