-- The chain of contracts a vendor market holds: its listed contracts that have bars, in
-- delivery order, each with its neighbours and the span of its data.
with

contracts as (

    select * from {{ ref('stg_lake__contracts') }}

),

vendor_bars as (

    select * from {{ ref('stg_lake__bars') }}
    where role is null

),

data_spans as (

    select
        market_id,
        contract_id,
        min(trade_date) as first_bar_date,
        max(trade_date) as last_bar_date

    from vendor_bars
    group by 1, 2

),

with_data as (

    select
        contracts.market_id,
        contracts.contract_id,
        contracts.delivery_month,
        contracts.expiry_date,
        contracts.first_notice_date,
        least(contracts.expiry_date, coalesce(contracts.first_notice_date, contracts.expiry_date)) as last_hold_date,
        data_spans.first_bar_date,
        data_spans.last_bar_date

    from contracts
    inner join data_spans
        on contracts.market_id = data_spans.market_id
        and contracts.contract_id = data_spans.contract_id

),

chained as (

    select
        *,
        row_number() over by_delivery as chain_seq,
        lag(contract_id) over by_delivery as prev_contract_id,
        lead(contract_id) over by_delivery as next_contract_id,
        lag(delivery_month) over by_delivery as prev_delivery_month,
        lead(delivery_month) over by_delivery as next_delivery_month

    from with_data
    window by_delivery as (partition by market_id order by delivery_month)

),

final as (

    select * from chained

)

select * from final
