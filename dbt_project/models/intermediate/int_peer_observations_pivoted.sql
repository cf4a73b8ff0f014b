-- pysystemtrade multiple prices back to one row per market and observation time: the PRICE,
-- FORWARD and CARRY roles side by side, intraday timestamps kept as they are.
with

peer_bars as (

    select * from {{ ref('stg_lake__bars') }}
    where role is not null

),

pivoted as (

    select
        market_id,
        observed_at,
        min(trade_date) as trade_date,
        max(contract_id) filter (where role = 'PRICE') as contract_id,
        max(delivery_month) filter (where role = 'PRICE') as delivery_month,
        max(close) filter (where role = 'PRICE') as price,
        max(contract_id) filter (where role = 'FORWARD') as forward_contract_id,
        max(delivery_month) filter (where role = 'FORWARD') as forward_delivery_month,
        max(close) filter (where role = 'FORWARD') as forward_price,
        max(contract_id) filter (where role = 'CARRY') as carry_contract_id,
        max(delivery_month) filter (where role = 'CARRY') as carry_delivery_month,
        max(close) filter (where role = 'CARRY') as carry_price

    from peer_bars
    group by 1, 2

),

final as (

    select * from pivoted

)

select * from final
