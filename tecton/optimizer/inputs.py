"""Inputs: one rebalance's numbers, checked and aligned with the optimiser's markets.

The optimiser takes arrays and a :class:`~tecton.factor_model.RiskEstimate`, never tables; the
estimate's numbers are read here, once, in the optimiser's market order (its arrays, without
pandas, where the risk model made it). A missing or
NaN number is a caller's mistake that would otherwise reach the solver as garbage: it raises a
:class:`~tecton.errors.TectonError` naming the markets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tecton.errors import TectonError
from tecton.factor_model.risk.estimate import RiskEstimate
from tecton.snapshot import MarketSnapshot


@dataclass(frozen=True, eq=False)
class Inputs:
    """One rebalance, aligned with the optimiser's markets (``n`` of them, ``k`` factors).

    Attributes
    ----------
    expected_return : ndarray (n,)
        Annual expected return per unit of weight.
    current_weights : ndarray (n,)
        Weights held now (signed fractions of capital).
    snapshot : MarketSnapshot
        The day's prices and costs, in the optimiser's market order.
    cov : ndarray (n, n)
        Annualised covariance of percentage returns.
    loadings, factor_cov, specific_var : ndarray or None
        The factor form ``cov = loadings @ factor_cov @ loadings.T + diag(specific_var)``.
    """

    expected_return: np.ndarray
    current_weights: np.ndarray
    snapshot: MarketSnapshot
    cov: np.ndarray
    loadings: np.ndarray | None = None
    factor_cov: np.ndarray | None = None
    specific_var: np.ndarray | None = None

    @property
    def factors(self) -> int:
        """Number of factors (0 without a factor form)."""
        return 0 if self.loadings is None else self.loadings.shape[1]


def prepare(
    markets: tuple[str, ...],
    expected_return: np.ndarray,
    risk: RiskEstimate,
    current_weights: np.ndarray,
    snapshot: MarketSnapshot,
) -> Inputs:
    """Check and align one rebalance's inputs with ``markets``.

    Raises
    ------
    TectonError
        A length that is not one per market, a market missing from the risk estimate or the
        snapshot, or a NaN (naming the markets).
    """
    mu = _vector(expected_return, markets, "expected return")
    w0 = _vector(current_weights, markets, "current weights")
    snapshot = _aligned_snapshot(snapshot, markets)
    _named(np.isfinite(snapshot.notional), markets, "snapshot notional (price x point value x fx)")
    cov = _per_market(risk, "cov", markets, "the risk estimate has no covariance for")
    _named(np.isfinite(cov).all(axis=1), markets, "covariance")
    if risk.labelled("factor_loadings")[1] is None:
        return Inputs(mu, w0, snapshot, cov)
    loadings = _per_market(risk, "factor_loadings", markets, "the factor loadings miss")
    specific = _per_market(risk, "specific_var", markets, "the specific variances miss")
    factor_cov = risk.labelled("factor_cov")[1]
    _named(np.isfinite(loadings).all(axis=1) & np.isfinite(specific), markets, "factor form")
    if not np.isfinite(factor_cov).all():
        raise TectonError("the risk estimate's factor covariance has NaN")
    return Inputs(mu, w0, snapshot, cov, loadings, factor_cov, specific)


def _per_market(risk: RiskEstimate, field: str, markets: tuple[str, ...], what: str) -> np.ndarray:
    """``field``'s numbers over ``markets``, in that order (its columns too where it is market x
    market); the markets it misses are named."""
    labels, values = risk.labelled(field)
    if len(labels) == len(markets) and tuple(labels) == markets:
        return values  # the usual case, the estimate of these markets: no lookup
    where = pd.Index(labels).get_indexer(list(markets))
    if (where < 0).any():
        missing = [m for m, i in zip(markets, where, strict=True) if i < 0]
        raise TectonError(f"{what}: {', '.join(missing)}")
    return values[np.ix_(where, where)] if field == "cov" else values[where]


def _vector(values: np.ndarray, markets: tuple[str, ...], what: str) -> np.ndarray:
    values = np.asarray(values, dtype=float).reshape(-1)
    if values.shape != (len(markets),):
        raise TectonError(f"{what}: {values.size} values for {len(markets)} markets")
    _named(np.isfinite(values), markets, what)
    return values


def _named(ok: np.ndarray, markets: tuple[str, ...], what: str) -> None:
    """Raise naming the markets where ``ok`` is False."""
    if not ok.all():
        names = ", ".join(m for m, good in zip(markets, ok, strict=True) if not good)
        raise TectonError(f"{what} is NaN or missing for: {names}")


def _aligned_snapshot(snapshot: MarketSnapshot, markets: tuple[str, ...]) -> MarketSnapshot:
    if snapshot.markets == markets:
        return snapshot
    missing = [m for m in markets if m not in snapshot.markets]
    if missing:
        raise TectonError(f"the snapshot has no numbers for: {', '.join(missing)}")
    return snapshot.take(list(markets))
