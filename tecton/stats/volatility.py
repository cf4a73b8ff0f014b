"""Daily volatility: the one owner of "EWMA span 35, floored" in tecton.

Every volatility in tecton comes from :func:`daily_vol` (or :func:`vol_paths`, which also gives
the unfloored estimate and the floor): the ``futures_vol_daily`` mart, the risk model's
``ewma`` estimator and the alpha rules' normaliser. So sizing, risk and the rules see the same
number for the same market on the same day.

The definition
--------------
1. **Own trading days.** Each market (column) is reduced to the days it has a return, in
   order (:func:`to_own_days`). A holiday on one exchange never ages another market's weights,
   and a day without a return (a holiday, a missing roll price) is no observation.
2. **EWMA standard deviation** on those days: pandas
   ``ewm(span=span, adjust=True, min_periods=min_periods).std()`` (weights ``(1 - alpha) ** k``
   for the ``k``-th latest return, ``alpha = 2 / (span + 1)``; bias-corrected; at least two
   returns). Pandas' kernel is used as is: it is faster than anything we would write.
3. **Floor**: the trailing ``quantile`` of that volatility over its last ``window`` own days
   (pandas ``rolling(window, min_periods).quantile(quantile)``, linear interpolation); the
   volatility is ``max(raw, floor)``, the raw value while the floor is undefined.
4. **Back on the calendar** (:func:`from_own_days`): on a date a market did not trade it keeps
   its latest value; NaN before its first.

Row ``t`` uses only returns on or before ``t`` (every step is causal). Units are those of the
returns (fractions for ``ret_pct``, price points for ``ret_pts``); annualise with
:mod:`tecton.stats.annualise`.
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

import numpy as np
import pandas as pd

Data = TypeVar("Data", np.ndarray, pd.Series, pd.DataFrame)

SPAN = 35.0  # days (DESIGN.md: "span around 35 days")
MIN_PERIODS = 10  # returns before a volatility is given


class Floor(NamedTuple):
    """The volatility floor: the trailing ``quantile`` of the last ``window`` own-day values,
    defined once ``min_periods`` of them exist."""

    window: int = 500
    quantile: float = 0.05
    min_periods: int = 100


FLOOR = Floor()


class VolPaths(NamedTuple):
    """The three paths of :func:`vol_paths`, each shaped like the returns."""

    raw: Data  # EWMA standard deviation, unfloored
    floor: Data  # trailing quantile of ``raw``; NaN until defined
    vol: Data  # max(raw, floor): the volatility


def to_own_days(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A calendar panel (dates x markets, NaN where a market has no return) in own-day layout.

    Returns
    -------
    own : ndarray
        ``own[k, j]`` is market ``j``'s ``k``-th observed return (trailing rows NaN).
    seen : ndarray
        ``seen[t, j]``: how many returns market ``j`` had up to calendar row ``t`` (inclusive).
    """
    observed = ~np.isnan(values)
    seen = np.cumsum(observed, axis=0)
    rows, cols = np.nonzero(observed)
    own = np.full((int(seen[-1].max()) if len(values) else 0, values.shape[1]), np.nan)
    own[seen[rows, cols] - 1, cols] = values[rows, cols]
    return own, seen


