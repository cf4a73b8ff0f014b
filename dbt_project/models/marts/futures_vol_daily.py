"""futures_vol_daily: EWMA volatility of each market's returns, one row per (market_id, trade_date).

Each market is computed on its own trading days (a row of ``futures_returns_daily`` is a day),
so a holiday on one exchange never ages another market's weights. The kernels live in
``tecton.stats`` (shared with the risk models); this model only lays the data out for them.
"""

import numpy as np
import pandas as pd

from tecton.stats import ewma_vol, floored_vol, vol_floor

SPANS = (16, 35, 64)  # days: fast, standard (about 35, see DESIGN.md), slow
POINTS_SPAN = 35
MIN_PERIODS = 10  # returns before a volatility is given
FLOOR = {"window": 500, "quantile": 0.05, "min_periods": 100}  # trailing 5th percentile of 500 days
DAYS_PER_YEAR = 252


def by_position(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``column`` as a (day number within market) x market array, and each row's place in it."""
    day = frame.groupby("market_id", sort=False).cumcount().to_numpy()
    market, markets = pd.factorize(frame["market_id"])
    wide = np.full((day.max() + 1 if len(day) else 0, len(markets)), np.nan)
    wide[day, market] = frame[column].to_numpy(dtype=float, na_value=np.nan)
    return wide, day, market


def floored(vol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The floored volatility and its floor."""
    floor = vol_floor(vol, **FLOOR)
    return floored_vol(vol, floor), floor


def volatility(frame: pd.DataFrame) -> pd.DataFrame:
    """The mart's columns for ``frame`` (market_id, trade_date, ret_pct, ret_pts; sorted)."""
    out = frame[["market_id", "trade_date"]].copy()
    pct, day, market = by_position(frame, "ret_pct")
    out["n_returns"] = np.cumsum(~np.isnan(pct), axis=0)[day, market]
    for span in SPANS:
        vol = ewma_vol(pct, span, MIN_PERIODS)
        vol_ann, floor_ann = floored(vol * np.sqrt(DAYS_PER_YEAR))
        out[f"vol_pct_{span}"] = vol[day, market]
        out[f"vol_pct_ann_{span}"] = vol_ann[day, market]
        out[f"vol_floor_ann_{span}"] = floor_ann[day, market]
    pts, _, _ = by_position(frame, "ret_pts")
    vol_pts, floor_pts = floored(ewma_vol(pts, POINTS_SPAN, MIN_PERIODS))
    out[f"vol_pts_{POINTS_SPAN}"] = vol_pts[day, market]
    out[f"vol_pts_floor_{POINTS_SPAN}"] = floor_pts[day, market]
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
