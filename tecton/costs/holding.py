"""Costs of holding a position: rolling futures, and funding perpetuals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tecton.costs.base import CostKind, abs_notional, check_contracts, finite, magnitude
from tecton.costs.trading import Commission, Spread
from tecton.snapshot import MarketSnapshot

if TYPE_CHECKING:
    import cvxpy as cp


class Roll(CostKind):
    """Rolling a future: every held contract is sold and its successor bought (two trades).

    Realised on a roll day: ``2 x |held| x (commission + half spread)`` per contract, the same
    per-contract cost as :class:`~tecton.costs.Commission` plus :class:`~tecton.costs.Spread`.
    Planned: a holding cost per year, ``rolls_per_year`` times that, so a position that will be
    rolled four times a year carries four rolls' worth of cost in the objective.
    """

    name = "roll"

    def roll_cost_per_contract(self, snapshot: MarketSnapshot) -> np.ndarray:
        """Cost of rolling one held contract once (both trades), in the base currency."""
        one_side = Commission().cost_per_contract(snapshot) + Spread().cost_per_contract(snapshot)
        return 2.0 * one_side

    def roll_cost(self, held: np.ndarray, snapshot: MarketSnapshot) -> np.ndarray:
        held = check_contracts(held, snapshot, "held")
        return self.roll_cost_per_contract(snapshot) * np.abs(held)

    def holding_expression(self, w: cp.Expression) -> cp.Expression:
        return self._parameter("rate", w.shape[0]) @ magnitude(w)

    def update(self, snapshot: MarketSnapshot) -> None:
        rolls = finite(snapshot.rolls_per_year, snapshot, "rolls_per_year")
        rate = rolls * self.roll_cost_per_contract(snapshot) / abs_notional(snapshot)
        self._set("rate", rate)


class Funding(CostKind):
    """Funding of perpetual futures: a long pays ``funding_rate_ann`` of its notional a year.

    Signed: a short receives what a long pays (a negative cost), as perpetual funding passes
    from one side to the other. Realised over ``days`` trading days:
    ``held x notional x funding_rate_ann x days / days_per_year``; zero for futures (rate 0).
    Planned: ``funding_rate_ann @ w`` a year, as a fraction of capital.
    """

    name = "funding"

    def holding_cost(
        self, held: np.ndarray, snapshot: MarketSnapshot, days: float = 1.0
    ) -> np.ndarray:
        held = check_contracts(held, snapshot, "held")
        rate = finite(snapshot.funding_rate_ann, snapshot, "funding_rate_ann")
        return held * snapshot.notional * rate * days / snapshot.days_per_year

    def holding_expression(self, w: cp.Expression) -> cp.Expression:
        # signed: a short earns the funding a long pays
        return self._parameter("rate", w.shape[0], nonneg=False) @ w

    def update(self, snapshot: MarketSnapshot) -> None:
        self._set("rate", finite(snapshot.funding_rate_ann, snapshot, "funding_rate_ann"))
