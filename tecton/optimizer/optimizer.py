"""Optimizer: one cvxpy problem, compiled once, re-solved at every rebalance.

    optimizer = Optimizer(definition, markets, asset_classes, costs)
    result = optimizer.solve(expected_return, risk_estimate, current_weights, snapshot)
    result.weights, result.terms

The problem maximises ``mu'w - gamma/2 w'Σw - tcost_aversion x tcost(w - w0) - hold(w)`` under
the definition's constraints. Everything that changes between rebalances (expected returns, the
covariance's square root or factor form, the costs, the current weights, limits in contracts)
is a cvxpy Parameter, and the problem is DPP: cvxpy compiles it on the first solve and later
solves only re-apply the Parameters and update the solver's data in place (for CLARABEL, the
default, straight from the compiled maps: :mod:`tecton.optimizer.compiled`).

A solve that fails (an infeasible constraint set, a solver error) never returns a silent zero:
it keeps the current weights, says so (``used_fallback``) and logs one line why.
"""

from __future__ import annotations

import copy
import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from tecton.costs import CostModel
from tecton.costs.base import set_parameter
from tecton.errors import TectonError
from tecton.factor_model.risk.estimate import RiskEstimate
from tecton.optimizer.compiled import CompiledClarabel, Solved
from tecton.optimizer.constraints import Constraint, constraints_from
from tecton.optimizer.definition import OptimizerDefinition
from tecton.optimizer.inputs import Inputs, prepare
from tecton.optimizer.terms import (
    ExpectedReturn,
    FactorRisk,
    FullRisk,
    HoldingCost,
    Risk,
    Space,
    TransactionCost,
)
from tecton.snapshot import MarketSnapshot

log = logging.getLogger("tecton.optimizer")
SOLVED = (cp.OPTIMAL, cp.OPTIMAL_INACCURATE)


@dataclass(frozen=True, eq=False)
class OptimizerResult:
    """One rebalance's answer.

    Attributes
    ----------
    weights : ndarray
        Target weights (signed fractions of capital), in the optimiser's market order; the
        current weights when ``used_fallback``.
    status : str
        The solver's status (``optimal``, ``infeasible``, ...; ``solver_error`` when it failed).
    used_fallback : bool
        True when the problem could not be solved and the current weights were kept.
    reason : str or None
        Why the fallback was used (or a note on an inaccurate solution); None otherwise.
    solve_seconds : float
        Wall time of :meth:`Optimizer.solve`: checking the inputs, setting the Parameters,
        cvxpy's work (compiling, on the first solve) and the solver's.
    objective : float
        The objective at ``weights`` (NaN after a fallback).
    terms : dict
        Each objective term's part of ``objective`` (``expected_return``, ``risk``,
        ``transaction_cost``, ``holding_cost``), the aversions included: they add up to it.
    solver_seconds : float or None
        The solver's own time: for CLARABEL the wall time of its data update and solve, for
        the other solvers the time they report.
    compiled : bool
        True when this solve built and compiled the problem.
    """

    weights: np.ndarray
    status: str
    used_fallback: bool
    reason: str | None
    solve_seconds: float
    objective: float
    terms: dict[str, float] = field(default_factory=dict)
    solver_seconds: float | None = None
    compiled: bool = False


