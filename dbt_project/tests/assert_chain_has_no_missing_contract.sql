{{ config(severity='error') }}
-- BAD INPUT: a listed contract with no bars while contracts on both sides of it have bars. The
-- chain would silently skip it; the failing row names the market and the contract's expiry.
with

contracts as (

    select * from {{ ref('stg_lake__contracts') }}

),

chain as (

    select * from {{ ref('int_contracts_chained') }}

),

bounds as (

    select market_id, min(delivery_month) as first_month, max(delivery_month) as last_month
    from chain
    group by 1

),

missing as (

    select
        contracts.market_id,
        contracts.expiry_date as missing_at,
        contracts.contract_id as missing_contract_id,
        'listed contract has no bars between contracts that do' as problem

    from contracts
    inner join bounds
        on contracts.market_id = bounds.market_id
        and contracts.delivery_month > bounds.first_month
        and contracts.delivery_month < bounds.last_month
    left join chain
        on contracts.market_id = chain.market_id
        and contracts.contract_id = chain.contract_id
    where chain.contract_id is null

),

final as (

    {{ fail_on_rows('missing', "'market ' || market_id || ' contract ' || missing_contract_id || ' (expiring ' || missing_at || ') has no bars while its neighbours do'") }}

)

select * from final
