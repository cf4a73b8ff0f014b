{{ config(materialized='view') }}
-- The checked bars as landed (grain: market_id, contract_id, observed_at, role), for Mantle's
-- futures.bars. A view over staging: no second copy of the largest table.
with

final as (

    select * from {{ ref('stg_lake__bars') }}

)

select * from final
