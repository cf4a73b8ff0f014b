"""Constraints on the weights, each built once on a :class:`~tecton.optimizer.terms.Space`.

Like the terms, a constraint whose bound changes day to day (position limits in contracts or
notional, the beta of each market) holds a Parameter that :meth:`Constraint.update` sets.
"""

from __future__ import annotations

from collections.abc import Sequence

import cvxpy as cp
import numpy as np

from tecton.costs.base import magnitude, set_parameter
from tecton.errors import TectonError
from tecton.optimizer.definition import ConstraintsDefinition
from tecton.optimizer.inputs import Inputs
from tecton.optimizer.terms import Risk, Space


class Constraint:
    """A constraint: ``build`` once (cvxpy constraints), ``update`` every rebalance."""

    name = "constraint"

    def build(self, space: Space, risk: Risk) -> list[cp.Constraint]:
        raise NotImplementedError

    def update(self, inputs: Inputs) -> None:
        """Set this constraint's Parameters for one rebalance."""


class GrossLeverage(Constraint):
    """``sum |w| <= limit``."""

    name = "gross_leverage"

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def build(self, space, risk):
        return [cp.sum(magnitude(space.w)) <= self.limit]


class NetLeverage(Constraint):
    """``|sum w| <= limit``."""

    name = "net_leverage"

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def build(self, space, risk):
        return [cp.abs(cp.sum(space.w)) <= self.limit]


class PositionLimit(Constraint):
    """``|w_i| <= bound_i``: the tightest of a limit in contracts, notional and weight.

    Contracts and notional turn into weights through the day's snapshot (``bound`` is a
    Parameter). Each limit is a number for every market or a mapping by ``market_id``; markets
    no limit names are left out of the constraint.
    """

    name = "position_limit"

    def __init__(
        self,
        markets: Sequence[str],
        max_contracts: float | dict[str, float] | None = None,
        max_notional: float | dict[str, float] | None = None,
        max_weight: float | dict[str, float] | None = None,
    ) -> None:
        self.markets = tuple(markets)
        self.contracts = _per_market(max_contracts, self.markets)
        self.notional = _per_market(max_notional, self.markets)
        self.weight = _per_market(max_weight, self.markets)
        limited = np.isfinite(self.contracts) | np.isfinite(self.notional)
        self.index = np.flatnonzero(limited | np.isfinite(self.weight))

    def build(self, space, risk):
        if not self.index.size:
            return []
        self.bound = cp.Parameter(self.index.size, nonneg=True, name="position_bound")
        self.bound.value = np.zeros(self.index.size)
        return [magnitude(space.w)[self.index] <= self.bound]

    def update(self, inputs):
        if self.index.size:
            set_parameter(self.bound, self.bounds(inputs)[self.index])

    def bounds(self, inputs: Inputs) -> np.ndarray:
        """``|w|`` allowed per market (inf where no limit names the market)."""
        s = inputs.snapshot
        by_contracts = self.contracts * np.abs(s.weight_per_contract)
        by_notional = self.notional / s.capital
        return np.minimum(np.minimum(by_contracts, by_notional), self.weight)


class VolCeiling(Constraint):
    """``sqrt(w'Σw) <= limit``: annual portfolio volatility, through the risk term's root."""

    name = "vol_ceiling"

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def build(self, space, risk):
        return [cp.norm(risk.root(space), 2) <= self.limit]


class Turnover(Constraint):
    """``sum |w - w0| <= limit``."""

    name = "turnover"

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def build(self, space, risk):
        return [cp.sum(magnitude(space.dw)) <= self.limit]


class DollarNeutral(Constraint):
    """``sum w == 0``."""

    name = "dollar_neutral"

    def build(self, space, risk):
        return [cp.sum(space.w) == 0]


class BetaNeutral(Constraint):
    """``beta @ w == 0``, each market's beta to the equal-weight portfolio (a Parameter).

    ``beta = Σ 1 / (1'Σ1 / n)``: the covariance of each market with the equal-weight portfolio
    over that portfolio's variance, from the day's covariance.
    """

    name = "beta_neutral"

    def build(self, space, risk):
        self.beta = cp.Parameter(space.n, name="beta", value=np.zeros(space.n))
        return [self.beta @ space.w == 0]

    def update(self, inputs):
        set_parameter(self.beta, equal_weight_beta(inputs.cov))


class AssetClassNeutral(Constraint):
    """``sum of w over each asset class == 0``."""

    name = "asset_class_neutral"

    def __init__(self, asset_classes: Sequence[str]) -> None:
        classes = sorted(set(asset_classes))
        self.membership = np.array([[a == c for a in asset_classes] for c in classes], float)

    def build(self, space, risk):
        return [self.membership @ space.w == 0]


class LongOnly(Constraint):
    """``w >= 0``."""

    name = "long_only"

    def build(self, space, risk):
        return [space.w >= 0]


def constraints_from(
    definition: ConstraintsDefinition, markets: Sequence[str], asset_classes: Sequence[str]
) -> list[Constraint]:
    """The constraints a definition names, in its order."""
    d = definition
    out: list[Constraint] = []
    if d.gross_leverage is not None:
        out.append(GrossLeverage(d.gross_leverage))
    if d.net_leverage is not None:
        out.append(NetLeverage(d.net_leverage))
    if any(v is not None for v in (d.max_contracts, d.max_notional, d.max_weight)):
        out.append(PositionLimit(markets, d.max_contracts, d.max_notional, d.max_weight))
    if d.vol_ceiling is not None:
        out.append(VolCeiling(d.vol_ceiling))
    if d.turnover is not None:
        out.append(Turnover(d.turnover))
    flags = (
        (d.dollar_neutral, DollarNeutral),
        (d.beta_neutral, BetaNeutral),
        (d.long_only, LongOnly),
    )
    out.extend(make() for on, make in flags if on)
    if d.asset_class_neutral:
        out.append(AssetClassNeutral(asset_classes))
    return out


def equal_weight_beta(cov: np.ndarray) -> np.ndarray:
    """Each market's beta to the equal-weight portfolio: ``n Σ1 / 1'Σ1``."""
    with_portfolio = cov.sum(axis=1)
    return len(cov) * with_portfolio / with_portfolio.sum()


def _per_market(limit: float | dict[str, float] | None, markets: tuple[str, ...]) -> np.ndarray:
    """A limit per market, inf where none applies."""
    if limit is None:
        return np.full(len(markets), np.inf)
    if isinstance(limit, dict):
        unknown = sorted(set(limit) - set(markets))
        if unknown:
            raise TectonError(f"position limits name markets not optimised: {', '.join(unknown)}")
        return np.array([limit.get(m, np.inf) for m in markets], dtype=float)
    return np.full(len(markets), float(limit))
