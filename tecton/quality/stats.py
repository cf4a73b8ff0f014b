"""The statistics the context-dependent rules judge, computed per contract before validation.

Great Expectations has no rolling checks, so each rule that needs a contract's other days gets a
precomputed column here (vectorised over the whole batch, grouped by contract and role) and the
suite expects on that column. A column is NaN where its rule does not apply (a bar without volume
cannot be stale, a bar near expiry is not judged for spikes), and expectations ignore NaN.

Columns added to the batch:

``is_trading_day``  trade_date is a trading day of the market's exchange calendar
``order_step_s``    seconds since the previous bar of the same contract and role in file order
``gap_days``        exchange trading days missing before this bar inside its contract's series
``spike_z``         signed robust z of a one-day reverting move (0 when the move does not revert)
``stale_days``      consecutive days of this same flat bar (open = high = low = close) while volume trades
``min_price``       the lowest of open/high/low/close (NaN for markets that allow negatives)
``asset_class``     from the market metadata (``unknown`` for markets it does not list)
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa

from tecton.markets.calendar import trading_days
from tecton.markets.metadata import market_specs
from tecton.quality import thresholds as th

GROUP = ["source_file", "market_id", "contract_id", "role_key"]


@cache
def _calendar(market_id: str) -> np.ndarray:
    spec = market_specs().get(market_id)
    if spec is not None:
        return trading_days(spec.calendar)
    # a market the metadata does not list: weekdays
    days = np.arange(
        np.datetime64("1970-01-01"), np.datetime64("2036-01-01"), dtype="datetime64[D]"
    )
    return days[np.is_busday(days)]


@cache
def _expiry(market_id: str, delivery_month: int) -> np.datetime64:
    spec = market_specs().get(market_id)
    if spec is None:
        return np.datetime64("NaT")
    try:
        return np.datetime64(spec.expiry(delivery_month // 100, delivery_month % 100), "D")
    except (IndexError, ValueError):
        return np.datetime64("NaT")


def frame(table: pa.Table) -> pd.DataFrame:
    """The staged bars as pandas (dates as datetime64), indexed by row position in ``table``."""
    df = table.to_pandas(date_as_object=False)
    df["trade_date"] = df["trade_date"].astype("datetime64[s]")
    df["role_key"] = df["role"].fillna("")
    df.index = pd.RangeIndex(len(df))
    return df


def compute(table: pa.Table) -> pd.DataFrame:
    """The batch with every precomputed column, in the batch's own row order."""
    df = frame(table)
    specs = market_specs()
    df["asset_class"] = (
        df["market_id"].map({m: s.asset_class for m, s in specs.items()}).fillna("unknown")
    )
    negative_ok = (
        df["market_id"]
        .map({m: s.allows_negative for m, s in specs.items()})
        .fillna(False)
        .astype(bool)
    )
    prices = df[["open", "high", "low", "close"]]
    df["min_price"] = prices.min(axis=1, skipna=True).where(~negative_ok)
    day = df["trade_date"].to_numpy().astype("datetime64[D]")
    df["is_trading_day"] = True
    df["gap_days"] = np.nan
    near_expiry = np.zeros(len(df), bool)
    for market, rows in df.groupby("market_id", sort=False).indices.items():
        cal = _calendar(market)
        pos = np.searchsorted(cal, day[rows])
        on_day = cal[np.minimum(pos, len(cal) - 1)] == day[rows]
        # an intraday print belongs to the session it trades in (a Sunday-evening or holiday
        # electronic session settles on the next trading day); with no time zone on the
        # peer's stamps, a print up to SESSION_LEAD_DAYS before a trading day (Sunday evening
        # before a holiday Monday) or one day after one is in a session
        # (multiple-price rows, which carry a role, are such prints)
        intraday = df["role"].notna().to_numpy()[rows]
        nxt = cal[np.minimum(pos, len(cal) - 1)]
        prev = cal[np.maximum(pos - 1, 0)]
        near = ((nxt - day[rows]) <= np.timedelta64(th.SESSION_LEAD_DAYS, "D")) | (
            (day[rows] - prev) <= np.timedelta64(1, "D")
        )
        df.loc[rows, "is_trading_day"] = on_day | (intraday & near)
        months = df["delivery_month"].to_numpy()[rows]
        expiries = np.array([_expiry(market, int(m)) for m in months], dtype="datetime64[D]")
        left = np.searchsorted(cal, expiries) - np.searchsorted(cal, day[rows])
        near_expiry[rows] = ~np.isnat(expiries) & (left < th.EXPIRY_DAYS)
        df.loc[rows, "_day_index"] = pos
    df["order_step_s"] = _order_steps(df)
    df = df.sort_values([*GROUP, "observed_at"], kind="stable")
    first = ~df.duplicated(GROUP, keep="first").to_numpy()
    _gaps(df, first)
    # spikes and stale runs are judged on daily closes: the last print of each day of a series
    last = ~df.duplicated([*GROUP, "trade_date"], keep="last").to_numpy()
    daily = df[last]
    daily_first = ~daily.duplicated(GROUP, keep="first").to_numpy()
    for name, fn in (("spike_z", _spikes), ("stale_days", _stale)):
        df[name] = np.nan
        # readers reject non-finite prices; a table handed in directly may still hold one, and its
        # NaN score ("not judged") must not print numpy's warning into a user's terminal
        with np.errstate(invalid="ignore"):
            df.loc[daily.index, name] = fn(daily, daily_first)
    exempt = near_expiry[df.index.to_numpy()]
    # a one-day reverting close is a bad print or a real crash day (VIX 5 Feb 2018); only a full
    # bar with volume tells them apart, so close-only rows (multiple prices) are not judged
    df.loc[df[["open", "high", "low", "volume"]].isna().any(axis=1).to_numpy(), "spike_z"] = np.nan
    df.loc[exempt, ["spike_z", "stale_days"]] = np.nan
    return df.drop(columns=["_day_index"]).sort_index()


