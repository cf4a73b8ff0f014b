"""Volatility estimators: each market's daily volatility on its own trading days, with a floor.

An estimator works on *own-day* arrays: column ``j`` holds market ``j``'s returns in the order it
traded, one row per day it traded (trailing rows NaN once its data end). A holiday on one
exchange therefore never ages another market's weights. :func:`to_own_days` and
:func:`from_own_days` move between a calendar panel and that layout. Row ``k`` of an estimate
uses only the market's first ``k + 1`` returns.

The ``ewma`` estimator is :func:`tecton.stats.daily_vol`, the one volatility in tecton (the
``futures_vol_daily`` mart and the alpha rules use it too): this module only holds its
parameters. Every estimator's floor is :func:`tecton.stats.apply_floor`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from tecton.factor_model.registry import Registry
from tecton.factor_model.risk.components import Component
from tecton.stats import (
    FLOOR,
    MIN_PERIODS,
    SPAN,
    Floor,
    apply_floor,
    ewma_vol,
    from_own_days,
    to_own_days,
)

__all__ = [
    "VOLATILITY",
    "EwmaVolatility",
    "VolFloor",
    "VolatilityEstimator",
    "from_own_days",
    "to_own_days",
]

VOLATILITY: Registry[type[VolatilityEstimator]] = Registry("volatility estimator")


class VolFloor(Component):
    """The floor: the trailing ``quantile`` of the volatility over its last ``window`` values.

    Defined once ``min_periods`` of those values exist (:class:`tecton.stats.Floor`, whose
    defaults these are).
    """

    window: int = Field(FLOOR.window, ge=1)
    quantile: float = Field(FLOOR.quantile, ge=0, le=1)
    min_periods: int = Field(FLOOR.min_periods, ge=1)

    @field_validator("min_periods")
    @classmethod
    def _fits_window(cls, min_periods: int, info: ValidationInfo) -> int:
        window = info.data.get("window")
        if window is not None and min_periods > window:
            raise ValueError(f"expected at most window ({window}), got {min_periods}")
        return min_periods

    @property
    def spec(self) -> Floor:
        """The floor as :func:`tecton.stats.apply_floor` takes it."""
        return Floor(self.window, self.quantile, self.min_periods)


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
        _, vol = apply_floor(self.raw_vol(own), None if self.floor is None else self.floor.spec)
        return vol

    def raw_vol(self, own: np.ndarray) -> np.ndarray:
        """Unfloored daily volatility of own-day returns (implemented by each estimator)."""
        raise NotImplementedError


@VOLATILITY.register("ewma")
class EwmaVolatility(VolatilityEstimator):
    """EWMA standard deviation of returns on own days: :func:`tecton.stats.daily_vol`.

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
    span: float = Field(SPAN, gt=1)
    min_periods: int = Field(MIN_PERIODS, ge=2)

    def raw_vol(self, own: np.ndarray) -> np.ndarray:
        return ewma_vol(own, self.span, self.min_periods)
