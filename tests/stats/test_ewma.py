"""tecton.stats kernels against plain pandas (the definitions), plus invariance properties."""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tecton.stats import ewma_corr, ewma_corr_pairs, ewma_vol, floored_vol, vol_floor

RTOL = 1e-9


def returns(
    n: int, seed: int, nan_share: float = 0.0, leading: int = 0, mean: float = 0.0
) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = mean + 0.01 * rng.standard_normal(n) * np.exp(np.cumsum(0.05 * rng.standard_normal(n)))
    values[rng.random(n) < nan_share] = np.nan
    values[:leading] = np.nan
    return pd.Series(values, index=pd.bdate_range("2000-01-03", periods=n), name="ret")


def assert_same(actual, expected, rtol: float = RTOL, atol: float = 0.0) -> None:
    """Same NaN positions, values equal to ``rtol`` (relative) and ``atol``."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


SERIES = {
    "plain": returns(700, 1),
    "long (many blocks)": returns(6500, 2),
    "short (under one block)": returns(40, 3),
    "scattered NaN": returns(900, 4, nan_share=0.1),
    "leading NaN": returns(600, 5, leading=137),
    # short runs: after a long one pandas' own bias correction loses its precision (see below)
    "NaN runs": returns(800, 6).mask(lambda s: (np.arange(len(s)) // 10) % 4 == 1),
    "large mean": returns(1000, 7, mean=5.0),
    "constant": pd.Series(0.003, index=range(500)),
    "constant after NaN": pd.Series([np.nan] * 20 + [-2.5] * 300 + [np.nan] * 5 + [-2.5] * 100),
    "all NaN": pd.Series([np.nan] * 30),
}


# ---------------------------------------------------------------------------------------------
# ewma_vol


@pytest.mark.parametrize("name", SERIES)
@pytest.mark.parametrize("span", [2, 16, 35, 64, 500])
@pytest.mark.parametrize("min_periods", [2, 10])
def test_ewma_vol_is_pandas_ewm_std(name, span, min_periods):
    series = SERIES[name]
    expected = series.ewm(span=span, adjust=True, min_periods=min_periods).std()
    actual = ewma_vol(series, span, min_periods)
    assert isinstance(actual, pd.Series) and actual.index.equals(series.index)
    assert_same(actual, expected)


def test_ewma_vol_of_a_constant_is_exactly_zero():
    vol = ewma_vol(SERIES["constant after NaN"], 35, 2).dropna()
    assert len(vol) > 0 and (vol == 0).all()


def exact_ewm_std(values: np.ndarray, span: float) -> list[float]:
    """The bias-corrected EWMA std, term by term in 60-digit decimals (ignore_na=False)."""
    getcontext().prec = 60
    beta = 1 - Decimal(2) / (Decimal(span) + 1)
    out = []
    for t in range(len(values)):
        seen = [
            (beta ** (t - i), Decimal(float(values[i])))
            for i in range(t + 1)
            if not np.isnan(values[i])
        ]
        if len(seen) < 2:
            out.append(np.nan)
            continue
        sum_w = sum(w for w, _ in seen)
        mean = sum(w * v for w, v in seen) / sum_w
        var = sum(w * (v - mean) ** 2 for w, v in seen) / sum_w
        out.append(float((var * sum_w**2 / (sum_w**2 - sum(w * w for w, _ in seen))).sqrt()))
    return out


def test_ewma_vol_is_undefined_after_a_gap_that_leaves_one_observation_effectively():
    """After 60 missing days at span 2 the older weights are 3 ** -60 of the newest: the bias
    correction ``sum_w ** 2 / (sum_w ** 2 - sum(w ** 2))`` is lost to rounding (pandas gives NaN
    or noise), so the kernel says NaN until a second fresh observation arrives; elsewhere it
    agrees with an exact decimal computation of the definition."""
    values = returns(120, 9).to_numpy(copy=True)
    values[40:100] = np.nan
    exact = exact_ewm_std(values, 2)
    vol = ewma_vol(values, 2, 2)
    assert np.isnan(vol[100]) and not np.isnan(exact[100])
    assert_same(np.delete(vol, 100), np.delete(exact, 100))
    assert_same(ewma_vol(values, 16, 2), exact_ewm_std(values, 16))


def test_ewma_vol_needs_two_observations_whatever_min_periods():
    series = returns(50, 8, leading=10)
    vol = ewma_vol(series, 16, 0)
    assert vol.iloc[:11].isna().all() and vol.iloc[11:].notna().all()
    assert_same(vol.iloc[11:], series.ewm(span=16, adjust=True).std().iloc[11:])


def test_ewma_vol_works_column_by_column_on_frames_and_arrays():
    frame = pd.DataFrame(
        {name: SERIES[name].to_numpy()[:500] for name in ("plain", "scattered NaN", "leading NaN")}
    )
    actual = ewma_vol(frame, 35, 10)
    assert isinstance(actual, pd.DataFrame) and actual.columns.equals(frame.columns)
    assert_same(actual, frame.ewm(span=35, adjust=True, min_periods=10).std())
    assert_same(ewma_vol(frame.to_numpy(), 35, 10), actual)
    one = ewma_vol(frame["plain"].to_numpy(), 35, 10)
    assert one.shape == (500,)
    assert_same(one, actual["plain"])


@pytest.mark.parametrize("span", [1, 0.5, -3])
def test_ewma_vol_rejects_spans_of_one_or_less(span):
    with pytest.raises(ValueError, match="span"):
        ewma_vol(SERIES["plain"], span)


# ---------------------------------------------------------------------------------------------
# vol_floor, floored_vol


def some_vol(n: int, seed: int) -> pd.Series:
    return ewma_vol(returns(n, seed, nan_share=0.05), 35, 10)


FLOOR_CASES = {
    "default on a long series": (some_vol(3000, 11), 500, 0.05, 100),
    "shorter than the window": (some_vol(300, 12), 500, 0.05, 100),
    "NaN holes": (
        some_vol(1500, 13).mask(lambda s: (np.arange(len(s)) // 40) % 5 == 2),
        500,
        0.05,
        100,
    ),
    "ties": (pd.Series(np.random.default_rng(14).integers(0, 7, 1200) / 10.0), 250, 0.05, 30),
    "median": (some_vol(1200, 15), 100, 0.5, 10),
    "minimum": (some_vol(1200, 16), 100, 0.0, 1),
    "maximum": (some_vol(1200, 17), 77, 1.0, 5),
    "window of one": (some_vol(200, 18), 1, 0.05, 1),
    "all NaN": (pd.Series([np.nan] * 50), 20, 0.05, 1),
}


@pytest.mark.parametrize("name", FLOOR_CASES)
def test_vol_floor_is_pandas_rolling_quantile(name):
    vol, window, quantile, min_periods = FLOOR_CASES[name]
    expected = vol.rolling(window, min_periods=min_periods).quantile(
        quantile, interpolation="linear"
    )
    actual = vol_floor(vol, window, quantile, min_periods)
    assert isinstance(actual, pd.Series) and actual.index.equals(vol.index)
    assert_same(actual, expected)


def test_vol_floor_defaults_are_the_trailing_500_day_5th_percentile_after_100_days():
    vol = some_vol(1500, 19)
    assert_same(vol_floor(vol), vol.rolling(500, min_periods=100).quantile(0.05))
    frame = pd.DataFrame({"a": vol, "b": some_vol(1500, 20)})
    assert_same(vol_floor(frame), frame.rolling(500, min_periods=100).quantile(0.05))


def test_floored_vol_is_the_larger_of_vol_and_floor_and_vol_before_the_floor_exists():
    vol = pd.Series([np.nan, 0.1, 0.3, 0.2, 0.5, np.nan])
    floor = pd.Series([np.nan, np.nan, 0.25, 0.25, 0.25, 0.25])
    assert_same(floored_vol(vol, floor), [np.nan, 0.1, 0.3, 0.25, 0.5, np.nan])


@pytest.mark.parametrize("bad", [{"quantile": 1.5}, {"quantile": -0.1}, {"window": 0}])
def test_vol_floor_rejects_bad_parameters(bad):
    with pytest.raises(ValueError):
        vol_floor(some_vol(200, 21), **bad)


# ---------------------------------------------------------------------------------------------
# ewma_corr, ewma_corr_pairs


def pandas_corr(a: pd.Series, b: pd.Series, span: float, min_periods: int = 0) -> pd.Series:
    pair = pd.concat({"a": a, "b": b}, axis=1).dropna()
    return pair["a"].ewm(span=span, adjust=True, min_periods=min_periods).corr(pair["b"])


def correlated(n: int, seed: int, rho: float, **kwargs) -> tuple[pd.Series, pd.Series]:
    a = returns(n, seed, **kwargs)
    noise = returns(n, seed + 1000, **kwargs)
    return a, (rho * a + np.sqrt(1 - rho**2) * noise).rename("other")


CORR_CASES = {
    "positive": correlated(600, 31, 0.6),
    "negative, long": correlated(3000, 32, -0.4),
    "different NaN": (returns(800, 33, nan_share=0.1), returns(800, 34, nan_share=0.1, leading=90)),
    "perfect": (returns(300, 35), 2 * returns(300, 35) + 1),
    "one constant": (returns(300, 36), pd.Series(0.5, index=returns(300, 36).index)),
}


@pytest.mark.parametrize("name", CORR_CASES)
@pytest.mark.parametrize("span", [5, 26, 100])
@pytest.mark.parametrize("min_periods", [0, 10])
def test_ewma_corr_is_pandas_ewm_corr_over_common_observations(name, span, min_periods):
    a, b = CORR_CASES[name]
    expected = pandas_corr(a, b, span, min_periods)
    actual = ewma_corr(a, b, span, min_periods)
    assert actual.index.equals(expected.index)
    assert_same(actual, expected, atol=1e-12)


def test_ewma_corr_of_a_series_with_a_constant_is_undefined():
    a, b = CORR_CASES["one constant"]
    assert ewma_corr(a, b, 26).isna().all()


def test_ewma_corr_pairs_is_ewma_corr_of_every_pair():
    rng = np.random.default_rng(40)
    frame = pd.DataFrame(rng.standard_normal((400, 5)), columns=list("EBDAC"))
    frame.index = pd.date_range("2001-01-05", periods=400, freq="W-FRI", name="week_end")
    frame[frame > 1.8] = np.nan
    frame.iloc[:60, 2] = np.nan
    frame["C"] = 0.5 * frame["A"] + frame["C"]
    long = ewma_corr_pairs(frame, 26, 10)
    assert list(long.columns) == ["week_end", "a", "b", "corr"]
    pairs = list(long[["a", "b"]].drop_duplicates().itertuples(index=False, name=None))
    assert pairs == [(a, b) for i, a in enumerate("ABCDE") for b in "ABCDE"[i + 1 :]]
    for (a, b), rows in long.groupby(["a", "b"]):
        expected = pandas_corr(frame[a], frame[b], 26, 10)
        assert pd.Index(rows["week_end"]).equals(expected.index)
        assert_same(rows["corr"], expected, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# properties

values = st.one_of(st.integers(-1000, 1000).map(lambda i: i / 1000), st.just(np.nan))
series = st.integers(2, 700).flatmap(lambda n: arrays(np.float64, n, elements=values))
spans = st.sampled_from([3, 16, 35, 64])
scales = st.floats(0.01, 100).flatmap(lambda k: st.sampled_from([k, -k]))


@settings(max_examples=60, deadline=None)
@given(series, spans, scales)
def test_scaling_returns_scales_vol(x, span, k):
    assert_same(ewma_vol(k * x, span, 2), abs(k) * ewma_vol(x, span, 2), rtol=1e-9, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(series, spans, scales)
def test_scaling_vol_scales_its_floor(x, span, k):
    vol = ewma_vol(x, span, 2)
    assert_same(
        vol_floor(abs(k) * vol, 50, 0.05, 10), abs(k) * vol_floor(vol, 50, 0.05, 10), rtol=1e-12
    )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 500).flatmap(lambda n: st.tuples(*[arrays(np.float64, n, elements=values)] * 2)),
    spans,
)
def test_corr_is_bounded_and_symmetric(pair, span):
    a, b = pair
    ab, ba = ewma_corr(a, b, span), ewma_corr(b, a, span)
    assert ((ab.dropna() >= -1) & (ab.dropna() <= 1)).all()
    assert_same(ab, ba, rtol=1e-12, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(30, 700).flatmap(
        lambda n: st.tuples(st.integers(0, n - 1), *[arrays(np.float64, n, elements=values)] * 3)
    ),
    spans,
)
def test_no_look_ahead(case, span):
    """A value on day t is the same whatever follows t: other data, or none at all."""
    t, x, other, y = case
    changed = np.concatenate([x[: t + 1], other[t + 1 :]])
    for kernel in (
        lambda v: ewma_vol(v, span, 2),
        lambda v: vol_floor(ewma_vol(v, span, 2), 50, 0.05, 10),
        lambda v: (
            ewma_corr(pd.Series(v), pd.Series(y[: len(v)]), span).reindex(range(len(v))).to_numpy()
        ),
    ):
        head = kernel(x)[: t + 1]
        np.testing.assert_array_equal(kernel(changed)[: t + 1], head)
        np.testing.assert_array_equal(kernel(x[: t + 1]), head)


@pytest.mark.parametrize(
    "empty",
    [np.zeros((0, 3)), pd.DataFrame(columns=["a", "b"], dtype=float), pd.Series([], dtype=float)],
    ids=["array", "frame", "series"],
)
def test_no_rows_give_no_rows_of_the_same_shape(empty):
    """A market with no history yet (a walk-forward's first step) is empty, not an error."""
    vol = ewma_vol(empty, 35)
    assert np.shape(vol) == np.shape(empty)
    if isinstance(empty, pd.DataFrame):
        assert list(vol.columns) == list(empty.columns)
