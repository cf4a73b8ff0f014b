"""Compiled once, re-solved many times; clear failures; the YAML block."""

from __future__ import annotations

import logging
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

from tecton.costs import CostDefinition
from tecton.errors import TectonError
from tecton.factor_model import RiskEstimate
from tecton.optimizer import Optimizer, OptimizerDefinition
from tecton.snapshot import MarketSnapshot
from tests.costs.snapshots import random_snapshot
from tests.optimizer.problems import definition, problem, random_risk


def test_the_problem_is_dpp_and_is_compiled_once():
    snapshot, risk, mu, w0 = problem(20, 6)
    d = definition(
        tcost_aversion=1.0,
        constraints={"gross_leverage": 2.0, "vol_ceiling": 0.1, "max_contracts": 40.0},
    )
    optimizer = Optimizer(d, snapshot.markets, snapshot.asset_class, CostDefinition().build())
    problem_ = optimizer.problem
    assert problem_.is_dpp()
    first = optimizer.solve(mu, risk, w0, snapshot)
    program = problem_._cache.param_prog
    assert first.compiled and program is not None
    rng = np.random.default_rng(21)
    weights = first.weights
    for _ in range(3):  # new expected returns, risk, current weights and prices each day
        day = random_snapshot(rng, 6)  # the same market names, other numbers
        result = optimizer.solve(
            rng.normal(0, 0.05, 6), random_risk(rng, day.markets), weights, day
        )
        assert not result.used_fallback and not result.compiled
        assert optimizer.problem is problem_ and problem_._cache.param_prog is program
        weights = result.weights


def test_every_use_of_the_weights_magnitude_shares_one_set_of_variables():
    # commission, spread and impact price |dw|, the roll |w|: limits on |w| and |dw| add rows
    # to the problem the solver sees, never another copy of the magnitude's variables
    snapshot, risk, mu, w0 = problem(24, 6, volume=True)
    costs = CostDefinition(impact=1.0).build()

    def variables(**constraints) -> int:
        optimizer = Optimizer(
            definition(tcost_aversion=1.0, constraints=constraints), snapshot.markets, None, costs
        )
        assert not optimizer.solve(mu, risk, w0, snapshot).used_fallback
        return optimizer.problem.get_problem_data("CLARABEL")[0]["A"].shape[1]

    limited = variables(gross_leverage=2.0, max_contracts=40.0, turnover=0.5)
    assert limited == variables()


@pytest.mark.parametrize("factors", [0, 3])
def test_clarabel_fed_from_the_compiled_maps_solves_as_cvxpy_does(factors):
    # tecton applies cvxpy's compiled parameter maps itself and updates one CLARABEL solver in
    # place; cvxpy's own Problem.solve on the same Parameters is the reference, day after day,
    # with every cost kind (the impact's power cone), every constraint kind and both risk forms
    snapshot, risk, mu, w0 = problem(26, 8, factors=factors, volume=True)
    constraints = {
        "gross_leverage": 1.5,
        "net_leverage": 0.8,
        "max_contracts": 40.0,
        "vol_ceiling": 0.12,
        "turnover": 1.0,
        "beta_neutral": True,
    }
    d = definition(
        risk="factor" if factors else "full", tcost_aversion=1.0, constraints=constraints
    )
    costs = CostDefinition(impact=1.0).build()
    optimizer = Optimizer(d, snapshot.markets, snapshot.asset_class, costs)
    rng = np.random.default_rng(26)
    for _ in range(4):
        ours = optimizer.solve(mu, risk, w0, snapshot)
        assert not ours.used_fallback
        optimizer.problem.solve(solver="CLARABEL", **d.solver_options)
        assert optimizer.problem.status == "optimal"
        np.testing.assert_allclose(ours.weights, optimizer._space.w.value, atol=1e-9)
        np.testing.assert_allclose(ours.objective, optimizer.problem.value, rtol=1e-9)
        w0, mu = ours.weights, rng.normal(0.0, 0.05, 8)
        snapshot = random_snapshot(rng, 8)
        risk = random_risk(rng, snapshot.markets, factors)


def test_a_resolve_uses_the_new_parameters():
    snapshot, risk, mu, w0 = problem(22, 4)
    optimizer = Optimizer(definition(risk_aversion=3.0), snapshot.markets)
    cov = risk.cov.to_numpy()
    for scale in (1.0, -2.0, 0.5):
        result = optimizer.solve(scale * mu, risk, w0, snapshot)
        np.testing.assert_allclose(
            result.weights, np.linalg.solve(cov, scale * mu) / 3.0, atol=1e-6
        )


def test_an_infeasible_problem_keeps_the_current_weights(caplog):
    snapshot, risk, mu, _ = problem(23, 5)
    w0 = np.full(5, 1.0)  # gross 5, and a turnover of 0.1 cannot bring it under 1
    d = definition(constraints={"gross_leverage": 1.0, "turnover": 0.1})
    optimizer = Optimizer(d, snapshot.markets)
    with caplog.at_level(logging.WARNING, logger="tecton.optimizer"):
        result = optimizer.solve(mu, risk, w0, snapshot)
    assert result.used_fallback and "infeasible" in result.reason
    assert "gross_leverage" in result.reason and "turnover" in result.reason
    np.testing.assert_array_equal(result.weights, w0)
    assert np.isnan(result.objective)
    assert [r.getMessage() for r in caplog.records] == [
        f"optimizer: {result.reason}; keeping the current weights"
    ]
    # the next day is feasible again, on the same problem
    assert not optimizer.solve(mu, risk, np.zeros(5), snapshot).used_fallback


