"""Forecast scaling and combination against second implementations written here, and bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tecton.factor_model.alpha.rules import RuleInputs, run_rule, run_rules
from tecton.factor_model.alpha.scaling import (
    combine,
    correlation_weights,
    diversification_multiplier,
    forecast_scalar,
    forecast_weights,
    lag,
    pooled_correlation,
    scale_and_cap,
    scale_and_combine,
)
from tecton.factor_model.registry import ModelDefinitionError
from tests.factor_model.alpha.alpha_panels import loop_scalar, panel, random_walk_scalar


def raw_forecasts(n_days: int = 400, n_markets: int = 5, seed: int = 0) -> pd.DataFrame:
    """Fat-tailed forecasts with staggered starts, gaps, exact zeros and a late market."""
    rng = np.random.default_rng(seed)
    values = rng.standard_t(4, (n_days, n_markets)) * rng.uniform(0.5, 2, n_markets)
    values[rng.random(values.shape) < 0.05] = np.nan
    values[rng.random(values.shape) < 0.03] = 0.0
    for j in range(n_markets):
        values[: int(rng.integers(0, n_days // 3)), j] = np.nan
    values[: n_days - 50, -1] = np.nan  # a market that arrives late
    return pd.DataFrame(
        values,
        index=pd.bdate_range("2010-01-01", periods=n_days),
        columns=[f"M{j}" for j in range(n_markets)],
    )


@pytest.mark.parametrize("method", ["pooled", "cross_median"])
@pytest.mark.parametrize("min_periods", [1, 60])
def test_forecast_scalar_matches_a_loop_over_expanding_dates(method, min_periods):
    raw = raw_forecasts()
    actual = forecast_scalar(raw, 10, method, min_periods)
    expected = loop_scalar(raw, 10, method, min_periods)
    np.testing.assert_array_equal(actual.isna(), expected.isna())
    np.testing.assert_allclose(actual, expected, rtol=1e-12)
    assert actual.notna().sum() > 200


def test_forecast_scalar_prior_fills_only_the_warm_up():
    raw = raw_forecasts()
    with_prior = forecast_scalar(raw, min_periods=100, prior=3.0)
    without = forecast_scalar(raw, min_periods=100)
    assert (with_prior[without.isna()] == 3.0).all()
    pd.testing.assert_series_equal(with_prior[without.notna()], without[without.notna()])


def test_forecast_scalar_rejects_an_unknown_method():
    with pytest.raises(ModelDefinitionError, match="unknown forecast scalar method 'median'"):
        forecast_scalar(raw_forecasts(), method="median")


def test_scaled_forecasts_average_ten_in_sample():
    raw = raw_forecasts(2000, 8, seed=3)
    scalar = forecast_scalar(raw, min_periods=1).iloc[-1]
    scaled = raw * scalar
    assert np.nanmean(np.abs(scaled.to_numpy()[scaled.to_numpy() != 0])) == pytest.approx(10.0)
    capped = scale_and_cap(raw, forecast_scalar(raw, min_periods=1), cap=20)
    assert capped.abs().max().max() == 20.0


@pytest.mark.parametrize(("fast", "slow"), [(8, 32), (16, 64), (64, 256)])
def test_ewmac_scalar_on_a_random_walk_is_the_theoretical_value(fast, slow):
    """The whole chain (volatility, rule, pooled scalar) against theory, within sampling noise."""
    rng = np.random.default_rng(11)
    steps = rng.standard_normal((6000, 32)) * rng.uniform(0.1, 10, 32)
    price = pd.DataFrame(np.cumsum(steps, axis=0), index=pd.bdate_range("2000-01-03", periods=6000))
    raw = run_rule("ewmac", RuleInputs(price), {"fast": fast, "slow": slow}).iloc[300:]
    estimate = forecast_scalar(raw, min_periods=1).iloc[-1]
    assert estimate == pytest.approx(random_walk_scalar(fast, slow), rel=0.05)


def test_forecast_weights():
    assert forecast_weights(["a", "b"]).to_dict() == {"a": 0.5, "b": 0.5}
    assert forecast_weights(["a", "b"], {"a": 3, "b": 1}).to_dict() == {"a": 0.75, "b": 0.25}
    for weights, message in [
        ({"a": 1}, "no weight for rule 'b'; rules: a, b$"),
        ({"a": 1, "b": 1, "c": 1}, "unknown rule 'c'"),
        ({"a": -1, "b": 2}, "must be finite, >= 0"),
        ({"a": 0, "b": 0}, "not all 0"),
    ]:
        with pytest.raises(ModelDefinitionError, match=message):
            forecast_weights(["a", "b"], weights)


def rule_set(n_days: int = 300, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Three correlated rules and one anti-correlated, with different gaps."""
    base = raw_forecasts(n_days, 4, seed)
    rng = np.random.default_rng(seed + 100)
    noise = lambda: pd.DataFrame(rng.standard_normal(base.shape), base.index, base.columns)  # noqa: E731
    sparse = noise() * 2
    sparse.loc[sparse.index.month == 3] = np.nan  # a rule silent every March
    return {"a": base, "b": base + 0.5 * noise(), "c": sparse, "d": -base + noise()}


def test_pooled_correlation_is_pandas_pairwise_corr_of_stacked_market_days():
    rules = rule_set()
    corr = pooled_correlation(rules, min_periods=1)
    for t in [40, 120, 299]:
        stacked = pd.DataFrame({k: f.iloc[: t + 1].to_numpy().ravel() for k, f in rules.items()})
        np.testing.assert_allclose(corr[t], stacked.corr().to_numpy(), rtol=1e-9, atol=1e-12)


