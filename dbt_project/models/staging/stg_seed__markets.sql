with

source as (

    select * from {{ ref('markets') }}

),

renamed as (

    select
        market_id,
        asset_class,
        listing_cycle,
        cast(roll_rule as varchar) as roll_rule,
        cast(roll_days as integer) as roll_days,
        cast(allows_negative as boolean) as allows_negative,
        cast(point_value as double) as point_value

    from source

),

final as (

    select * from renamed

)

select * from final
