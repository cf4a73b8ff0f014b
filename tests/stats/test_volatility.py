"""The one volatility (tecton.stats.daily_vol) and the one annualisation, against independent
computations: the EWMA standard deviation term by term in 60-digit decimals (the definition
the numpy kernel it replaced was written to), trailing quantiles with ``np.quantile`` window by
window, and each market's own days taken by hand with ``dropna``.
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tecton.stats import (
    FLOOR,
    TRADING_DAYS_PER_YEAR,
    Floor,
    annualise_vol,
    daily_vol,
    days_per_year,
    ewma_vol,
    floored_vol,
    from_own_days,
    to_own_days,
    vol_floor,
    vol_paths,
)

RTOL = 1e-9


def returns(n: int, seed: int, mean: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return mean + 0.01 * rng.standard_normal(n) * np.exp(np.cumsum(0.05 * rng.standard_normal(n)))


def assert_same(actual, expected, rtol: float = RTOL, atol: float = 0.0) -> None:
    """Same NaN positions, values equal to ``rtol`` (relative) and ``atol``."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def exact_ewm_std(values: np.ndarray, span: float, min_periods: int = 2) -> list[float]:
    """The bias-corrected EWMA std of consecutive observations, term by term in decimals.

    Weights ``beta ** (t - i)``, the weighted variance about the weighted mean, times
    ``sum_w ** 2 / (sum_w ** 2 - sum(w ** 2))``: the definition the old numpy kernel
    (``tecton.stats.ewma.ewma_vol``, replaced by pandas) was written to.
    """
    getcontext().prec = 60
    beta = 1 - Decimal(2) / (Decimal(span) + 1)
    out = []
    for t in range(len(values)):
        seen = [(beta ** (t - i), Decimal(float(values[i]))) for i in range(t + 1)]
        if len(seen) < max(min_periods, 2):
            out.append(np.nan)
            continue
        sum_w = sum(w for w, _ in seen)
        mean = sum(w * v for w, v in seen) / sum_w
        var = sum(w * (v - mean) ** 2 for w, v in seen) / sum_w
        out.append(float((var * sum_w**2 / (sum_w**2 - sum(w * w for w, _ in seen))).sqrt()))
    return out


# ---------------------------------------------------------------------------------------------
# the EWMA (pandas) is the old definition


@pytest.mark.parametrize("span", [2, 16, 35, 64])
@pytest.mark.parametrize("mean", [0.0, 5.0], ids=["centred", "large mean"])
def test_ewma_vol_is_the_decimal_definition(span, mean):
    values = returns(150, 1, mean)
    assert_same(ewma_vol(values[:, None], span, 10)[:, 0], exact_ewm_std(values, span, 10))


def test_ewma_vol_of_a_constant_is_exactly_zero_and_needs_two_returns():
    vol = ewma_vol(np.full((300, 1), -2.5), 35, 0)[:, 0]
    assert np.isnan(vol[0]) and (vol[1:] == 0).all()


@pytest.mark.parametrize("span", [1, 0.5, -3])
def test_ewma_vol_rejects_spans_of_one_or_less(span):
    with pytest.raises(ValueError, match="span"):
        ewma_vol(returns(50, 2)[:, None], span)


# ---------------------------------------------------------------------------------------------
# the floor


def numpy_trailing_quantile(vol: np.ndarray, floor: Floor) -> np.ndarray:
    out = np.full(len(vol), np.nan)
    for t in range(len(vol)):
        window = vol[max(0, t + 1 - floor.window) : t + 1]
        window = window[~np.isnan(window)]
        if len(window) >= floor.min_periods:
            out[t] = np.quantile(window, floor.quantile, method="linear")
    return out


@pytest.mark.parametrize(
    "floor", [FLOOR, Floor(100, 0.5, 10), Floor(77, 1.0, 5), Floor(1, 0.05, 1), Floor(60, 0.0, 60)]
)
def test_vol_floor_is_the_trailing_quantile(floor):
    vol = ewma_vol(returns(1400, 3)[:, None], 35, 10)
    assert_same(vol_floor(vol, floor)[:, 0], numpy_trailing_quantile(vol[:, 0], floor))


def test_floored_vol_is_the_larger_of_vol_and_floor_and_vol_before_the_floor_exists():
    vol = np.array([np.nan, 0.1, 0.3, 0.2, 0.5, np.nan])
    floor = np.array([np.nan, np.nan, 0.25, 0.25, 0.25, 0.25])
    assert_same(floored_vol(vol, floor), [np.nan, 0.1, 0.3, 0.25, 0.5, np.nan])


@pytest.mark.parametrize(
    "bad", [Floor(quantile=1.5), Floor(quantile=-0.1), Floor(window=50, min_periods=60)]
)
def test_vol_floor_rejects_bad_parameters(bad):
    with pytest.raises(ValueError):
        vol_floor(np.ones((200, 1)), bad)


# ---------------------------------------------------------------------------------------------
# daily_vol: each market on its own days


