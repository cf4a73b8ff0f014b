"""Synthetic return panels for the risk model tests."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd


def panel(
    n_rows: int,
    n_markets: int,
    seed: int,
    nan_share: float = 0.0,
    starts: list[int] | None = None,
    common: float = 0.4,
) -> pd.DataFrame:
    """Daily returns (fractions) with a common factor, changing volatility, gaps and late starts."""
    rng = np.random.default_rng(seed)
    factor = rng.standard_normal((n_rows, 1))
    noise = rng.standard_normal((n_rows, n_markets))
    level = 0.01 * np.exp(np.cumsum(0.05 * rng.standard_normal((n_rows, n_markets)), axis=0))
    values = level * (np.sqrt(common) * factor + np.sqrt(1 - common) * noise)
    values[rng.random(values.shape) < nan_share] = np.nan
    for j, start in enumerate(starts or []):
        values[:start, j] = np.nan
    index = pd.bdate_range("2001-01-02", periods=n_rows, name="trade_date")
    columns = pd.Index([f"M{j}" for j in range(n_markets)], name="market_id")
    return pd.DataFrame(values, index=index, columns=columns)


def garch_returns(n_rows: int, n_markets: int, seed: int) -> np.ndarray:
    """Returns (fractions) simulated from GARCH(1,1): omega 0.02, alpha 0.08, beta 0.9 (percent)."""
    rng = np.random.default_rng(seed)
    out = np.empty((n_rows, n_markets))
    var = np.ones(n_markets)
    for t in range(n_rows):
        out[t] = np.sqrt(var) * rng.standard_normal(n_markets)
        var = 0.02 + 0.08 * out[t] ** 2 + 0.9 * var
    return out / 100.0


def peer_returns(folder: Path, codes: list[str]) -> pd.DataFrame:
    """Daily percentage returns of pysystemtrade's adjusted prices (last price of each day)."""
    series = {}
    for code in codes:
        with gzip.open(folder / "adjusted_prices_csv" / f"{code}.csv.gz", "rt") as handle:
            prices = pd.read_csv(handle, parse_dates=["DATETIME"], index_col="DATETIME")["price"]
        daily = prices.groupby(prices.index.normalize()).last().dropna()
        series[code] = daily.pct_change(fill_method=None).iloc[1:]
    frame = pd.DataFrame(series).sort_index()
    frame.index.name = "trade_date"
    return frame
