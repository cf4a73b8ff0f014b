with

source as (

    select * from {{ source('lake', 'contracts') }}

),

renamed as (

    select
        market_id,
        contract_id,
        delivery_month,
        first_trade_date,
        expiry_date,
        first_notice_date,
        source_file

    from source

),

final as (

    select * from renamed

)

select * from final
