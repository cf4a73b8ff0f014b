{{ config(materialized='view') }}
-- Continuous contract, one row per market and trade date: the day's last observation. A view:
-- the observations already mark each day's last row and whether its contract differs from the
-- previous day's, so this is a filter over futures_cont_observed (itself the observations plus
-- one join to the small table of roll offsets). A new day appends observations and a roll
-- rewrites the offsets; nothing here is rewritten.
with

observed as (

    select * from {{ ref('futures_cont_observed') }}

),

daily as (

    select
        market_id,
        trade_date,
        observed_at,
        source,
        contract_id,
        price,
        price_adj,
        price_adj_ratio,
        forward_contract,
        forward_price,
        carry_contract,
        carry_price,
        delivery_month,
        forward_delivery_month,
        carry_delivery_month,
        -- the held contract changed since the previous day's last observation
        is_day_roll as is_roll

    from observed
    where is_last_of_day

),

final as (

    select * from daily

)

select * from final
