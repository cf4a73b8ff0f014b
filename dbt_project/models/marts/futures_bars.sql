{{ config(materialized='view') }}
-- The checked bars as landed (grain: market_id, contract_id, observed_at, role), for Mantle's
-- futures.bars. A view over staging: no second copy of the largest table.
with

bars as (

    select * from {{ ref('stg_lake__bars') }}

),

final as (

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
        close,
        volume,
        open_interest,
        source_file

    from bars

)

select * from final
