{{
    config(
        materialized='incremental',
        unique_key=['market_id', 'observed_at'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- One row per market and observation for both sources: held contract and price, forward and
-- carry, and the roll bookkeeping. A roll is the first observation holding a new contract; its
-- gap is forward - price at the observation before (the last holding the old contract), each
-- forward-filled within the market as the peer did.
--
-- Incremental: appends observations newer than each market's stored rows, re-deriving the last
-- `reprocess_days` (a roll decided on projected trading days can move when the real days
-- arrive). The newest kept row seeds the window functions. `--full-refresh` rebuilds it all.
{% set reprocess_days = var('reprocess_days', 45) %}

with

vendor as (

    select *, 'vendor' as source from {{ ref('int_vendor_observations_held') }}

),

peer as (

    select *, 'peer' as source from {{ ref('int_peer_observations_pivoted') }}

),

observations as (

    select * from vendor
    union all by name
    select * from peer

),

{% if is_incremental() %}

kept as (

    select
        market_id,
        max(observed_at) - interval '{{ reprocess_days }} days' as kept_until

    from {{ this }}
    group by 1

),

context as (

    select
        stored.market_id,
        stored.observed_at,
        stored.contract_id,
        stored.price_filled as price,
        stored.forward_price_filled as forward_price,
        stored.roll_index as base_roll_index,
        true as is_context

    from {{ this }} as stored
    inner join kept
        on stored.market_id = kept.market_id
        and stored.observed_at <= kept.kept_until
    qualify row_number() over (partition by stored.market_id order by stored.observed_at desc) = 1

),

fresh as (

    select observations.*, false as is_context
    from observations
    left join kept on observations.market_id = kept.market_id
    where kept.kept_until is null or observations.observed_at > kept.kept_until

),

{% else %}

context as (

    select
        market_id, observed_at, contract_id, price, forward_price,
        0 as base_roll_index, true as is_context
    from observations
    where false

),

fresh as (

    select observations.*, false as is_context
    from observations

),

{% endif %}

stacked as (

    select * from context
    union all by name
    select * from fresh

),

filled as (

    select
        *,
        last_value(price ignore nulls) over upto_now as price_filled,
        last_value(forward_price ignore nulls) over upto_now as forward_price_filled,
        lag(contract_id) over by_time as prev_contract_id,
        lag(observed_at) over by_time as prev_observed_at,
        coalesce(max(base_roll_index) over (partition by market_id), 0) as roll_index_base

    from stacked
    window
        by_time as (partition by market_id order by observed_at),
        upto_now as (partition by market_id order by observed_at rows between unbounded preceding and current row)

),

flagged as (

    select
        *,
        prev_observed_at is not null and contract_id is distinct from prev_contract_id as is_roll,
        lag(price_filled) over by_time as prev_price_filled,
        lag(forward_price_filled) over by_time as prev_forward_price_filled

    from filled
    window by_time as (partition by market_id order by observed_at)

),

numbered as (

    select
        market_id,
        observed_at,
        trade_date,
        source,
        contract_id,
        delivery_month,
        price,
        forward_contract_id,
        forward_delivery_month,
        forward_price,
        carry_contract_id,
        carry_delivery_month,
        carry_price,
        price_filled,
        forward_price_filled,
        is_roll,
        roll_index_base
            + sum(case when is_roll then 1 else 0 end) over (
                partition by market_id order by observed_at rows between unbounded preceding and current row
            ) as roll_index,
        case when is_roll then prev_observed_at end as roll_from_observed_at,
        case when is_roll then prev_contract_id end as roll_from_contract_id,
        case when is_roll then prev_price_filled end as roll_from_price,
        case when is_roll then prev_forward_price_filled end as roll_to_price,
        is_context

    from flagged

),

final as (

    select * exclude (is_context)
    from numbered
    where not is_context

)

select * from final
