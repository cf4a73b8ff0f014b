"""Portfolio construction: one rebalance of 50 markets, tecton's Optimizer vs cvxpy rebuilt each time.

The reference writes the problem the way most cvxpy users do: every rebalance builds a new
``Problem`` with the day's numbers as constants (``quad_form(w, Σ)``, ``|w - w0|`` costs) and
solves it, so cvxpy canonicalises it every time. tecton's :class:`~tecton.optimizer.Optimizer`
builds one DPP problem with Parameters, compiles it on the first solve (**cold**) and then only
re-applies the Parameters and updates the solver's data in place (**warm**).

Both solve the same problem (maximise ``mu'w - gamma/2 w'Σw - tcost(w - w0) - hold(w)`` with
gross leverage, a volatility ceiling and a per-market limit in contracts; commission, half
spread, rolls and funding as costs) with CLARABEL, on a synthetic 5-factor ``RiskEstimate`` and
``MarketSnapshot``; each day brings new expected returns, a new covariance, new prices and the
previous day's weights. Their solutions are checked equal before any time is printed. The sides
run interleaved, one day at a time; the table shows medians over ``--days``, and the solver's
own time: ``problem.solver_stats.solve_time`` for the rebuild (a new solver's solve) and
``OptimizerResult.solver_seconds`` for the warm solves (the wall time of CLARABEL's data update
and solve, since the ``solve_time`` it reports after an update is longer than that).

Run: ``uv run python -m benchmarks.construction [--markets 50] [--days 30] [--factor]
[--solver CLARABEL|OSQP|SCS] [--no-vol-ceiling]`` (OSQP: without the ceiling, a QP)
(targets: warm >= 10x faster than rebuilding; warm within 2x of the solver's own time).
"""

from __future__ import annotations

import argparse
import statistics
import time

import cvxpy as cp
import numpy as np
import pandas as pd

from benchmarks._common import print_table
from tecton.costs import CostDefinition, CostModel
from tecton.factor_model import RiskEstimate
from tecton.factor_model.risk.covariance import Structure
from tecton.optimizer import Optimizer, OptimizerDefinition
from tecton.snapshot import MarketSnapshot

CONSTRAINTS = {"gross_leverage": 4.0, "vol_ceiling": 0.15, "max_contracts": 500.0}
GAMMA, TCOST = 5.0, 1.0
# OSQP's and SCS's default accuracy (1e-3 to 1e-4) would not give CLARABEL's solution
SOLVER_OPTIONS = {
    "CLARABEL": {},
    "OSQP": {"eps_abs": 1e-7, "eps_rel": 1e-7, "max_iter": 20000},
    "SCS": {"eps_abs": 1e-7, "eps_rel": 1e-7},
}


def snapshot_on(rng: np.random.Generator, n: int, day: int) -> MarketSnapshot:
    """A universe of ``n`` markets (fixed by the seed) with prices that move each ``day``."""
    fixed = np.random.default_rng(0)
    price = fixed.uniform(10.0, 5000.0, n) * np.exp(rng.normal(0.0, 0.01 * np.sqrt(day + 1), n))
    return MarketSnapshot(
        markets=tuple(f"M{i:02d}" for i in range(n)),
        capital=10_000_000.0,
        price=price,
        point_value=fixed.choice([1.0, 10.0, 50.0, 100.0, 1000.0], n),
        fx=fixed.uniform(0.5, 1.5, n),
        vol_daily_pct=fixed.uniform(0.005, 0.03, n),
        commission=fixed.uniform(1.0, 5.0, n),
        spread_pts=fixed.uniform(0.01, 0.5, n),
        asset_class=tuple(fixed.choice(["equity", "rates", "commodity", "fx"], n)),
        rolls_per_year=fixed.choice([4.0, 12.0], n),
        funding_rate_ann=np.where(np.arange(n) % 10 == 0, 0.05, 0.0),  # a few perpetuals
    )


def risk_on(rng: np.random.Generator, markets: tuple[str, ...], factors: int) -> RiskEstimate:
    """A 5-factor estimate: loadings, factor covariance and specific variance (annual)."""
    n = len(markets)
    loadings = rng.normal(0.0, 0.1, (n, factors))
    root = rng.normal(0.0, 0.5, (factors, factors))
    factor_cov = root @ root.T / factors + 0.05 * np.eye(factors)
    specific = rng.uniform(0.08, 0.3, n) ** 2
    cov = loadings @ factor_cov @ loadings.T + np.diag(specific)
    names = tuple(f"F{i}" for i in range(factors))
    structure = Structure(cov, loadings, factor_cov, specific, names)
    return RiskEstimate.from_structure(pd.Timestamp("2024-06-28"), markets, structure)


def rebuilt(
    form: str,
    mu: np.ndarray,
    risk: RiskEstimate,
    w0: np.ndarray,
    s: MarketSnapshot,
    costs: CostModel,
    constraints: dict,
    solver: str,
    options: dict,
) -> tuple[np.ndarray, float]:
    """The usual way: a new Problem with constants each rebalance (returns weights, solver s).

    ``full``: ``quad_form(w, Σ)``; ``factor``: exposures ``f == B'w`` and
    ``quad_form(f, F) + sum(s w²)``, the same risk in the factor form.
    """
    notional = np.abs(s.notional)
    rate = costs.cost_per_contract(s) / notional
    roll = s.rolls_per_year * 2.0 * rate
    w = cp.Variable(len(mu))
    limits = [
        cp.norm1(w) <= constraints["gross_leverage"],
        cp.abs(w) <= constraints["max_contracts"] * np.abs(s.weight_per_contract),
    ]
    if form == "full":
        variance = cp.quad_form(w, cp.psd_wrap(risk.cov.to_numpy()))
    else:
        f = cp.Variable(risk.factor_cov.shape[0])
        limits.append(f == risk.factor_loadings.to_numpy().T @ w)
        factor_cov = cp.psd_wrap(risk.factor_cov.to_numpy())
        variance = cp.quad_form(f, factor_cov) + risk.specific_var.to_numpy() @ cp.square(w)
    if "vol_ceiling" in constraints:
        limits.append(variance <= constraints["vol_ceiling"] ** 2)
    objective = (
        mu @ w
        - GAMMA / 2 * variance
        - TCOST * rate @ cp.abs(w - w0)
        - roll @ cp.abs(w)
        - s.funding_rate_ann @ w
    )
    problem = cp.Problem(cp.Maximize(objective), limits)
    problem.solve(solver=solver, **options)
    assert problem.status == cp.OPTIMAL, problem.status
    return w.value, problem.solver_stats.solve_time


