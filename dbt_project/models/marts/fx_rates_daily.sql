-- One rate per currency and trade date: units of the base currency (var base_currency, default
-- USD; tecton passes TECTON_BASE_CURRENCY) per one unit of the currency, the base itself at 1.0.
-- Every source quotes in USD; another base is a cross through USD: rate = CCYUSD / BASEUSD on
-- the dates both have. Days are the source's own (no fill). One source per currency, never
-- interleaved: the one that prices the most markets quoted in the currency, then the one
-- whose series reaches the latest date, then the first by name.
{%- set base = var('base_currency', 'USD') | string | trim | upper %}
{%- if base | length != 3 or not base.isalpha() %}
    {{ exceptions.raise_compiler_error("base_currency must be a 3-letter currency code such as USD, got '" ~ base ~ "'") }}
{%- endif %}

with

prices as (

    select currency, trade_date, observed_at, price, source
    from {{ ref('stg_lake__fx_prices') }}
    where quote_currency = 'USD' and price is not null

),

daily as (

    -- a source's last observation of the day (the peer has two on its final day)
    select
        currency,
        trade_date,
        source,
        arg_max(price, observed_at) as rate_usd

    from prices
    group by currency, trade_date, source

),

market_sources as (

    select distinct market_id, split_part(source_file, '/', 1) as source
    from {{ ref('stg_lake__bars') }}

),

votes as (

    -- how many markets quoted in each currency each source prices
    select
        markets.currency,
        market_sources.source,
        count(*) as markets

    from market_sources
    inner join {{ ref('futures_markets') }} as markets
        on markets.market_id = market_sources.market_id
    group by markets.currency, market_sources.source

),

candidates as (

    select currency, source, max(trade_date) as last_date
    from daily
    group by currency, source

),

chosen as (

    select
        candidates.currency,
        candidates.source

    from candidates
    left join votes
        on votes.currency = candidates.currency
        and votes.source = candidates.source
    qualify row_number() over (
        partition by candidates.currency
        order by coalesce(votes.markets, 0) desc, candidates.last_date desc, candidates.source
    ) = 1

),

usd_rates as (

    select daily.currency, daily.trade_date, daily.rate_usd, daily.source
    from daily
    inner join chosen
        on chosen.currency = daily.currency
        and chosen.source = daily.source

),

with_usd as (

    select * from usd_rates
    union all
    -- the dollar itself, on every date some currency has a rate
    select distinct 'USD' as currency, trade_date, 1.0 as rate_usd, 'identity' as source
    from usd_rates

),

base as (

    select trade_date, rate_usd as base_rate_usd
    from with_usd
    where currency = '{{ base }}'

),

final as (

    select
        with_usd.currency,
        with_usd.trade_date,
        -- x / x is exactly 1.0: the base's own row needs no special case
        with_usd.rate_usd / base.base_rate_usd as rate,
        '{{ base }}' as base_currency,
        with_usd.source

    from with_usd
    inner join base on base.trade_date = with_usd.trade_date

)

select * from final
