"""as_of through the real pipeline (ingest, dbt build), on a local lake and on S3 (moto, loopback).

A revised file ingested after time T is invisible to a read as of T, in the continuous series and
in the marts derived from it, and visible to a plain read.
"""

from __future__ import annotations

import datetime as dt
import time

import duckdb
import pandas as pd
import pytest

from tecton.dal import Mantle, TectonError
from tecton.dal import warehouse as wh
from tecton.data.synthetic import generate
from tests.support.lake import ingest_now
from tests.support.s3 import moto_server, use_s3_lake

pytestmark = [pytest.mark.slow, pytest.mark.minutes(2.3)]
MARKETS = ["CRUDE", "GOLD"]


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


@pytest.fixture(params=["local", "s3"])
def lake(request, monkeypatch, tmp_path):
    if request.param == "s3":
        # a bucket per test: the module's tests share one server
        bucket = f"mantle-{request.node.originalname.replace('_', '-')}"[:63]
        use_s3_lake(monkeypatch, request.getfixturevalue("endpoint"), bucket)
    raw = tmp_path / "raw"
    generate(raw, MARKETS, dt.date(2019, 7, 1), dt.date(2020, 6, 30))
    yield request.param, raw
    Mantle.close()


def build(full_refresh: bool = False) -> None:
    report = wh.build(full_refresh=full_refresh)
    assert report.ok, report.failures


def test_as_of_hides_a_later_revision(lake, tecton_home):
    kind, raw = lake
    assert ingest_now(raw).ok
    build()
    cont = Mantle.Tables.futures.cont
    before = Mantle.select(
        cont, "2019-10-01", "2020-06-30", columns=["price", "price_adj"], markets=["CRUDE"]
    )
    returns_before = Mantle.select("futures.returns", "2019-10-01", "2020-06-30", markets=["CRUDE"])
    # the same read as plain SQL on the same file
    con = duckdb.connect(str(wh.warehouse_path()), read_only=True)
    want = con.execute(
        "select market_id, trade_date, contract_id, price, price_adj from futures_cont "
        "where market_id = ? and trade_date between ? and ? order by trade_date",
        ["CRUDE", dt.date(2019, 10, 1), dt.date(2020, 6, 30)],
    ).df()
    con.close()
    pd.testing.assert_frame_equal(before, want, check_dtype=False)

    # on S3 a Delta commit is dated by its object's Last-Modified: whole seconds
    pause = 1.1 if kind == "s3" else 0.05
    time.sleep(pause)
    t = pd.Timestamp.now(tz="UTC")
    time.sleep(pause)

    # a vendor revises the contract held in mid-January: every price 1% higher
    held = before.loc[before.trade_date == "2020-01-15", "contract_id"].item()
    path = raw / f"{held}.csv"
    bars = pd.read_csv(path)
    for column in ("open", "high", "low", "close"):
        bars[column] = (bars[column] * 1.01).round(4)
    bars.to_csv(path, index=False)
    assert [o.source_file for o in ingest_now(raw).landed] == [f"vendor-csv/{held}.csv"]
    # incremental: the observation model re-derives from the revised contract's first day
    build()

    now = Mantle.select(
        cont, "2019-10-01", "2020-06-30", columns=["price", "price_adj"], markets=["CRUDE"]
    )
    revised = now.contract_id == held
    assert revised.sum() > 10
    assert (now.price[revised] - before.price[revised] * 1.01).abs().max() < 0.001

    then = Mantle.select(
        cont, "2019-10-01", "2020-06-30", columns=["price", "price_adj"], markets=["CRUDE"], as_of=t
    )
    pd.testing.assert_frame_equal(then, before)
    # derived marts honour it too
    returns_then = Mantle.select(
        "futures.returns", "2019-10-01", "2020-06-30", markets=["CRUDE"], as_of=t
    )
    pd.testing.assert_frame_equal(returns_then, returns_before)
    assert not Mantle.select(
        "futures.returns", "2019-10-01", "2020-06-30", markets=["CRUDE"]
    ).equals(returns_before)

    # one as-of warehouse per lake version, kept and reused
    folders = sorted(p.name for p in (tecton_home / "asof").iterdir())
    assert len(folders) == 1 and "bars-v0" in folders[0]
    Mantle.select(cont, markets=["CRUDE"], as_of=t + pd.Timedelta(milliseconds=10))
    assert sorted(p.name for p in (tecton_home / "asof").iterdir()) == folders
    # as of now is the latest data
    pd.testing.assert_frame_equal(
        Mantle.select(
            cont,
            "2019-10-01",
            "2020-06-30",
            columns=["price", "price_adj"],
            markets=["CRUDE"],
            as_of=pd.Timestamp.now(tz="UTC"),
        ),
        now,
    )
    if kind == "s3":
        assert not (tecton_home / "lake").exists()  # nothing read from a local lake


def test_as_of_before_any_data_is_an_error(lake):
    _, raw = lake
    assert ingest_now(raw).ok
    build()
    with pytest.raises(TectonError, match="had no bars as of 2001-01-01"):
        Mantle.select("futures.cont", as_of="2001-01-01")
    with pytest.raises(TectonError, match="as_of 'last tuesday' is not a date"):
        Mantle.select("futures.cont", as_of="last tuesday")
