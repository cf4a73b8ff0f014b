"""How much a Sharpe ratio means after the trials that found it (Bailey and Lopez de Prado).

The best of many backtests on the same data has a high Sharpe ratio by luck alone. These are
the formulas of D. H. Bailey and M. Lopez de Prado, "The Deflated Sharpe Ratio: Correcting for
Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5),
2014, and "The Sharpe Ratio Efficient Frontier", Journal of Risk 15(2), 2012:

* the probabilistic Sharpe ratio (PSR): the probability that the true Sharpe ratio exceeds a
  benchmark, given the estimate, the number of observations and the returns' skewness and
  kurtosis (whose effect on the estimate's error the normal formula ignores);
* the expected maximum Sharpe ratio of ``N`` independent trials whose estimates have variance
  ``V``, when every true Sharpe ratio is zero;
* the deflated Sharpe ratio (DSR): the PSR against that expected maximum.

Units: every Sharpe ratio here is **per observation** (a daily mean over a daily standard
deviation, not annualised), and ``var_sharpe`` is the variance of per-observation Sharpe ratios.
Divide an annual Sharpe ratio by ``sqrt(days per year)`` (its variance by ``days``) first;
:meth:`tecton.portfolio.Analytics.deflated_sharpe` does so. ``kurtosis`` is the plain
fourth standardised moment, 3 for a normal (not the excess kurtosis).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from tecton.errors import TectonError

EULER_GAMMA = 0.5772156649015329  # the Euler-Mascheroni constant
_NORMAL = NormalDist()


def sharpe_std(sr: float, n_obs: int, skew: float = 0.0, kurtosis: float = 3.0) -> float:
    """Standard error of a per-observation Sharpe ratio estimate under non-normal returns.

    ``sqrt((1 - skew sr + (kurtosis - 1) / 4 sr^2) / (n_obs - 1))`` (Bailey and Lopez de
    Prado 2012, after Mertens 2002); for normal returns ``sqrt((1 + sr^2 / 2) / (n_obs - 1))``.
    """
    if n_obs < 2:
        raise TectonError(f"a Sharpe ratio's error needs at least 2 observations, got {n_obs}")
    variance = 1.0 - skew * sr + (kurtosis - 1.0) / 4.0 * sr**2
    if not variance > 0:
        raise TectonError(
            f"skew {skew} and kurtosis {kurtosis} give a non-positive variance for Sharpe {sr}"
        )
    return math.sqrt(variance / (n_obs - 1))


def probabilistic_sharpe_ratio(
    sr: float,
    sr_benchmark: float,
    n_obs: int,
    skew: float = 0.0,
    kurtosis: float = 3.0,
) -> float:
    """Probability that the true Sharpe ratio exceeds ``sr_benchmark`` (the PSR).

    Parameters
    ----------
    sr : float
        The estimated Sharpe ratio, per observation.
    sr_benchmark : float
        The Sharpe ratio to beat, per observation (0: any skill at all).
    n_obs : int
        Number of returns the estimate used.
    skew, kurtosis : float
        Skewness and (non-excess) kurtosis of those returns.

    Returns
    -------
    float
        ``Phi((sr - sr_benchmark) / sharpe_std(sr, n_obs, skew, kurtosis))``.
    """
    return _NORMAL.cdf((sr - sr_benchmark) / sharpe_std(sr, n_obs, skew, kurtosis))


def expected_max_sharpe(n_trials: int, var_sharpe: float) -> float:
    """Expected largest of ``n_trials`` Sharpe estimates whose true values are all zero.

    ``sqrt(V) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e)))``, ``gamma`` the
    Euler-Mascheroni constant: the false-strategy theorem's approximation of the expected
    maximum of ``N`` independent normal draws of variance ``V`` (Bailey and Lopez de Prado 2014,
    eq. 2). In the units of ``var_sharpe``'s square root; zero for a single trial.
    """
    if n_trials < 1:
        raise TectonError(f"the number of trials must be at least 1, got {n_trials}")
    if not var_sharpe >= 0:
        raise TectonError(
            f"the variance of the trials' Sharpe ratios must be >= 0, got {var_sharpe}"
        )
    if n_trials == 1:
        return 0.0
    z = (1.0 - EULER_GAMMA) * _NORMAL.inv_cdf(1.0 - 1.0 / n_trials) + EULER_GAMMA * (
        _NORMAL.inv_cdf(1.0 - 1.0 / (n_trials * math.e))
    )
    return math.sqrt(var_sharpe) * z


def deflated_sharpe_ratio(
    sr: float,
    n_obs: int,
    n_trials: int,
    var_sharpe: float,
    skew: float = 0.0,
    kurtosis: float = 3.0,
) -> float:
    """Probability that the true Sharpe ratio is positive, given the trials that found ``sr``.

    The :func:`probabilistic_sharpe_ratio` against :func:`expected_max_sharpe`
    (``n_trials``, ``var_sharpe``): how likely ``sr`` beats the best a set of worthless
    strategies would show by chance. All Sharpe ratios per observation.

    Parameters
    ----------
    sr : float
        The selected (best) strategy's Sharpe ratio, per observation.
    n_obs : int
        Number of its returns.
    n_trials : int
        Number of independent strategies tried on the same data (including this one).
    var_sharpe : float
        Variance of the trials' per-observation Sharpe ratios.
    skew, kurtosis : float
        Skewness and (non-excess) kurtosis of the selected strategy's returns.
    """
    benchmark = expected_max_sharpe(n_trials, var_sharpe)
    return probabilistic_sharpe_ratio(sr, benchmark, n_obs, skew, kurtosis)


def trials_variance(sharpes) -> float:
    """Variance (ddof 1) of the trials' Sharpe ratios; 0 for fewer than two trials."""
    values = np.asarray(list(sharpes), dtype=float)
    values = values[np.isfinite(values)]
    return float(values.var(ddof=1)) if len(values) > 1 else 0.0
