"""Each rule against its definition written independently in plain pandas (or ta-lib called directly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib

from tecton.factor_model.alpha.indicators import INDICATORS, indicator_values
from tecton.factor_model.alpha.rules import (
    RULES,
    RuleInputs,
    default_rules,
    price_vol,
    run_rule,
    run_rules,
)
from tecton.factor_model.registry import ModelDefinitionError
from tests.factor_model.alpha.alpha_panels import pandas_breakout, pandas_ewmac, pandas_vol, panel


@pytest.fixture(scope="module")
def inputs() -> RuleInputs:
    return panel()


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same shape and labels, same NaN positions, values equal to 1e-9 (relative)."""
    assert actual.index.equals(expected.index) and actual.columns.equals(expected.columns)
    a, e = actual.to_numpy(dtype=float), expected.to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(e))
    np.testing.assert_allclose(a, e, rtol=1e-9, atol=1e-12)
    assert np.isfinite(a).mean() > 0.5  # the comparison covers most of the panel


def by_market(close: pd.DataFrame, compute) -> pd.DataFrame:
    """Apply ``compute`` to each market's observed prices, put back on the dates, carried."""
    return close.apply(lambda s: compute(s.dropna()).reindex(s.index).ffill())


def test_price_vol_is_the_floored_pandas_ewm_std(inputs):
    assert_same(price_vol(inputs.ret_pts), pandas_vol(inputs.price_adj.diff()))
    assert inputs.daily_vol is inputs.daily_vol  # computed once per inputs


@pytest.mark.parametrize(("fast", "slow"), [(2, 8), (16, 64), (64, 256), (10, 25)])
def test_ewmac(inputs, fast, slow):
    expected = pandas_ewmac(inputs.price_adj, pandas_vol(inputs.price_adj.diff()), fast, slow)
    assert_same(run_rule("ewmac", inputs, {"fast": fast, "slow": slow}), expected)


def test_ewmac_slow_defaults_to_four_times_fast(inputs):
    assert_same(
        run_rule("ewmac", inputs, {"fast": 8}), run_rule("ewmac", inputs, {"fast": 8, "slow": 32})
    )


@pytest.mark.parametrize("window", [4, 10, 20, 40, 80, 320])
def test_breakout(inputs, window):
    assert_same(
        run_rule("breakout", inputs, {"window": window}), pandas_breakout(inputs.price_adj, window)
    )


def test_breakout_is_bounded_and_zero_on_a_flat_range():
    index = pd.bdate_range("2020-01-01", periods=200)
    price = pd.DataFrame({"flat": 7.0, "up": np.arange(200.0)}, index=index)
    out = run_rule("breakout", RuleInputs(price), {"window": 20})
    assert (out["flat"].dropna() == 0).all()
    assert out["up"].dropna().iloc[-1] == pytest.approx(20.0)  # always at the top of its range
    assert run_rule("breakout", panel(), {"window": 10}).abs().max().max() <= 20 + 1e-12


@pytest.mark.parametrize("smooth", [10, 90])
def test_carry(inputs, smooth):
    vol = pandas_vol(inputs.price_adj.diff())
    expected = inputs.carry_ann.ewm(span=smooth).mean() / (vol * np.sqrt(252))
    assert_same(run_rule("carry", inputs, {"smooth": smooth}), expected)


def test_carry_needs_carry_data(inputs):
    with pytest.raises(ModelDefinitionError, match="rule carry needs carry_ann"):
        run_rule("carry", RuleInputs(inputs.price_adj), {})


@pytest.mark.parametrize("sign", [1, -1])
def test_fundamental_trend(inputs, sign):
    x = inputs.fundamentals["inventory"]
    expected = sign * pandas_ewmac(x, pandas_vol(x.diff()), 4, 16)
    actual = run_rule("fundamental_trend", inputs, {"series": "inventory", "fast": 4, "sign": sign})
    assert_same(actual, expected)


