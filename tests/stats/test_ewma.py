"""The EWMA correlation kernel against plain pandas (its definition), plus invariance properties.

The volatility, now pandas' own kernels, is tested in ``test_volatility.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tecton.stats import ewma_corr, ewma_corr_pairs

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
spans = st.sampled_from([3, 16, 35, 64])


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

    def kernel(v):
        return ewma_corr(pd.Series(v), pd.Series(y[: len(v)]), span).reindex(range(len(v)))

    head = kernel(x).to_numpy()[: t + 1]
    np.testing.assert_array_equal(kernel(changed).to_numpy()[: t + 1], head)
    np.testing.assert_array_equal(kernel(x[: t + 1]).to_numpy(), head)


def test_ewma_corr_pairs_of_no_rows_is_empty_with_the_columns():
    """A walk-forward's first step has no returns yet: an empty result, not an error."""
    long = ewma_corr_pairs(pd.DataFrame(columns=["a", "b", "c"], dtype=float), 26, 10)
    assert list(long.columns) == ["index", "a", "b", "corr"] and len(long) == 0
