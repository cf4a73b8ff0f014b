"""Properties over random return panels: a PSD covariance, and no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tecton.factor_model.risk import (
    EwmaCorrelation,
    EwmaVolatility,
    GarchVolatility,
    RiskModel,
    VolFloor,
)

FAST_VOL = EwmaVolatility(span=5, min_periods=2, floor=VolFloor(window=20, min_periods=5))
KINDS = [
    {"kind": "sample"},
    {"kind": "pca", "k": 1},
    {"kind": "pca", "k": 3},
    {"kind": "factors", "span": 10, "min_periods": 5},
]


@st.composite
def panels(draw, min_rows=2, max_rows=90, max_markets=5, gaps=(0.0, 0.1, 0.6), latest_start=1.0):
    """Returns with late starts, gaps, dead or flat markets, at any scale; and two factors."""
    n_rows = draw(st.integers(min_rows, max_rows))
    n_markets = draw(st.integers(1, max_markets))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([1e-5, 1e-2, 0.2]))
    common = draw(st.floats(0.0, 0.999))
    shock = rng.standard_normal((n_rows, 1))
    values = scale * (
        np.sqrt(common) * shock + np.sqrt(1 - common) * rng.standard_normal((n_rows, n_markets))
    )
    values[rng.random(values.shape) < draw(st.sampled_from(gaps))] = np.nan
    for j in range(n_markets):
        values[: draw(st.integers(0, int(latest_start * n_rows))), j] = np.nan
        if draw(st.integers(0, 9)) == 0:  # now and then a market that never moves
            values[:, j] = np.where(np.isnan(values[:, j]), np.nan, 0.001)
    index = pd.bdate_range("2020-01-01", periods=n_rows)
    returns = pd.DataFrame(values, index=index, columns=[f"M{j}" for j in range(n_markets)])
    factors = pd.DataFrame(
        np.column_stack([shock[:, 0] * scale, rng.standard_normal(n_rows) * scale]),
        index=index,
        columns=["common", "noise"],
    )
    return returns, factors


def risk_model(kind: dict, shrinkage: float, volatility=FAST_VOL) -> RiskModel:
    correlation = EwmaCorrelation(span=10, min_periods=3, shrinkage=shrinkage)
    return RiskModel(volatility=volatility, correlation=correlation, covariance=kind)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=panels(),
    kind=st.sampled_from(KINDS),
    shrinkage=st.sampled_from([0.0, 0.3, 1.0]),
    rows=st.lists(st.floats(0, 1), min_size=1, max_size=4),
)
def test_the_covariance_is_symmetric_psd_with_the_vol_on_its_diagonal(data, kind, shrinkage, rows):
    returns, factors = data
    model = risk_model(kind, shrinkage).fit(returns, factors)
    for share in rows:
        as_of = returns.index[int(share * (len(returns) - 1))]
        estimate = model.estimate(as_of)
        cov, corr = estimate.cov.to_numpy(), estimate.corr.to_numpy()
        assert estimate.markets == tuple(estimate.cov.index) == tuple(estimate.vol.index)
        assert np.isfinite(cov).all() and (estimate.vol > 0).all()
        np.testing.assert_array_equal(cov, cov.T)
        if len(cov):
            eigen = np.linalg.eigvalsh(cov)
            assert eigen.min() >= -1e-12 * eigen.max()
            np.testing.assert_allclose(np.diag(cov), estimate.vol**2, rtol=1e-10)
            np.testing.assert_allclose(np.diag(corr), 1.0)
            assert np.abs(corr).max() <= 1 + 1e-12
        # every market with a volatility that day is in the estimate
        vol_then = model.vol_ann_.loc[as_of]
        assert set(estimate.markets) == set(vol_then[vol_then > 0].index)


def with_new_future(data, cut: int, seed: int):
    """The same panel up to row ``cut``, other returns (and gaps) after it."""
    returns, factors = data
    rng = np.random.default_rng(seed)
    changed, changed_factors = returns.copy(), factors.copy()
    later = changed.iloc[cut + 1 :]
    noise = rng.standard_normal(later.shape) * 0.05
    noise[rng.random(later.shape) < 0.3] = np.nan
    if len(noise):  # the first later row reaches every market
        noise[0] = rng.standard_normal(later.shape[1]) * 0.05
    changed.iloc[cut + 1 :] = noise
    changed_factors.iloc[cut + 1 :] = rng.standard_normal(changed_factors.iloc[cut + 1 :].shape)
    return changed, changed_factors


def assert_same_estimate(a, b) -> None:
    assert a.as_of == b.as_of and a.markets == b.markets
    pd.testing.assert_series_equal(a.vol, b.vol, check_exact=True)
    pd.testing.assert_frame_equal(a.cov, b.cov, check_exact=True)
    if a.factor_loadings is not None:
        pd.testing.assert_frame_equal(a.factor_loadings, b.factor_loadings, check_exact=True)


def assert_later_estimates_moved(before, after, returns, changed, cut: int) -> None:
    """The perturbation was real: it reached the data, and estimates after the cut moved."""
    later = returns.iloc[cut + 1 :].to_numpy(), changed.iloc[cut + 1 :].to_numpy()
    assert len(later[0]) and not np.array_equal(*later, equal_nan=True)
    vol = before.vol_ann_.iloc[cut + 1 :].to_numpy(), after.vol_ann_.iloc[cut + 1 :].to_numpy()
    assert not np.array_equal(*vol, equal_nan=True), "no volatility after the cut moved"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    # enough rows for a volatility to exist after the cut (short panels: the PSD property above)
    data=panels(min_rows=30, latest_start=0.5),
    kind=st.sampled_from(KINDS),
    cut_share=st.floats(0.3, 0.97),
    seed=st.integers(0, 1000),
)
def test_no_estimate_changes_when_later_returns_change(data, kind, cut_share, seed):
    returns, factors = data
    cut = int(cut_share * (len(returns) - 2))  # at least one row after the cut
    changed, changed_factors = with_new_future(data, cut, seed)
    before = risk_model(kind, 0.2).fit(returns, factors)
    after = risk_model(kind, 0.2).fit(changed, changed_factors)
    pd.testing.assert_frame_equal(
        before.vol_ann_.iloc[: cut + 1], after.vol_ann_.iloc[: cut + 1], check_exact=True
    )
    as_of = returns.index[cut]
    assert_same_estimate(before.estimate(as_of), after.estimate(as_of))
    assert_later_estimates_moved(before, after, returns, changed, cut)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=panels(min_rows=80, max_rows=160, max_markets=3, gaps=(0.0, 0.1), latest_start=0.2),
    cut_share=st.floats(0.5, 0.9),  # rows enough after the cut that one vol is above the floor
)
def test_no_garch_estimate_changes_when_later_returns_change(data, cut_share):
    returns = data[0]
    cut = int(cut_share * (len(returns) - 2))  # at least one row after the cut
    changed = with_new_future(data, cut, 7)[0]
    volatility = GarchVolatility(
        refit_days=15, min_obs=50, floor=VolFloor(window=30, min_periods=5)
    )
    before = risk_model(KINDS[0], 0.2, volatility).fit(returns)
    after = risk_model(KINDS[0], 0.2, volatility).fit(changed)
    pd.testing.assert_frame_equal(
        before.vol_ann_.iloc[: cut + 1], after.vol_ann_.iloc[: cut + 1], check_exact=True
    )
    assert_same_estimate(before.estimate(returns.index[cut]), after.estimate(returns.index[cut]))
    if not (returns.max() == returns.min()).all():  # GARCH has no fit for a flat series
        assert_later_estimates_moved(before, after, returns, changed, cut)
    # the refits happened (unless every market is flat)
    assert before.vol_ann_.iloc[-1].notna().any() or (returns.max() == returns.min()).all()