def wilder_rsi(close: pd.Series, n: int) -> pd.Series:
    """RSI as Wilder defined it: averages seeded with the mean of the first n changes."""
    change = close.diff()
    up, down = change.clip(lower=0), (-change).clip(lower=0)

    def smoothed(x: pd.Series) -> pd.Series:
        seeded = x.iloc[n:].copy()
        seeded.iloc[0] = x.iloc[1 : n + 1].mean()
        return seeded.ewm(alpha=1 / n, adjust=False).mean()

    gain, loss = smoothed(up), smoothed(down)
    return (100 * gain / (gain + loss)).reindex(close.index)


@pytest.mark.parametrize("n", [5, 14])
def test_indicator_rsi_is_wilder_rsi_centred(inputs, n):
    expected = by_market(inputs.price_adj, lambda s: wilder_rsi(s, n)) - 50
    actual = run_rule("indicator", inputs, {"function": "RSI", "timeperiod": n})
    assert_same(actual, expected)


def test_indicator_difference_and_level_kinds_divide_by_vol(inputs):
    vol = pandas_vol(inputs.price_adj.diff())
    close = inputs.price_adj
    hist = by_market(close, lambda s: pd.Series(talib.MACD(s.to_numpy())[2], s.index))
    actual = run_rule("indicator", inputs, {"function": "MACD", "output": "macdhist"})
    assert_same(actual, hist / vol)
    # APO with an exponential average is EWMA(fast) - EWMA(slow) seeded by ta-lib: MOM is exact
    mom = close.apply(lambda s: s.dropna().diff(10).reindex(s.index).ffill())
    assert_same(run_rule("indicator", inputs, {"function": "MOM", "timeperiod": 10}), mom / vol)
    sma = close.apply(lambda s: s.dropna().rolling(30).mean().reindex(s.index).ffill())
    actual = run_rule("indicator", inputs, {"function": "SMA", "timeperiod": 30})
    assert_same(actual, (close.ffill() - sma) / vol)


def test_integer_outputs_are_nan_during_warm_up(inputs):
    mode = indicator_values("HT_TRENDMODE", inputs.price_adj)
    first = inputs.price_adj.apply(lambda s: s.first_valid_index())
    for market, start in first.items():
        observed = inputs.price_adj.loc[start:, market].dropna()
        warm = mode.loc[observed.index[:63], market]
        assert warm.isna().all() and mode.loc[observed.index[63] :, market].notna().all()


def test_filtered_zeroes_a_trend_where_close_only_adx_is_weak(inputs):
    close = inputs.price_adj
    adx = by_market(
        close, lambda s: pd.Series(talib.ADX(s.to_numpy(), s.to_numpy(), s.to_numpy(), 14), s.index)
    )
    trend = run_rule("ewmac", inputs, {"fast": 16})
    params = {"base": "ewmac", "base_params": {"fast": 16}, "indicator": "ADX", "threshold": 25}
    actual = run_rule("filtered", inputs, params)
    expected = trend.mask(adx < 25, 0.0).where(adx.notna())
    assert_same(actual, expected)
    assert 0.1 < (actual == 0).sum().sum() / actual.notna().sum().sum() < 0.9
    below = run_rule("filtered", inputs, params | {"keep": "below"})
    assert_same(below, trend.mask(adx > 25, 0.0).where(adx.notna()))


def test_high_and_low_are_used_when_given(inputs):
    close = inputs.price_adj
    spread = close.diff().abs().rolling(5).mean()
    with_range = RuleInputs(close, high=close + spread, low=close - spread)
    adx = indicator_values(
        "ADX", with_range.price_adj, with_range.high, with_range.low, timeperiod=14
    )
    observed = close.notna() & spread.notna()

    def expected(market: str) -> pd.Series:
        rows = observed[market]
        c, h, lo = close[market][rows], with_range.high[market][rows], with_range.low[market][rows]
        out = pd.Series(talib.ADX(h.to_numpy(), lo.to_numpy(), c.to_numpy(), 14), c.index)
        return out.reindex(close.index).ffill()

    assert_same(adx, pd.DataFrame({m: expected(m) for m in close}))


