-- Daily returns inside the held contract: on a day the held contract changed, the return is
-- the new contract's own move since the previous day's last observation (where it was the
-- forward), never the jump between contracts.
with

cont as (

    select * from {{ ref('futures_cont') }}

),

with_previous as (

    select
        *,
        lag(contract_id) over by_day as prev_contract_id,
        lag(price) over by_day as prev_price,
        lag(forward_contract) over by_day as prev_forward_contract,
        lag(forward_price) over by_day as prev_forward_price,
        lag(carry_contract) over by_day as prev_carry_contract,
        lag(carry_price) over by_day as prev_carry_price

    from cont
    window by_day as (partition by market_id order by trade_date)

),

same_contract as (

    select
        *,
        -- the held contract's own price at the previous day's last observation
        case
            when prev_contract_id = contract_id then prev_price
            when prev_forward_contract = contract_id then prev_forward_price
            when prev_carry_contract = contract_id then prev_carry_price
        end as prev_price_same_contract

    from with_previous

),

final as (

    select
        market_id,
        trade_date,
        contract_id,
        price,
        price_adj,
        price - prev_price_same_contract as ret_pts,
        -- a percentage of a non-positive price means nothing (crude, April 2020)
        case when prev_price_same_contract > 0
            then (price - prev_price_same_contract) / prev_price_same_contract end as ret_pct,
        is_roll,
        prev_price_same_contract as prev_price,
        observed_at

    from same_contract

)

select * from final
