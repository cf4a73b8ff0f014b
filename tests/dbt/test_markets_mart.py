"""The futures_markets mart: the reference file and a source's instrument configuration, one door.

One real ``dbt build`` (the models up to futures_cont and futures_markets, with their tests) on a
lake holding the peer's instrument configuration and two years of three instruments: SP500 (also in
the reference file: the reference wins), CRUDE_W and BITCOIN (peer only). Each test reads the
warehouse afterwards; expected values come from the CSV files read here with pandas.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tecton.dal.storage import Storage
from tecton.errors import TectonError
from tecton.lake import Lake
from tecton.markets import Contract, Markets, markets_csv
from tests.support.dbt import dbt_build
from tests.support.lake import ingest_now
from tests.support.peer import SHARED_DATA

pytestmark = pytest.mark.slow  # real dbt builds

PRICED = ("SP500", "CRUDE_W", "BITCOIN")


@pytest.fixture(scope="module")
def markets_home(tmp_path_factory) -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"peer data not found at {SHARED_DATA} (it ships beside the repo in ../shared)")
    raw = tmp_path_factory.mktemp("peer-subset")
    (raw / "csvconfig").mkdir()
    (raw / "multiple_prices_csv").mkdir()
    shutil.copy(SHARED_DATA / "csvconfig" / "instrumentconfig.csv", raw / "csvconfig")
    for code in PRICED:  # the last two years of prices: enough to hold a market, cheap to build
        prices = pd.read_csv(SHARED_DATA / "multiple_prices_csv" / f"{code}.csv.gz", dtype=str)
        recent = prices[prices.DATETIME >= "2020-10-01"]
        recent.to_csv(raw / "multiple_prices_csv" / f"{code}.csv", index=False)
    home = tmp_path_factory.mktemp("markets-home")
    ingest_now(raw, "pysystemtrade", lake=Lake(Storage(str(home / "lake"))))
    run = dbt_build(
        home, "--select", "+futures_cont", "+futures_markets", "--indirect-selection", "cautious"
    )
    assert run.returncode == 0, run.stdout[-5000:]
    home.joinpath("dbt-build.log").write_text(run.stdout)
    return home


@pytest.fixture
def in_markets_home(markets_home, monkeypatch):
    """Python reads this module's warehouse (TECTON_HOME), through Mantle."""
    from tecton.dal.mantle import Mantle

    monkeypatch.setenv("TECTON_HOME", str(markets_home))
    yield markets_home
    Mantle.close()


def mart(home: Path) -> pd.DataFrame:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select * from futures_markets").fetch_df().set_index("market_id")


def instrument_config(peer_data: Path) -> pd.DataFrame:
    path = peer_data / "csvconfig" / "instrumentconfig.csv"
    return pd.read_csv(path).set_index("Instrument")


def test_reference_row_equals_markets_csv(markets_home):
    reference = pd.read_csv(markets_csv()).set_index("market_id")
    rows = mart(markets_home)
    for market_id in ("SP500", "CRUDE", "JGB"):  # SP500 is in the peer's file too: reference wins
        ref, row = reference.loc[market_id], rows.loc[market_id]
        assert row.source == "reference" and row["name"] == ref["name"]
        assert (row.asset_class, row.currency) == (ref.asset_class, ref.currency)
        assert (row.point_value, row.tick_size) == (ref.point_value, ref.tick_size)
        assert row.commission_per_contract == ref.commission_per_contract
        assert row.commission_pct == 0
        assert row.spread_pts == pytest.approx(ref.spread_ticks * ref.tick_size, rel=1e-12)
        assert row.slippage_pts == pytest.approx(row.spread_pts / 2, rel=1e-12)