def calendar_panel() -> pd.DataFrame:
    """Three markets on weekdays: one shut one day in seven, one starting late, one plain."""
    dates = pd.bdate_range("2015-01-01", periods=900, name="trade_date")
    panel = pd.DataFrame({m: returns(900, 10 + k) for k, m in enumerate(["JGB", "SP500", "CRUDE"])})
    panel.index = dates
    panel.loc[panel.index[::7], "JGB"] = np.nan
    panel.iloc[:250, 2] = np.nan
    return panel


def by_hand(series: pd.Series, span: float = 35, floor: Floor = FLOOR) -> pd.Series:
    """One market: its own days by ``dropna``, the decimal EWMA std, a numpy trailing quantile."""
    own = series.dropna()
    raw = np.asarray(exact_ewm_std(own.to_numpy(), span, 10))
    low = numpy_trailing_quantile(raw, floor)
    vol = np.where(np.isnan(low), raw, np.maximum(raw, low))
    return pd.Series(vol, own.index).reindex(series.index).ffill()


def test_daily_vol_is_each_markets_own_day_definition_carried_over_its_holidays():
    panel = calendar_panel().iloc[:400]  # the decimal reference is quadratic
    floor = Floor(120, 0.05, 30)  # binds within 400 days
    vol = daily_vol(panel, 35, 10, floor)
    assert isinstance(vol, pd.DataFrame) and vol.index.equals(panel.index)
    for market in panel:
        assert_same(vol[market], by_hand(panel[market], 35, floor))
    paths = vol_paths(panel, 35, 10, floor)
    assert (paths.vol > paths.raw * (1 + 1e-9)).any().all(), "the floor binds somewhere"


def test_another_markets_holidays_never_change_a_markets_vol():
    """The bug this owner fixes: on a shared calendar a holiday elsewhere aged the weights."""
    panel = calendar_panel()
    alone = daily_vol(panel[["JGB"]].dropna())["JGB"]
    together = daily_vol(panel)["JGB"]
    np.testing.assert_array_equal(together.reindex(alone.index), alone)
    shared_calendar = panel["JGB"].ewm(span=35, min_periods=10).std()
    assert (shared_calendar - together).abs().max() > 1e-3 * together.mean()


def test_daily_vol_keeps_the_input_type():
    panel = calendar_panel()
    frame = daily_vol(panel)
    np.testing.assert_array_equal(daily_vol(panel.to_numpy()), frame.to_numpy())
    series = daily_vol(panel["SP500"])
    assert isinstance(series, pd.Series) and series.name == "SP500"
    np.testing.assert_array_equal(series, frame["SP500"])


@pytest.mark.parametrize(
    "empty",
    [np.zeros((0, 3)), pd.DataFrame(columns=["a", "b"], dtype=float)],
    ids=["array", "frame"],
)
def test_no_rows_give_no_rows_of_the_same_shape(empty):
    """A market with no history yet (a walk-forward's first step) is empty, not an error."""
    vol = daily_vol(empty)
    assert np.shape(vol) == np.shape(empty)


def test_own_days_round_trip():
    panel = calendar_panel().to_numpy()
    own, seen = to_own_days(panel)
    assert own.shape[0] == int((~np.isnan(panel)).sum(axis=0).max())
    back = from_own_days(own, seen)
    observed = ~np.isnan(panel)
    np.testing.assert_array_equal(back[observed], panel[observed])


values = st.one_of(st.integers(-1000, 1000).map(lambda i: i / 1000), st.just(np.nan))
series = st.integers(2, 400).flatmap(lambda n: arrays(np.float64, n, elements=values))
spans = st.sampled_from([3, 16, 35, 64])


@settings(max_examples=40, deadline=None)
@given(series, spans, st.floats(0.01, 100).flatmap(lambda k: st.sampled_from([k, -k])))
def test_scaling_returns_scales_vol(x, span, k):
    floor = Floor(50, 0.05, 10)
    assert_same(daily_vol(k * x, span, 2, floor), abs(k) * daily_vol(x, span, 2, floor), atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(30, 400).flatmap(
        lambda n: st.tuples(st.integers(0, n - 1), *[arrays(np.float64, n, elements=values)] * 2)
    ),
    spans,
)
def test_no_look_ahead(case, span):
    """A value on day t is the same whatever follows t: other data, or none at all."""
    t, x, other = case
    changed = np.concatenate([x[: t + 1], other[t + 1 :]])
    floor = Floor(50, 0.05, 10)
    head = daily_vol(x, span, 2, floor)[: t + 1]
    np.testing.assert_array_equal(daily_vol(changed, span, 2, floor)[: t + 1], head)
    np.testing.assert_array_equal(daily_vol(x[: t + 1], span, 2, floor), head)


# ---------------------------------------------------------------------------------------------
# annualisation


def test_days_per_year_is_252_for_exchange_markets_and_365_for_crypto():
    assert TRADING_DAYS_PER_YEAR == 252 == days_per_year() == days_per_year("bond")
    assert days_per_year("crypto") == days_per_year("Crypto") == 365


def test_annualise_vol_scales_by_the_root_of_the_day_count():
    vol = pd.Series([0.01, 0.02])
    assert_same(annualise_vol(vol), vol * math.sqrt(252), rtol=1e-15)
    assert annualise_vol(0.01, days_per_year("crypto")) == pytest.approx(0.01 * math.sqrt(365))
