"""futures_vol_daily: EWMA volatility of each market's returns, one row per (market_id, trade_date).

The volatility is ``tecton.stats.vol_paths`` (the one definition: each market on its own
trading days, EWMA, trailing floor), the same function the risk model and the alpha rules call,
so a row here equals their value for that market and day. A day without a return (the first
day, a roll without the new contract's previous price) is no observation: it carries the
latest value. Annualised with ``tecton.stats.annualise_vol`` (252 days). This model only lays
the data out for the kernels.
"""

import numpy as np
import pandas as pd

from tecton.stats import MIN_PERIODS, SPAN, TRADING_DAYS_PER_YEAR, annualise_vol, vol_paths

SPANS = (16, int(SPAN), 64)  # days: fast, standard (tecton.stats.SPAN), slow


def by_position(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``column`` as a (day number within market) x market array, and each row's place in it."""
    day = frame.groupby("market_id", sort=False).cumcount().to_numpy()
    market, markets = pd.factorize(frame["market_id"])
    wide = np.full((day.max() + 1 if len(day) else 0, len(markets)), np.nan)
    wide[day, market] = frame[column].to_numpy(dtype=float, na_value=np.nan)
    return wide, day, market


def volatility(frame: pd.DataFrame) -> pd.DataFrame:
    """The mart's columns for ``frame`` (market_id, trade_date, ret_pct, ret_pts; sorted)."""
    out = frame[["market_id", "trade_date"]].copy()
    pct, day, market = by_position(frame, "ret_pct")
    out["n_returns"] = np.cumsum(~np.isnan(pct), axis=0)[day, market]
    for span in SPANS:
        paths = vol_paths(pct, span, MIN_PERIODS)
        out[f"vol_pct_{span}"] = paths.raw[day, market]
        out[f"vol_pct_ann_{span}"] = annualise_vol(paths.vol, TRADING_DAYS_PER_YEAR)[day, market]
        out[f"vol_floor_ann_{span}"] = annualise_vol(paths.floor, TRADING_DAYS_PER_YEAR)[
            day, market
        ]
    pts, _, _ = by_position(frame, "ret_pts")
    paths = vol_paths(pts, SPAN, MIN_PERIODS)
    out[f"vol_pts_{int(SPAN)}"] = paths.vol[day, market]
    out[f"vol_pts_floor_{int(SPAN)}"] = paths.floor[day, market]
    return out


def model(dbt, session):
    dbt.config(materialized="table")
    returns = (
        dbt.ref("futures_returns_daily")
        .project("market_id, trade_date, ret_pct, ret_pts")
        .order("market_id, trade_date")
        .df()
    )
    result = volatility(returns)
    # pandas turns DATE into a timestamp; give the mart its DATE back
    return session.from_df(result).project("* replace (trade_date::date as trade_date)")
