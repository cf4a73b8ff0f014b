"""Solutions against closed forms and scipy; the factor form against the full covariance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tecton.costs import Commission, CostDefinition, Spread
from tecton.optimizer import Optimizer, equal_weight_beta
from tests.optimizer.problems import definition, objective, problem, scipy_mean_variance

TOL = 1e-6


def solve(d, seed=0, n=5, factors=0, costs=None, volume=False):
    snapshot, risk, mu, w0 = problem(seed, n, factors, volume)
    optimizer = Optimizer(d, snapshot.markets, snapshot.asset_class, costs)
    result = optimizer.solve(mu, risk, w0, snapshot)
    assert not result.used_fallback, result.reason
    return result, snapshot, risk.cov.to_numpy(), mu, w0


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 8), st.floats(0.5, 50.0))
def test_unconstrained_is_the_inverse_covariance_times_mu_over_gamma(seed, n, gamma):
    result, _, cov, mu, _ = solve(definition(risk_aversion=gamma), seed, n)
    expected = np.linalg.solve(cov, mu) / gamma
    np.testing.assert_allclose(result.weights, expected, atol=TOL * max(1, np.abs(expected).max()))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_long_only_with_gross_leverage(seed):
    d = definition(risk_aversion=2.0, constraints={"long_only": True, "gross_leverage": 0.5})
    result, _, cov, mu, w0 = solve(d, seed)
    expected = scipy_mean_variance(cov, mu, 2.0, w0, long_only=True, gross=0.5)
    np.testing.assert_allclose(result.weights, expected, atol=TOL)


@pytest.mark.parametrize("seed", [4, 5])
def test_turnover_limit_with_trading_costs(seed):
    costs = Commission() + Spread()
    d = definition(risk_aversion=3.0, tcost_aversion=2.0, constraints={"turnover": 0.2})
    result, s, cov, mu, w0 = solve(d, seed, costs=costs)
    rate = 2.0 * costs.cost_per_contract(s) / np.abs(s.notional)
    expected = scipy_mean_variance(cov, mu, 3.0, w0, rate=rate, turnover=0.2)
    np.testing.assert_allclose(result.weights, expected, atol=TOL)
    assert np.abs(result.weights - w0).sum() <= 0.2 + TOL


@pytest.mark.parametrize("seed", [6, 7])
def test_vol_ceiling(seed):
    d = definition(risk_aversion=0.5, constraints={"vol_ceiling": 0.08})
    result, _, cov, mu, w0 = solve(d, seed)
    expected = scipy_mean_variance(cov, mu, 0.5, w0, vol_ceiling=0.08)
    np.testing.assert_allclose(result.weights, expected, atol=TOL)
    assert np.sqrt(result.weights @ cov @ result.weights) <= 0.08 + TOL


@pytest.mark.parametrize("neutral", ["dollar_neutral", "beta_neutral", "asset_class_neutral"])
def test_neutral_constraints(neutral):
    d = definition(risk_aversion=4.0, constraints={neutral: True})
    result, s, cov, mu, w0 = solve(d, 8, n=7)
    rows = {
        "dollar_neutral": np.ones((1, 7)),
        "beta_neutral": equal_weight_beta(cov)[None, :],
        "asset_class_neutral": np.array(
            [[a == c for a in s.asset_class] for c in sorted(set(s.asset_class))], float
        ),
    }[neutral]
    expected = scipy_mean_variance(cov, mu, 4.0, w0, equalities=rows)
    np.testing.assert_allclose(result.weights, expected, atol=TOL)
    np.testing.assert_allclose(rows @ result.weights, 0.0, atol=TOL)


def test_position_limits_in_contracts_and_notional():
    snapshot, _, _, _ = problem(9, 5)
    contracts = {m: 3.0 for m in snapshot.markets[:3]}
    d = definition(
        risk_aversion=0.2, constraints={"max_contracts": contracts, "max_notional": 50_000.0}
    )
    result, s, cov, mu, w0 = solve(d, 9)
    bounds = np.minimum(
        np.array([3.0, 3.0, 3.0, np.inf, np.inf]) * np.abs(s.notional) / s.capital,
        50_000.0 / s.capital,
    )
    expected = scipy_mean_variance(cov, mu, 0.2, w0, bounds=bounds)
    np.testing.assert_allclose(result.weights, expected, atol=TOL)
    assert (np.abs(s.to_contracts(result.weights)[:3]) <= 3.0 + 1e-6).all()


def test_net_leverage_bounds_the_sum():
    d = definition(risk_aversion=1.0, constraints={"net_leverage": 0.05})
    result, *_ = solve(d, 10)
    assert abs(result.weights.sum()) <= 0.05 + TOL


def test_market_impact_against_scipy():
    # one market, a 3/2-power cost: maximise mu w - g/2 s2 w^2 - c |w - w0|^1.5, smooth on each side
    costs = CostDefinition(
        commission=False, spread=False, roll=False, funding=False, impact=5.0
    ).build()
    d = definition(risk_aversion=2.0, tcost_aversion=1.0)
    result, s, cov, mu, w0 = solve(d, 12, n=1, costs=costs, volume=True)
    from scipy.optimize import minimize_scalar

    scale = costs.trade_cost(np.ones(1), s)[0] * (s.capital / abs(s.notional[0])) ** 1.5 / s.capital
    loss = lambda w: -(mu[0] * w - cov[0, 0] * w * w - scale * abs(w - w0[0]) ** 1.5)  # noqa: E731
    expected = minimize_scalar(loss, bracket=(-10, 10), tol=1e-14).x
    assert result.weights[0] == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize(
    "constraints",
    [{}, {"vol_ceiling": 0.05, "gross_leverage": 1.0}, {"turnover": 0.3, "dollar_neutral": True}],
)
def test_the_factor_form_gives_the_full_covariance_solution(constraints):
    costs = CostDefinition().build()
    full = solve(
        definition(risk="full", tcost_aversion=1.0, constraints=constraints), 13, 9, 3, costs
    )
    factor = solve(
        definition(risk="factor", tcost_aversion=1.0, constraints=constraints), 13, 9, 3, costs
    )
    np.testing.assert_allclose(factor[0].weights, full[0].weights, atol=TOL)
    assert factor[0].objective == pytest.approx(full[0].objective, abs=1e-8)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_the_solution_beats_holding_still_and_explains_itself(seed):
    # the current weights are feasible here (no constraint), so the optimum is at least as good
    costs = CostDefinition(impact=0.5).build()
    d = definition(risk_aversion=5.0, tcost_aversion=1.0)
    result, s, cov, mu, w0 = solve(d, seed, 6, costs=costs, volume=True)
    at_solution = objective(result.weights, d, cov, mu, w0, s, costs)
    assert at_solution == pytest.approx(result.objective, abs=1e-8)
    assert at_solution >= objective(w0, d, cov, mu, w0, s, costs) - 1e-9
    assert sum(result.terms.values()) == pytest.approx(result.objective, abs=1e-9)
    assert result.terms["expected_return"] == pytest.approx(mu @ result.weights, abs=1e-9)
