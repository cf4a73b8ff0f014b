{{
    config(
        materialized='incremental',
        unique_key=['market_id', 'observed_at'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="
            {% if is_incremental() %}
            delete from {{ this }} as stored
            where not exists (
                select 1 from {{ ref('int_vendor_observations_held') }} as upstream
                where upstream.market_id = stored.market_id and upstream.observed_at = stored.observed_at
            )
            and not exists (
                select 1 from {{ ref('int_peer_observations_pivoted') }} as upstream
                where upstream.market_id = stored.market_id and upstream.observed_at = stored.observed_at
            )
            {% endif %}
        "
    )
}}
-- One row per market and observation for both sources: held contract and price, forward and
-- carry, and the roll bookkeeping. A roll is the first observation holding a new contract; its
-- gap is forward - price at the observation before (the last holding the old contract), each
-- forward-filled within the market as the peer did. Also marks each day's last observation and
-- whether the contract held then differs from the previous day's (the rows futures_cont keeps).
--
-- No sort of the observations: the roll bookkeeping is worked out on a small table of holdings
-- (one row per contract a market held: when it began and ended, its last known prices), then
-- joined back by contract; each day's last observation comes from one aggregate. Holding
-- periods keyed by contract rely on a market never returning to a contract it rolled out of
-- (a held contract follows the roll schedule); the test assert_contract_held_in_one_run fails
-- the build if one ever did.
--
-- Incremental: appends observations of days after each market's stored days, re-deriving the
-- last `reprocess_days` (a roll decided on projected trading days can move when the real days
-- arrive), or from the first day whose upstream rows changed (a revised vendor file), if earlier.
-- delete+insert only replaces the keys it inserts, so the post-hook deletes stored observations
-- no longer upstream (a revised file that dropped a day). Whole days are re-derived; the newest kept row, on an earlier day than every new one,
-- seeds the holdings with its contract, roll count and last known prices. `--full-refresh`
-- rebuilds it all.
{% set reprocess_days = var('reprocess_days', 45) %}

-- The CTEs over the sources are `not materialized`: each use scans the source tables (only the
-- columns it needs) instead of a materialised copy of every row, and the last step writes the
-- table in parallel straight from that scan (measured: a quarter less time for the model).
with

vendor as not materialized (

    select *, 'vendor' as source from {{ ref('int_vendor_observations_held') }}

),

peer as not materialized (

    select *, 'peer' as source from {{ ref('int_peer_observations_pivoted') }}

),

observations as not materialized (

    select * from vendor
    union all by name
    select * from peer

),

{% if is_incremental() %}

-- each market's first day whose upstream observations differ from the stored ones: new days,
-- and also an old contract's file revised by its vendor. Every day from there is re-derived,
-- so a revision deep in the past never leaves stale prices (and a false roll gap) behind.
changed as (

    select
        coalesce(upstream.market_id, stored.market_id) as market_id,
        min(coalesce(upstream.trade_date, stored.trade_date)) as changed_from

    from observations as upstream
    full join {{ this }} as stored
        on upstream.market_id = stored.market_id
        and upstream.observed_at = stored.observed_at
    where upstream.observed_at is null
        or stored.observed_at is null
        or upstream.trade_date is distinct from stored.trade_date
        or upstream.source is distinct from stored.source
        or upstream.contract_id is distinct from stored.contract_id
        or upstream.price is distinct from stored.price
        or upstream.forward_contract_id is distinct from stored.forward_contract_id
        or upstream.forward_price is distinct from stored.forward_price
        or upstream.carry_contract_id is distinct from stored.carry_contract_id
        or upstream.carry_price is distinct from stored.carry_price
    group by 1

),

kept as (

    select
        stored.market_id,
        least(
            max(stored.trade_date) - {{ reprocess_days }},
            coalesce(min(changed.changed_from) - 1, max(stored.trade_date))
        ) as kept_until

    from {{ this }} as stored
    left join changed on stored.market_id = changed.market_id
    group by 1

),

-- each market's newest kept row, with the prices known by then (forward-filled)
context as (

    select
        stored.market_id,
        max(stored.observed_at) as observed_at,
        max(stored.trade_date) as trade_date,
        arg_max(stored.contract_id, stored.observed_at) as contract_id,
        arg_max(stored.price, stored.observed_at) filter (where stored.price is not null) as price,
        arg_max(stored.forward_price, stored.observed_at) filter (where stored.forward_price is not null) as forward_price,
        arg_max(stored.roll_index, stored.observed_at) as base_roll_index,
        true as is_context

    from {{ this }} as stored
    inner join kept
        on stored.market_id = kept.market_id
        and stored.trade_date <= kept.kept_until
    group by stored.market_id

),

fresh as not materialized (

    select observations.*, null::bigint as base_roll_index, false as is_context
    from observations
    left join kept on observations.market_id = kept.market_id
    where kept.kept_until is null or observations.trade_date > kept.kept_until

),

{% else %}

context as (

    select
        market_id, observed_at, trade_date, contract_id, price, forward_price,
        0::bigint as base_roll_index, true as is_context
    from observations
    where false

),

fresh as not materialized (

    select observations.*, null::bigint as base_roll_index, false as is_context
    from observations

),

{% endif %}

stacked as not materialized (

    select * from context
    union all by name
    select * from fresh

),

-- one row per contract a market held: when, and the last prices known while holding it
holdings as (

    select
        market_id,
        contract_id,
        min(observed_at) as held_from,
        max(observed_at) as held_until,
        min(trade_date) as held_from_date,
        arg_max(price, observed_at) filter (where price is not null) as last_price,
        arg_max(forward_price, observed_at) filter (where forward_price is not null) as last_forward_price,
        max(base_roll_index) as base_roll_index

    from stacked
    group by 1, 2

),

-- in the order they were held: the roll count of each holding period (continuing from the
-- stored context's count) and the roll into it, from the holding before
holdings_chained as (

    select
        market_id,
        contract_id,
        held_from,
        held_from_date,
        min(held_from_date) over by_market as first_trade_date,
        row_number() over by_time > 1 as is_rolled_into,
        coalesce(max(base_roll_index) over by_market, 0) + row_number() over by_time - 1 as roll_index,
        lag(held_until) over by_time as roll_from_observed_at,
        lag(contract_id) over by_time as roll_from_contract_id,
        last_value(last_price ignore nulls) over before_now as roll_from_price,
        last_value(last_forward_price ignore nulls) over before_now as roll_to_price

    from holdings
    window
        by_market as (partition by market_id),
        by_time as (partition by market_id order by held_from),
        before_now as (partition by market_id order by held_from rows between unbounded preceding and 1 preceding)

),

days as (

    select
        market_id,
        trade_date,
        max(observed_at) as last_observed_at

    from stacked
    group by 1, 2

),

flagged as (

    select
        stacked.*,
        holdings_chained.is_rolled_into and stacked.observed_at = holdings_chained.held_from as is_roll,
        holdings_chained.roll_index,
        holdings_chained.roll_from_observed_at,
        holdings_chained.roll_from_contract_id,
        holdings_chained.roll_from_price,
        holdings_chained.roll_to_price,
        stacked.observed_at = days.last_observed_at as is_last_of_day,
        -- the contract was first held today and the market traded before today: it is not the
        -- contract held at the previous day's last observation
        holdings_chained.held_from_date = stacked.trade_date
            and stacked.trade_date > holdings_chained.first_trade_date as is_day_roll

    -- left joins (every row has its holding and its day) keep this join order: the rows probe
    -- the two small hash tables; as inner joins the optimizer may join holdings to days first
    from stacked
    left join holdings_chained
        on stacked.market_id = holdings_chained.market_id
        and stacked.contract_id is not distinct from holdings_chained.contract_id
    left join days
        on stacked.market_id = days.market_id
        and stacked.trade_date is not distinct from days.trade_date

),

final as (

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
        is_roll,
        roll_index,
        case when is_roll then roll_from_observed_at end as roll_from_observed_at,
        case when is_roll then roll_from_contract_id end as roll_from_contract_id,
        case when is_roll then roll_from_price end as roll_from_price,
        case when is_roll then roll_to_price end as roll_to_price,
        is_last_of_day,
        is_day_roll

    from flagged
    where not is_context

)

select * from final