def test_a_solver_stopped_early_keeps_the_current_weights():
    snapshot, risk, mu, w0 = problem(24, 5)
    d = definition(constraints={"vol_ceiling": 0.05, "long_only": True})
    d = d.model_copy(update={"solver_options": {"max_iter": 1}})
    result = Optimizer(d, snapshot.markets).solve(mu, risk, w0, snapshot)
    assert result.used_fallback and "limit" in result.reason
    np.testing.assert_array_equal(result.weights, w0)


@pytest.mark.parametrize("where", ["expected_return", "current_weights", "cov", "price"])
def test_nan_names_the_market(where):
    snapshot, risk, mu, w0 = problem(25, 4)
    if where == "expected_return":
        mu[2] = np.nan
    elif where == "current_weights":
        w0[2] = np.nan
    elif where == "cov":
        cov = risk.cov.to_numpy().copy()
        cov[2, 2] = np.nan
        risk = RiskEstimate(
            risk.as_of,
            risk.markets,
            risk.vol,
            risk.corr,
            pd.DataFrame(cov, risk.cov.index, risk.cov.columns),
        )
    else:
        price = snapshot.price.copy()
        price[2] = np.nan
        snapshot = MarketSnapshot(**{**snapshot.__dict__, "price": price})
    optimizer = Optimizer(definition(), snapshot.markets)
    with pytest.raises(TectonError, match="M02"):
        optimizer.solve(mu, risk, w0, snapshot)


def test_missing_markets_are_named():
    snapshot, risk, mu, w0 = problem(26, 4)
    markets = (*snapshot.markets[:3], "GOLD")
    optimizer = Optimizer(definition(), markets)
    with pytest.raises(TectonError, match="GOLD"):
        optimizer.solve(mu, risk, w0, snapshot)


def test_the_snapshot_may_come_in_another_order():
    snapshot, risk, mu, w0 = problem(27, 4)
    reordered = snapshot.take(list(reversed(snapshot.markets)))
    costs = CostDefinition().build()
    d = definition(tcost_aversion=1.0)
    straight = Optimizer(d, snapshot.markets, cost_model=costs).solve(mu, risk, w0, snapshot)
    other = Optimizer(d, snapshot.markets, cost_model=costs).solve(mu, risk, w0, reordered)
    np.testing.assert_allclose(other.weights, straight.weights, atol=1e-9)


def test_risk_factor_needs_a_factor_form_and_auto_uses_it():
    snapshot, risk, mu, w0 = problem(28, 6)
    with pytest.raises(TectonError, match="factor form"):
        Optimizer(definition(risk="factor"), snapshot.markets).solve(mu, risk, w0, snapshot)
    auto = Optimizer(definition(risk="auto"), snapshot.markets)
    assert auto.problem is None  # the number of factors comes with the first estimate
    assert not auto.solve(mu, risk, w0, snapshot).used_fallback
    assert "factor_exposure" not in _variables(auto)
    snapshot, risk, mu, w0 = problem(28, 6, factors=2)
    result = auto.solve(mu, risk, w0, snapshot)
    assert result.compiled and "factor_exposure" in _variables(auto)
    snapshot, risk, mu, w0 = problem(29, 6, factors=3)  # another number of factors: rebuilt
    assert auto.solve(mu, risk, w0, snapshot).compiled
    assert not auto.solve(mu, risk, w0, snapshot).compiled


def _variables(optimizer):
    return {v.name() for v in optimizer.problem.variables()}


def test_the_optimizer_owns_its_cost_parameters():
    costs = CostDefinition().build()
    snapshot, _, _, _ = problem(30, 3)
    one = Optimizer(definition(tcost_aversion=1.0), snapshot.markets, cost_model=costs)
    two = Optimizer(definition(tcost_aversion=1.0), snapshot.markets, cost_model=costs)
    assert one.cost_model is not costs and one.cost_model is not two.cost_model


def test_the_yaml_block():
    text = "{risk_aversion: 10, constraints: {vol_ceiling: 0.2, max_contracts: {M00: 5}}}"
    d = OptimizerDefinition.model_validate(yaml.safe_load(text))
    assert d.risk_aversion == 10 and d.constraints.vol_ceiling == 0.2
    assert d.constraints.named() == ["max_contracts", "vol_ceiling"]
    assert d.tcost_aversion == 1.0 and d.risk == "auto" and d.solver == "CLARABEL"
    with pytest.raises(ValidationError, match="vol_cieling"):
        OptimizerDefinition.model_validate({"constraints": {"vol_cieling": 0.2}})
    with pytest.raises(ValidationError, match="risk_aversion"):
        OptimizerDefinition(risk_aversion=0)
    with pytest.raises(ValidationError):
        OptimizerDefinition.model_validate({"constraints": {"gross_leverage": float("inf")}})


def test_position_limits_must_name_optimised_markets():
    d = definition(constraints={"max_weight": {"NOPE": 0.1}})
    with pytest.raises(TectonError, match="NOPE"):
        Optimizer(d, ("M00", "M01"))


def test_the_definitions_load_without_cvxpy():
    # a strategy's YAML names its costs and optimiser: reading it must not import the solver
    code = (
        "import sys; from tecton.costs import CostDefinition, CostModel; "
        "from tecton.optimizer import OptimizerDefinition; "
        "CostDefinition().build(); print('cvxpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_public_name_resolves():
    import tecton.optimizer

    for name in tecton.optimizer.__all__:
        assert getattr(tecton.optimizer, name).__name__ == name
    with pytest.raises(AttributeError):
        tecton.optimizer.Nope  # noqa: B018
