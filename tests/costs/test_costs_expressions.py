"""The cvxpy side of each cost: evaluated at a point, it equals the realised cost / capital."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tecton.costs import (
    Commission,
    CostDefinition,
    CostModel,
    Funding,
    Impact,
    Roll,
    Spread,
)
from tests.costs.snapshots import contracts_for, random_snapshot, snapshots

PROPERTY = settings(max_examples=60, deadline=None)
TRADE_KINDS = [Commission, Spread, lambda: Impact(0.8)]


@PROPERTY
@pytest.mark.parametrize("make", TRADE_KINDS, ids=["commission", "spread", "impact"])
@given(data=st.data())
def test_trade_expression_is_the_trade_cost_over_capital(make, data):
    s = data.draw(snapshots())
    trades = data.draw(contracts_for(s))
    kind = make()
    dw = cp.Parameter(len(s))
    expression = kind.trade_expression(dw)
    kind.update(s)
    dw.value = s.to_weights(trades)
    expected = kind.trade_cost(trades, s).sum() / s.capital
    assert expression.value == pytest.approx(expected, rel=1e-9, abs=1e-15)


@PROPERTY
@given(st.data())
def test_roll_holding_cost_is_a_year_of_rolls(data):
    s = data.draw(snapshots())
    held = data.draw(contracts_for(s))
    w = cp.Parameter(len(s))
    roll = Roll()
    expression = roll.holding_expression(w)
    roll.update(s)
    w.value = s.to_weights(held)
    expected = (s.rolls_per_year * roll.roll_cost(held, s)).sum() / s.capital
    assert expression.value == pytest.approx(expected, rel=1e-9, abs=1e-15)


@PROPERTY
@given(st.data())
def test_funding_holding_cost_is_a_year_of_funding(data):
    s = data.draw(snapshots())
    held = data.draw(contracts_for(s))
    w = cp.Parameter(len(s))
    funding = Funding()
    expression = funding.holding_expression(w)
    funding.update(s)
    w.value = s.to_weights(held)
    # a year is days_per_year trading days of each market
    expected = sum(
        Funding().holding_cost(held, s, days=d)[i] for i, d in enumerate(s.days_per_year)
    )
    assert expression.value == pytest.approx(expected / s.capital, rel=1e-9, abs=1e-12)


def test_the_model_expression_sums_its_kinds_and_is_dpp():
    s = random_snapshot(np.random.default_rng(7), 6)
    rng = np.random.default_rng(8)
    trades, held = rng.normal(0, 20, 6), rng.normal(0, 20, 6)
    model = CostDefinition(impact=0.5).build()
    w, dw = cp.Variable(6), cp.Variable(6)  # trades as their own variable: DPP
    w0 = cp.Parameter(6)
    trade = model.trade_expression(dw)
    hold = model.holding_expression(w)
    problem = cp.Problem(cp.Minimize(trade + hold), [w == w0 + dw])
    assert problem.is_dpp()
    model.update(s)
    w0.value = s.to_weights(held)
    w.value = s.to_weights(held + trades)
    dw.value = s.to_weights(trades)
    assert trade.value == pytest.approx(model.trade_cost(trades, s).sum() / s.capital, rel=1e-9)
    per_year = s.rolls_per_year * model.roll_cost(held + trades, s)
    per_year += model.holding_cost(held + trades, s, days=1) * s.days_per_year
    assert hold.value == pytest.approx(per_year.sum() / s.capital, rel=1e-9)


def test_new_snapshot_values_reach_the_same_expression():
    rng = np.random.default_rng(9)
    first, second = random_snapshot(rng, 4), random_snapshot(rng, 4)
    model = Commission() + Spread()
    dw = cp.Parameter(4)
    expression = model.trade_expression(dw)
    for s in (first, second):
        model.update(s)
        trades = rng.normal(0, 5, 4)
        dw.value = s.to_weights(trades)
        expected = model.trade_cost(trades, s).sum() / s.capital
        assert expression.value == pytest.approx(expected, rel=1e-9)


def test_an_empty_model_has_a_zero_expression():
    assert CostModel().trade_expression(cp.Variable(3)).value == 0.0


def test_definition_defaults_charge_everything_but_impact():
    names = [k.name for k in CostDefinition().build()]
    assert names == ["commission", "spread", "roll", "funding"]
    model = CostDefinition(commission=False, roll=False, impact=0.3).build()
    assert [k.name for k in model] == ["spread", "funding", "impact"]
    assert model.kinds[-1].coefficient == 0.3


def test_definition_refuses_unknown_keys_and_negative_impact():
    with pytest.raises(ValidationError, match="slippage"):
        CostDefinition.model_validate({"slippage": True})
    with pytest.raises(ValidationError, match="impact"):
        CostDefinition(impact=-1.0)
    with pytest.raises(ValidationError):
        CostDefinition().commission = False  # frozen
