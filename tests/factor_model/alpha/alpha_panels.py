"""Synthetic wide panels for the alpha tests, and the plain pandas definitions they are checked on."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tecton.factor_model.alpha.rules import RuleInputs


def panel(
    n_days: int = 1500, n_markets: int = 4, seed: int = 0, nan_share: float = 0.03
) -> RuleInputs:
    """Random-walk prices (one crosses zero, one sticks), carry and a weekly fundamental.

    Markets start on different days, and each misses scattered days (holidays); market 0 trades
    below zero for a while (a Panama series can), market 1 has a stretch of constant price.
    """
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2001-01-01", periods=n_days, name="trade_date")
    columns = pd.Index([f"M{j}" for j in range(n_markets)], name="market_id")
    steps = rng.standard_normal((n_days, n_markets)) * rng.uniform(0.5, 3.0, n_markets)
    price = 50.0 + np.cumsum(steps, axis=0)
    price[:, 0] -= price[n_days // 2, 0] + 5.0  # market 0 goes negative mid-sample
    if n_markets > 1:
        price[n_days // 3 : n_days // 3 + 40, 1] = price[n_days // 3, 1]  # a stuck price
    price[rng.random(price.shape) < nan_share] = np.nan
    for j in range(n_markets):
        price[: int(rng.integers(0, n_days // 5)), j] = np.nan  # staggered starts
    carry = rng.standard_normal((n_days, n_markets)).cumsum(axis=0) * 0.2 + 1.0
    carry[rng.random(carry.shape) < 0.1] = np.nan
    weekly = pd.DataFrame(
        rng.standard_normal((n_days, n_markets)).cumsum(axis=0), index=index, columns=columns
    )
    weekly.loc[index.day_of_week != 2] = np.nan  # released on Wednesdays
    weekly = weekly.ffill()
    return RuleInputs(
        price_adj=pd.DataFrame(price, index=index, columns=columns),
        carry_ann=pd.DataFrame(carry, index=index, columns=columns),
        fundamentals={"inventory": weekly},
    )


def pandas_vol(returns: pd.DataFrame) -> pd.DataFrame:
    """The rules' daily volatility in plain pandas, market by market on its own days (the dates
    it has a return): EWMA std span 35, floored at its own trailing 500-day 5th percentile
    (once 100 values exist), carried over the other dates, NaN where zero."""

    def own_days(series: pd.Series) -> pd.Series:
        own = series.dropna()
        vol = own.ewm(span=35, min_periods=10).std()
        floor = vol.rolling(500, min_periods=100).quantile(0.05)
        floored = vol.where(floor.isna() | (vol >= floor), floor)
        return floored.reindex(series.index).ffill()

    vol = returns.apply(own_days)
    return vol.where(vol > 0)


def pandas_ewmac(x: pd.DataFrame, vol: pd.DataFrame, fast: float, slow: float) -> pd.DataFrame:
    return (x.ewm(span=fast).mean() - x.ewm(span=slow).mean()) / vol


def pandas_breakout(price: pd.DataFrame, window: int) -> pd.DataFrame:
    high = price.rolling(window, min_periods=math.ceil(window / 2)).max()
    low = price.rolling(window, min_periods=math.ceil(window / 2)).min()
    raw = 40 * (price - (high + low) / 2) / (high - low)
    raw = raw.mask(high == low, 0.0)
    smooth = max(window // 4, 1)
    return raw.ewm(span=smooth, min_periods=math.ceil(smooth / 2)).mean()


def loop_scalar(raw: pd.DataFrame, target: float, method: str, min_periods: int) -> pd.Series:
    """The expanding forecast scalar recomputed from scratch on every date (quadratic, plainly
    right): a second implementation to check ``forecast_scalar`` against."""
    out = []
    for t in range(len(raw)):
        past = raw.iloc[: t + 1].abs()
        past = past.where(past > 0)  # zeros are "no opinion"
        if past.notna().any(axis=1).sum() < min_periods:
            out.append(np.nan)
        elif method == "pooled":
            out.append(target / np.nanmean(past.to_numpy()))
        else:
            out.append(target / past.median(axis=1).dropna().mean())
    return pd.Series(out, index=raw.index)


def random_walk_scalar(fast: float, slow: float) -> float:
    """10 / E|EWMAC| for a driftless Gaussian random walk with known unit volatility.

    ``EWMA_fast - EWMA_slow = sum_j r_{t-j} (b_s ** (j+1) - b_f ** (j+1))`` with ``b = 1 - alpha``,
    so its variance is a sum of three geometric series; ``E|x| = sqrt(2 / pi) * std``.
    """
    bf, bs = 1 - 2 / (fast + 1), 1 - 2 / (slow + 1)
    var = bs**2 / (1 - bs**2) + bf**2 / (1 - bf**2) - 2 * bf * bs / (1 - bf * bs)
    return 10 / (np.sqrt(2 / np.pi) * np.sqrt(var))
