-- One row per roll: the gap it adds and the offset of the period before it. The adjusted price
-- is the raw price plus an offset that depends only on the holding period (the sum of the gaps
-- of every later roll), so this small table carries all the history: a day with no roll leaves
-- it as it was.
with

observations as (

    select * from {{ ref('int_observations_unioned') }}

),

rolls as (

    select
        market_id,
        roll_index,
        roll_from_observed_at as roll_at,
        roll_from_contract_id as from_contract_id,
        contract_id as to_contract_id,
        roll_from_price as from_price,
        roll_to_price as to_price,
        roll_to_price - roll_from_price as adjustment,
        roll_to_price / nullif(roll_from_price, 0) as ratio

    from observations
    where is_roll

),

summed as (

    select
        *,
        -- the period before roll j (index j - 1) is shifted by the gaps of rolls j, j+1, ...
        sum(adjustment) over from_here as offset_pts,
        product(ratio) over from_here as ratio_product,
        bool_or(ratio is null or ratio <= 0) over from_here as has_bad_ratio

    from rolls
    window from_here as (
        partition by market_id order by roll_index rows between current row and unbounded following
    )

),

final as (

    select
        market_id,
        roll_index,
        roll_index - 1 as applies_to_roll_index,
        roll_at,
        from_contract_id,
        to_contract_id,
        from_price,
        to_price,
        adjustment,
        ratio,
        offset_pts,
        case when has_bad_ratio then null else ratio_product end as ratio_factor

    from summed

)

select * from final
