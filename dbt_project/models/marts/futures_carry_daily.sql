-- Annualised carry, one row per market and trade date: (price - carry price) over the years
-- from the held contract's delivery month to the carry contract's (negative when the carry
-- contract is the nearer one), so backwardation is positive carry for a long either way.
with

cont as (

    select * from {{ ref('futures_cont') }}

),

spaced as (

    select
        market_id,
        trade_date,
        contract_id,
        carry_contract,
        price,
        carry_price,
        ((carry_delivery_month // 100) * 12 + carry_delivery_month % 100
            - (delivery_month // 100) * 12 - delivery_month % 100) / 12.0 as years_between

    from cont

),

final as (

    select
        *,
        (price - carry_price) / nullif(years_between, 0) as carry_ann,
        (price - carry_price) / nullif(years_between, 0) / nullif(price, 0) as carry_ann_pct

    from spaced

)

select * from final
