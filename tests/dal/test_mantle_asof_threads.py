"""as_of from several threads at once: each reads its own time, the environment never changes.

A backtest reads as of many times, possibly from threads. The as-of build must be handed its
data home and lake (not swap ``TECTON_HOME`` under the other threads' feet), and two threads
asking for the same time must not build its warehouse twice.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from tecton.dal import Mantle
from tecton.dal import warehouse as wh
from tecton.data.synthetic import generate
from tests.support.lake import ingest_now

pytestmark = pytest.mark.slow
ROUNDS = 4
WINDOW = ("2019-10-01", "2020-06-30")


def _read(as_of=None) -> pd.DataFrame:
    return Mantle.select(
        "futures.cont", *WINDOW, columns=["price", "price_adj"], markets=["CRUDE"], as_of=as_of
    )


def _revise(raw, contract_id: str) -> None:
    """A vendor revises one contract: every price 1% higher."""
    path = raw / f"{contract_id}.csv"
    bars = pd.read_csv(path)
    for column in ("open", "high", "low", "close"):
        bars[column] = (bars[column] * 1.01).round(4)
    bars.to_csv(path, index=False)


@pytest.fixture
def revised_lake(tmp_path):
    """A lake with a revision between two times: ``(t1, t2, before, held contract)``."""
    raw = tmp_path / "raw"
    generate(raw, ["CRUDE", "GOLD"], dt.date(2019, 7, 1), dt.date(2020, 6, 30))
    assert ingest_now(raw).ok
    assert wh.build().ok
    before = _read()
    time.sleep(0.05)
    t1 = pd.Timestamp.now(tz="UTC")
    time.sleep(0.05)
    held = before.loc[before.trade_date == "2020-01-15", "contract_id"].item()
    _revise(raw, held)
    assert [o.source_file for o in ingest_now(raw).landed] == [f"vendor-csv/{held}.csv"]
    time.sleep(0.05)
    t2 = pd.Timestamp.now(tz="UTC")
    yield t1, t2, before, held
    Mantle.close()


def test_threads_reading_as_of_different_times_each_get_their_own(revised_lake, monkeypatch):
    t1, t2, before, held = revised_lake
    environ = dict(os.environ)
    builds = []
    real_build = wh.build

    def counted_build(*args, **kwargs):
        builds.append(kwargs.get("lake_as_of"))
        return real_build(*args, **kwargs)

    monkeypatch.setattr(wh, "build", counted_build)
    start = threading.Barrier(4)

    def as_of_t1() -> int:
        start.wait()
        for _ in range(ROUNDS):
            pd.testing.assert_frame_equal(_read(t1), before)
        return ROUNDS

    def as_of_t2() -> int:
        start.wait()
        for _ in range(ROUNDS):
            then = _read(t2)
            revised = then.contract_id == held
            assert revised.sum() > 10
            # the revised contract 1% higher (the file rounds to 4 places), other contracts'
            # prices untouched (their back-adjusted prices move with the new roll gaps)
            assert (then.price[revised] - before.price[revised] * 1.01).abs().max() < 0.001
            raw = ["trade_date", "contract_id", "price"]
            pd.testing.assert_frame_equal(then[~revised][raw], before[~revised][raw])
            assert not then.price_adj.equals(before.price_adj)
        return ROUNDS

    def latest() -> int:
        # the current warehouse (not rebuilt since the revision) while as-of builds run: a
        # build that moved TECTON_HOME would send this read to a half-built warehouse
        start.wait()
        reads = 0
        while len(builds) < 2 or reads < ROUNDS:
            pd.testing.assert_frame_equal(_read(), before)
            reads += 1
        return reads

    with ThreadPoolExecutor(4) as pool:
        # two threads as of t1: the first builds its warehouse, the other waits and reads it
        jobs = [pool.submit(f) for f in (as_of_t1, as_of_t1, as_of_t2, latest)]
        done = [job.result(timeout=600) for job in jobs]

    assert done[:3] == [ROUNDS] * 3 and done[3] >= ROUNDS
    assert sorted(builds) == sorted([t1.isoformat(), t2.isoformat()])  # one build per time
    folders = sorted(p.name for p in (wh.home() / "asof").iterdir())
    assert len(folders) == 2 and not [f for f in folders if "partial" in f], folders
    assert dict(os.environ) == environ