def test_every_registered_indicator_runs_and_is_causal_in_shape(inputs):
    for name in INDICATORS.names():
        values = indicator_values(name, inputs.price_adj)
        assert values.shape == inputs.price_adj.shape
        assert values.iloc[-200:].notna().all().all(), name


def test_default_rules_and_registry():
    assert RULES.names() == [
        "breakout",
        "carry",
        "ewmac",
        "filtered",
        "fundamental_trend",
        "indicator",
    ]
    rules = default_rules()
    assert rules["ewmac2_8"] == ("ewmac", {"fast": 2, "slow": 8})
    assert rules["ewmac64_256"] == ("ewmac", {"fast": 64, "slow": 256})
    assert [k for k in rules if k.startswith("breakout")] == [
        f"breakout{n}" for n in (10, 20, 40, 80, 160, 320)
    ]
    out = run_rules(panel(n_days=400, n_markets=2), rules)
    assert set(out) == set(rules) and all(f.shape == (400, 2) for f in out.values())


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        (
            "ewmc",
            {},
            r"unknown rule 'ewmc'; rules: breakout, carry, ewmac, filtered, fundamental_trend, indicator$",
        ),
        ("ewmac", {"fast": 16, "slo": 3}, r"rule ewmac: .*'slo'; parameters: fast, slow=None$"),
        ("ewmac", {}, r"rule ewmac: missing a required argument: 'fast'"),
        ("ewmac", {"fast": 8, "slow": 4}, "slow must be greater than fast"),
        ("ewmac", {"fast": "16"}, "fast must be a number >= 1, got '16'"),
        ("breakout", {"window": 1}, "window must be a number >= 2"),
        (
            "fundamental_trend",
            {"series": "oil", "fast": 2},
            "unknown series 'oil'; series: inventory$",
        ),
        (
            "fundamental_trend",
            {"series": "inventory", "fast": 2, "sign": 2},
            "sign must be 1 or -1",
        ),
        (
            "indicator",
            {"function": "XYZ"},
            r"unknown indicator 'XYZ'; indicators: ADX, ADXR, APO, ",
        ),
        (
            "indicator",
            {"function": "ROC"},
            "ta-lib function 'ROC' is not registered as a rule input",
        ),
        (
            "indicator",
            {"function": "RSI", "period": 3},
            "unknown parameter 'period'; parameters: timeperiod$",
        ),
        ("indicator", {"function": "RSI", "timeperiod": 2.5}, "timeperiod must be a whole number"),
        ("indicator", {"function": "RSI", "timeperiod": "14"}, "timeperiod must be a number"),
        ("indicator", {"function": ["RSI"]}, "expected a ta-lib function name"),
        ("indicator", {"function": "RSI", "timeperiod": 1}, "indicator RSI: .*BAD_PARAM"),
        (
            "indicator",
            {"function": "MACD", "output": "x"},
            "unknown output 'x'; outputs: macd, macdsignal, macdhist$",
        ),
        ("indicator", {"function": "ADX"}, "ADX measures trend strength without a direction"),
        (
            "filtered",
            {"base": "ewmac", "indicator": "ADX", "threshold": 20},
            "missing a required argument: 'fast'",
        ),
        ("filtered", {"base": "x", "indicator": "ADX", "threshold": 20}, "unknown rule 'x'"),
        (
            "filtered",
            {"base": "ewmac", "indicator": "ADX", "threshold": 20, "keep": "up"},
            "keep must be",
        ),
    ],
)
def test_bad_definitions_fail_in_one_line(inputs, name, params, message):
    with pytest.raises(ModelDefinitionError, match=message) as err:
        run_rule(name, inputs, params)
    assert "\n" not in str(err.value)


def test_inputs_align_and_reject_unsorted_dates(inputs):
    price = inputs.price_adj
    partial = RuleInputs(price, carry_ann=inputs.carry_ann.iloc[::2, :2])
    assert partial.carry_ann.shape == price.shape and partial.carry_ann.iloc[1].isna().all()
    with pytest.raises(ValueError, match="sorted"):
        RuleInputs(price.iloc[::-1])
