-- The vendor roll schedule, one row per link of the chain (from -> to), from each market's
-- roll rule. calendar: roll_days trading days before min(expiry, first notice); open_interest /
-- volume: the first day the next contract's OI (volume) exceeds the current one's, no later
-- than the calendar date. The roll itself waits for the first observation on or after the
-- rule's date where both contracts have a price: the last observation holding `from`.
with

chain as (

    select * from {{ ref('int_contracts_chained') }}

),

days as (

    select * from {{ ref('int_trading_days_ranked') }}

),

markets as (

    select * from {{ ref('stg_seed__markets') }}

),

vendor_bars as (

    select * from {{ ref('stg_lake__bars') }}
    where role is null

),

links as (

    select
        chain.market_id,
        chain.chain_seq,
        chain.contract_id as from_contract_id,
        chain.next_contract_id as to_contract_id,
        chain.last_hold_date,
        chain.last_bar_date as from_last_bar_date,
        coalesce(markets.roll_rule, 'calendar') as roll_rule,
        coalesce(markets.roll_days, 5) as roll_days

    from chain
    left join markets on chain.market_id = markets.market_id
    where chain.next_contract_id is not null

),

-- the trading day just before the last day one may hold the contract
before_last_hold as (

    select
        links.*,
        days.day_rank as last_hold_rank

    from links
    asof left join days
        on links.market_id = days.market_id
        and links.last_hold_date > days.trade_date

),

calendar_dates as (

    select
        before_last_hold.*,
        days.trade_date as calendar_date

    from before_last_hold
    left join days
        on before_last_hold.market_id = days.market_id
        and days.day_rank = greatest(coalesce(before_last_hold.last_hold_rank, 1) - before_last_hold.roll_days + 1, 1)

),

with_previous as (

    select
        *,
        lag(calendar_date) over (partition by market_id order by chain_seq) as prev_calendar_date

    from calendar_dates

),

pair_bars as (

    select
        with_previous.market_id,
        with_previous.from_contract_id,
        from_bars.observed_at,
        from_bars.trade_date,
        from_bars.close as from_price,
        to_bars.close as to_price,
        from_bars.open_interest as from_open_interest,
        to_bars.open_interest as to_open_interest,
        from_bars.volume as from_volume,
        to_bars.volume as to_volume

    from with_previous
    inner join vendor_bars as from_bars
        on with_previous.market_id = from_bars.market_id
        and with_previous.from_contract_id = from_bars.contract_id
    inner join vendor_bars as to_bars
        on with_previous.market_id = to_bars.market_id
        and with_previous.to_contract_id = to_bars.contract_id
        and from_bars.observed_at = to_bars.observed_at

),

crossovers as (

    select
        with_previous.market_id,
        with_previous.from_contract_id,
        min(pair_bars.trade_date) as crossover_date

    from with_previous
    inner join pair_bars
        on with_previous.market_id = pair_bars.market_id
        and with_previous.from_contract_id = pair_bars.from_contract_id
    where with_previous.roll_rule in ('open_interest', 'volume')
        and pair_bars.trade_date <= with_previous.calendar_date
        -- never before the previous link's own calendar date: the contract must be held first
        and pair_bars.trade_date > coalesce(with_previous.prev_calendar_date, date '0001-01-01')
        and case with_previous.roll_rule
            when 'open_interest' then pair_bars.to_open_interest > pair_bars.from_open_interest
            else pair_bars.to_volume > pair_bars.from_volume
        end
    group by 1, 2

),

rule_dates as (

    select
        with_previous.*,
        crossovers.crossover_date,
        coalesce(crossovers.crossover_date, with_previous.calendar_date) as rule_date

    from with_previous
    left join crossovers
        on with_previous.market_id = crossovers.market_id
        and with_previous.from_contract_id = crossovers.from_contract_id

),

roll_observations as (

    select
        rule_dates.market_id,
        rule_dates.from_contract_id,
        min(pair_bars.observed_at) as roll_at

    from rule_dates
    inner join pair_bars
        on rule_dates.market_id = pair_bars.market_id
        and rule_dates.from_contract_id = pair_bars.from_contract_id
    where pair_bars.trade_date >= rule_dates.rule_date
        and pair_bars.from_price is not null
        and pair_bars.to_price is not null
    group by 1, 2

),

final as (

    select
        rule_dates.market_id,
        rule_dates.chain_seq,
        rule_dates.from_contract_id,
        rule_dates.to_contract_id,
        rule_dates.roll_rule,
        rule_dates.roll_days,
        rule_dates.last_hold_date,
        rule_dates.calendar_date,
        rule_dates.crossover_date,
        rule_dates.rule_date,
        rule_dates.from_last_bar_date,
        roll_observations.roll_at

    from rule_dates
    left join roll_observations
        on rule_dates.market_id = roll_observations.market_id
        and rule_dates.from_contract_id = roll_observations.from_contract_id

)

select * from final
