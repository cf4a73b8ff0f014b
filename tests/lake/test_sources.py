"""One price source per market: a second source is refused, ``replace_source`` switches.

A lake fed by synthetic vendor files for CRUDE, GOLD and SP500 meets the peer's multiple prices
of GOLD, SP500 and CRUDE_W (a market only the peer has).
"""

from __future__ import annotations

import csv

import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.schema import TABLES
from tecton.lake import Lake, commit, plan, stage
from tecton.lake.sources import RULE, feeders, refusal_lines
from tests.support.lake import ingest_now, sorted_rows
from tests.support.peer import copy_markets, data_rows

PEER = "pysystemtrade"
SHARED = ["GOLD", "SP500"]


def of_markets(lake: Lake, name: str, markets: list[str]) -> pa.Table:
    table = lake.read(name)
    keys = [
        c
        for c in ("source_file", "contract_id", "observed_at", "roll_at")
        if c in table.column_names
    ]
    return sorted_rows(table.filter(pc.field("market_id").isin(markets)), keys)


def sources_of(lake: Lake, name: str, market: str) -> set[str]:
    rows = lake.read(name).filter(pc.field("market_id") == market)
    return {f.split("/", 1)[0] for f in rows["source_file"].to_pylist()}


def ingest_replacing(source, fmt: str, lake: Lake):
    p = plan(source, fmt, lake, replace_source=True)
    return commit(p, [stage(b, fmt, lake) for b in p.batches(50)], lake)


def test_a_market_fed_by_vendor_files_refuses_the_peer_and_the_rest_lands(clean_raw, peer_few):
    lake = Lake()
    assert ingest_now(clean_raw).ok
    before = {name: of_markets(lake, name, SHARED) for name in ("bars", "contracts")}

    report = ingest_now(peer_few, fmt=PEER)

    refused = {o.source_file: o for o in report.rejected}
    assert set(refused) == {
        f"{PEER}/{folder}/{m}{suffix}"
        for m in SHARED
        for folder, suffix in (("multiple_prices_csv", ".csv.gz"), ("roll_calendars_csv", ".csv"))
    }
    assert {o.error.rule for o in refused.values()} == {RULE}
    assert refusal_lines(report.rejected) == [
        "refused: markets GOLD, SP500 are fed by vendor-csv; pass --replace-source to switch them "
        "to pysystemtrade (or use a separate lake: TECTON_LAKE)"
    ]
    # the peer-only market lands, every source row's PRICE of it
    assert {o.source_file for o in report.landed} == {
        f"{PEER}/multiple_prices_csv/CRUDE_W.csv.gz",
        f"{PEER}/roll_calendars_csv/CRUDE_W.csv",
    }
    crude_w = lake.read("bars").filter(
        (pc.field("market_id") == "CRUDE_W") & (pc.field("role") == "PRICE")
    )
    assert crude_w.num_rows == data_rows(peer_few / "multiple_prices_csv" / "CRUDE_W.csv.gz")
    # nothing of GOLD or SP500 changed, in any table
    for name, rows in before.items():
        assert of_markets(lake, name, SHARED).equals(rows), name
    assert of_markets(lake, "roll_calendars", SHARED).num_rows == 0
    assert feeders(lake) == {
        "CRUDE": {"vendor-csv"},
        "GOLD": {"vendor-csv"},
        "SP500": {"vendor-csv"},
        "CRUDE_W": {PEER},
    }

    # a refused file is not landed: the next run offers it again, the landed ones are unchanged
    again = plan(peer_few, PEER, lake)
    assert sorted(c.source_file for c in again.candidates) == sorted(refused)
    assert sorted(again.unchanged) == sorted(o.source_file for o in report.landed)


