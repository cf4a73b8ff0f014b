{{ config(materialized='view') }}
-- Continuous contract at observation grain (market_id, observed_at): the raw price of the held
-- contract plus its holding period's offset (Panama) or times its factor (ratio). A view: the
-- offsets are one row per roll, so applying them costs one join.
with

observations as (

    select * from {{ ref('int_observations_unioned') }}

),

offsets as (

    select * from {{ ref('int_roll_offsets_summed') }}

),

adjusted as (

    select
        observations.market_id,
        observations.observed_at,
        observations.trade_date,
        observations.source,
        observations.contract_id,
        observations.price,
        observations.price + coalesce(offsets.offset_pts, 0) as price_adj,
        case
            when offsets.market_id is null then observations.price
            else observations.price * offsets.ratio_factor
        end as price_adj_ratio,
        observations.forward_contract_id as forward_contract,
        observations.forward_price,
        observations.carry_contract_id as carry_contract,
        observations.carry_price,
        observations.delivery_month,
        observations.forward_delivery_month,
        observations.carry_delivery_month,
        observations.is_roll,
        observations.roll_index,
        observations.is_last_of_day,
        observations.is_day_roll

    from observations
    left join offsets
        on observations.market_id = offsets.market_id
        and observations.roll_index = offsets.applies_to_roll_index

),

final as (

    select * from adjusted

)

select * from final
