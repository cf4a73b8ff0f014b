with

source as (

    select * from {{ source('lake', 'instruments') }}

),

renamed as (

    select
        market_id,
        description,
        asset_class,
        currency,
        cast(point_value as double) as point_value,
        -- the peer's Slippage is half the bid/ask spread, in price points
        cast(slippage as double) as slippage_pts,
        -- its PerBlock is a commission per contract (a "block" is one contract)
        cast(commission_per_block as double) as commission_per_contract,
        cast(commission_pct as double) as commission_pct,
        cast(commission_per_trade as double) as commission_per_trade,
        -- the source is the raw file's first folder: "pysystemtrade/csvconfig/instrumentconfig.csv"
        split_part(source_file, '/', 1) as source,
        source_file

    from source

),

final as (

    select * from renamed

)

select * from final