def from_own_days(own: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Own-day values back on the calendar: each row carries the market's latest own-day value."""
    if own.shape[0] == 0:
        return np.full(seen.shape, np.nan)
    taken = np.take_along_axis(own, np.maximum(seen - 1, 0), axis=0)
    return np.where(seen > 0, taken, np.nan)


def ewma_vol(own: np.ndarray, span: float = SPAN, min_periods: int = MIN_PERIODS) -> np.ndarray:
    """EWMA standard deviation of own-day returns, column by column (pandas ``ewm().std()``).

    Parameters
    ----------
    own : ndarray
        Own-day returns (rows are observations; see :func:`to_own_days`).
    span : float
        EWMA span in observations, ``> 1``.
    min_periods : int
        Observations before a value is given (at least two in any case).
    """
    if not span > 1:
        raise ValueError(f"span must be greater than 1, got {span!r}")
    ewm = pd.DataFrame(own).ewm(span=span, adjust=True, min_periods=min_periods)
    return ewm.std().to_numpy()


def vol_floor(vol: np.ndarray, floor: Floor = FLOOR) -> np.ndarray:
    """The trailing ``floor.quantile`` of ``vol`` over ``floor.window`` rows (pandas rolling)."""
    if not 0 <= floor.quantile <= 1:
        raise ValueError(f"quantile must be in [0, 1], got {floor.quantile!r}")
    if not 1 <= floor.min_periods <= floor.window:
        raise ValueError(
            f"floor needs 1 <= min_periods <= window, got {floor.min_periods} and {floor.window}"
        )
    rolling = pd.DataFrame(vol).rolling(floor.window, min_periods=floor.min_periods)
    return rolling.quantile(floor.quantile, interpolation="linear").to_numpy()


def floored_vol(vol: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """``max(vol, floor)``, keeping ``vol`` where the floor is not yet defined (NaN)."""
    return np.where(np.isnan(floor), vol, np.maximum(vol, floor))


def apply_floor(raw: np.ndarray, floor: Floor | None = FLOOR) -> tuple[np.ndarray, np.ndarray]:
    """The floor of an own-day volatility and the floored volatility (``raw`` if ``floor`` is None).

    Returns
    -------
    low, vol : ndarray
        :func:`vol_floor` of ``raw`` (all NaN without a floor) and :func:`floored_vol`.
    """
    low = vol_floor(raw, floor) if floor is not None else np.full(np.shape(raw), np.nan)
    return low, floored_vol(raw, low)


def own_day_paths(
    own: np.ndarray,
    span: float = SPAN,
    min_periods: int = MIN_PERIODS,
    floor: Floor | None = FLOOR,
) -> VolPaths:
    """:func:`vol_paths` on own-day returns (:func:`to_own_days`), in the same layout."""
    raw = ewma_vol(own, span, min_periods)
    return VolPaths(raw, *apply_floor(raw, floor))


def vol_paths(
    returns: Data,
    span: float = SPAN,
    min_periods: int = MIN_PERIODS,
    floor: Floor | None = FLOOR,
) -> VolPaths:
    """The raw EWMA volatility, its floor and the floored volatility (the module's definition).

    Parameters
    ----------
    returns : ndarray, Series or DataFrame
        Daily returns, calendar rows (time, increasing) by markets; NaN where a market has no
        return that day.
    span, min_periods : float, int
        Of the EWMA standard deviation, in the market's own trading days.
    floor : Floor or None
        The trailing floor; ``None`` for none (then ``vol`` is ``raw`` and ``floor`` all NaN).

    Returns
    -------
    VolPaths
        Each the shape and type of ``returns``.
    """
    values = np.asarray(returns, dtype=float)
    values = values.reshape(len(values), -1) if values.ndim != 2 else values
    own, seen = to_own_days(values)
    paths = own_day_paths(own, span, min_periods, floor)
    return VolPaths(*(_like(from_own_days(p, seen), returns) for p in paths))


def daily_vol(
    returns: Data,
    span: float = SPAN,
    min_periods: int = MIN_PERIODS,
    floor: Floor | None = FLOOR,
) -> Data:
    """Floored daily EWMA volatility of each market on its own trading days.

    The one definition of volatility in tecton (see the module docstring); shorthand for
    ``vol_paths(returns, span, min_periods, floor).vol``.

    Parameters
    ----------
    returns : ndarray, Series or DataFrame
        Daily returns, calendar rows by markets, NaN where a market has no return.
    span : float
        EWMA span in own trading days, ``> 1`` (35 by default).
    min_periods : int
        Returns needed before a volatility is given (10 by default; at least 2).
    floor : Floor or None
        The trailing floor (5th percentile of 500 days after 100 by default); ``None`` for none.

    Returns
    -------
    same type as ``returns``
        Shaped like ``returns``: on each date the market's latest volatility, NaN before it has
        one.
    """
    return vol_paths(returns, span, min_periods, floor).vol


def _like(result: np.ndarray, data: Data) -> Data:
    if isinstance(data, pd.DataFrame):
        return pd.DataFrame(result, index=data.index, columns=data.columns)
    if isinstance(data, pd.Series):
        return pd.Series(result[:, 0], index=data.index, name=data.name)
    return result.reshape(np.shape(data))