def test_diversification_multiplier_against_its_formula():
    rules = rule_set()
    weights = {"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1}
    fdm = diversification_multiplier(rules, weights, min_periods=30)
    w = forecast_weights(list(rules), weights)
    for t in [10, 40, 299]:
        stacked = pd.DataFrame({k: f.iloc[: t + 1].to_numpy().ravel() for k, f in rules.items()})
        days = pd.DataFrame({k: f.iloc[: t + 1].notna().any(axis=1) for k, f in rules.items()})
        corr = stacked.corr().clip(lower=0)
        for i in rules:
            for j in rules:
                if i != j and (days[i] & days[j]).sum() < 30:
                    corr.loc[i, j] = 1.0
        expected = min(2.5, 1 / np.sqrt(w @ corr @ w))
        assert fdm.iloc[t] == pytest.approx(expected, rel=1e-9)
    assert fdm.iloc[10] == 1.0  # no credit before 30 days


def test_diversification_multiplier_extremes():
    rules = rule_set(600)
    same = {"x": rules["a"], "y": rules["a"] * 2}
    assert np.allclose(diversification_multiplier(same, min_periods=1), 1.0)
    opposite = {"x": rules["a"], "y": -rules["a"]}  # -1 floored at 0: as if independent
    assert np.allclose(diversification_multiplier(opposite, min_periods=1).iloc[50:], np.sqrt(2))
    rng = np.random.default_rng(0)
    independent = {str(k): rules["a"] * 0 + rng.standard_normal(rules["a"].shape) for k in range(9)}
    fdm = diversification_multiplier(independent, min_periods=1)
    assert fdm.iloc[-1] == 2.5  # sqrt(9) = 3, capped
    assert fdm.between(1.0, 2.5).all()


def test_combine_renormalises_over_available_rules_and_caps():
    rules = rule_set()
    weights = {"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1}
    fdm = pd.Series(np.linspace(1, 2.5, 300), index=rules["a"].index)
    actual = combine(rules, weights, fdm, cap=3.0)
    for t, market in [(5, "M0"), (100, "M1"), (299, "M3")] + [(i, "M2") for i in range(40, 120, 7)]:
        values = {k: f.iloc[t][market] for k, f in rules.items()}
        present = {k: v for k, v in values.items() if np.isfinite(v)}
        if not present:
            assert np.isnan(actual.iloc[t][market])
            continue
        blend = sum(weights[k] * v for k, v in present.items()) / sum(weights[k] for k in present)
        assert actual.iloc[t][market] == pytest.approx(
            np.clip(blend * fdm.iloc[t], -3, 3), rel=1e-12
        )


def test_scale_and_combine_chain():
    rules = rule_set(700)
    result = scale_and_combine(rules, min_periods=100, fdm_min_periods=50)
    assert list(result.scalars.columns) == list(rules)
    for name, frame in rules.items():
        expected = scale_and_cap(frame, forecast_scalar(frame, min_periods=100))
        pd.testing.assert_frame_equal(result.scaled[name], expected)
    pd.testing.assert_frame_equal(result.forecast, lag(result.combined, 1))
    assert result.forecast.iloc[:100].isna().all().all()  # the first scalar comes after 100 days
    pd.testing.assert_series_equal(
        result.fdm, diversification_multiplier(result.scaled, min_periods=50)
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    magnitude=st.sampled_from([1e-6, 1.0, 1e3, 1e9]),
    n_rules=st.integers(1, 5),
    cap=st.sampled_from([5.0, 20.0]),
)
def test_forecasts_never_exceed_the_cap_and_fdm_stays_in_bounds(seed, magnitude, n_rules, cap):
    rng = np.random.default_rng(seed)
    base = raw_forecasts(120, 3, seed % 1000) * magnitude
    rules = {
        str(k): base * rng.normal() + magnitude * rng.standard_cauchy(base.shape) * base.notna()
        for k in range(n_rules)
    }
    result = scale_and_combine(rules, min_periods=10, fdm_min_periods=5, cap=cap)
    assert result.forecast.abs().max().max() <= cap
    assert all(f.abs().max().max() <= cap for f in result.scaled.values())
    assert result.fdm.between(1.0, 2.5).all()


def test_correlation_weights_share_a_cluster_and_start_equal():
    """Two identical rules and a third unrelated one: the pair shares what the third gets."""
    rng = np.random.default_rng(5)
    index = pd.bdate_range("2010-01-01", periods=400, name="trade_date")
    columns = pd.Index(["A", "B"], name="market_id")
    same = pd.DataFrame(rng.standard_normal((400, 2)) * 10, index, columns)
    other = pd.DataFrame(rng.standard_normal((400, 2)) * 10, index, columns)
    weights = correlation_weights(
        {"fast": same, "fast_copy": same, "other": other}, min_periods=100
    )
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    np.testing.assert_allclose(weights.iloc[50], [1 / 3, 1 / 3, 1 / 3])  # nothing measured yet
    last = weights.iloc[-1]
    assert last["fast"] == pytest.approx(last["fast_copy"])
    assert last["other"] == pytest.approx(2 * last["fast"], rel=0.1)  # sum_j C: about 1 vs 2


def test_per_date_weights_equal_static_weights_when_constant():
    inputs = panel(n_days=700, seed=4)
    raw = run_rules(inputs, {"e": ("ewmac", {"fast": 8}), "b": ("breakout", {"window": 40})})
    scaled = {k: scale_and_cap(v, forecast_scalar(v, min_periods=100)) for k, v in raw.items()}
    static = {"e": 0.7, "b": 0.3}
    per_date = pd.DataFrame({"e": 0.7, "b": 0.3}, index=inputs.price_adj.index)
    pd.testing.assert_series_equal(
        diversification_multiplier(scaled, per_date), diversification_multiplier(scaled, static)
    )
    pd.testing.assert_frame_equal(combine(scaled, per_date), combine(scaled, static))
