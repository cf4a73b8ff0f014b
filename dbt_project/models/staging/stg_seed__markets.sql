with

source as (

    select * from {{ ref('markets') }}

),

renamed as (

    select
        market_id,
        name,
        asset_class,
        currency,
        listing_cycle,
        cast(roll_rule as varchar) as roll_rule,
        cast(roll_days as integer) as roll_days,
        cast(allows_negative as boolean) as allows_negative,
        cast(point_value as double) as point_value,
        cast(tick_size as double) as tick_size,
        cast(commission_per_contract as double) as commission_per_contract,
        cast(spread_ticks as double) as spread_ticks

    from source

),

final as (

    select * from renamed

)

select * from final
