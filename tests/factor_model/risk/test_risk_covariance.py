"""Covariance kinds: PCA against a plain eigendecomposition, given factors against weighted OLS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tecton.factor_model.risk import COVARIANCE, RiskModel
from tecton.stats import span_alpha
from tests.factor_model.risk.panels import panel

RETURNS = panel(600, 6, seed=7, nan_share=0.05, starts=[0, 0, 100, 0, 0, 200])
AS_OF = "2003-01-31"


def estimate(covariance: dict, returns=RETURNS, factor_returns=None, as_of=AS_OF):
    return RiskModel(covariance=covariance).fit(returns, factor_returns).estimate(as_of)


def assert_factor_form(est) -> None:
    loadings, factor_cov = est.factor_loadings.to_numpy(), est.factor_cov.to_numpy()
    rebuilt = loadings @ factor_cov @ loadings.T + np.diag(est.specific_var)
    np.testing.assert_allclose(est.cov, rebuilt, rtol=1e-12, atol=1e-15)


def test_pca_with_every_component_is_the_sample_covariance():
    sample = estimate({"kind": "sample"})
    for k in (6, 10):
        full = estimate({"kind": "pca", "k": k})
        np.testing.assert_allclose(full.cov, sample.cov, rtol=1e-10, atol=1e-14)
        assert full.factor_loadings.shape == (6, 6)
        np.testing.assert_allclose(full.specific_var, 0.0, atol=1e-14)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_pca_with_fewer_components_is_the_eigendecomposition_reference(k):
    sample = estimate({"kind": "sample"})
    pca = estimate({"kind": "pca", "k": k})
    values, vectors = np.linalg.eigh(sample.corr.to_numpy())
    values, vectors = values[::-1][:k], vectors[:, ::-1][:, :k]
    common = vectors @ np.diag(values) @ vectors.T
    reference_corr = common + np.diag(1.0 - np.diag(common))
    vol = sample.vol.to_numpy()
    np.testing.assert_allclose(pca.cov, reference_corr * np.outer(vol, vol), rtol=1e-10)
    np.testing.assert_allclose(pca.vol, sample.vol, rtol=1e-12)
    assert np.linalg.eigvalsh(pca.cov.to_numpy()).min() >= -1e-15
    assert list(pca.factor_loadings.columns) == [f"pc{i + 1}" for i in range(k)]
    np.testing.assert_allclose(pca.factor_cov, np.diag(values), rtol=1e-10)
    assert_factor_form(pca)


def weighted_regression(y: pd.Series, factors: pd.DataFrame, span: float):
    """Reference: least squares with an intercept, weights (1 - alpha) ** age over common days."""
    both = pd.concat([y, factors], axis=1).dropna()
    weights = (1 - span_alpha(span)) ** np.arange(len(both) - 1, -1, -1)
    design = np.column_stack([np.ones(len(both)), both.iloc[:, 1:].to_numpy()])
    root = np.sqrt(weights)[:, None]
    coef, *_ = np.linalg.lstsq(design * root, both.iloc[:, 0].to_numpy() * root[:, 0], rcond=None)
    resid = both.iloc[:, 0].to_numpy() - design @ coef
    return coef[1:], np.sum(weights * resid**2) / weights.sum()


def weighted_cov(frame: pd.DataFrame, span: float) -> np.ndarray:
    rows = frame.dropna().to_numpy()
    weights = (1 - span_alpha(span)) ** np.arange(len(rows) - 1, -1, -1)
    weights /= weights.sum()
    centred = rows - weights @ rows
    return (centred * weights[:, None]).T @ centred


def test_given_factors_give_the_weighted_regression_structure_scaled_to_the_vol():
    rng = np.random.default_rng(8)
    factors = pd.DataFrame(
        0.01 * rng.standard_normal((600, 2)), index=RETURNS.index, columns=["equity", "rates"]
    )
    factors.iloc[rng.random(600) < 0.03, 1] = np.nan
    exposures = rng.standard_normal((2, 6))
    returns = RETURNS * 0.3 + factors.fillna(0).to_numpy() @ exposures
    est = estimate({"kind": "factors", "span": 80, "min_periods": 30}, returns, factors)
    history = returns.loc[:AS_OF]
    betas, specific = zip(
        *(weighted_regression(history[m], factors.loc[:AS_OF], 80) for m in est.markets),
        strict=True,
    )
    betas, specific = np.array(betas), np.array(specific)
    factor_cov = weighted_cov(factors.loc[:AS_OF], 80)
    implied = betas @ factor_cov @ betas.T + np.diag(specific)
    scale = est.vol.to_numpy() / np.sqrt(np.diag(implied) * 252)
    np.testing.assert_allclose(est.factor_loadings, betas * scale[:, None], rtol=1e-8)
    np.testing.assert_allclose(est.factor_cov, factor_cov * 252, rtol=1e-10)
    np.testing.assert_allclose(est.specific_var, specific * scale**2 * 252, rtol=1e-8)
    reference_corr = implied / np.sqrt(np.outer(np.diag(implied), np.diag(implied)))
    np.testing.assert_allclose(est.corr, reference_corr, rtol=1e-8)
    assert_factor_form(est)
    # the volatility is the estimator's, whatever the factors say
    vol = RiskModel().fit(returns).estimate(AS_OF).vol
    np.testing.assert_allclose(est.vol, vol, rtol=1e-12)


def test_a_market_without_enough_common_days_with_the_factors_is_uncorrelated():
    factors = pd.DataFrame({"f": RETURNS["M0"]})
    est = estimate({"kind": "factors", "min_periods": 450}, factor_returns=factors)
    assert est.markets == tuple(RETURNS.columns)
    # M5 starts at row 200: under 450 common days by AS_OF, so no loadings
    assert (est.factor_loadings.loc["M5"] == 0).all()
    assert (est.corr.loc["M5"].drop("M5") == 0).all()


def test_factor_kind_needs_factor_returns():
    with pytest.raises(ValueError, match="factor_returns"):
        RiskModel(covariance={"kind": "factors"}).fit(RETURNS)


def test_the_kinds_are_registered_by_name():
    assert COVARIANCE.names() == ["factors", "pca", "sample"]
    for name in COVARIANCE.names():
        assert COVARIANCE.get(name)().kind == name
