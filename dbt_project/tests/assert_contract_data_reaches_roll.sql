{{ config(severity='error') }}
-- BAD INPUT: a held contract whose bars stop before it can be rolled (no observation on or after
-- its roll rule's date where it and the next contract both have a price) while the market goes
-- on trading. The failing row names the market, the contract and the date its data ends.
with

rolls as (

    select * from {{ ref('int_rolls_scheduled') }}

),

market_ends as (

    select market_id, max(trade_date) as last_trade_date
    from {{ ref('stg_lake__bars') }}
    where role is null
    group by 1

),

stranded as (

    select
        rolls.market_id,
        rolls.from_last_bar_date as data_ends_at,
        rolls.rule_date as roll_due_at,
        rolls.from_contract_id as contract_id,
        rolls.to_contract_id as next_contract_id,
        'contract data ends before its roll' as problem

    from rolls
    inner join market_ends on rolls.market_id = market_ends.market_id
    where rolls.roll_at is null
        and rolls.from_last_bar_date < market_ends.last_trade_date
        and rolls.rule_date <= market_ends.last_trade_date

),

final as (

    {{ fail_on_rows('stranded', "'market ' || market_id || ' contract ' || contract_id || ' data ends ' || data_ends_at || ' before its roll to ' || next_contract_id || ' due ' || roll_due_at") }}

)

select * from final