def test_vendor_contracts_of_a_market_the_peer_feeds_are_left_out(clean_raw, peer_few):
    lake = Lake()
    assert ingest_now(peer_few, fmt=PEER).ok
    report = ingest_now(clean_raw)

    assert {o.error.rule for o in report.rejected} == {RULE}
    assert {o.source_file.split("/")[1].split("_")[0] for o in report.rejected} == set(SHARED)
    assert refusal_lines(report.rejected) == [
        "refused: markets GOLD, SP500 are fed by pysystemtrade; pass --replace-source to switch "
        "them to vendor-csv (or use a separate lake: TECTON_LAKE)"
    ]
    # contracts.csv (every market's contracts in one file) lands, but only CRUDE's rows
    with (clean_raw / "contracts.csv").open() as f:
        crude = [r["contract_id"] for r in csv.DictReader(f) if r["market_id"] == "CRUDE"]
    contracts = lake.read("contracts")
    assert sorted(contracts["contract_id"].to_pylist()) == sorted(crude)
    logged = next(o for o in report.landed if o.source_file == "vendor-csv/contracts.csv")
    assert logged.rows == len(crude) and logged.partitions == ("CRUDE",)
    assert feeders(lake)["GOLD"] == {PEER} and feeders(lake)["CRUDE"] == {"vendor-csv"}


def test_replace_source_switches_markets_in_one_commit_and_keeps_the_old_rows_in_history(
    clean_raw, peer_few
):
    from tecton.quality.manifest import BARS_QUARANTINE, quarantine

    lake = Lake()
    assert ingest_now(clean_raw).ok
    vendor_gold = of_markets(lake, "bars", ["GOLD"])
    # a vendor GOLD partition held in quarantine: it must not come back after the switch
    quarantine(lake, vendor_gold.slice(0, 3).append_column("run_id", pa.array(["r"] * 3)), ["x"])
    before = lake.table("bars").version()

    report = ingest_replacing(peer_few, PEER, lake)

    assert report.ok, [str(o.error) for o in report.rejected]
    assert report.versions["bars"] == before + 1  # one commit: old rows out, new rows in
    for market in SHARED:
        assert sources_of(lake, "bars", market) == {PEER}
        assert sources_of(lake, "contracts", market) == set()
        assert sources_of(lake, "roll_calendars", market) == {PEER}
        assert sources_of(lake, BARS_QUARANTINE.name, market) == set()
    assert sources_of(lake, "bars", "CRUDE") == {"vendor-csv"}  # a market not switched stays
    assert sources_of(lake, "contracts", "CRUDE") == {"vendor-csv"}
    # the vendor's GOLD stays readable in the version before the switch
    old = lake.read("bars", version=before).filter(pc.field("market_id") == "GOLD")
    assert sorted_rows(old, ("source_file", "contract_id", "observed_at")).equals(vendor_gold)

    # and back: the vendor files landed before are offered again and switch GOLD, SP500 back
    back = ingest_replacing(clean_raw, "vendor-csv", lake)
    assert back.ok
    assert of_markets(lake, "bars", ["GOLD"]).equals(vendor_gold)
    for market in SHARED:
        assert sources_of(lake, "bars", market) == {"vendor-csv"}
        assert sources_of(lake, "contracts", market) == {"vendor-csv"}
        assert sources_of(lake, "roll_calendars", market) == set()
    assert sources_of(lake, "bars", "CRUDE_W") == {PEER}


def test_a_lake_where_two_sources_already_feed_a_market_refuses_both_until_switched(
    clean_raw, peer_few, tmp_path
):
    lake = Lake()
    assert ingest_now(clean_raw).ok
    # a lake written before the rule: the peer's GOLD appended beside the vendor's
    peer_gold = copy_markets(peer_few, tmp_path / "gold", ["GOLD"])
    p = plan(peer_gold, PEER, lake)
    staged = [stage(b, PEER, lake) for b in p.batches(50)]
    lake.write(TABLES["bars"], pa.concat_tables(staged[0].tables["bars"]))
    assert feeders(lake)["GOLD"] == {"vendor-csv", PEER}

    assert ingest_now(peer_gold, fmt=PEER).rejected  # GOLD is (also) fed by vendor-csv
    assert ingest_replacing(peer_gold, PEER, lake).ok
    assert feeders(lake)["GOLD"] == {PEER}
