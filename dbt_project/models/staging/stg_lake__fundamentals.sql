with

source as (

    select * from {{ source('lake', 'fundamentals') }}

),

renamed as (

    select
        market_id,
        series,
        cast(release_date as date) as release_date,
        cast(period_end as date) as period_end,
        cast(value as double) as value,
        source_file

    from source

),

final as (

    select * from renamed

)

select * from final
