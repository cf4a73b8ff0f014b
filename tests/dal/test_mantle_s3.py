"""Mantle over a lake on S3 (a moto server on loopback): ingest, dbt build, select.

The same vendor files ingested into an ``s3://`` lake and into a local lake give the same marts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tecton.dal import Mantle
from tecton.dal import warehouse as wh
from tecton.data.synthetic import generate
from tecton.lake import Lake
from tests.support.lake import ingest_now
from tests.support.s3 import moto_server, use_s3_lake

pytestmark = pytest.mark.slow
MARKETS = ["CRUDE", "GOLD"]


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    generate(out, MARKETS, dt.date(2019, 7, 1), dt.date(2020, 6, 30))
    return out


def ingest_build_read(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ingest ``raw`` into the configured lake, build the marts, read cont and returns."""
    assert ingest_now(raw).ok
    report = wh.build()
    assert report.ok, report.failures
    try:
        cont = Mantle.select(Mantle.Tables.futures.cont, "2019-09-01", "2020-06-30")
        returns = Mantle.select("futures.returns", "2019-09-01", "2020-06-30", markets=MARKETS)
        assert Mantle.markets() == MARKETS
    finally:
        Mantle.close()
    return cont, returns


def test_mantle_reads_marts_built_from_an_s3_lake(
    endpoint, raw, tecton_home, tmp_path, monkeypatch
):
    # the same files in a local lake, in a data home of its own
    monkeypatch.setenv("TECTON_HOME", str(tmp_path / "local-home"))
    local_cont, local_returns = ingest_build_read(raw)
    assert (tmp_path / "local-home" / "lake" / "tables" / "bars").is_dir()

    monkeypatch.setenv("TECTON_HOME", str(tecton_home))
    uri = use_s3_lake(monkeypatch, endpoint, "mantle-plain")
    assert Lake().storage.root == uri
    cont, returns = ingest_build_read(raw)

    assert set(cont.market_id) == set(MARKETS) and len(cont) > 300
    assert cont.price.notna().all()
    pd.testing.assert_frame_equal(cont, local_cont)
    pd.testing.assert_frame_equal(returns, local_returns)
    assert not (tecton_home / "lake").exists()  # nothing read from, or written to, a local lake
