-- A base currency (var base_currency) with no USD rate in the lake leaves fx_rates_daily empty:
-- fail with one line naming it and the currencies that do have rates, rather than say nothing.
{%- set base = var('base_currency', 'USD') | string | trim | upper %}

with

known as (

    select distinct currency
    from {{ ref('stg_lake__fx_prices') }}
    where quote_currency = 'USD' and price is not null

),

missing as (

    select
        '{{ base }}' as base_currency,
        (select string_agg(currency, ', ' order by currency) from known) as listed
    where '{{ base }}' <> 'USD'
        and exists (select 1 from known)
        and not exists (select 1 from known where currency = '{{ base }}')

)

{{ fail_on_rows('missing', "'base currency ' || base_currency || ' has no USD rate in the lake (fx_prices); currencies with one: USD, ' || listed") }}
