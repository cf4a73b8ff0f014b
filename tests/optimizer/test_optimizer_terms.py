"""Each objective term and constraint piece, evaluated at a point, against its numpy formula."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tecton.costs import CostDefinition
from tecton.optimizer import (
    ExpectedReturn,
    FactorRisk,
    FullRisk,
    HoldingCost,
    Space,
    TransactionCost,
    equal_weight_beta,
    matrix_root,
    triangular_root,
)
from tecton.optimizer.inputs import prepare
from tests.optimizer.problems import problem

PROPERTY = settings(max_examples=25, deadline=None)


def at_point(seed: int, n: int, factors: int = 0):
    snapshot, risk, mu, w0 = problem(seed, n, factors, volume=True)
    inputs = prepare(snapshot.markets, mu, risk, w0, snapshot)
    w = np.random.default_rng(seed + 1).normal(0.0, 0.3, n)
    return inputs, w


def evaluate(term, inputs, w):
    """The term's expression with ``w`` and its trades set."""
    space = Space(len(w))
    expression = term.build(space)
    term.update(inputs)
    space.w.value, space.w0.value = w, inputs.current_weights
    space.dw.value = w - inputs.current_weights
    return expression, space


@PROPERTY
@given(st.integers(0, 10_000), st.integers(1, 7))
def test_expected_return_and_full_risk(seed, n):
    inputs, w = at_point(seed, n)
    value, _ = evaluate(ExpectedReturn(), inputs, w)
    assert value.value == pytest.approx(inputs.expected_return @ w, rel=1e-10, abs=1e-14)
    term = FullRisk()
    value, _ = evaluate(term, inputs, w)
    term.root(None).value = term.sqrt_cov().T @ w  # as y == L'w makes it
    assert value.value == pytest.approx(w @ inputs.cov @ w, rel=1e-9)


@PROPERTY
@given(st.integers(0, 10_000), st.integers(2, 7), st.integers(1, 3))
def test_factor_risk_is_the_covariance_of_its_parts(seed, n, factors):
    inputs, w = at_point(seed, n, factors)
    term = FactorRisk(factors)
    value, _ = evaluate(term, inputs, w)
    term.exposure.value = inputs.loadings.T @ w  # what the constraint f == B'w makes it
    cov = inputs.loadings @ inputs.factor_cov @ inputs.loadings.T + np.diag(inputs.specific_var)
    assert value.value == pytest.approx(w @ cov @ w, rel=1e-9)
    # the same matrix the estimate carries as its covariance
    np.testing.assert_allclose(cov, inputs.cov, rtol=1e-12, atol=1e-15)


@PROPERTY
@given(st.integers(0, 10_000), st.integers(1, 7))
def test_costs_are_the_realised_costs_of_the_same_trades(seed, n):
    inputs, w = at_point(seed, n)
    s = inputs.snapshot
    costs = CostDefinition(impact=0.6).build()
    trades = s.to_contracts(w - inputs.current_weights)
    value, _ = evaluate(TransactionCost(costs), inputs, w)
    assert value.value == pytest.approx(costs.trade_cost(trades, s).sum() / s.capital, rel=1e-9)
    value, _ = evaluate(HoldingCost(costs), inputs, w)
    held = s.to_contracts(w)
    per_year = s.rolls_per_year * costs.roll_cost(held, s)
    per_year += costs.holding_cost(held, s, days=1.0) * s.days_per_year
    assert value.value == pytest.approx(per_year.sum() / s.capital, rel=1e-9, abs=1e-14)


def test_terms_compose_like_algebra():
    inputs, w = at_point(3, 5)
    risk = FullRisk()
    objective = ExpectedReturn() - 2.5 * risk + (-0.5) * ExpectedReturn()
    value, _ = evaluate(objective, inputs, w)
    risk.root(None).value = risk.sqrt_cov().T @ w
    mu, cov = inputs.expected_return, inputs.cov
    assert value.value == pytest.approx(0.5 * mu @ w - 2.5 * w @ cov @ w, rel=1e-9)
    parts = objective.contributions()
    assert parts["expected_return"] == pytest.approx(0.5 * mu @ w, rel=1e-9)
    assert parts["risk"] == pytest.approx(-2.5 * w @ cov @ w, rel=1e-9)


def test_terms_are_dpp():
    space = Space(4)
    costs = CostDefinition(impact=1.0).build()
    objective = (ExpectedReturn() - FullRisk() - TransactionCost(costs) - HoldingCost(costs)).build(
        space
    )
    assert cp.Problem(cp.Maximize(objective), space.constraints).is_dpp()
    space = Space(4)
    risk = FactorRisk(2)
    problem = cp.Problem(cp.Minimize(risk.build(space)), space.constraints)
    assert problem.is_dpp()


@PROPERTY
@given(st.integers(0, 10_000), st.integers(1, 8))
def test_matrix_root_of_a_semi_definite_covariance(seed, n):
    rng = np.random.default_rng(seed)
    root = rng.normal(size=(n, max(1, n // 2)))  # rank n/2: only semi-definite
    cov = root @ root.T
    scale = max(1.0, np.abs(cov).max())
    got = matrix_root(cov)
    np.testing.assert_allclose(got @ got.T, cov, atol=1e-10 * scale)
    lower = triangular_root(cov)
    np.testing.assert_array_equal(lower, np.tril(lower))
    np.testing.assert_allclose(lower @ lower.T, cov, atol=1e-10 * scale)
    definite = cov + np.eye(n)  # Cholesky's case
    lower = triangular_root(definite)
    np.testing.assert_allclose(lower @ lower.T, definite, atol=1e-10 * scale)


def test_beta_to_the_equal_weight_portfolio_is_the_regression_slope():
    rng = np.random.default_rng(11)
    n = 6
    returns = rng.normal(size=(4000, n)) @ rng.normal(size=(n, n)) * 0.01
    portfolio = returns.mean(axis=1)
    slopes = [np.polyfit(portfolio, returns[:, i], 1)[0] for i in range(n)]
    np.testing.assert_allclose(equal_weight_beta(np.cov(returns.T)), slopes, rtol=1e-9)
