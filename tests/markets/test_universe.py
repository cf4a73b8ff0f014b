"""Markets, Market, Contract: metadata from the market file, data through Mantle."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tecton.dal import Mantle, TectonError
from tecton.dal.warehouse import build as warehouse_build
from tecton.data.synthetic import generate
from tecton.markets import Contract, Market, Markets, market_specs
from tests.dal import fake_warehouse
from tests.support.lake import ingest_now


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


@pytest.fixture
def built_warehouse(tmp_path):
    """A real warehouse (ingest, dbt build) of one generated market; its raw vendor files."""
    raw = tmp_path / "raw"
    generate(raw, ["CRUDE"], dt.date(2019, 7, 1), dt.date(2020, 12, 31))
    assert ingest_now(raw).ok
    # only the marts it reads (and those their tests read): seconds, not a whole build
    report = warehouse_build(
        select="+futures_returns_daily +futures_roll_schedule +futures_markets"
    )
    assert report.ok, report.failures
    yield raw
    Mantle.close()


def panama_from_raw(raw, rolls: pd.DataFrame) -> pd.DataFrame:
    """Per day: the held contract and its close from the raw CSVs, and the close plus every later
    roll's gap (to - from contract close on the roll date, the last day holding the old one)."""
    close = pd.concat(
        {
            p.stem: pd.read_csv(p, index_col="date", parse_dates=["date"])["close"]
            for p in raw.glob("CRUDE_*.csv")
        },
        axis=1,
    ).sort_index()
    rolls = rolls.sort_values("roll_date")
    days = close.index.to_numpy()
    # held on day d: the old contract of the first roll on or after d, else the last roll's new one
    after = np.searchsorted(rolls.roll_date.to_numpy(), days, side="left")
    held = np.r_[rolls.from_contract.to_numpy(), rolls.to_contract.to_numpy()[-1:]][after]
    gaps = np.array(
        [
            close.at[r.roll_date, r.to_contract] - close.at[r.roll_date, r.from_contract]
            for r in rolls.itertuples()
        ]
    )
    # the sum of the gaps of the rolls on or after each day
    later_gaps = np.r_[np.cumsum(gaps[::-1])[::-1], 0.0][after]
    price = close.to_numpy()[np.arange(len(days)), close.columns.get_indexer(held)]
    return pd.DataFrame(
        {"contract_id": held, "price": price, "price_adj": price + later_gaps}, index=close.index
    )


def test_market_reads_through_mantle(built_warehouse):
    crude = Markets["CRUDE"]
    series = crude.continuous(
        "2020-01-01", "2020-03-31", columns=["contract_id", "price", "price_adj"]
    )
    assert set(series.market_id) == {"CRUDE"}
    rolls = crude.roll_schedule()
    assert len(rolls) > 5 and set(rolls.market_id) == {"CRUDE"}
    # independently: the held contract's raw close, Panama-adjusted by the later rolls' gaps
    want = panama_from_raw(built_warehouse, rolls).loc["2020-01-01":"2020-03-31"]
    assert list(pd.to_datetime(series.trade_date)) == list(want.index)
    assert list(series.contract_id) == list(want.contract_id)
    np.testing.assert_allclose(series.price, want.price, rtol=0, atol=1e-9)
    np.testing.assert_allclose(series.price_adj, want.price_adj, rtol=0, atol=1e-9)
    assert series.price_adj.sub(series.price).round(6).nunique() > 1  # the window holds a roll


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
