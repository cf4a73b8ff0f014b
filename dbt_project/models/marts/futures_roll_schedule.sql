-- Every roll of every market: the observation where it happened (the last one holding the old
-- contract) and the gap between the two contracts there.
with

offsets as (

    select * from {{ ref('int_roll_offsets_summed') }}

),

final as (

    select
        market_id,
        roll_index,
        roll_at,
        cast(roll_at as date) as roll_date,
        from_contract_id as from_contract,
        to_contract_id as to_contract,
        from_price,
        to_price,
        adjustment,
        ratio

    from offsets

)

select * from final
