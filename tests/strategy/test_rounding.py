"""Whole contracts: the greedy search tracks the unrounded optimum better than plain rounding."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tecton.strategy import rounding


def _small_account(seed: int, n: int = 30, capital: float = 100_000.0):
    """30 futures with realistic notionals (10k..200k), vols (5%..40%) and a factor structure."""
    rng = np.random.default_rng(seed)
    vol = rng.uniform(0.05, 0.40, n)
    loadings = rng.normal(0, 0.5, (n, 3))
    cov_corr = loadings @ loadings.T + np.eye(n)
    d = np.sqrt(np.diag(cov_corr))
    corr = cov_corr / np.outer(d, d)
    cov = corr * np.outer(vol, vol)
    notional = rng.uniform(10_000, 200_000, n)
    weight_per_contract = notional / capital
    # the unrounded optimum: 20% vol target spread equally in risk, signs from the forecasts
    forecast = rng.normal(0, 10, n)
    target_weights = forecast / 10 * 0.20 / vol / n * 2.0
    return target_weights / weight_per_contract, rounding.contract_covariance(
        cov, weight_per_contract
    )


def test_on_100k_accounts_of_30_markets_greedy_tracks_the_optimum_better_than_rounding():
    plain_te, greedy_te = [], []
    for seed in range(20):
        target, cov = _small_account(seed)
        plain = rounding.plain_round(target)
        greedy = rounding.greedy_round(target, cov)
        assert np.array_equal(greedy, np.round(greedy))
        assert (plain == 0).sum() > 10  # a small account: rounding alone leaves most markets empty
        plain_te.append(rounding.tracking_error(plain, target, cov))
        greedy_te.append(rounding.tracking_error(greedy, target, cov))
    plain_te, greedy_te = np.array(plain_te), np.array(greedy_te)
    assert (greedy_te <= plain_te + 1e-15).all()  # never worse (it also starts from rounding)
    assert (greedy_te < plain_te).sum() >= 15, (greedy_te, plain_te)
    assert greedy_te.mean() < 0.97 * plain_te.mean()


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_greedy_is_a_local_optimum_no_single_contract_step_improves_it(seed):
    target, cov = _small_account(seed, n=8)
    x = rounding.greedy_round(target, cov)
    best = rounding.tracking_error(x, target, cov)
    for i in range(len(x)):
        for step in (-1, 1):
            moved = x.copy()
            moved[i] += step
            assert rounding.tracking_error(moved, target, cov) >= best - 1e-12


def test_whole_targets_are_kept_and_a_cost_penalty_keeps_current_holdings():
    target, cov = _small_account(3, n=6)
    whole = np.round(target * 5)
    np.testing.assert_array_equal(rounding.greedy_round(whole, cov), whole)
    current = whole + 1
    # trading any contract costs far more than the tracking error it removes: nothing moves
    kept = rounding.greedy_round(
        whole, cov, current=current, cost=np.full(6, 1.0), cost_penalty=1.0
    )
    np.testing.assert_array_equal(kept, current)
