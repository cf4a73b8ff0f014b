{{ config(severity='error') }}
-- BAD INPUT: the same bar (market, contract, observation, role) from two source files. The
-- failing row names the market, the date and the files.
with

bars as (

    select * from {{ ref('stg_lake__bars') }}

),

repeated_keys as (

    select market_id, contract_id, observed_at, role
    from bars
    group by all
    having count(*) > 1

),

duplicates as (

    select
        bars.market_id,
        min(bars.trade_date) as trade_date,
        bars.contract_id,
        bars.observed_at,
        bars.role,
        count(*) as copies,
        string_agg(bars.source_file, ', ' order by bars.source_file) as source_files

    from bars
    inner join repeated_keys
        on bars.market_id = repeated_keys.market_id
        and bars.contract_id = repeated_keys.contract_id
        and bars.observed_at = repeated_keys.observed_at
        and bars.role is not distinct from repeated_keys.role
    group by bars.market_id, bars.contract_id, bars.observed_at, bars.role

),

-- one line per market, contract and set of files, not one per bar
overlapping_files as (

    select
        market_id,
        min(trade_date) as trade_date,
        max(trade_date) as last_trade_date,
        contract_id,
        count(*) as bars,
        source_files

    from duplicates
    group by market_id, contract_id, source_files

),

final as (

    {{ fail_on_rows('overlapping_files', "'market ' || market_id || ' ' || trade_date || ' to ' || last_trade_date || ' contract ' || contract_id || ': ' || bars || ' bars in more than one file (' || source_files || ')'") }}

)

select * from final
