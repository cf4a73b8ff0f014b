"""Return metrics: empyrical-reloaded's definitions to 1e-10, hand-made series, invariances.

empyrical compounds (CAGR, drawdowns of compounded wealth); tecton's default is simple (fixed
capital: P&L adds up). The compounded variants are held to empyrical, the simple ones to plain
numpy formulas written here.
"""

from __future__ import annotations

import empyrical as ep
import numpy as np
import pandas as pd
import pytest
import scipy.stats
from empyrical.stats import drawdown_series
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tecton.portfolio import metrics as m

TOL = dict(rtol=1e-10, atol=1e-10)


def _series(values) -> pd.Series:
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.bdate_range("2015-01-01", periods=len(values)))


@pytest.fixture(
    scope="module",
    params=["normal", "fat_tailed", "losing", "with_gaps"],
)
def returns(request) -> pd.Series:
    """Named seeded series: a normal year-ish set, a fat-tailed one, a loser, one with NaN days."""
    rng = np.random.default_rng(7)
    n = 2600
    r = {
        "normal": rng.normal(4e-4, 0.01, n),
        "fat_tailed": 0.008 * rng.standard_t(3, n) + 2e-4,
        "losing": rng.normal(-6e-4, 0.012, n),
        "with_gaps": np.where(rng.random(n) < 0.05, np.nan, rng.normal(3e-4, 0.009, n)),
    }[request.param]
    return _series(r)


@pytest.mark.parametrize("days", [252, 365])
def test_annualised_figures_match_empyrical(returns, days):
    r = returns
    np.testing.assert_allclose(
        m.annual_return(r, days, compound=True), ep.annual_return(r, annualization=days), **TOL
    )
    np.testing.assert_allclose(
        m.annual_volatility(r, days), ep.annual_volatility(r, annualization=days), **TOL
    )
    np.testing.assert_allclose(
        m.sharpe_ratio(r, days), ep.sharpe_ratio(r, annualization=days), **TOL
    )
    np.testing.assert_allclose(
        m.downside_risk(r, days), ep.downside_risk(r, annualization=days), **TOL
    )
    np.testing.assert_allclose(
        m.sortino_ratio(r, days), ep.sortino_ratio(r, annualization=days), **TOL
    )
    np.testing.assert_allclose(
        m.calmar_ratio(r, days, compound=True), ep.calmar_ratio(r, annualization=days), **TOL
    )


def test_path_figures_match_empyrical_when_compounded(returns):
    r = returns
    np.testing.assert_allclose(m.max_drawdown(r, compound=True), ep.max_drawdown(r), **TOL)
    np.testing.assert_allclose(m.cumulative_returns(r, compound=True), ep.cum_returns(r), **TOL)
    np.testing.assert_allclose(m.drawdown(r, compound=True), drawdown_series(r), **TOL)
    np.testing.assert_allclose(m.tail_ratio(r), ep.tail_ratio(r), **TOL)
    for freq, period in (("ME", "monthly"), ("YE", "yearly")):
        ours = m.period_returns(r, freq, compound=True)
        np.testing.assert_allclose(ours.to_numpy(), ep.aggregate_returns(r, period), **TOL)


@pytest.mark.parametrize("window", [21, 126])
def test_rolling_figures_match_empyrical(returns, window):
    r = returns.fillna(0.0)  # empyrical's rolling windows do not skip NaN
    sharpe = m.rolling_sharpe(r, window, 252)
    vol = m.rolling_volatility(r, window, 252)
    assert sharpe.iloc[: window - 1].isna().all() and vol.iloc[: window - 1].isna().all()
    np.testing.assert_allclose(sharpe.dropna(), ep.roll_sharpe_ratio(r, window), **TOL)
    np.testing.assert_allclose(vol.dropna(), ep.roll_annual_volatility(r, window), **TOL)


