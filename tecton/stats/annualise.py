"""Annualisation: the one owner of "days per year" in tecton.

A daily volatility becomes an annual one by ``sqrt(days per year)``; a daily mean return by
``days per year``. The day count is the number of days a market *trades* in a year, because the
daily statistics are computed on each market's own trading days (see
:mod:`tecton.stats.volatility`):

* 252 for exchange-traded markets (about 365 - 104 weekend days - 9 exchange holidays; the
  count DESIGN.md names and the one the risk model and the vol mart always used);
* 365 for markets that trade every calendar day (crypto), as the coming analytics need.

Why 252 and not the peer's 256 (``sqrt(256) = 16``): 256 is a rounding chosen for mental
arithmetic, 1.6% more days than exchanges open, so it overstates annual volatility by 0.8%.
The only place that used 16 (the carry rule) divides carry by annualised volatility before a
forecast scalar rescales it, so moving it to ``sqrt(252)`` changes raw carry forecasts by that
constant 0.8% and scaled forecasts not at all.
"""

from __future__ import annotations

import math

TRADING_DAYS_PER_YEAR = 252  # exchange-traded markets
CALENDAR_DAYS_PER_YEAR = 365  # markets open every day (crypto)
_EVERY_DAY_CLASSES = frozenset({"crypto"})


def days_per_year(asset_class: str | None = None) -> int:
    """Trading days in a year for a market of ``asset_class``.

    Parameters
    ----------
    asset_class : str, optional
        The market's asset class (``markets.csv``); ``None`` for an exchange-traded default.

    Returns
    -------
    int
        365 for ``"crypto"`` (trades every day), else 252.
    """
    if asset_class is not None and asset_class.lower() in _EVERY_DAY_CLASSES:
        return CALENDAR_DAYS_PER_YEAR
    return TRADING_DAYS_PER_YEAR


def annualise_vol(vol_daily, days: int = TRADING_DAYS_PER_YEAR):
    """Daily volatility (any array-like or pandas object) to annual: ``vol_daily * sqrt(days)``.

    Parameters
    ----------
    vol_daily : float, ndarray, Series or DataFrame
        Standard deviation of daily returns, per own trading day.
    days : int
        Trading days per year (:func:`days_per_year`).
    """
    return vol_daily * math.sqrt(days)
