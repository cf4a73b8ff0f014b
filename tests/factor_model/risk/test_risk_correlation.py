"""EWMA correlation against pandas; shrinkage toward the average; the PSD repair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tecton.factor_model.risk import (
    EwmaCorrelation,
    RiskModel,
    average_corr,
    clip_to_psd,
    shrink_to_average,
)
from tests.factor_model.risk.panels import panel


def pandas_corr_path(returns: pd.DataFrame, a, b, span, min_periods) -> pd.Series:
    """The definition: pandas' EWMA correlation over the pair's common days, carried between them."""
    pair = returns[[a, b]].dropna()
    corr = pair[a].ewm(span=span, min_periods=min_periods).corr(pair[b])
    return corr.reindex(returns.index).where(returns.index.isin(pair.index)).ffill()


def test_pair_path_is_pandas_ewm_corr_over_common_days():
    returns = panel(700, 4, seed=3, nan_share=0.1, starts=[0, 0, 300, 50])
    estimator = EwmaCorrelation(span=60, min_periods=15)
    path = estimator.pair_path(returns.to_numpy())
    left, right = np.triu_indices(4, 1)
    for pair, (a, b) in enumerate(zip(left, right, strict=True)):
        expected = pandas_corr_path(returns, f"M{a}", f"M{b}", 60, 15)
        np.testing.assert_array_equal(np.isnan(path[:, pair]), expected.isna())
        np.testing.assert_allclose(path[:, pair], expected, rtol=1e-9, atol=1e-12)


def model(shrinkage: float, **params) -> RiskModel:
    return RiskModel(
        correlation=EwmaCorrelation(span=60, min_periods=15, shrinkage=shrinkage), **params
    )


COMPLETE = panel(500, 5, seed=5)


def test_estimate_corr_without_shrinkage_is_the_ewma_corr():
    estimate = model(0.0).fit(COMPLETE).estimate("2002-06-28")
    np.testing.assert_allclose(np.diag(estimate.corr), 1.0)
    for a in COMPLETE.columns:
        for b in COMPLETE.columns.drop(a):
            pair = COMPLETE.loc[:"2002-06-28", [a, b]]
            expected = pair[a].ewm(span=60, min_periods=15).corr(pair[b]).iloc[-1]
            assert estimate.corr.loc[a, b] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    vol = estimate.vol.to_numpy()
    np.testing.assert_allclose(estimate.cov, estimate.corr * np.outer(vol, vol), rtol=1e-12)


def test_full_shrinkage_is_the_constant_average_matrix_and_between_is_convex():
    raw = model(0.0).fit(COMPLETE).estimate().corr.to_numpy()
    average = raw[~np.eye(5, dtype=bool)].mean()
    constant = np.full((5, 5), average)
    np.fill_diagonal(constant, 1.0)
    full = model(1.0).fit(COMPLETE).estimate().corr.to_numpy()
    np.testing.assert_allclose(full, constant, rtol=1e-12)
    for weight in (0.25, 0.6):
        between = model(weight).fit(COMPLETE).estimate().corr.to_numpy()
        np.testing.assert_allclose(between, (1 - weight) * raw + weight * constant, rtol=1e-12)


def test_a_pair_without_a_correlation_yet_takes_the_average():
    returns = panel(400, 3, seed=6, starts=[0, 0, 390])  # M2: 10 returns, under min_periods 15
    estimate = (
        model(0.0, volatility={"estimator": "ewma", "min_periods": 5}).fit(returns).estimate()
    )
    assert estimate.markets == ("M0", "M1", "M2")
    corr = estimate.corr.to_numpy()
    assert corr[0, 2] == pytest.approx(corr[0, 1], rel=1e-12)
    assert corr[1, 2] == pytest.approx(corr[0, 1], rel=1e-12)


def test_shrink_and_average_by_hand():
    corr = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, -0.1], [0.2, -0.1, 1.0]])
    assert average_corr(corr) == pytest.approx(0.2)
    np.testing.assert_allclose(
        shrink_to_average(corr, 0.5),
        [[1.0, 0.35, 0.2], [0.35, 1.0, 0.05], [0.2, 0.05, 1.0]],
    )
    np.testing.assert_array_equal(shrink_to_average(corr, 0.0), corr)
    # the constant matrix stays PSD even when the pairwise average is below -1 / (n - 1)
    assert average_corr(np.array([[1, -0.9, -0.9], [-0.9, 1, -0.9], [-0.9, -0.9, 1.0]])) == -0.5


def test_clip_to_psd_repairs_an_indefinite_matrix_and_keeps_a_psd_one():
    bad = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    assert np.linalg.eigvalsh(bad).min() < 0
    fixed = clip_to_psd(bad)
    assert np.linalg.eigvalsh(fixed).min() > -1e-12
    np.testing.assert_allclose(np.diag(fixed), 1.0)
    np.testing.assert_allclose(fixed, fixed.T)
    assert np.all(np.sign(fixed[np.triu_indices(3, 1)]) == np.sign(bad[np.triu_indices(3, 1)]))
    good = np.corrcoef(np.random.default_rng(0).standard_normal((4, 50)))
    good = (good + good.T) / 2
    np.testing.assert_array_equal(clip_to_psd(good), good)
