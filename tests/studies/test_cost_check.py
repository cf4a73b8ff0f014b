"""The cost plausibility check against the round-trip formula written here, and the peer's
EURIBOR slip (49 price points of slippage on a 2,500 EUR point) flagged beside real markets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tecton.costs import Commission, Spread
from tecton.costs.checks import MAX_SR_ROUND_TRIP, cost_check, implausible_costs
from tecton.snapshot import MarketSnapshot


def snapshot(slippage_euribor: float = 49.0, vol_scale: float = 1.0) -> MarketSnapshot:
    """Three of the peer's markets as its instrument configuration prices them (mid-2022)."""
    return MarketSnapshot(
        markets=("SP500", "EURIBOR", "CORN"),
        capital=1e6,
        price=np.array([3800.0, 99.0, 650.0]),
        point_value=np.array([50.0, 2500.0, 50.0]),
        fx=np.array([1.0, 1.05, 1.0]),
        vol_daily_pct=np.array([0.015, 0.0008, 0.02]) * vol_scale,
        commission=np.array([2.05, 2.0, 2.92]),
        spread_pts=2 * np.array([0.13, slippage_euribor, 0.16]),
    )


def formula(snap: MarketSnapshot) -> np.ndarray:
    """2 x (commission + half spread x point value) x fx / notional / annual % volatility."""
    one_side = (snap.commission + snap.spread_pts / 2 * snap.point_value) * snap.fx
    notional = np.abs(snap.price * snap.point_value * snap.fx)
    return 2 * one_side / notional / (snap.vol_daily_pct * np.sqrt(252))


def test_round_trip_sharpe_units_are_the_formula_and_flag_the_euribor_slip():
    snap = snapshot()
    check = cost_check(snap)
    expected = dict(zip(snap.markets, formula(snap), strict=True))
    for market, row in check.iterrows():
        assert row["sr_round_trip"] == pytest.approx(expected[market], rel=1e-12)
    assert check.index[0] == "EURIBOR"  # flagged markets first
    assert check.loc["EURIBOR", "cost_per_contract"] == pytest.approx((49 * 2500 + 2) * 1.05)
    assert check.loc["EURIBOR", "sr_round_trip"] > 50
    assert implausible_costs(snap) == ["EURIBOR"]
    # the same market at tecton's reference spread (one tick, 0.005) is cheap and passes
    assert implausible_costs(snapshot(slippage_euribor=0.0025)) == []


@given(
    slippage=st.floats(0.0, 100.0),
    vol_scale=st.floats(0.05, 20.0),
    limit=st.floats(1e-4, 10.0),
)
@settings(max_examples=60, deadline=None)
def test_a_market_is_flagged_exactly_when_its_round_trip_costs_more_than_the_limit(
    slippage, vol_scale, limit
):
    snap = snapshot(slippage, vol_scale)
    check = cost_check(snap, limit=limit).reindex(snap.markets)
    np.testing.assert_allclose(check["sr_round_trip"], formula(snap), rtol=1e-12)
    np.testing.assert_array_equal(check["is_implausible"], formula(snap) > limit)


def test_only_the_given_costs_count():
    snap = snapshot()
    spread_only = cost_check(snap, Spread()).reindex(snap.markets)
    commission_only = cost_check(snap, Commission()).reindex(snap.markets)
    both = cost_check(snap).reindex(snap.markets)
    np.testing.assert_allclose(
        spread_only["sr_round_trip"] + commission_only["sr_round_trip"],
        both["sr_round_trip"],
        rtol=1e-12,
    )
    assert MAX_SR_ROUND_TRIP == 1.0
