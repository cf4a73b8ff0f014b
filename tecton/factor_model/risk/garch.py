"""GARCH(1,1) volatility through ``arch``, fitted walk-forward.

For each market (on its own trading days) the model is refitted every ``refit_days`` returns,
first once ``min_obs`` returns exist, on all returns so far (``max_obs=None``) or the last
``max_obs``. Between refits the latest parameters filter the returns: the forecast made at the
close of row ``t`` is exactly what ``arch`` gives for ``arch_model(window_to_t * 100, vol="GARCH",
p=1, q=1, mean=..., dist="normal").fix(params).forecast(horizon=1)``, where ``window_to_t``
runs from the last fit's first return to ``t``. A fit sees returns up to its refit row only.

The filter is a numpy recursion run for all fits of all markets at once (``arch``'s own
``forecast`` per row would cost a call per day). It omits one ``arch`` detail: ``arch`` clips the
variance to bounds taken from the whole sample it is given, which would leak later returns into
earlier forecasts; the bounds only bind for degenerate data, so the two agree (the tests check).
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from pydantic import Field, ValidationInfo, field_validator

from tecton.factor_model.risk.volatility import VOLATILITY, VolatilityEstimator

SCALE = 100.0  # arch's optimiser is tuned for percent returns (daily variance near 1)
_BACKCAST_ROWS = 75  # arch's backcast: 0.94-weighted mean of the window's first 75 squared resids


@VOLATILITY.register("garch")
class GarchVolatility(VolatilityEstimator):
    """GARCH(1,1) one-step-ahead volatility (normal errors), refitted walk-forward.

    Parameters
    ----------
    refit_days : int
        Returns between refits (21 about monthly, 63 quarterly).
    min_obs : int
        Returns needed for the first fit; no volatility before it.
    max_obs : int or None
        ``None`` fits on all returns so far (expanding); an int on the last ``max_obs``.
    mean : {"zero", "constant"}
        The mean model: zero, or a constant fitted with the variance.
    floor : VolFloor or None
        The trailing floor; ``None`` for none.
    """

    estimator: Literal["garch"] = "garch"
    refit_days: int = Field(63, ge=1)
    min_obs: int = Field(500, ge=50)
    max_obs: int | None = Field(None, ge=50)
    mean: Literal["zero", "constant"] = "zero"

    @field_validator("max_obs")
    @classmethod
    def _window_holds_min_obs(cls, max_obs: int | None, info: ValidationInfo) -> int | None:
        min_obs = info.data.get("min_obs")
        if max_obs is not None and min_obs is not None and max_obs < min_obs:
            raise ValueError(f"expected null or at least min_obs ({min_obs}), got {max_obs}")
        return max_obs

    def raw_vol(self, own: np.ndarray) -> np.ndarray:
        path = garch_walk_forward(own, self.refit_days, self.min_obs, self.max_obs, self.mean)
        return np.sqrt(path.var_next)


class GarchPath(NamedTuple):
    """A walk-forward GARCH run.

    Attributes
    ----------
    var_next : ndarray
        Own-day rows x markets: the variance of the next return forecast at each row's close
        (fraction squared per day); NaN before the first fit.
    fits : DataFrame
        One row per refit: ``market`` (column position), ``row`` (last return of the fitted
        window, the first row forecast with its parameters), ``start`` (first return of the
        window), ``mu``, ``omega``, ``alpha``, ``beta`` (percent units, as ``arch`` reports
        them), ``fitted`` (False where the fit failed and the previous parameters were kept).
    """

    var_next: np.ndarray
    fits: pd.DataFrame


@cache
def _warm_garch() -> type:
    """The GARCH class the fits use, built on first use: importing ``arch`` takes seconds, and a
    model that never fits a GARCH (or a ``RiskEstimate`` import) should not pay for it."""
    from arch.univariate import GARCH

    class WarmGARCH(GARCH):
        """arch's GARCH(1,1), made cheaper to refit; the model and its optimum are arch's.

        Two costs of arch's fit are dropped. It grid-searches starting values on every fit (64
        likelihoods, half the cost of a refit), pointless when the previous refit is a near-optimal
        start. And SLSQP differentiates each of its four linear constraints numerically at every
        iteration, though three of them (omega, alpha, beta >= 0) repeat the parameter bounds:
        only ``alpha + beta <= 1`` is kept, the same feasible set.
        """

        def __init__(self, start: np.ndarray | None) -> None:
            super().__init__(p=1, o=0, q=1)
            self._warm_start = start

        def starting_values(self, resids):
            return super().starting_values(resids) if self._warm_start is None else self._warm_start

        def constraints(self):
            loadings, bounds = super().constraints()
            return loadings[-1:], bounds[-1:]  # alpha + beta <= 1; the others are bounds

    return WarmGARCH


def garch_walk_forward(
    own: np.ndarray,
    refit_days: int,
    min_obs: int,
    max_obs: int | None = None,
    mean: Literal["zero", "constant"] = "zero",
) -> GarchPath:
    """Walk-forward GARCH(1,1) forecasts for own-day returns (see the module docstring).

    Parameters
    ----------
    own : ndarray
        Returns (fractions), rows (a market's own trading days) x markets, or 1-D for one
        market; a column's NaN are trailing (its data ended).
    refit_days, min_obs, max_obs, mean
        As :class:`GarchVolatility`.

    Returns
    -------
    GarchPath
    """
    values = np.asarray(own, dtype=float)
    grid = (values[:, None] if values.ndim == 1 else values) * SCALE
    lanes = [
        lane
        for j in range(grid.shape[1])
        for lane in _fit_market(grid[:, j], j, refit_days, min_obs, max_obs, mean)
    ]
    fits = pd.DataFrame(lanes, columns=list(_Lane._fields))
    var_next = _filter(grid, fits) / SCALE**2
    return GarchPath(var_next.reshape(values.shape), fits.drop(columns=["end", "backcast"]))


class _Lane(NamedTuple):
    market: int
    row: int
    start: int
    end: int
    mu: float
    omega: float
    alpha: float
    beta: float
    fitted: bool
    backcast: float


def _fit_market(y, market, refit_days, min_obs, max_obs, mean) -> list[_Lane]:
    n = int(np.sum(~np.isnan(y)))
    rows = list(range(min_obs - 1, n, refit_days))
    lanes: list[_Lane] = []
    params = None
    for row, end in zip(rows, [*rows[1:], n][: len(rows)], strict=True):
        start = 0 if max_obs is None else max(0, row + 1 - max_obs)
        window = y[start : row + 1]
        fitted = _fit_window(window, params, mean)
        if fitted is not None:
            params = fitted
        if params is None:
            continue
        mu = params[0] if mean == "constant" else 0.0
        omega, alpha, beta = params[-3:]
        weights = 0.94 ** np.arange(min(_BACKCAST_ROWS, len(window)))
        backcast = float(np.sum((window[: len(weights)] - mu) ** 2 * weights) / weights.sum())
        lanes.append(
            _Lane(market, row, start, end, mu, omega, alpha, beta, fitted is not None, backcast)
        )
    return lanes


def _fit_window(window: np.ndarray, previous: np.ndarray | None, mean: str) -> np.ndarray | None:
    """Fitted parameters ([mu,] omega, alpha, beta), or None where the fit fails."""
    if not np.ptp(window) > 0:
        return None
    start = None if previous is None else previous[-3:]
    from arch.univariate import ConstantMean, Normal, ZeroMean

    model_class = ConstantMean if mean == "constant" else ZeroMean
    model = model_class(
        window, volatility=_warm_garch()(start), distribution=Normal(), rescale=False
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = model.fit(disp="off", starting_values=previous, show_warning=False)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        return None
    params = np.array(result.params.to_numpy(), dtype=float)
    omega, alpha, beta = params[-3:]
    valid = np.isfinite(params).all() and omega > 0 and alpha >= 0 and beta >= 0
    return params if valid and alpha + beta <= 1 else None


def _filter(grid: np.ndarray, fits: pd.DataFrame) -> np.ndarray:
    """The one-step variance forecast at every row, each row from the lane (fit) covering it."""
    n, m = grid.shape
    out = np.full((n, m), np.nan)
    if fits.empty:
        return out
    lane = {name: fits[name].to_numpy() for name in fits.columns}
    market, start, mu = lane["market"].astype(int), lane["start"].astype(int), lane["mu"]
    omega, alpha, beta = lane["omega"], lane["alpha"], lane["beta"]
    first = omega + (alpha + beta) * lane["backcast"]  # arch: sigma2[0] from the backcast
    covering = np.full((n, m), -1)
    for index, (j, row, end) in enumerate(zip(market, lane["row"], lane["end"], strict=True)):
        covering[row:end, j] = index
    sigma2 = np.zeros(len(fits))
    resid2 = np.zeros(len(fits))
    with np.errstate(invalid="ignore", over="ignore"):
        for t in range(int(start.min()), int(lane["end"].max())):
            # before a lane's start the values are junk, reset at the start; after its end unused
            sigma2 = np.where(start == t, first, omega + alpha * resid2 + beta * sigma2)
            resid2 = (grid[t, market] - mu) ** 2
            here = covering[t]
            live = here >= 0
            pick = here[live]
            out[t, live] = omega[pick] + alpha[pick] * resid2[pick] + beta[pick] * sigma2[pick]
    return out
