"""Markets, Market, Contract: metadata from the market file, data through Mantle."""

from __future__ import annotations

import datetime as dt

import pytest

from tecton.dal import Mantle, TectonError
from tecton.markets import Contract, Market, Markets, market_specs
from tests.dal import fake_warehouse


@pytest.fixture
def warehouse(tecton_home):
    path = fake_warehouse.build(tecton_home / "warehouse.duckdb")
    yield path
    Mantle.close()


def test_markets_is_the_collection():
    specs = market_specs()
    assert len(Markets) == len(specs) and [m.market_id for m in Markets] == list(specs)
    assert Markets["CRUDE"] == Market("CRUDE") and "CRUDE" in Markets
    energy = Markets.filter(asset_class="energy")
    assert energy.ids() == [m for m, s in specs.items() if s.asset_class == "energy"]
    usd_energy = Markets.filter(asset_class="energy", currency="USD")
    assert all(m.currency == "USD" and m.asset_class == "energy" for m in usd_energy)
    assert Markets.filter(exchange=["NYMEX", "CME"]).ids() == [
        m for m, s in specs.items() if s.exchange in ("NYMEX", "CME")
    ]
    assert list(Markets.frame().index) == list(specs)


def test_bad_market_and_filter_list_choices():
    with pytest.raises(TectonError, match=r"unknown market 'WTI'; markets: .*CRUDE"):
        Markets["WTI"]
    with pytest.raises(TectonError, match="filters: asset_class, sub_class, exchange"):
        Markets.filter(colour="red")
    with pytest.raises(TectonError, match="unknown market 'WTI'"):
        Market("WTI").exchange  # noqa: B018


def test_market_metadata_loads_lazily_once(monkeypatch):
    calls = []
    import tecton.markets.universe as universe

    real = universe.market_specs
    monkeypatch.setattr(universe, "market_specs", lambda: calls.append(1) or real())
    crude = Market("CRUDE")
    assert calls == []
    assert crude.exchange == "NYMEX" and crude.point_value == real()["CRUDE"].point_value
    assert crude.name and crude.currency == "USD"
    assert calls == [1]


def test_market_reads_through_mantle(warehouse):
    crude = Markets["CRUDE"]
    series = crude.continuous("2020-01-01", "2020-03-31", columns=["price_adj"])
    assert set(series.market_id) == {"CRUDE"}
    assert series.equals(
        Mantle.select(
            "futures.cont", "2020-01-01", "2020-03-31", columns=["price_adj"], markets=["CRUDE"]
        )
    )
    rolls = crude.roll_schedule()
    assert len(rolls) > 5 and set(rolls.market_id) == {"CRUDE"}


def test_contracts(warehouse):
    crude = Markets["CRUDE"]
    contracts = crude.contracts()
    assert [c.contract_id for c in contracts] == sorted(
        set(Mantle.select("futures.cont", markets=["CRUDE"]).contract_id)
    )
    c = crude.contract(2020, 3)
    assert (
        isinstance(c, Contract) and c.contract_id == "CRUDE_202003" and c.delivery_month == 202003
    )
    spec = market_specs()["CRUDE"]
    assert c.expiry == spec.expiry(2020, 3) and c.first_notice == spec.first_notice(2020, 3)
    assert c.roll_date == dt.date(2020, 4, 1)  # the fake warehouse rolls on a quarter's first day
    assert c.roll_date in {r.date() for r in crude.roll_schedule().roll_date}
    with pytest.raises(TectonError, match=r"tables: futures.cont"):
        c.bars()  # the fake warehouse has no bars mart: the error lists what there is
