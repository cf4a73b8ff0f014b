{{ config(severity='error') }}
-- BAD INPUT: a market that went back to a contract it had rolled out of. int_observations_unioned
-- numbers holding periods by contract, so each contract must be held in one unbroken run: the
-- spans from the first to the last observation holding each contract must not overlap. The
-- failing row names the market, the contract and when it came back.
with

holdings as (

    select
        market_id,
        contract_id,
        min(observed_at) as held_from,
        max(observed_at) as held_until

    from {{ ref('int_observations_unioned') }}
    group by 1, 2

),

ordered as (

    select
        *,
        lag(contract_id) over by_start as prev_contract_id,
        lag(held_until) over by_start as prev_held_until

    from holdings
    window by_start as (partition by market_id order by held_from)

),

returned as (

    select market_id, prev_contract_id as contract_id, prev_held_until as returned_at, contract_id as left_for
    from ordered
    where held_from <= prev_held_until

),

final as (

    {{ fail_on_rows('returned', "'market ' || market_id || ' holds ' || contract_id || ' again until ' || returned_at || ' after rolling into ' || left_for") }}

)

select * from final
