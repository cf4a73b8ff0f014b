"""One price source per market, as a user meets it: the ``tecton`` command and ``dbt build``."""

from __future__ import annotations

import duckdb
import pyarrow.compute as pc
import pytest

from tecton.lake import Lake
from tecton.lake.sources import feeders
from tests.support.cli import tecton
from tests.support.dbt import dbt_build
from tests.support.peer import SHARED_DATA

pytestmark = [pytest.mark.slow, pytest.mark.minutes(4.2)]
PEER = "pysystemtrade"


def refusal(markets: str, fed_by: str, to: str) -> str:
    return (
        f"refused: markets {markets} are fed by {fed_by}; pass --replace-source to switch them "
        f"to {to} (or use a separate lake: TECTON_LAKE)"
    )


def test_readme_sequence_demo_peer_data_build_then_switch(tecton_home):
    """The README's sequence in one lake: demo (twice), the peer's data, ``dbt build``, a switch.

    One test, as each step needs the lake the step before it left: the demo's second run is a
    no-op, the peer's markets the demo feeds are refused while the rest land, the warehouse builds,
    and ``--replace-source`` then moves GOLD and SP500 to the peer, the vendor's rows kept in the
    previous version.
    """
    if not SHARED_DATA.is_dir():
        pytest.skip(f"peer data not found at {SHARED_DATA}")
    demo = ("demo", "--markets", "GOLD,SP500,CRUDE", "--start", "2020-01-01", "--end", "2020-12-31")
    # as a user without a Prefect server runs it (its temporary server): no noise in the output
    first = tecton(*demo, home=tecton_home, shared_server=False)
    assert first.returncode == 0, first.stderr[-3000:]
    out = first.stdout + first.stderr
    for noise in ("Traceback", "Error flushing", "ERROR", "CancelledError"):
        assert noise not in out, out[-3000:]
    assert "bars by market" in first.stdout
    assert all(m in first.stdout for m in ("GOLD", "SP500", "CRUDE")), first.stdout[-3000:]
    lake = Lake(str(tecton_home / "lake"))
    bars = lake.read("bars")
    assert set(pc.unique(bars["market_id"]).to_pylist()) == {"GOLD", "SP500", "CRUDE"}
    crude = bars.filter(pc.field("market_id") == "CRUDE")
    assert min(crude["close"].to_pylist()) < 0  # the April-2020 negative crude print landed intact
    version = lake.table("bars").version()

    again = tecton(*demo, home=tecton_home)
    assert again.returncode == 0, again.stderr[-3000:]
    assert lake.table("bars").version() == version  # deterministic files, nothing new to land

    peer = tecton("ingest", str(SHARED_DATA), "--format", PEER, home=tecton_home)
    # the markets the demo feeds are refused in one line; the peer's other markets land
    assert peer.returncode == 1
    lines = peer.stderr.splitlines()
    assert lines.count(refusal("GOLD, SP500", "vendor-csv", PEER)) == 1, peer.stderr
    assert "Traceback" not in peer.stderr and "set aside" not in peer.stderr
    fed = feeders(lake)
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

    vendor_gold = lake.read("bars").filter(pc.field("market_id") == "GOLD")
    assert vendor_gold.num_rows > 0
    before = lake.table("bars").version()
    switched = tecton(
        "ingest", str(SHARED_DATA), "--format", PEER, "--replace-source", home=tecton_home
    )
    assert switched.returncode == 0, switched.stderr[-3000:]
    fed = feeders(lake)
    assert fed["GOLD"] == {PEER} and fed["SP500"] == {PEER}
    assert fed["CRUDE"] == {"vendor-csv"}
    assert {m for m, s in fed.items() if s == {"vendor-csv"}} == {"CRUDE"}
    old = lake.read("bars", version=before).filter(pc.field("market_id") == "GOLD")
    assert old.num_rows == vendor_gold.num_rows
    assert set(old["source_file"].to_pylist()) == set(vendor_gold["source_file"].to_pylist())
