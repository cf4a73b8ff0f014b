"""Realised costs (numpy, base currency) against the plain formulas on random snapshots."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tecton.costs import Commission, CostModel, Funding, Impact, Roll, Spread
from tecton.errors import TectonError
from tecton.snapshot import MarketSnapshot
from tests.costs.snapshots import contracts_for, random_snapshot, snapshots

PROPERTY = settings(max_examples=60, deadline=None)


def notional_size(s: MarketSnapshot) -> np.ndarray:
    return np.abs(s.price * s.point_value * s.fx)


def commission_formula(s: MarketSnapshot) -> np.ndarray:
    return s.commission * s.fx + s.commission_pct * notional_size(s)


def half_spread_formula(s: MarketSnapshot) -> np.ndarray:
    return 0.5 * s.spread_pts * s.point_value * s.fx


@PROPERTY
@given(st.data())
def test_commission_and_spread_are_per_contract_traded(data):
    s = data.draw(snapshots())
    trades = data.draw(contracts_for(s))
    np.testing.assert_allclose(
        Commission().trade_cost(trades, s), commission_formula(s) * np.abs(trades), rtol=1e-12
    )
    np.testing.assert_allclose(
        Spread().trade_cost(trades, s), half_spread_formula(s) * np.abs(trades), rtol=1e-12
    )


# (A coefficient is 0 or a real one: below 1e-6 the cost itself is subnormal and loses digits.)
@PROPERTY
@given(st.data(), st.just(0.0) | st.floats(1e-6, 5.0))
def test_impact_is_the_three_halves_power_of_contracts_over_root_volume(data, coefficient):
    s = data.draw(snapshots())
    trades = data.draw(contracts_for(s))
    got = Impact(coefficient).trade_cost(trades, s)
    if s.volume is None:
        expected = np.zeros(len(s))
    else:
        expected = (
            coefficient
            * s.vol_daily_pct
            * notional_size(s)
            * np.abs(trades) ** 1.5
            / np.sqrt(s.volume)
        )
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_impact_is_off_where_volume_is_unknown():
    s = random_snapshot(np.random.default_rng(3), 3)
    volume = np.array([np.nan, 0.0, 400.0])
    s = MarketSnapshot(**{**s.__dict__, "volume": volume})
    got = Impact(2.0).trade_cost(np.array([10.0, 10.0, 10.0]), s)
    expected = 2.0 * s.vol_daily_pct[2] * notional_size(s)[2] * 10.0**1.5 / 20.0
    np.testing.assert_allclose(got, [0.0, 0.0, expected], rtol=1e-12)


@PROPERTY
@given(st.data())
def test_a_roll_trades_every_held_contract_twice(data):
    s = data.draw(snapshots())
    held = data.draw(contracts_for(s))
    one_side = commission_formula(s) + half_spread_formula(s)
    np.testing.assert_allclose(Roll().roll_cost(held, s), 2.0 * np.abs(held) * one_side, rtol=1e-12)
    # rolling is not trading: a trade costs the roll kind nothing
    assert not Roll().trade_cost(held, s).any()


@PROPERTY
@given(st.data(), st.floats(0.0, 30.0))
def test_funding_long_pays_short_receives(data, days):
    s = data.draw(snapshots())
    held = data.draw(contracts_for(s))
    got = Funding().holding_cost(held, s, days)
    value = held * s.price * s.point_value * s.fx
    np.testing.assert_allclose(
        got, value * s.funding_rate_ann * days / s.days_per_year, rtol=1e-12, atol=1e-9
    )
    # the opposite position receives exactly what this one pays
    np.testing.assert_allclose(Funding().holding_cost(-held, s, days), -got, atol=1e-9)


def test_funding_is_zero_for_futures():
    s = random_snapshot(np.random.default_rng(1), 4)
    s = MarketSnapshot(**{**s.__dict__, "funding_rate_ann": None})
    assert not Funding().holding_cost(np.full(4, 7.0), s, 10).any()


@PROPERTY
@given(st.data())
def test_the_model_sums_its_kinds(data):
    s = data.draw(snapshots())
    trades = data.draw(contracts_for(s))
    held = data.draw(contracts_for(s))
    rolled = np.arange(len(s)) % 2 == 0
    model = Commission() + Spread() + Roll() + Funding() + Impact(0.7)
    impact = Impact(0.7).trade_cost(trades, s)
    trade = (commission_formula(s) + half_spread_formula(s)) * np.abs(trades) + impact
    roll = 2.0 * np.abs(held) * (commission_formula(s) + half_spread_formula(s))
    funding = held * s.price * s.point_value * s.fx * s.funding_rate_ann * 3 / s.days_per_year
    # atol: a billionth of a currency unit (hypothesis draws subnormal trades, where rtol alone
    # compares rounding of 1e-323)
    np.testing.assert_allclose(model.trade_cost(trades, s), trade, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(model.roll_cost(held, s), roll, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(
        model.total(trades, held, s, days=3, rolled=rolled),
        trade + funding + np.where(rolled, roll, 0.0),
        rtol=1e-9,
        atol=1e-9,
    )


@PROPERTY
@given(snapshots())
def test_sharpe_units_are_a_round_trip_over_annual_vol(s):
    model = Commission() + Spread() + Impact(1.0)  # impact is not linear: not per contract
    per_contract = commission_formula(s) + half_spread_formula(s)
    np.testing.assert_allclose(model.cost_per_contract(s), per_contract, rtol=1e-12)
    vol_ann = s.vol_daily_pct * np.sqrt(s.days_per_year)
    np.testing.assert_allclose(
        model.sharpe_units(s), 2 * per_contract / notional_size(s) / vol_ann, rtol=1e-12
    )


def test_an_empty_model_is_free():
    s = random_snapshot(np.random.default_rng(2), 3)
    assert not CostModel().trade_cost(np.ones(3), s).any()
    assert not CostModel().sharpe_units(s).any()


def test_a_market_without_a_notional_is_named():
    s = random_snapshot(np.random.default_rng(4), 3)
    s = MarketSnapshot(**{**s.__dict__, "price": np.array([1.0, 0.0, np.nan])})
    with pytest.raises(TectonError, match="M01, M02"):
        Commission().trade_cost(np.ones(3), s)


def test_trades_of_the_wrong_length_are_refused():
    s = random_snapshot(np.random.default_rng(5), 3)
    with pytest.raises(TectonError, match="2 values for 3 markets"):
        Spread().trade_cost(np.ones(2), s)


def test_a_kind_is_charged_once():
    with pytest.raises(ValueError, match="once"):
        Commission() + Spread() + Commission()
