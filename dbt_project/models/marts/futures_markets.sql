-- One row per market, the one door to market metadata for dbt, Mantle and Python: the reference
-- file (the `markets` seed) and, for markets it does not list, the instrument configuration a
-- source brought to the lake (pysystemtrade's instrumentconfig.csv), restricted to instruments
-- with prices in the lake (the peer's file lists about 400 instruments; 29 have prices).

with

reference as (

    select * from {{ ref('stg_seed__markets') }}

),

instruments as (

    select * from {{ ref('stg_lake__instruments') }}

),

priced as (

    select distinct market_id from {{ ref('stg_lake__bars') }}

),

reference_markets as (

    select
        market_id,
        name,
        asset_class,
        currency,
        point_value,
        tick_size,
        commission_per_contract,
        cast(0 as double) as commission_pct,
        spread_ticks * tick_size as spread_pts,
        'reference' as source

    from reference

),

source_markets as (

    select
        instruments.market_id,
        instruments.description as name,
        -- the peer's classes onto tecton's; a class with no counterpart (Housing, Other) is 'other'
        case instruments.asset_class
            when 'Equity' then 'equity'
            when 'Sector' then 'equity'
            when 'Bond' then 'bond'
            when 'STIR' then 'stir'
            when 'FX' then 'fx'
            when 'OilGas' then 'energy'
            when 'Metals' then 'metals'
            when 'Ags' then 'ags'
            when 'Vol' then 'vol'
            else 'other'
        end as asset_class,
        instruments.currency,
        instruments.point_value,
        -- the instrument configuration has no tick size
        cast(null as double) as tick_size,
        instruments.commission_per_contract,
        instruments.commission_pct,
        2 * instruments.slippage_pts as spread_pts,
        instruments.source

    from instruments
    inner join priced on instruments.market_id = priced.market_id
    -- the reference file wins for a market in both
    anti join reference on instruments.market_id = reference.market_id

),

unioned as (

    select * from reference_markets
    union all by name
    select * from source_markets

),

final as (

    select
        market_id,
        name,
        asset_class,
        currency,
        point_value,
        tick_size,
        commission_per_contract,
        commission_pct,
        spread_pts,
        spread_pts / 2 as slippage_pts,
        source

    from unioned

)

select * from final