def test_simple_figures_are_the_plain_formulas(returns):
    r = returns.fillna(0.0).to_numpy()
    cum = np.cumsum(r)
    under = cum - np.maximum.accumulate(np.maximum(cum, 0.0))
    np.testing.assert_allclose(m.annual_return(returns, 252), np.nanmean(returns) * 252, **TOL)
    np.testing.assert_allclose(m.cumulative_returns(returns), cum, **TOL)
    np.testing.assert_allclose(m.drawdown(returns), under, **TOL)
    np.testing.assert_allclose(m.max_drawdown(returns), under.min(), **TOL)
    mean = np.nanmean(returns.to_numpy()) * 252
    np.testing.assert_allclose(m.calmar_ratio(returns, 252), mean / -under.min(), **TOL)
    monthly = returns.fillna(0.0).groupby([returns.index.year, returns.index.month]).sum()
    np.testing.assert_allclose(m.monthly_returns(returns).stack().to_numpy(), monthly, **TOL)


def test_moments_match_scipy(returns):
    clean = returns.dropna()
    np.testing.assert_allclose(m.skew(returns), scipy.stats.skew(clean), **TOL)
    np.testing.assert_allclose(
        m.kurtosis(returns), scipy.stats.kurtosis(clean, fisher=False), **TOL
    )


def test_a_hand_made_series_has_the_drawdowns_worked_out_by_hand():
    # simple equity 1.10, 0.90, 0.95, 1.15, 1.10: down 20 points from the first day's peak,
    # back above it on day 4 (three days after the peak), then 5 points under at the end
    r = _series([0.10, -0.20, 0.05, 0.20, -0.05])
    d = r.index
    np.testing.assert_allclose(m.drawdown(r), [0, -0.20, -0.15, 0, -0.05], atol=1e-15)
    periods = m.drawdown_periods(r)
    assert list(periods["peak"]) == [d[0], d[3]]
    assert list(periods["trough"]) == [d[1], d[4]]
    assert periods["recovery"].iloc[0] == d[3] and pd.isna(periods["recovery"].iloc[1])
    assert list(periods["days"]) == [3, 1]
    np.testing.assert_allclose(periods["depth"], [-0.20, -0.05], atol=1e-15)
    # compounded wealth 1.1, 0.88, 0.924, 1.1088: the same 20% fall, recovered the same day
    np.testing.assert_allclose(m.max_drawdown(r, compound=True), 0.88 / 1.1 - 1, atol=1e-15)
    assert m.max_drawdown_duration(r, compound=True) == 3
    assert m.hit_rate(_series([0.01, 0.0, -0.02, 0.03, 0.0])) == pytest.approx(2 / 3)


def test_a_fall_from_the_start_counts_the_start_as_the_peak():
    r = _series([-0.01, -0.01, 0.03, -0.01])
    periods = m.drawdown_periods(r)
    assert pd.isna(periods["peak"].iloc[0]) and periods["recovery"].iloc[0] == r.index[2]
    assert periods["days"].iloc[0] == 3  # the start, then three return observations
    assert m.drawdown_periods(_series([0.01, 0.02])).empty
    assert m.max_drawdown_duration(_series([0.01, 0.02])) == 0


def _periods_by_loop(r: np.ndarray, compound: bool) -> list[tuple[int, int, int | None, float]]:
    """(peak, trough, recovery, depth) positions in wealth (0 the start): a plain loop."""
    wealth = [1.0]
    for x in r:
        wealth.append(wealth[-1] * (1 + x) if compound else wealth[-1] + x)
    out, peak, spell = [], 0, None
    for i in range(1, len(wealth)):
        if wealth[i] >= wealth[peak] - m.AT_HIGH:
            if spell is not None:
                out.append((peak, spell[0], i, spell[1]))
                spell = None
            peak = i
        else:
            depth = wealth[i] / wealth[peak] - 1 if compound else wealth[i] - wealth[peak]
            if spell is None or depth < spell[1]:
                spell = (i, depth)
    if spell is not None:
        out.append((peak, spell[0], None, spell[1]))
    return out


daily = arrays(np.int64, st.integers(2, 120), elements=st.integers(-300, 300)).map(
    lambda a: a / 10_000
)


