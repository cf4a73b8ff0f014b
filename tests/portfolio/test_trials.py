"""Probabilistic and deflated Sharpe ratios: the paper's worked example, scipy, simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from tecton.errors import TectonError
from tecton.portfolio import Analytics, trials


def test_the_papers_worked_example():
    """Bailey and Lopez de Prado (2014), "The Deflated Sharpe Ratio", the numerical example.

    An analyst runs N = 100 independent trials; the variance of their annualised Sharpe ratios
    is V = 1/2; the best has an annualised Sharpe ratio of 2.5 over 5 years of daily returns
    (T = 1250, 250 days a year), skewness -3 and kurtosis 10. The paper finds the expected
    maximum Sharpe ratio SR0 = 0.1132 (per day; 1.79 annualised) and DSR = 0.9004: about a 90%
    chance the strategy's true Sharpe ratio is positive, short of 95% confidence.
    """
    days = 250
    sr0 = trials.expected_max_sharpe(100, 0.5 / days)
    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    dsr = trials.deflated_sharpe_ratio(2.5 / math.sqrt(days), 1250, 100, 0.5 / days, -3.0, 10.0)
    assert dsr == pytest.approx(0.9004, abs=5e-5)
    # and derived here independently, with scipy's normal and numpy's Euler-Mascheroni constant
    g = np.euler_gamma
    z = (1 - g) * scipy.stats.norm.ppf(1 - 1 / 100) + g * scipy.stats.norm.ppf(1 - 1 / (100 * np.e))
    sr0_ref = math.sqrt(0.5 / days) * z
    sr = 2.5 / math.sqrt(days)
    se = math.sqrt((1 + 3 * sr + (10 - 1) / 4 * sr**2) / (1250 - 1))
    assert sr0 == pytest.approx(sr0_ref, rel=1e-12)
    assert dsr == pytest.approx(scipy.stats.norm.cdf((sr - sr0_ref) / se), rel=1e-12)


@pytest.fixture(scope="module")
def skewed() -> pd.Series:
    rng = np.random.default_rng(11)
    r = 0.004 * rng.standard_t(4, 1500) + 0.01 * (rng.exponential(1.0, 1500) - 1.0) + 8e-4
    return pd.Series(r, index=pd.bdate_range("2018-01-01", periods=1500))


@pytest.mark.parametrize("benchmark", [0.0, 0.5, 1.0])
def test_psr_of_a_series_matches_scipy(skewed, benchmark):
    r = skewed.to_numpy()
    sr = r.mean() / r.std(ddof=1)
    g3, g4 = scipy.stats.skew(r), scipy.stats.kurtosis(r, fisher=False)
    bench = benchmark / math.sqrt(252)
    ref = scipy.stats.norm.cdf(
        (sr - bench) * math.sqrt(len(r) - 1) / math.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2)
    )
    assert Analytics(skewed).probabilistic_sharpe(benchmark) == pytest.approx(ref, rel=1e-10)
    assert trials.probabilistic_sharpe_ratio(sr, bench, len(r), g3, g4) == pytest.approx(
        ref, rel=1e-10
    )


def test_dsr_of_a_series_takes_the_trials_sharpe_ratios_annualised(skewed):
    sharpes = [0.3, -0.2, 1.1, 0.7, 0.05, 1.6]
    a = Analytics(skewed)
    r = skewed.to_numpy()
    sr = r.mean() / r.std(ddof=1)
    v = np.var(sharpes, ddof=1) / 252
    g = np.euler_gamma
    n = len(sharpes)
    sr0 = math.sqrt(v) * (
        (1 - g) * scipy.stats.norm.ppf(1 - 1 / n) + g * scipy.stats.norm.ppf(1 - 1 / (n * np.e))
    )
    se = math.sqrt((1 - a.skew * sr + (a.kurtosis - 1) / 4 * sr**2) / (len(r) - 1))
    ref = scipy.stats.norm.cdf((sr - sr0) / se)
    assert a.deflated_sharpe(sharpes) == pytest.approx(ref, rel=1e-10)
    # one trial: nothing to deflate, the DSR is the PSR against zero
    assert a.deflated_sharpe([a.sharpe]) == pytest.approx(a.probabilistic_sharpe(0.0), rel=1e-12)


def test_the_sharpe_ratios_error_matches_simulation_of_skewed_returns():
    # returns sigma (E - 1) + mu, E exponential: skewness 2, kurtosis 9; true SR 0.1 a day.
    # The non-normal formula predicts the spread of the estimates; the normal one is 10% off.
    rng = np.random.default_rng(3)
    n, paths, sr_true = 500, 6000, 0.1
    r = (rng.exponential(1.0, (paths, n)) - 1.0) + sr_true
    estimates = r.mean(axis=1) / r.std(axis=1, ddof=1)
    predicted = trials.sharpe_std(sr_true, n, skew=2.0, kurtosis=9.0)
    normal = trials.sharpe_std(sr_true, n)
    assert estimates.std() == pytest.approx(predicted, rel=0.04)
    assert abs(estimates.std() / normal - 1) > 0.06


@pytest.mark.parametrize("n_trials", [10, 100, 1000])
def test_expected_max_sharpe_approximates_the_simulated_maximum(n_trials):
    # the false-strategy theorem's approximation: within a few percent of the true expectation
    rng = np.random.default_rng(n_trials)
    var = 0.04
    best = (rng.standard_normal((4000, n_trials)) * math.sqrt(var)).max(axis=1).mean()
    assert trials.expected_max_sharpe(n_trials, var) == pytest.approx(best, rel=0.03)


@settings(max_examples=100, deadline=None)
@given(
    sr=st.floats(-0.3, 0.3),
    n_obs=st.integers(20, 5000),
    n_trials=st.integers(1, 500),
    var=st.floats(1e-6, 1e-2),
    skew=st.floats(-1.0, 1.0),
    excess=st.floats(0.0, 8.0),
)
def test_more_trials_or_more_dispersed_trials_deflate_more(sr, n_obs, n_trials, var, skew, excess):
    kurt = 3.0 + excess
    dsr = trials.deflated_sharpe_ratio(sr, n_obs, n_trials, var, skew, kurt)
    assert 0.0 <= dsr <= 1.0
    assert trials.deflated_sharpe_ratio(sr, n_obs, n_trials + 10, var, skew, kurt) <= dsr
    assert trials.deflated_sharpe_ratio(sr, n_obs, n_trials, 2 * var, skew, kurt) <= dsr
    assert dsr <= trials.probabilistic_sharpe_ratio(sr, 0.0, n_obs, skew, kurt) + 1e-15


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(TectonError, match="at least 2 observations"):
        trials.probabilistic_sharpe_ratio(0.1, 0.0, 1)
    with pytest.raises(TectonError, match="at least 1"):
        trials.expected_max_sharpe(0, 0.1)
    with pytest.raises(TectonError, match=">= 0"):
        trials.expected_max_sharpe(5, -0.1)
    with pytest.raises(TectonError, match="at least one trial"):
        Analytics(pd.Series([0.01, -0.01, 0.02])).deflated_sharpe([])
    assert trials.expected_max_sharpe(1, 0.3) == 0.0
    assert trials.trials_variance([1.0]) == 0.0
