"""A generic cvxpy optimiser: composable objective terms and constraints, compiled once.

    from tecton.optimizer import Optimizer, OptimizerDefinition
    optimizer = Optimizer(OptimizerDefinition(risk_aversion=10), markets, asset_classes, costs)
    result = optimizer.solve(expected_return, risk_estimate, current_weights, snapshot)

Terms compose like algebra (``ExpectedReturn() - 5 * FullRisk() - TransactionCost(costs)``);
every day-to-day number is a Parameter of a DPP problem, so a rebalance re-solves without
recompiling.
"""

from tecton.optimizer.constraints import (
    AssetClassNeutral,
    BetaNeutral,
    Constraint,
    DollarNeutral,
    GrossLeverage,
    LongOnly,
    NetLeverage,
    PositionLimit,
    Turnover,
    VolCeiling,
    constraints_from,
    equal_weight_beta,
)
from tecton.optimizer.definition import ConstraintsDefinition, OptimizerDefinition
from tecton.optimizer.inputs import Inputs
from tecton.optimizer.optimizer import Optimizer, OptimizerResult
from tecton.optimizer.terms import (
    Combination,
    ExpectedReturn,
    FactorRisk,
    FullRisk,
    HoldingCost,
    Risk,
    Space,
    Term,
    TransactionCost,
    matrix_root,
)

__all__ = [
    "AssetClassNeutral",
    "BetaNeutral",
    "Combination",
    "Constraint",
    "ConstraintsDefinition",
    "DollarNeutral",
    "ExpectedReturn",
    "FactorRisk",
    "FullRisk",
    "GrossLeverage",
    "HoldingCost",
    "Inputs",
    "LongOnly",
    "NetLeverage",
    "Optimizer",
    "OptimizerDefinition",
    "OptimizerResult",
    "PositionLimit",
    "Risk",
    "Space",
    "Term",
    "TransactionCost",
    "Turnover",
    "VolCeiling",
    "constraints_from",
    "equal_weight_beta",
    "matrix_root",
]
