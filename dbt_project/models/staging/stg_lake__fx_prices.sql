with

source as (

    select * from {{ source('lake', 'fx_prices') }}

),

renamed as (

    select
        pair,
        currency,
        quote_currency,
        cast(trade_date as date) as trade_date,
        observed_at,
        -- the peer writes a missing price as NaN: one missing value, SQL NULL
        case when isnan(price) then null else cast(price as double) end as price,
        source_file,
        -- the format the file came in (vendor-csv, fx-csv, pysystemtrade): the rate's source
        split_part(source_file, '/', 1) as source

    from source

),

final as (

    select * from renamed

)

select * from final
