"""Costs of a trade: commission, half the spread, and (optionally) market impact."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tecton.costs.base import CostKind, abs_notional, check_contracts, finite, magnitude
from tecton.snapshot import MarketSnapshot

if TYPE_CHECKING:
    import cvxpy as cp


class LinearTradeCost(CostKind):
    """A cost proportional to the contracts traded: ``cost_per_contract x |trades|``.

    In weight space that is ``rate @ |dw|`` with ``rate = cost_per_contract / |notional|``.
    """

    def trade_cost(self, trades: np.ndarray, snapshot: MarketSnapshot) -> np.ndarray:
        trades = check_contracts(trades, snapshot, "trades")
        return self.cost_per_contract(snapshot) * np.abs(trades)

    def trade_expression(self, dw: cp.Expression) -> cp.Expression:
        return self._parameter("rate", dw.shape[0]) @ magnitude(dw)

    def update(self, snapshot: MarketSnapshot) -> None:
        self._set("rate", self.cost_per_contract(snapshot) / abs_notional(snapshot))


class Commission(LinearTradeCost):
    """Commission: a fee per contract plus ``commission_pct`` of the traded notional."""

    name = "commission"

    def cost_per_contract(self, snapshot: MarketSnapshot) -> np.ndarray:
        fee = finite(snapshot.commission, snapshot, "commission") * snapshot.fx
        share = finite(snapshot.commission_pct, snapshot, "commission_pct")
        return fee + share * abs_notional(snapshot)


class Spread(LinearTradeCost):
    """Slippage: each trade crosses half the bid/ask spread, ``spread_pts / 2 x point value``."""

    name = "spread"

    def cost_per_contract(self, snapshot: MarketSnapshot) -> np.ndarray:
        spread = finite(snapshot.spread_pts, snapshot, "spread_pts")
        return spread / 2.0 * snapshot.point_value * snapshot.fx


class Impact(CostKind):
    """Market impact, a 3/2 power of the size traded against the day's volume.

    ``cost = coefficient x vol_daily_pct x |notional| x |n|^1.5 / sqrt(volume)`` in the base
    currency for ``n`` contracts. Off (zero) where the snapshot has no volume, or a market's
    volume is unknown (NaN) or not positive, and when ``coefficient`` is 0.

    Parameters
    ----------
    coefficient : float
        Scale of the impact (dimensionless; around 1 in the square-root impact literature).
    """

    name = "impact"

    def __init__(self, coefficient: float = 1.0) -> None:
        super().__init__()
        if not (np.isfinite(coefficient) and coefficient >= 0):
            raise ValueError(f"impact coefficient must be >= 0, got {coefficient}")
        self.coefficient = float(coefficient)

    def __repr__(self) -> str:
        return f"Impact(coefficient={self.coefficient})"

    def _per_contract_scale(self, snapshot: MarketSnapshot) -> np.ndarray:
        """``coefficient x vol x |notional| / sqrt(volume)``: the cost of ``|n|^1.5`` per market."""
        if snapshot.volume is None or self.coefficient == 0:
            return np.zeros(len(snapshot))
        volume = snapshot.volume
        known = np.isfinite(volume) & (volume > 0)
        vol = finite(snapshot.vol_daily_pct, snapshot, "vol_daily_pct")
        scale = np.zeros(len(snapshot))
        scale[known] = (
            self.coefficient * vol[known] * abs_notional(snapshot)[known] / np.sqrt(volume[known])
        )
        return scale

    def trade_cost(self, trades: np.ndarray, snapshot: MarketSnapshot) -> np.ndarray:
        trades = check_contracts(trades, snapshot, "trades")
        return self._per_contract_scale(snapshot) * np.abs(trades) ** 1.5

    def trade_expression(self, dw: cp.Expression) -> cp.Expression:
        import cvxpy as cp

        # the exact power cone: its SOC approximation left CLARABEL "almost solved"
        return self._parameter("scale", dw.shape[0]) @ cp.power(magnitude(dw), 1.5, approx=False)

    def update(self, snapshot: MarketSnapshot) -> None:
        # n = dw x capital / |notional|, so cost / capital = scale x (capital/|notional|)^1.5
        # x |dw|^1.5 / capital
        ratio = snapshot.capital / abs_notional(snapshot)
        self._set("scale", self._per_contract_scale(snapshot) * ratio**1.5 / snapshot.capital)
