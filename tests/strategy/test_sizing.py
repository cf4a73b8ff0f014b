"""Classic sizing: the buffer's invariants, instrument weights and the IDM against references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from tecton.strategy import sizing

positions = st.floats(-500, 500, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    optimal=positions,
    average=st.floats(0, 200),
    width=st.floats(0, 0.5),
    held=st.integers(-600, 600),
)
def test_a_position_inside_the_buffer_never_trades_and_outside_it_trades_exactly_to_the_edge(
    optimal, average, width, held
):
    lower, upper = sizing.buffer_edges(np.array([optimal]), np.array([average]), width)
    trade = sizing.buffered_trade(np.array([float(held)]), lower, upper)[0]
    assert lower[0] == round(optimal - width * average) and upper[0] == round(
        optimal + width * average
    )
    if lower[0] <= held <= upper[0]:
        assert trade == 0
    elif held < lower[0]:
        assert held + trade == lower[0]
    else:
        assert held + trade == upper[0]
    assert float(held + trade).is_integer()


def test_the_steps_compose_to_the_textbook_position():
    price, point, vol, fx = np.array([80.0]), np.array([1000.0]), np.array([0.02]), np.array([0.5])
    capital, target, forecast, weight, idm = 1e6, 0.25, np.array([15.0]), np.array([0.1]), 1.8
    value_vol = sizing.instrument_value_vol(sizing.block_value(price, point), vol, fx)
    position = sizing.portfolio_position(
        sizing.subsystem_position(forecast, sizing.vol_scalar(capital, target, value_vol)),
        weight,
        idm,
    )
    # by hand: one contract's daily cash vol is 80 x 1000 x 2% x 0.5 = 800 base currency
    expected = (1e6 * 0.25 / np.sqrt(252)) / 800 * 15 / 10 * 0.1 * 1.8
    assert position[0] == pytest.approx(expected, rel=1e-12)


def _random_corr(rng, n):
    a = rng.normal(size=(n, n + 3))
    cov = a @ a.T + np.diag(rng.uniform(0.1, 1, n))
    d = np.sqrt(np.diag(cov))
    return cov / np.outer(d, d)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_estimated_weights_are_scipys_long_only_minimum_variance(seed):
    corr = _random_corr(np.random.default_rng(seed), 8)
    ours = sizing.estimated_weights(corr)
    reference = minimize(
        lambda w: w @ corr @ w,
        np.full(8, 1 / 8),
        jac=lambda w: 2 * corr @ w,
        bounds=[(0, 1)] * 8,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1}],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    ).x
    assert ours.sum() == pytest.approx(1) and (ours >= 0).all()
    assert ours @ corr @ ours == pytest.approx(reference @ corr @ reference, rel=1e-6)
    np.testing.assert_allclose(ours, reference, atol=1e-4)


def test_idm_is_one_over_portfolio_correlation_floored_at_zero_and_capped():
    corr = np.array([[1.0, 0.5, -0.4], [0.5, 1.0, 0.2], [-0.4, 0.2, 1.0]])
    w = np.array([0.5, 0.3, 0.2])
    floored = np.maximum(corr, 0)
    assert sizing.diversification_multiplier(w, corr) == pytest.approx(1 / np.sqrt(w @ floored @ w))
    uncorrelated = np.eye(40)
    assert sizing.diversification_multiplier(np.full(40, 1 / 40), uncorrelated) == 2.5
