"""One price source per market, as a user meets it: the ``tecton`` command and ``dbt build``."""

from __future__ import annotations

import duckdb
import pyarrow.compute as pc
import pytest

from tecton.lake import Lake
from tecton.lake.sources import feeders
from tests.support.dbt import dbt_build
from tests.support.lake import ingest_now
from tests.support.peer import SHARED_DATA
from tests.test_cli import tecton

pytestmark = pytest.mark.slow
PEER = "pysystemtrade"


def refusal(markets: str, fed_by: str, to: str) -> str:
    return (
        f"refused: markets {markets} are fed by {fed_by}; pass --replace-source to switch them "
        f"to {to} (or use a separate lake: TECTON_LAKE)"
    )


def test_replace_source_through_the_command_line(clean_raw, peer_few, tecton_home):
    lake = Lake(str(tecton_home / "lake"))
    assert ingest_now(clean_raw, lake=lake).ok  # the vendor's lake, set up directly (faster)
    vendor_gold = lake.read("bars").filter(pc.field("market_id") == "GOLD")

    refused = tecton("ingest", str(peer_few), "--format", PEER, home=tecton_home)
    assert refused.returncode == 1
    lines = refused.stderr.splitlines()
    assert lines.count(refusal("GOLD, SP500", "vendor-csv", PEER)) == 1, refused.stderr
    assert "Traceback" not in refused.stderr and "set aside" not in refused.stderr
    before = lake.table("bars").version()

    switched = tecton(
        "ingest", str(peer_few), "--format", PEER, "--replace-source", home=tecton_home
    )
    assert switched.returncode == 0, switched.stderr[-3000:]
    assert feeders(lake) == {
        "CRUDE": {"vendor-csv"},
        "GOLD": {PEER},
        "SP500": {PEER},
        "CRUDE_W": {PEER},
    }
    old = lake.read("bars", version=before).filter(pc.field("market_id") == "GOLD")
    assert old.num_rows == vendor_gold.num_rows
    assert set(old["source_file"].to_pylist()) == set(vendor_gold["source_file"].to_pylist())


def test_readme_sequence_demo_then_peer_data_then_dbt_build(tecton_home):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"peer data not found at {SHARED_DATA}")
    demo = ("demo", "--markets", "GOLD,SP500,CRUDE", "--start", "2020-01-01", "--end", "2020-12-31")
    assert tecton(*demo, home=tecton_home).returncode == 0

    peer = tecton("ingest", str(SHARED_DATA), "--format", PEER, home=tecton_home)
    # the markets the demo feeds are refused in one line; the peer's other markets land
    assert peer.returncode == 1
    assert refusal("GOLD, SP500", "vendor-csv", PEER) in peer.stderr.splitlines(), peer.stderr
    fed = feeders(Lake(str(tecton_home / "lake")))
    assert {m for m, s in fed.items() if s == {"vendor-csv"}} == {"GOLD", "SP500", "CRUDE"}
    assert {"CRUDE_W", "EDOLLAR", "BITCOIN", "CORN"} <= {m for m, s in fed.items() if s == {PEER}}
    assert all(len(s) == 1 for s in fed.values())

    build = dbt_build(tecton_home)
    assert build.returncode == 0, build.stdout[-4000:]
    con = duckdb.connect(str(tecton_home / "warehouse.duckdb"), read_only=True)
    sources = dict(
        con.execute(
            "select market_id, string_agg(distinct source, ',') from int_observations_unioned group by 1"
        ).fetchall()
    )
    con.close()
    assert {sources[m] for m in ("GOLD", "SP500", "CRUDE")} == {"vendor"}
    assert sources["CRUDE_W"] == "peer"
