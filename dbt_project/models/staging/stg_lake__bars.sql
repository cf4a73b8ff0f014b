with

source as (

    select * from {{ source('lake', 'bars') }}

),

renamed as (

    select
        market_id,
        contract_id,
        delivery_month,
        trade_date,
        observed_at,
        role,
        open,
        high,
        low,
        -- the peer writes a missing price as NaN: one missing value, SQL NULL
        case when isnan(close) then null else close end as close,
        volume,
        open_interest,
        source_file

    from source

),

final as (

    select * from renamed

)

select * from final
