"""futures_corr: EWMA correlation of weekly returns for every pair of markets, per week.

Grain (week_end, market_a, market_b) with market_a < market_b. A market's weekly return is the
sum of its daily ``ret_pct`` over the week ending Friday (``week_end``, the Friday's date even
when the exchange was shut that Friday; weekend days belong to the following Friday's week).
Summing rather than compounding keeps the weekly return in ret_pct's own unit whatever it is
(fraction or percent); for daily moves the two differ only at second order, which a correlation
barely feels. A pair is compared over its common weeks (both markets traded), so weights age
only at common weeks; a row appears for a common week once the correlation is defined
(``MIN_WEEKS`` common weeks, both markets moving).
"""

import pandas as pd

from tecton.stats import ewma_corr_pairs

SPAN = 26  # weeks
MIN_WEEKS = 10


def weekly_returns(daily: pd.DataFrame) -> pd.DataFrame:
    """Weeks (ending Friday) x markets: the sum of each market's daily ret_pct; NaN if none."""
    trade_date = pd.to_datetime(daily["trade_date"])
    week_end = trade_date + pd.to_timedelta((4 - trade_date.dt.weekday) % 7, unit="D")
    weekly = (
        daily.assign(week_end=week_end)
        .groupby(["week_end", "market_id"])["ret_pct"]
        .sum(min_count=1)
        .unstack("market_id")
    )
    return weekly.sort_index()


def correlations(daily: pd.DataFrame) -> pd.DataFrame:
    """The mart's rows for ``daily`` (market_id, trade_date, ret_pct)."""
    pairs = ewma_corr_pairs(weekly_returns(daily), SPAN, MIN_WEEKS)
    pairs = pairs.rename(columns={"a": "market_a", "b": "market_b", "corr": f"corr_{SPAN}"})
    return pairs.dropna(subset=[f"corr_{SPAN}"]).reset_index(drop=True)


def model(dbt, session):
    dbt.config(materialized="table")
    daily = dbt.ref("futures_returns_daily").project("market_id, trade_date, ret_pct").df()
    result = correlations(daily)
    return session.from_df(result).project(
        "week_end::date as week_end, market_a::varchar as market_a, market_b::varchar as market_b, "
        f"corr_{SPAN}"
    )
