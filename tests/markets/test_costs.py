"""Costs in the market metadata: markets.csv columns, their validation, and Market.costs.

Without a warehouse; the mart side (futures_markets, peer markets) is tests/dbt/test_markets_mart.py.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from tecton.errors import TectonError
from tecton.markets import Markets, market_specs, markets_csv
from tecton.markets.metadata import MarketCosts, read_market_specs

# the brief's realistic ranges per class: (commission per contract, spread in ticks)
SPREAD_TICKS = {
    "equity": (1, 1),
    "bond": (1, 1),
    "stir": (1, 1),
    "fx": (1, 1),
    "energy": (1, 2),
    "metals": (1, 2),
    "ags": (1, 1),
    "livestock": (1, 2),
    "vol": (1, 2),
}


def reference_file() -> pd.DataFrame:
    """markets.csv read with pandas, independently of MarketSpec."""
    return pd.read_csv(markets_csv(), keep_default_na=False).set_index("market_id")


def test_every_market_has_realistic_costs():
    frame = reference_file()
    assert frame.commission_per_contract.gt(0).all() and frame.spread_ticks.gt(0).all()
    for market_id, row in frame.iterrows():
        low, high = SPREAD_TICKS[row.asset_class]
        assert low <= row.spread_ticks <= high, market_id
    usd = frame[frame.currency == "USD"]
    # a US exchange's round turn is a few dollars a side, never tens
    assert usd.commission_per_contract.between(1, 5).all()
    assert frame.loc["SP500", ["commission_per_contract", "spread_ticks"]].tolist() == [2.05, 1]


def test_market_costs_are_the_reference_file_in_price_points():
    frame = reference_file()
    for market in Markets:
        row, costs = frame.loc[market.market_id], market.costs
        assert costs.point_value == row.point_value and costs.currency == row.currency
        assert costs.commission_per_contract == row.commission_per_contract
        assert costs.spread_pts == pytest.approx(row.spread_ticks * row.tick_size, rel=1e-12)
        assert costs.slippage_pts == pytest.approx(costs.spread_pts / 2, rel=1e-12)
        assert market.source == "reference"


def test_cost_per_contract_adds_commission_slippage_and_percentage():
    crude = market_specs()["CRUDE"].costs  # 1 tick of 0.01 spread, 1000 USD a point, 2.31 USD
    assert crude.cost_per_contract() == pytest.approx(2.31 + 0.005 * 1000)
    kospi_like = MarketCosts(
        market_id="KOSPI",
        currency="KRW",
        point_value=250_000,
        commission_per_contract=0,
        commission_pct=0.0004,
        spread_pts=0.1,
    )
    # price 300: notional 75 M KRW, 0.04% of it is 30,000; half a 0.1 spread is 12,500
    assert kospi_like.cost_per_contract(300.0) == pytest.approx(30_000 + 12_500)


def test_without_a_warehouse_markets_are_the_reference_file():
    assert Markets.ids() == list(market_specs())
    assert "CRUDE_W" not in Markets
    with pytest.raises(TectonError, match="unknown market 'CRUDE_W'"):
        Markets["CRUDE_W"]
    assert {"commission_per_contract", "spread_pts", "slippage_pts", "source"} <= set(
        Markets.frame().columns
    )


def _copy_with(tmp_path, market_id: str, **values: str):
    rows = list(csv.DictReader(markets_csv().open(newline="")))
    for row in rows:
        if row["market_id"] == market_id:
            row.update(values)
    path = tmp_path / "markets.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    line = 2 + [r["market_id"] for r in rows].index(market_id)
    return path, line


@pytest.mark.parametrize(
    ("column", "value"),
    [("commission_per_contract", "-1"), ("spread_ticks", "-0.5"), ("spread_ticks", "wide")],
)
def test_a_bad_cost_is_one_line_naming_file_row_and_rule(tmp_path, column, value):
    path, line = _copy_with(tmp_path, "GOLD", **{column: value})
    with pytest.raises(TectonError) as err:
        read_market_specs(path)
    message = str(err.value)
    assert message.startswith(f"markets.csv:{line}: [{column}] ") and "\n" not in message
    assert repr(value) in message
