"""Numeric kernels shared by the marts and the models; each formula has one owner here.

* volatility (:mod:`tecton.stats.volatility`): :func:`daily_vol`, the floored EWMA volatility
  of each market on its own trading days, on pandas' ``ewm().std()`` and ``rolling().quantile()``;
* correlation (:mod:`tecton.stats.ewma`): :func:`ewma_corr_pairs`, EWMA correlation of every
  pair over its common observations (a vectorised kernel pandas does not have);
* annualisation (:mod:`tecton.stats.annualise`): :data:`TRADING_DAYS_PER_YEAR` (252) and
  :func:`days_per_year` (365 for crypto).

The other two shared formulas live with their data: returns in the ``futures_returns_daily``
mart (the models read it through Mantle), contract expiry in the vendor's contracts file where
a vendor gives one, else the calendar rules of :mod:`tecton.markets` (README, "One owner per
formula").
"""

from tecton.stats.annualise import (
    CALENDAR_DAYS_PER_YEAR,
    TRADING_DAYS_PER_YEAR,
    annualise_vol,
    days_per_year,
)
from tecton.stats.ewma import ewma_corr, ewma_corr_pairs, span_alpha
from tecton.stats.volatility import (
    FLOOR,
    MIN_PERIODS,
    SPAN,
    Floor,
    VolPaths,
    apply_floor,
    daily_vol,
    ewma_vol,
    floored_vol,
    from_own_days,
    own_day_paths,
    to_own_days,
    vol_floor,
    vol_paths,
)

__all__ = [
    "CALENDAR_DAYS_PER_YEAR",
    "FLOOR",
    "MIN_PERIODS",
    "SPAN",
    "TRADING_DAYS_PER_YEAR",
    "Floor",
    "VolPaths",
    "annualise_vol",
    "apply_floor",
    "daily_vol",
    "days_per_year",
    "ewma_corr",
    "ewma_corr_pairs",
    "ewma_vol",
    "floored_vol",
    "from_own_days",
    "own_day_paths",
    "span_alpha",
    "to_own_days",
    "vol_floor",
    "vol_paths",
]
