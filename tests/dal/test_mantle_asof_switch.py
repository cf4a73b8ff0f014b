"""``as_of`` across a switch of price source: before it, the old source's series; after, the new.

A GOLD fed by synthetic vendor files is switched to the peer's multiple prices
(``replace_source``); a read as of a time before the switch still sees the vendor's series.
"""

from __future__ import annotations

import datetime as dt
import gzip
import time

import pandas as pd
import pytest

from tecton.dal import Mantle
from tecton.dal import warehouse as wh
from tecton.data.synthetic import generate
from tecton.lake import Lake, commit, plan, stage
from tests.support.lake import ingest_now
from tests.support.peer import SHARED_DATA, copy_markets

pytestmark = pytest.mark.slow
COLUMNS = ["contract_id", "price"]


def build() -> None:
    report = wh.build()
    assert report.ok, report.failures


def peer_prices(path) -> pd.DataFrame:
    """The peer's PRICE of each day's last observation, computed from its file alone."""
    with gzip.open(path) as f:
        rows = pd.read_csv(f, parse_dates=["DATETIME"]).dropna(subset=["PRICE_CONTRACT"])
    rows["trade_date"] = rows.DATETIME.dt.normalize()
    return rows.sort_values("DATETIME").groupby("trade_date").tail(1).set_index("trade_date")


def test_as_of_before_a_switch_reads_the_old_source(tmp_path):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"peer data not found at {SHARED_DATA}")
    raw, peer = tmp_path / "raw", copy_markets(SHARED_DATA, tmp_path / "peer", ["GOLD"])
    generate(raw, ["GOLD"], dt.date(2020, 1, 1), dt.date(2020, 9, 30), seed=5)
    assert ingest_now(raw).ok
    build()
    cont = Mantle.Tables.futures.cont
    vendor = Mantle.select(cont, "2020-01-01", "2020-09-30", columns=COLUMNS, markets=["GOLD"])
    assert len(vendor) > 150
    time.sleep(0.05)
    t = pd.Timestamp.now(tz="UTC")
    time.sleep(0.05)

    lake = Lake()
    p = plan(peer, "pysystemtrade", lake, replace_source=True)
    assert commit(p, [stage(b, "pysystemtrade", lake) for b in p.batches(50)], lake).ok
    build()

    now = Mantle.select(cont, "1970-01-01", "2030-01-01", columns=COLUMNS, markets=["GOLD"])
    want = peer_prices(peer / "multiple_prices_csv" / "GOLD.csv.gz")
    # the peer's whole history, and no vendor day left in it
    assert now.trade_date.min() == want.index.min()
    days = now.set_index("trade_date")
    both = days.join(want, how="inner")
    assert len(both) > 0.95 * len(days)
    priced = both.dropna(subset=["price", "PRICE"])
    assert (priced.price - priced.PRICE).abs().max() < 1e-9
    then = Mantle.select(
        cont, "2020-01-01", "2020-09-30", columns=COLUMNS, markets=["GOLD"], as_of=t
    )
    pd.testing.assert_frame_equal(then, vendor)
    assert (
        not now[now.trade_date.between("2020-01-01", "2020-09-30")]
        .reset_index(drop=True)
        .equals(vendor)
    )
    Mantle.close()
