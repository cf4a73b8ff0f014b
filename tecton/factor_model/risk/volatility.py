"""Volatility estimators: each market's daily volatility on its own trading days, with a floor.

An estimator works on *own-day* arrays: column ``j`` holds market ``j``'s returns in the order it
traded, one row per day it traded (trailing rows NaN once its data end). A holiday on one
exchange therefore never ages another market's weights, as in the ``futures_vol_daily`` mart.
:func:`to_own_days` and :func:`from_own_days` move between a calendar panel and that layout.
Row ``k`` of an estimate uses only the market's first ``k + 1`` returns.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from tecton.factor_model.registry import Registry
from tecton.factor_model.risk.components import Component
from tecton.stats import ewma_vol, floored_vol, vol_floor

VOLATILITY: Registry[type[VolatilityEstimator]] = Registry("volatility estimator")


class VolFloor(Component):
    """The floor: the trailing ``quantile`` of the volatility over its last ``window`` values.

    Defined once ``min_periods`` of those values exist (``tecton.stats.vol_floor``).
    """

    window: int = Field(500, ge=1)
    quantile: float = Field(0.05, ge=0, le=1)
    min_periods: int = Field(100, ge=1)

    @field_validator("min_periods")
    @classmethod
    def _fits_window(cls, min_periods: int, info: ValidationInfo) -> int:
        window = info.data.get("window")
        if window is not None and min_periods > window:
            raise ValueError(f"expected at most window ({window}), got {min_periods}")
        return min_periods


class VolatilityEstimator(Component):
    """A family base: daily volatility per own trading day, then the common floor."""

    registry: ClassVar[Registry] = VOLATILITY
    name_key: ClassVar[str] = "estimator"

    estimator: str
    floor: VolFloor | None = VolFloor()

    def daily_vol(self, own: np.ndarray) -> np.ndarray:
        """Floored daily volatility of own-day returns (same shape; NaN where undefined).

        Parameters
        ----------
        own : ndarray
            Own-day returns (see the module docstring), fractions per day.

        Returns
        -------
        ndarray
            Row ``k`` of column ``j``: the volatility known at the close of market ``j``'s
            ``k``-th day, from its returns up to that day; the larger of the raw estimate and
            the floor once the floor is defined.
        """
        if not len(own):  # no market has a return yet (the stats kernels need a row)
            return own.copy()
        vol = self.raw_vol(own)
        if self.floor is None:
            return vol
        floor = vol_floor(vol, self.floor.window, self.floor.quantile, self.floor.min_periods)
        return floored_vol(vol, floor)

    def raw_vol(self, own: np.ndarray) -> np.ndarray:
        """Unfloored daily volatility of own-day returns (implemented by each estimator)."""
        raise NotImplementedError


@VOLATILITY.register("ewma")
class EwmaVolatility(VolatilityEstimator):
    """EWMA standard deviation of returns: pandas ``ewm(span, min_periods).std()`` on own days.

    Parameters
    ----------
    span : float
        EWMA span in the market's trading days, ``> 1`` (35 by default).
    min_periods : int
        Returns needed before a volatility is given (at least 2).
    floor : VolFloor or None
        The trailing floor; ``None`` for none.
    """

    estimator: Literal["ewma"] = "ewma"
    span: float = Field(35.0, gt=1)
    min_periods: int = Field(10, ge=2)

    def raw_vol(self, own: np.ndarray) -> np.ndarray:
        return ewma_vol(own, self.span, self.min_periods)


def to_own_days(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A calendar panel (dates x markets, NaN where a market did not trade) in own-day layout.

    Returns
    -------
    own : ndarray
        ``own[k, j]`` is market ``j``'s ``k``-th observed return.
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
