"""Strategies: a factor model and holdings in, whole-contract targets and trades out.

    from tecton.strategy import Strategy
    decision = Strategy.from_yaml("futures_trend_carry").rebalance({"CRUDE": 3}, as_of="2024-06-28")

Each strategy's YAML lives beside this package's code (``futures_trend_carry.yaml``, ...).
"""

from tecton.strategy.core import STRATEGIES, Strategy
from tecton.strategy.decision import Decision
from tecton.strategy.definition import StrategyDefinition
from tecton.strategy.holdings import holdings_vector, read_holdings
from tecton.strategy.inputs import RebalanceInputs, read_inputs

__all__ = [
    "STRATEGIES",
    "Decision",
    "RebalanceInputs",
    "Strategy",
    "StrategyDefinition",
    "holdings_vector",
    "read_holdings",
    "read_inputs",
]