@settings(max_examples=150, deadline=None)
@given(r=daily, compound=st.booleans())
def test_drawdown_periods_agree_with_a_loop(r, compound):
    s = _series(r)
    ours = m.drawdown_periods(s, compound).sort_values("depth", kind="stable")
    ref = _periods_by_loop(r, compound)
    assert len(ours) == len(ref)

    def position(date) -> int:  # wealth position k is the close of date k - 1 (0: the start)
        return 0 if pd.isna(date) else s.index.get_loc(date) + 1

    by_peak = {p: (t, q, dep) for p, t, q, dep in ref}
    for row in ours.itertuples():
        peak = position(row.peak)
        t, q, depth = by_peak[peak]
        assert position(row.trough) == t
        assert (pd.isna(row.recovery) and q is None) or position(row.recovery) == q
        assert row.days == (q if q is not None else len(r)) - peak
        np.testing.assert_allclose(row.depth, depth, rtol=1e-12, atol=1e-15)


@settings(max_examples=150, deadline=None)
@given(r=daily, k=st.sampled_from([0.25, 0.5, 2.0, 3.0, 10.0]))
def test_scaling_returns_scales_volatility_and_leaves_the_ratios(r, k):
    assume(np.std(r) > 1e-4)
    s = _series(r)
    np.testing.assert_allclose(m.annual_volatility(k * s), k * m.annual_volatility(s), rtol=1e-10)
    np.testing.assert_allclose(m.max_drawdown(k * s), k * m.max_drawdown(s), rtol=1e-10, atol=1e-15)
    for f in (m.sharpe_ratio, m.sortino_ratio, m.skew, m.kurtosis, m.tail_ratio, m.hit_rate):
        np.testing.assert_allclose(f(k * s), f(s), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(m.sharpe_ratio(-s), -m.sharpe_ratio(s), rtol=1e-10)
    assert m.max_drawdown_duration(k * s) == m.max_drawdown_duration(s)


@settings(max_examples=150, deadline=None)
@given(r=daily, c=st.sampled_from([1e-5, 1e-4, 1e-3, 1e-2]))
def test_a_constant_added_daily_raises_sharpe_and_leaves_volatility(r, c):
    assume(np.std(r) > 1e-4)
    s = _series(r)
    assert m.sharpe_ratio(s + c) > m.sharpe_ratio(s)
    assert m.annual_return(s + c) > m.annual_return(s)
    assert m.max_drawdown(s + c) >= m.max_drawdown(s)
    np.testing.assert_allclose(m.annual_volatility(s + c), m.annual_volatility(s), rtol=1e-9)
    np.testing.assert_allclose(m.skew(s + c), m.skew(s), rtol=1e-7, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(r=daily, seed=st.integers(0, 2**16))
def test_order_moves_only_the_path_figures(r, seed):
    assume(np.std(r) > 1e-4)
    s, shuffled = _series(r), _series(np.random.default_rng(seed).permutation(r))
    for f in (m.annual_volatility, m.sharpe_ratio, m.sortino_ratio, m.skew, m.tail_ratio):
        np.testing.assert_allclose(f(shuffled), f(s), rtol=1e-9, atol=1e-12)
    # the simple drawdown is never deeper than all the losses together
    assert m.max_drawdown(s) >= r[r < 0].sum() - 1e-12


@settings(max_examples=100, deadline=None)
@given(r=daily)
def test_annualisation_knows_the_day_count(r):
    assume(np.std(r) > 1e-4)
    s = _series(r)
    ratio = np.sqrt(365 / 252)
    np.testing.assert_allclose(m.sharpe_ratio(s, 365), ratio * m.sharpe_ratio(s, 252), rtol=1e-10)
    np.testing.assert_allclose(
        m.annual_volatility(s, 365), ratio * m.annual_volatility(s, 252), rtol=1e-10
    )
    np.testing.assert_allclose(m.annual_return(s, 365), 365 / 252 * m.annual_return(s), rtol=1e-10)


def test_too_short_series_give_nan_not_errors():
    empty, one = _series([]), _series([0.01])
    for f in (m.annual_return, m.annual_volatility, m.sharpe_ratio, m.sortino_ratio, m.skew):
        assert np.isnan(f(empty))
    assert np.isnan(m.annual_volatility(one)) and np.isnan(m.sharpe_ratio(one))
    assert np.isnan(m.max_drawdown(empty)) and np.isnan(m.calmar_ratio(_series([0.01, 0.02])))
    assert np.isnan(m.sharpe_ratio(_series([0.01, 0.01, 0.01])))  # no volatility, no ratio
    assert np.isnan(m.hit_rate(_series([0.0, 0.0])))