def row(name: str, ms: float, rebuild: float, solver: float) -> dict:
    return {"rebalance": name, "ms": ms, "x rebuild": rebuild / ms, "x solver": ms / solver}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markets", type=int, default=50)
    parser.add_argument("--days", type=int, default=30, help="rebalances timed (median of)")
    parser.add_argument("--factors", type=int, default=5)
    parser.add_argument("--factor", action="store_true", help="also time the factor risk form")
    parser.add_argument("--solver", default="CLARABEL", choices=["CLARABEL", "OSQP", "SCS"])
    parser.add_argument(
        "--no-vol-ceiling", action="store_true", help="leave the ceiling out (a QP, for OSQP)"
    )
    args = parser.parse_args()
    constraints = dict(CONSTRAINTS)
    if args.no_vol_ceiling or args.solver == "OSQP":
        del constraints["vol_ceiling"]
    options = SOLVER_OPTIONS[args.solver]

    rng = np.random.default_rng(7)
    costs = CostDefinition().build()
    forms = ["full", "factor"] if args.factor else ["full"]
    days = []
    for day in range(args.days):
        s = snapshot_on(rng, args.markets, day)
        days.append((s, risk_on(rng, s.markets, args.factors), rng.normal(0.0, 0.1, args.markets)))

    times: dict[str, list[float]] = {}
    for form in forms:
        for part in ("rebuild", "rebuild_solver", "cold", "warm", "warm_solver"):
            times[f"{form}_{part}"] = []
    worst = 0.0
    optimizers = {}
    w0 = np.zeros(args.markets)
    for s, risk, mu in days:
        reference = None
        for form in forms:
            start = time.perf_counter()
            weights, solver_seconds = rebuilt(
                form, mu, risk, w0, s, costs, constraints, args.solver, options
            )
            times[f"{form}_rebuild"].append(time.perf_counter() - start)
            times[f"{form}_rebuild_solver"].append(solver_seconds)
            reference = weights if reference is None else reference
            definition = OptimizerDefinition(
                risk_aversion=GAMMA,
                tcost_aversion=TCOST,
                risk=form,
                constraints=constraints,
                solver=args.solver,
                solver_options=options,
            )
            # cold: a new optimiser, built and compiled, every day (a fair sample of the first solve)
            start = time.perf_counter()
            cold = Optimizer(definition, s.markets, s.asset_class, costs).solve(mu, risk, w0, s)
            times[f"{form}_cold"].append(time.perf_counter() - start)
            if form not in optimizers:
                optimizers[form] = Optimizer(definition, s.markets, s.asset_class, costs)
                optimizers[form].solve(mu, risk, w0, s)  # day 0 compiles the warm one
            start = time.perf_counter()
            warm = optimizers[form].solve(mu, risk, w0, s)
            times[f"{form}_warm"].append(time.perf_counter() - start)
            times[f"{form}_warm_solver"].append(warm.solver_seconds)
            assert not warm.compiled and not warm.used_fallback and not cold.used_fallback
            for other in (weights, warm.weights, cold.weights):
                worst = max(worst, np.abs(other - reference).max())
        w0 = reference
    # default tolerances on two formulations: equal to 1e-4 of capital in every market
    assert worst < 1e-4, f"solutions differ by {worst}"

    med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    rows = []
    solver_name = args.solver
    for form in forms:
        rebuild, warm_solver = med[f"{form}_rebuild"], med[f"{form}_warm_solver"]
        rows += [
            row(
                f"{form}: cvxpy, problem rebuilt each rebalance (constants)",
                rebuild,
                rebuild,
                med[f"{form}_rebuild_solver"],
            ),
            row(
                f"  of which {solver_name}'s own solve time",
                med[f"{form}_rebuild_solver"],
                rebuild,
                med[f"{form}_rebuild_solver"],
            ),
            row(
                f"{form}: tecton Optimizer, cold (build + compile + solve)",
                med[f"{form}_cold"],
                rebuild,
                warm_solver,
            ),
            row(
                f"{form}: tecton Optimizer, warm re-solve (new mu, cov, w0, prices)",
                med[f"{form}_warm"],
                rebuild,
                warm_solver,
            ),
            row(f"  of which {solver_name}'s own solve time", warm_solver, rebuild, warm_solver),
        ]
    title = (
        f"construction: {args.markets} markets, {args.factors}-factor risk, {args.solver}, "
        f"{sorted(constraints)}, median of {args.days} "
        f"rebalances, interleaved; solutions equal (max diff {worst:.1e})"
    )
    print_table(title, rows, ["rebalance", "ms", "x rebuild", "x solver"])
    print("x rebuild: the same form's rebuild / this row; x solver: this row / the solver's time")


if __name__ == "__main__":
    main()
