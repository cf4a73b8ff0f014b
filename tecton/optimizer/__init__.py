"""A generic cvxpy optimiser: composable objective terms and constraints, compiled once.

    from tecton.optimizer import Optimizer, OptimizerDefinition
    optimizer = Optimizer(OptimizerDefinition(risk_aversion=10), markets, asset_classes, costs)
    result = optimizer.solve(expected_return, risk_estimate, current_weights, snapshot)

Terms compose like algebra (``ExpectedReturn() - 5 * FullRisk() - TransactionCost(costs)``);
every day-to-day number is a Parameter of a DPP problem, so a rebalance re-solves without
recompiling.

The definitions import at once; the names that need cvxpy (seconds to import) load on first
use, so reading a strategy's YAML does not pay for the solver.
"""

from __future__ import annotations

import importlib
from typing import Any

from tecton.optimizer.definition import ConstraintsDefinition, OptimizerDefinition

_LAZY = {
    "tecton.optimizer.constraints": (
        "AssetClassNeutral",
        "BetaNeutral",
        "Constraint",
        "DollarNeutral",
        "GrossLeverage",
        "LongOnly",
        "NetLeverage",
        "PositionLimit",
        "Turnover",
        "VolCeiling",
        "constraints_from",
        "equal_weight_beta",
    ),
    "tecton.optimizer.inputs": ("Inputs",),
    "tecton.optimizer.optimizer": ("Optimizer", "OptimizerResult"),
    "tecton.optimizer.terms": (
        "Combination",
        "ExpectedReturn",
        "FactorRisk",
        "FullRisk",
        "HoldingCost",
        "Risk",
        "Space",
        "Term",
        "TransactionCost",
        "matrix_root",
        "triangular_root",
    ),
}
_HOME = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
    "triangular_root",
]
