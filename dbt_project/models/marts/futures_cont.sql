-- Continuous contract, one row per market and trade date: the day's last observation.
with

observed as (

    select * from {{ ref('futures_cont_observed') }}

),

daily as (

    select *
    from observed
    qualify row_number() over (partition by market_id, trade_date order by observed_at desc) = 1

),

flagged as (

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
        coalesce(contract_id is distinct from lag(contract_id) over (partition by market_id order by trade_date), false)
            and lag(trade_date) over (partition by market_id order by trade_date) is not null as is_roll

    from daily

),

final as (

    select * from flagged

)

select * from final
