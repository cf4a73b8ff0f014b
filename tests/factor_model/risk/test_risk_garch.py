"""Walk-forward GARCH(1,1) against arch's own fit and forecast for the same window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from arch import arch_model

from tecton.factor_model.risk import GarchVolatility, RiskModel, garch_walk_forward
from tests.factor_model.risk.panels import garch_returns

RETURNS = garch_returns(900, 2, seed=4)[:, 0]


def arch_forecast(y: np.ndarray, params: pd.Series, mean: str) -> float:
    """arch's one-step variance forecast at the end of ``y`` (fractions) with fixed parameters."""
    model = arch_model(
        y * 100, mean="Zero" if mean == "zero" else "Constant", vol="GARCH", p=1, q=1, rescale=False
    )
    values = ([params.mu] if mean == "constant" else []) + [params.omega, params.alpha, params.beta]
    return model.fix(values).forecast(horizon=1).variance.iloc[-1, 0] / 100**2


@pytest.mark.parametrize("mean", ["zero", "constant"])
@pytest.mark.parametrize("max_obs", [None, 300])
def test_forecast_is_archs_forecast_for_the_window_and_parameters(mean, max_obs):
    path = garch_walk_forward(RETURNS, refit_days=100, min_obs=250, max_obs=max_obs, mean=mean)
    assert list(path.fits.row) == list(range(249, 900, 100))
    assert np.isnan(path.var_next[:249]).all() and np.isfinite(path.var_next[249:]).all()
    for t in [249, 250, 348, 349, 500, 777, 899]:
        fit = path.fits[path.fits.row <= t].iloc[-1]
        expected = arch_forecast(RETURNS[int(fit.start) : t + 1], fit, mean)
        assert path.var_next[t] == pytest.approx(expected, rel=1e-10)
    if max_obs is not None:
        np.testing.assert_array_equal(path.fits.start, np.maximum(path.fits.row + 1 - max_obs, 0))


@pytest.mark.parametrize("mean", ["zero", "constant"])
def test_each_refit_is_archs_fit_of_its_window(mean):
    path = garch_walk_forward(RETURNS, refit_days=200, min_obs=300, mean=mean)
    for fit in path.fits.itertuples():
        model = arch_model(
            RETURNS[fit.start : fit.row + 1] * 100,
            mean="Zero" if mean == "zero" else "Constant",
            vol="GARCH",
            rescale=False,
        )
        cold = model.fit(disp="off")
        ours = [fit.mu] if mean == "constant" else []
        ours += [fit.omega, fit.alpha, fit.beta]
        # warm-started from the previous refit: the same optimum, to the optimiser's tolerance
        assert model.fix(ours).loglikelihood == pytest.approx(cold.loglikelihood, abs=1e-4)
        np.testing.assert_allclose(ours, cold.params.to_numpy(), rtol=2e-2, atol=1e-3)
        assert fit.fitted


def test_a_refit_sees_returns_up_to_its_row_only():
    changed = RETURNS.copy()
    changed[420:] = RETURNS[420:][::-1] * 3  # rewrite everything from row 420 on
    before = garch_walk_forward(RETURNS, refit_days=50, min_obs=200)
    after = garch_walk_forward(changed, refit_days=50, min_obs=200)
    kept = before.fits.row < 420
    pd.testing.assert_frame_equal(before.fits[kept], after.fits[kept])
    np.testing.assert_array_equal(before.var_next[:420], after.var_next[:420])
    assert not np.allclose(before.var_next[420:], after.var_next[420:])


def test_markets_are_fitted_on_their_own_days_and_too_short_or_flat_ones_get_none():
    own = np.column_stack([RETURNS, np.r_[RETURNS[:150], np.full(750, np.nan)], np.zeros(900)])
    path = garch_walk_forward(own, refit_days=100, min_obs=200)
    single = garch_walk_forward(RETURNS, refit_days=100, min_obs=200)
    np.testing.assert_array_equal(path.var_next[:, 0], single.var_next)
    assert np.isnan(path.var_next[:, 1:]).all()  # 150 returns < min_obs; a flat market
    assert set(path.fits.market) == {0}


def test_risk_model_with_garch_gives_the_walk_forward_vol_annualised():
    returns = pd.DataFrame(
        garch_returns(700, 3, seed=5), index=pd.bdate_range("2010-01-04", periods=700)
    )
    returns.iloc[:100, 2] = np.nan  # a late starter
    volatility = GarchVolatility(refit_days=63, min_obs=250, floor=None)
    model = RiskModel(volatility=volatility).fit(returns)
    late = garch_walk_forward(returns[2].dropna().to_numpy(), 63, 250)
    expected = np.sqrt(late.var_next * 252)
    np.testing.assert_allclose(model.vol_ann_[2].iloc[100:], expected, rtol=1e-12)
    estimate = model.estimate()
    assert estimate.markets == (0, 1, 2)
    assert np.linalg.eigvalsh(estimate.cov.to_numpy()).min() > 0
