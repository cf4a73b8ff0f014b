"""CostModel: cost kinds composed into the one model the optimiser and the simulator share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from tecton.costs.base import CostKind, abs_notional, check_contracts, finite
from tecton.snapshot import MarketSnapshot

if TYPE_CHECKING:
    import cvxpy as cp


class CostModel:
    """A sum of cost kinds: ``Commission() + Spread() + Roll()`` or ``CostModel([...])``.

    Every method sums its kinds' answers, realised (numpy, base currency, per market) and
    planned (cvxpy, fractions of capital).

    Parameters
    ----------
    kinds : iterable of CostKind
        The costs to charge; empty is a free market.
    """

    def __init__(self, kinds: Iterable[CostKind] = ()) -> None:
        self.kinds: tuple[CostKind, ...] = tuple(kinds)
        self._updated: tuple[MarketSnapshot, int] | None = None
        names = [k.name for k in self.kinds]
        if len(set(names)) != len(names):
            raise ValueError(f"a cost model charges each kind once, got {names}")

    def __add__(self, other: CostKind | CostModel) -> CostModel:
        more = other.kinds if isinstance(other, CostModel) else (other,)
        return CostModel([*self.kinds, *more])

    def __repr__(self) -> str:
        return f"CostModel({list(self.kinds)!r})"

    def __iter__(self):
        return iter(self.kinds)

    # realised, in the base currency -------------------------------------------------------
    def trade_cost(self, trades: np.ndarray, snapshot: MarketSnapshot) -> np.ndarray:
        """Cost of trading ``trades`` (signed contracts) per market, in the base currency."""
        out = np.zeros(check_contracts(trades, snapshot, "trades").shape)
        for kind in self.kinds:
            out += kind.trade_cost(trades, snapshot)
        return out

    def roll_cost(self, held: np.ndarray, snapshot: MarketSnapshot) -> np.ndarray:
        """Cost of rolling ``held`` (signed contracts) once, per market, in the base currency."""
        out = np.zeros(check_contracts(held, snapshot, "held").shape)
        for kind in self.kinds:
            out += kind.roll_cost(held, snapshot)
        return out

    def holding_cost(
        self, held: np.ndarray, snapshot: MarketSnapshot, days: float = 1.0
    ) -> np.ndarray:
        """Cost of holding ``held`` for ``days`` trading days (funding), in the base currency."""
        out = np.zeros(check_contracts(held, snapshot, "held").shape)
        for kind in self.kinds:
            out += kind.holding_cost(held, snapshot, days)
        return out

    def total(
        self,
        trades: np.ndarray,
        held: np.ndarray,
        snapshot: MarketSnapshot,
        days: float = 1.0,
        rolled: np.ndarray | None = None,
    ) -> np.ndarray:
        """One day's cost per market: the trades, the rolls where ``rolled``, holding ``held``.

        Parameters
        ----------
        trades : ndarray
            Signed contracts traded.
        held : ndarray
            Signed contracts held over the day (and rolled, where ``rolled``).
        days : float
            Trading days the holding lasts (funding).
        rolled : ndarray of bool, optional
            Markets that roll today; none by default.
        """
        out = self.trade_cost(trades, snapshot) + self.holding_cost(held, snapshot, days)
        if rolled is not None:
            out += np.where(np.asarray(rolled, dtype=bool), self.roll_cost(held, snapshot), 0.0)
        return out

    def cost_per_contract(self, snapshot: MarketSnapshot) -> np.ndarray:
        """Linear cost of trading one contract once (one side), in the base currency.

        Commission and half the spread where charged; market impact is not linear and is left out.
        """
        out = np.zeros(len(snapshot))
        for kind in self.kinds:
            out += kind.cost_per_contract(snapshot)
        return out

    def sharpe_units(self, snapshot: MarketSnapshot) -> np.ndarray:
        """Cost of a round trip in annual Sharpe ratio units, per market.

        ``2 x (cost per contract / |notional|) / annual volatility``: a round trip costs twice
        the one-side cost as a fraction of the notional, divided by the annual % volatility.
        """
        vol = finite(snapshot.vol_ann_pct, snapshot, "vol_daily_pct")
        return 2.0 * self.cost_per_contract(snapshot) / abs_notional(snapshot) / vol

    # planned, in fractions of capital -----------------------------------------------------
    def trade_expression(self, dw: cp.Expression) -> cp.Expression:
        """Cost of trading ``dw`` (weights), as a fraction of capital (0 when nothing is charged)."""
        return _sum(k.trade_expression(dw) for k in self.kinds)

    def holding_expression(self, w: cp.Expression) -> cp.Expression:
        """Cost per year of holding ``w`` (weights), as a fraction of capital."""
        return _sum(k.holding_expression(w) for k in self.kinds)

    def update(self, snapshot: MarketSnapshot) -> None:
        """Set every kind's Parameters from the day's ``snapshot``.

        Once per snapshot: the trading and the holding terms of one problem both ask, and a
        snapshot cannot change (unless an expression made new Parameters since).
        """
        made = sum(len(kind._params) for kind in self.kinds)
        if self._updated == (snapshot, made):
            return
        for kind in self.kinds:
            kind.update(snapshot)
        self._updated = (snapshot, made)


def _sum(terms: Iterable[cp.Expression | None]) -> cp.Expression:
    import cvxpy as cp

    present = [t for t in terms if t is not None]
    if not present:
        return cp.Constant(0.0)
    return sum(present[1:], start=present[0])
