"""Classic futures sizing: volatility targeting, instrument weights, the IDM and the buffer.

The standard method, one function a step (every argument is per market, numpy arrays)::

    block value                = price x point value x 1%                  (quote currency)
    instrument value vol       = block value x daily % volatility x FX     (base currency)
    volatility scalar          = (capital x annual target / sqrt(days)) / instrument value vol
    subsystem position         = forecast / 10 x volatility scalar
    position                   = subsystem position x instrument weight x IDM

``days`` is :data:`tecton.stats.TRADING_DAYS_PER_YEAR` (252; the peer's ``16`` is
``sqrt(256)``, see :mod:`tecton.stats.annualise`). The daily % volatility is a fraction here
(0.012 for 1.2%), so "x 1%" and "%" cancel: instrument value vol = price x point value x vol x FX.
"""

from __future__ import annotations

import numpy as np

from tecton.stats import TRADING_DAYS_PER_YEAR

FORECAST_AVERAGE = 10.0  # the average absolute forecast the scalars aim for
IDM_CAP = 2.5


def block_value(price: np.ndarray, point_value: np.ndarray) -> np.ndarray:
    """Value of a 1% move in one contract, in the quote currency."""
    return np.asarray(price, dtype=float) * np.asarray(point_value, dtype=float) * 0.01


def instrument_value_vol(
    block: np.ndarray, vol_daily_pct: np.ndarray, fx: np.ndarray
) -> np.ndarray:
    """Daily volatility of one contract, in the base currency (``vol_daily_pct`` a fraction)."""
    return block * (100.0 * np.asarray(vol_daily_pct, dtype=float)) * np.asarray(fx, dtype=float)


def daily_cash_vol_target(capital: float, vol_target_ann: float, days: int = TRADING_DAYS_PER_YEAR):
    """The daily volatility the whole account aims for, in the base currency."""
    return capital * vol_target_ann / np.sqrt(days)


def vol_scalar(capital: float, vol_target_ann: float, value_vol: np.ndarray) -> np.ndarray:
    """Contracts that carry the account's whole daily risk target at an average forecast."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return daily_cash_vol_target(capital, vol_target_ann) / value_vol


def subsystem_position(forecast: np.ndarray, scalar: np.ndarray) -> np.ndarray:
    """Contracts for one market traded alone: ``forecast / 10 x volatility scalar``."""
    return np.asarray(forecast, dtype=float) / FORECAST_AVERAGE * scalar


def portfolio_position(subsystem: np.ndarray, weights: np.ndarray, idm: float) -> np.ndarray:
    """Unrounded contracts in the portfolio: subsystem position x instrument weight x IDM."""
    return subsystem * np.asarray(weights, dtype=float) * idm


def average_position(scalar: np.ndarray, weights: np.ndarray, idm: float) -> np.ndarray:
    """The position at an average forecast (10): what the buffer's width is a fraction of."""
    return portfolio_position(scalar, weights, idm)


def buffer_edges(
    optimal: np.ndarray, average: np.ndarray, width: float
) -> tuple[np.ndarray, np.ndarray]:
    """Whole-contract edges of the no-trade zone: ``round(optimal -/+ width x |average|)``."""
    half = width * np.abs(np.asarray(average, dtype=float))
    return np.round(optimal - half) + 0.0, np.round(optimal + half) + 0.0  # no "-0" edges


def buffered_trade(current: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Contracts to trade: none inside ``[lower, upper]``, else exactly to the nearer edge."""
    current = np.asarray(current, dtype=float)
    target = np.clip(current, lower, upper)
    return target - current


def equal_weights(n: int) -> np.ndarray:
    """``1/n`` each."""
    return np.full(n, 1.0 / n) if n else np.zeros(0)


def estimated_weights(corr: np.ndarray) -> np.ndarray:
    """Instrument weights that diversify most when every market earns the same Sharpe ratio.

    The long-only weights summing to one that minimise ``w' C w``, with ``C`` the correlation of
    the markets' returns (positive semi-definite, as a :class:`RiskEstimate` gives it).
    """
    import cvxpy as cp  # a second's import, paid only when weights are estimated

    c = np.nan_to_num(np.asarray(corr, dtype=float), nan=0.0)
    np.fill_diagonal(c, 1.0)
    w = cp.Variable(len(c), nonneg=True)
    problem = cp.Problem(cp.Minimize(cp.quad_form(w, cp.psd_wrap(c))), [cp.sum(w) == 1])
    problem.solve(solver=cp.CLARABEL)
    if w.value is None:
        return equal_weights(len(c))
    weights = np.clip(w.value, 0.0, None)
    return weights / weights.sum()


def diversification_multiplier(
    weights: np.ndarray, corr: np.ndarray, cap: float = IDM_CAP
) -> float:
    """``1 / sqrt(w' C w)`` (negative correlations floored at 0), capped at ``cap``."""
    w = np.asarray(weights, dtype=float)
    variance = float(w @ _floored(corr) @ w)
    return float(min(cap, 1.0 / np.sqrt(variance))) if variance > 0 else 1.0


def _floored(corr: np.ndarray) -> np.ndarray:
    c = np.nan_to_num(np.asarray(corr, dtype=float), nan=0.0)
    c = np.maximum(c, 0.0)
    np.fill_diagonal(c, 1.0)
    return c