def test_peer_row_equals_instrumentconfig(markets_home, peer_data):
    config, rows = instrument_config(peer_data), mart(markets_home)
    for market_id, asset_class in (("CRUDE_W", "energy"), ("BITCOIN", "metals")):
        peer, row = config.loc[market_id], rows.loc[market_id]
        assert row.source == "pysystemtrade" and row["name"] == peer.Description
        assert row.asset_class == asset_class  # OilGas -> energy; the peer files BITCOIN as Metals
        assert (row.currency, row.point_value) == (peer.Currency, peer.Pointsize)
        assert row.commission_per_contract == peer.PerBlock
        assert row.commission_pct == peer.Percentage
        assert row.slippage_pts == pytest.approx(peer.Slippage, rel=1e-12)
        assert row.spread_pts == pytest.approx(2 * peer.Slippage, rel=1e-12)
        assert pd.isna(row.tick_size)  # the instrument configuration has none: not invented


def test_one_row_per_market_reference_then_priced_instruments(markets_home, peer_data):
    rows = mart(markets_home)
    reference = set(pd.read_csv(markets_csv()).market_id)
    assert rows.index.is_unique
    assert set(rows.index) == reference | {"CRUDE_W", "BITCOIN"}
    # the peer's ~400 configured instruments without prices in the lake stay out
    assert len(instrument_config(peer_data)) > 400 and "V2X" not in rows.index


def test_relationship_tests_pass_for_peer_markets(markets_home):
    log = (markets_home / "dbt-build.log").read_text()
    passed = [line for line in log.splitlines() if "PASS relationships_futures_cont" in line]
    assert passed, "the futures_cont -> futures_markets relationship test did not run"
    assert "WARN relationships" not in log
    with duckdb.connect(str(markets_home / "warehouse.duckdb"), read_only=True) as con:
        held = {r[0] for r in con.execute("select distinct market_id from futures_cont").fetchall()}
    assert {"CRUDE_W", "BITCOIN"} <= held  # the markets the test checked are there


def test_markets_knows_peer_markets_from_the_mart(in_markets_home, peer_data):
    peer = instrument_config(peer_data).loc["CRUDE_W"]
    crude_w = Markets["CRUDE_W"]
    costs = crude_w.costs
    assert (costs.point_value, costs.currency) == (peer.Pointsize, peer.Currency)
    assert costs.commission_per_contract == peer.PerBlock
    assert costs.slippage_pts == pytest.approx(peer.Slippage, rel=1e-12)
    assert costs.tick_size is None
    assert crude_w.asset_class == "energy" and crude_w.name == peer.Description
    assert crude_w.source == "pysystemtrade"
    assert "CRUDE_W" in Markets and "BITCOIN" in Markets.ids() and "V2X" not in Markets
    assert "CRUDE_W" in Markets.filter(asset_class="energy")
    assert "CRUDE_W" not in Markets.filter(exchange="NYMEX")  # exchange unknown: no match


def test_python_costs_equal_the_mart_row(in_markets_home):
    rows = mart(in_markets_home)
    for market_id in ("SP500", "CRUDE_W"):
        costs, row = Markets[market_id].costs, rows.loc[market_id]
        assert costs.point_value == row.point_value
        assert costs.commission_per_contract == row.commission_per_contract
        assert costs.commission_pct == row.commission_pct
        assert costs.spread_pts == pytest.approx(row.spread_pts, rel=1e-12)
        assert costs.slippage_pts == pytest.approx(row.slippage_pts, rel=1e-12)


def test_peer_market_static_rules_are_unknown_not_invented(in_markets_home):
    crude_w = Markets["CRUDE_W"]
    with pytest.raises(TectonError, match=r"'CRUDE_W' has no expiry_rule: .*pysystemtrade"):
        crude_w.expiry_rule  # noqa: B018
    with pytest.raises(TectonError, match="static calendars and expiry rules exist only"):
        crude_w.spec  # noqa: B018
    contract = Contract.parse(crude_w, "CRUDE_W_202012")
    assert contract.contract_id == "CRUDE_W_202012"
    with pytest.raises(TectonError, match="'CRUDE_W' has no static calendar"):
        contract.expiry  # noqa: B018
