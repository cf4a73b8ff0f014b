"""The real peer data (pysystemtrade) lands through the same ingest."""

from __future__ import annotations

import csv

import pyarrow.compute as pc

from tecton.lake import Lake
from tests.support.lake import ingest_now


def test_pysystemtrade_folder_lands(peer_data):
    report = ingest_now(peer_data, fmt="pysystemtrade")
    assert report.ok, [str(o.error) for o in report.rejected]
    assert set(report.versions) == {
        "bars",
        "roll_calendars",
        "instruments",
        "roll_configs",
        "fx_prices",
    }
    lake = Lake()
    bars = (
        lake.table("bars")
        .to_pyarrow_dataset()
        .to_table(columns=["market_id", "role", "source_file"])
    )
    with (peer_data / "MANIFEST.csv").open() as f:
        manifest = [r for r in csv.DictReader(f) if r["file"].startswith("multiple_prices_csv/")]
    assert set(pc.unique(bars["market_id"]).to_pylist()) == {
        r["file"].split("/")[1].split(".")[0] for r in manifest
    }
    # every source row's PRICE is kept (a contract is named on every row of these files)
    prices = bars.filter(pc.equal(bars["role"], "PRICE"))
    assert prices.num_rows == sum(int(r["data_rows"]) for r in manifest)
    assert ingest_now(peer_data, fmt="pysystemtrade").landed == []  # the second run is a no-op