class Optimizer:
    """A mean-variance optimiser with costs, set up once for a list of markets.

    Parameters
    ----------
    definition : OptimizerDefinition
        Aversions, risk form, constraints and solver.
    markets : sequence of str
        The markets, in the order of every array passed to :meth:`solve`.
    asset_classes : sequence of str, optional
        Asset class of each market (for ``asset_class_neutral``).
    cost_model : CostModel, optional
        The costs of trading and holding; the optimiser keeps its own copy (its Parameters are
        this problem's). No costs by default.

    Notes
    -----
    The problem is built on construction for ``risk: full``; for ``factor`` and ``auto`` on the
    first solve, since the number of factors comes with the first risk estimate. A later
    estimate of another form (or number of factors) rebuilds it once, logged.
    """

    def __init__(
        self,
        definition: OptimizerDefinition,
        markets: Sequence[str],
        asset_classes: Sequence[str] | None = None,
        cost_model: CostModel | None = None,
    ) -> None:
        self.definition = definition
        self.markets = tuple(markets)
        n = len(self.markets)
        if n == 0 or len(set(self.markets)) != n:
            raise TectonError("the optimiser needs at least one market, each named once")
        self.asset_classes = tuple(asset_classes) if asset_classes is not None else ("",) * n
        if len(self.asset_classes) != n:
            raise TectonError(f"asset classes: {len(self.asset_classes)} values for {n} markets")
        self.cost_model = copy.deepcopy(cost_model) if cost_model is not None else CostModel()
        self._problem: cp.Problem | None = None
        self._fresh = False  # built and not yet solved: the next solve compiles
        self._compiled: CompiledClarabel | None = None  # CLARABEL's data maps, once compiled
        self._factors: int | None = None  # the risk form built: 0 is the full covariance
        if definition.risk == "full":
            self._build(0)

    @property
    def problem(self) -> cp.Problem | None:
        """The cvxpy problem (None until built; see the class notes)."""
        return self._problem

    def solve(
        self,
        expected_return: np.ndarray,
        risk: RiskEstimate,
        current_weights: np.ndarray,
        snapshot: MarketSnapshot,
    ) -> OptimizerResult:
        """Target weights for one rebalance.

        Parameters
        ----------
        expected_return : ndarray
            Annual expected return per unit of weight, one per market.
        risk : RiskEstimate
            Annualised covariance (and factor form) covering the markets.
        current_weights : ndarray
            Weights held now (signed fractions of capital).
        snapshot : MarketSnapshot
            The day's prices and costs (any market order; it is aligned).

        Raises
        ------
        TectonError
            An input that is missing or NaN for a market (naming it), or ``risk: factor`` with an
            estimate that has no factor form.
        """
        start = time.perf_counter()
        inputs = prepare(self.markets, expected_return, risk, current_weights, snapshot)
        factors = self._risk_form(inputs)
        if self._factors is not None and self._factors != factors:
            log.info("optimizer: risk form changed to %s factors; rebuilding the problem", factors)
        if self._factors != factors:
            self._build(factors)
        self._set(inputs)
        compiled, self._fresh = self._fresh, False
        try:
            solved = self._run()
        except cp.error.SolverError as exc:
            reason = f"solver {self.definition.solver} failed: {exc}"
            return self._fallback(inputs, "solver_error", reason, start, compiled)
        if solved.status not in SOLVED or self._space.w.value is None:
            return self._fallback(inputs, solved.status, self._why(solved.status), start, compiled)
        terms = self._objective.contributions()  # the objective at the solution, by term
        seconds = time.perf_counter() - start
        return OptimizerResult(
            weights=np.array(self._space.w.value, dtype=float),
            status=solved.status,
            used_fallback=False,
            reason=None
            if solved.status == cp.OPTIMAL
            else "the solver reported an inaccurate solution",
            solve_seconds=seconds,
            objective=sum(terms.values()),
            terms=terms,
            solver_seconds=solved.solver_seconds,
            compiled=compiled,
        )

    def _run(self) -> Solved:
        """Solve with the Parameters set: CLARABEL straight from the compiled problem, any
        other solver through ``Problem.solve`` (which updates the solver's data in place)."""
        if self.definition.solver == "CLARABEL":
            if self._compiled is None:
                self._compiled = CompiledClarabel(self._problem, self.definition.solver_options)
            return self._compiled.solve()
        with warnings.catch_warnings():
            # an inaccurate solution is reported in the result's status and reason instead
            warnings.filterwarnings("ignore", "Solution may be inaccurate", UserWarning)
            self._problem.solve(
                solver=self.definition.solver, warm_start=True, **self.definition.solver_options
            )
        stats = self._problem.solver_stats
        return Solved(self._problem.status, self._problem.value, stats.solve_time)

    # building -----------------------------------------------------------------------------
    def _risk_form(self, inputs: Inputs) -> int:
        """Factors of the risk form to use (0: the full covariance)."""
        kind = self.definition.risk
        if kind == "full":
            return 0
        if kind == "factor" and not inputs.factors:
            raise TectonError(
                "optimizer risk: factor needs a risk estimate with a factor form "
                "(covariance kind pca or factors); use risk: full or auto"
            )
        if kind == "auto" and not 0 < inputs.factors < len(self.markets):
            return 0
        return inputs.factors

    def _build(self, factors: int) -> None:
        d = self.definition
        space = Space(len(self.markets))
        risk: Risk = FactorRisk(factors) if factors else FullRisk()
        objective = ExpectedReturn() - (d.risk_aversion / 2.0) * risk
        if d.tcost_aversion > 0:
            objective = objective - d.tcost_aversion * TransactionCost(self.cost_model)
        objective = objective - HoldingCost(self.cost_model)
        expression = objective.build(space)
        self._constraints: list[Constraint] = constraints_from(
            d.constraints, self.markets, self.asset_classes
        )
        cvx_constraints = [c for con in self._constraints for c in con.build(space, risk)]
        # terms and constraints may add auxiliary constraints (the factor exposures) to space
        self._problem = cp.Problem(cp.Maximize(expression), space.constraints + cvx_constraints)
        self._space, self._objective, self._factors = space, objective, factors
        self._fresh, self._compiled = True, None
        if not self._problem.is_dpp():  # every term and constraint is written to be
            raise RuntimeError("the optimiser's problem is not DPP: it would recompile each solve")

    def _set(self, inputs: Inputs) -> None:
        set_parameter(self._space.w0, inputs.current_weights)
        self._objective.update(inputs)
        for constraint in self._constraints:
            constraint.update(inputs)

    # failing ------------------------------------------------------------------------------
    def _why(self, status: str) -> str:
        named = ", ".join(self.definition.constraints.named()) or "none"
        if status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
            return f"infeasible: no weights meet the constraints ({named})"
        if status == cp.USER_LIMIT:
            return "the solver stopped at its iteration or time limit before a solution"
        if status in (cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE):
            return "unbounded: the objective has no maximum (is the covariance zero?)"
        return f"the solver stopped with status {status}"

    def _fallback(
        self, inputs: Inputs, status: str, reason: str, start: float, compiled: bool
    ) -> OptimizerResult:
        log.warning("optimizer: %s; keeping the current weights", reason)
        return OptimizerResult(
            weights=inputs.current_weights.copy(),
            status=status,
            used_fallback=True,
            reason=reason,
            solve_seconds=time.perf_counter() - start,
            objective=float("nan"),
            compiled=compiled,
        )
