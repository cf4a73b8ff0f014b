-- Vendor observations (each market's bar times) with the contract held, the forward (the next
-- one to hold) and the carry contract (the nearer one while it still trades, else the next out).
with

vendor_bars as (

    select * from {{ ref('stg_lake__bars') }}
    where role is null

),

chain as (

    select * from {{ ref('int_contracts_chained') }}

),

rolls as (

    select * from {{ ref('int_rolls_scheduled') }}

),

observations as (

    select
        market_id,
        observed_at,
        min(trade_date) as trade_date

    from vendor_bars
    group by 1, 2

),

rolled as (

    select market_id, from_contract_id as contract_id, roll_at as held_until
    from rolls
    where roll_at is not null

),

-- after the last roll: the contract rolled into, held until the data ends
last_held as (

    select market_id, to_contract_id as contract_id, 'infinity'::timestamp as held_until
    from rolls
    where roll_at is not null
    qualify row_number() over (partition by market_id order by roll_at desc) = 1

),

-- a market whose data ends before its first roll holds its first contract throughout
never_rolled as (

    select market_id, contract_id, 'infinity'::timestamp as held_until
    from chain
    where chain_seq = 1
        and market_id not in (select market_id from rolled)

),

holding_periods as (

    select * from rolled
    union all
    select * from last_held
    union all
    select * from never_rolled

),

held as (

    select
        observations.market_id,
        observations.observed_at,
        observations.trade_date,
        holding_periods.contract_id

    from observations
    asof inner join holding_periods
        on observations.market_id = holding_periods.market_id
        and observations.observed_at <= holding_periods.held_until

),

with_neighbours as (

    select
        held.*,
        chain.delivery_month,
        chain.next_contract_id as forward_contract_id,
        chain.next_delivery_month as forward_delivery_month,
        chain.prev_contract_id,
        chain.prev_delivery_month

    from held
    inner join chain
        on held.market_id = chain.market_id
        and held.contract_id = chain.contract_id

),

priced as (

    select
        with_neighbours.market_id,
        with_neighbours.observed_at,
        with_neighbours.trade_date,
        with_neighbours.contract_id,
        with_neighbours.delivery_month,
        held_bars.close as price,
        with_neighbours.forward_contract_id,
        with_neighbours.forward_delivery_month,
        forward_bars.close as forward_price,
        case when prev_bars.close is not null then with_neighbours.prev_contract_id
            else with_neighbours.forward_contract_id end as carry_contract_id,
        case when prev_bars.close is not null then with_neighbours.prev_delivery_month
            else with_neighbours.forward_delivery_month end as carry_delivery_month,
        case when prev_bars.close is not null then prev_bars.close
            else forward_bars.close end as carry_price

    from with_neighbours
    left join vendor_bars as held_bars
        on with_neighbours.market_id = held_bars.market_id
        and with_neighbours.contract_id = held_bars.contract_id
        and with_neighbours.observed_at = held_bars.observed_at
    left join vendor_bars as forward_bars
        on with_neighbours.market_id = forward_bars.market_id
        and with_neighbours.forward_contract_id = forward_bars.contract_id
        and with_neighbours.observed_at = forward_bars.observed_at
    left join vendor_bars as prev_bars
        on with_neighbours.market_id = prev_bars.market_id
        and with_neighbours.prev_contract_id = prev_bars.contract_id
        and with_neighbours.observed_at = prev_bars.observed_at

),

final as (

    select * from priced

)

select * from final
