"""EWMA volatility of the risk model against pandas, on each market's own trading days."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tecton.factor_model.risk import EwmaVolatility, RiskModel, VolFloor, from_own_days, to_own_days
from tests.factor_model.risk.panels import panel, peer_returns

RTOL = 1e-9


def pandas_vol_ann(returns: pd.Series, span, min_periods, floor: VolFloor | None, days=252):
    """The definition: pandas' EWMA std over the days the market traded, floored, annualised,
    carried over the calendar days it did not trade."""
    own = returns.dropna()
    vol = own.ewm(span=span, min_periods=min_periods).std() * np.sqrt(days)
    if floor is not None:
        low = vol.rolling(floor.window, min_periods=floor.min_periods).quantile(floor.quantile)
        vol = vol.where(low.isna() | (vol >= low), low)
    return vol.reindex(returns.index).ffill().where(returns.notna().cummax())


def assert_same(actual, expected, rtol=RTOL):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=rtol)


RETURNS = panel(1400, 4, seed=1, nan_share=0.08, starts=[0, 250, 0, 700])


@pytest.mark.parametrize(
    "volatility",
    [
        EwmaVolatility(),
        EwmaVolatility(
            span=16, min_periods=5, floor=VolFloor(window=200, quantile=0.1, min_periods=50)
        ),
        EwmaVolatility(span=64, floor=None),
    ],
    ids=["default", "fast", "unfloored"],
)
def test_ewma_vol_is_pandas_on_own_days_floored_and_annualised(volatility):
    model = RiskModel(volatility=volatility).fit(RETURNS)
    for market in RETURNS.columns:
        expected = pandas_vol_ann(
            RETURNS[market], volatility.span, volatility.min_periods, volatility.floor
        )
        assert_same(model.vol_ann_[market], expected)


def test_the_floor_binds_in_a_calm_spell_and_never_lowers_the_vol():
    returns = panel(900, 1, seed=2)
    returns.iloc[600:700] *= 0.05  # a very calm spell
    floored = RiskModel().fit(returns).vol_ann_.iloc[:, 0]
    raw = RiskModel(volatility=EwmaVolatility(floor=None)).fit(returns).vol_ann_.iloc[:, 0]
    np.testing.assert_array_equal(floored.isna(), raw.isna())
    assert (floored >= raw).sum() == raw.notna().sum()
    assert (floored > raw).iloc[600:700].any()  # the floor holds the calm spell up
    assert (floored == raw).iloc[10:110].all()  # no floor before 100 vols exist


def test_annualisation_days_scale_the_vol():
    vol_252 = RiskModel().fit(RETURNS).vol_ann_
    vol_365 = RiskModel(annualisation_days=365).fit(RETURNS).vol_ann_
    np.testing.assert_allclose(vol_365, vol_252 * np.sqrt(365 / 252), rtol=1e-12)


def test_own_days_round_trip():
    values = RETURNS.to_numpy()
    own, seen = to_own_days(values)
    assert own.shape == (int(np.sum(~np.isnan(values), axis=0).max()), values.shape[1])
    back = from_own_days(own, seen)
    # each calendar row carries the market's latest return: equal where it traded
    traded = ~np.isnan(values)
    np.testing.assert_array_equal(back[traded], values[traded])
    assert np.isnan(back[:250, 1]).all()


def test_estimate_vol_is_the_fitted_vol_of_markets_with_one(peer_data):
    returns = peer_returns(peer_data, ["SP500", "GOLD", "US10", "EUROSTX"]).loc["2010":]
    model = RiskModel().fit(returns)
    for market in returns.columns:
        assert_same(model.vol_ann_[market], pandas_vol_ann(returns[market], 35, 10, VolFloor()))
    estimate = model.estimate("2014-03-26")  # EUROSTX has 8 returns: under min_periods
    assert estimate.markets == ("SP500", "GOLD", "US10")
    assert_same(estimate.vol, model.vol_ann_.loc[:"2014-03-26"].iloc[-1][list(estimate.markets)])
    assert 0.05 < estimate.vol["SP500"] < 0.4
