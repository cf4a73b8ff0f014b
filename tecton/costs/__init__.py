"""One cost model for the optimiser and the simulator.

Each cost kind both prices realised trades (numpy, base currency) and builds its cvxpy term (in
fractions of capital, with Parameters set daily from a :class:`~tecton.snapshot.MarketSnapshot`),
so what the optimiser plans to pay and what the backtest charges cannot disagree::

    costs = Commission() + Spread() + Roll()          # or CostDefinition(...).build()
    costs.trade_cost(trades_contracts, snapshot)      # base currency, per market
    costs.trade_expression(w - w0)                     # cvxpy, fraction of capital
"""

from tecton.costs.base import CostKind
from tecton.costs.checks import MAX_SR_ROUND_TRIP, cost_check, implausible_costs
from tecton.costs.definition import CostDefinition
from tecton.costs.holding import Funding, Roll
from tecton.costs.model import CostModel
from tecton.costs.trading import Commission, Impact, LinearTradeCost, Spread

__all__ = [
    "MAX_SR_ROUND_TRIP",
    "Commission",
    "CostDefinition",
    "CostKind",
    "CostModel",
    "Funding",
    "Impact",
    "LinearTradeCost",
    "Roll",
    "Spread",
    "cost_check",
    "implausible_costs",
]