def _order_steps(df: pd.DataFrame) -> np.ndarray:
    """Seconds from the previous bar of the same series in the order the file lists them."""
    ordered = df.sort_values(GROUP, kind="stable")  # stable: file order within a series
    t = ordered["observed_at"].to_numpy().astype("datetime64[us]").astype(np.int64)
    step = np.empty(len(t))
    step[0:1] = np.nan
    step[1:] = (t[1:] - t[:-1]) / 1e6
    step[~ordered.duplicated(GROUP, keep="first").to_numpy()] = np.nan
    out = np.empty(len(t))
    out[ordered.index.to_numpy()] = step
    return out


def _gaps(df: pd.DataFrame, first: np.ndarray) -> None:
    """Trading days missing between consecutive distinct days of one series."""
    idx = df["_day_index"].to_numpy()
    gap = np.full(len(idx), np.nan)
    gap[1:] = np.maximum(idx[1:] - idx[:-1] - 1, 0)
    gap[first] = np.nan
    df["gap_days"] = gap


def _spikes(df: pd.DataFrame, first: np.ndarray) -> np.ndarray:
    """Signed robust z of a close's distance from the midpoint of its neighbours, for reverting moves.

    ``e = close - (previous + next) / 2`` is the size of a one-day outlier (its noise is the
    daily volatility / sqrt 2). Where the market has other contracts that day,
    the score is the smaller of ``e`` and ``e`` less their median (a market-wide swing is
    real, not a bad print), both scaled by the rolling median absolute deviation of ``e``. It counts only
    when the close reverts: the moves into and out of it have opposite signs and both are at
    least half of ``e``. A limit move (a jump that stays) fails that and scores 0.
    """
    close = df["close"].to_numpy()
    n = len(close)
    last = np.zeros(n, bool)
    last[:-1] = first[1:]
    last[-1:] = True
    prev, nxt = np.full(n, np.nan), np.full(n, np.nan)
    prev[1:], nxt[:-1] = close[:-1], close[1:]
    prev[first], nxt[last] = np.nan, np.nan
    e = close - (prev + nxt) / 2
    d_in, d_out = close - prev, nxt - close
    # a market-wide move shows in all of its contracts that day; an outlier in one only
    shared = pd.Series(e).groupby([df["market_id"].to_numpy(), df["trade_date"].to_numpy()])
    peers = shared.transform("count").to_numpy()
    # two contracts: compare with the other one; more: with the median of all
    other = np.where(
        peers == 2, shared.transform("sum").to_numpy() - e, shared.transform("median").to_numpy()
    )
    own = np.where(peers >= 2, e - other, e)
    keys = np.cumsum(first)
    roll = (
        pd.Series(e, index=keys)
        .groupby(level=0)
        .rolling(th.MAD_WINDOW, center=True, min_periods=th.MAD_MIN_ROWS)
    )
    med = roll.median().to_numpy()
    dev = pd.Series(np.abs(e - med), index=keys).groupby(level=0)
    mad = dev.rolling(th.MAD_WINDOW, center=True, min_periods=th.MAD_MIN_ROWS).median().to_numpy()
    tick = (
        df["market_id"]
        .map({m: s.tick_size for m, s in market_specs().items()})
        .fillna(0.0)
        .to_numpy()
    )
    scale = np.maximum(th.MAD_SCALE * mad, np.maximum(tick, 1e-6 * np.abs(close)))
    z = (e - med) / scale
    z = np.sign(z) * np.minimum(np.abs(z), np.abs(own) / scale)
    reverts = (np.sign(d_in) == -np.sign(d_out)) & (
        np.minimum(np.abs(d_in), np.abs(d_out)) >= np.abs(e) / 2
    )
    return np.where(np.isnan(z), np.nan, np.where(reverts, z, 0.0))


def _stale(df: pd.DataFrame, first: np.ndarray) -> np.ndarray:
    """Length of the run of identical flat bars ending at each bar, counting only traded days.

    A stale feed carries one price forward into open, high, low and close while volume still
    trades; a deferred contract that settles unchanged inside a real trading range (VIX
    deferreds do for weeks) is not stale.
    """
    close, volume = df["close"].to_numpy(), df["volume"].to_numpy()
    flat = (df["high"].to_numpy() == df["low"].to_numpy()) & (volume > 0)
    same = np.zeros(len(close), bool)
    same[1:] = (close[1:] == close[:-1]) & flat[1:] & flat[:-1]
    same[first] = False
    # run length: rows since the last row that started a new close
    starts = np.flatnonzero(~same)
    run = (
        np.arange(len(close))
        - starts[np.searchsorted(starts, np.arange(len(close)), side="right") - 1]
        + 1
    )
    return np.where(np.isnan(volume), np.nan, run.astype(float))
