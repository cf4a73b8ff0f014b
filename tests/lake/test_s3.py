"""The lake on S3: the same ingest against a real S3 API on loopback (moto server)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.compute as pc
import pytest
import s3fs

from tecton.dal.storage import Storage
from tecton.lake import Lake
from tecton.lake.archive import sha256
from tests.support.lake import ingest_now, sorted_rows
from tests.support.s3 import moto_server, s3_env
from tests.support.vendor import bars, write_contract


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


@pytest.fixture
def s3_lake(endpoint, monkeypatch, request) -> Lake:
    for key, value in s3_env(endpoint).items():
        monkeypatch.setenv(key, value)
    bucket = f"lake-{request.node.name.replace('_', '-')[:40]}"
    s3fs.S3FileSystem(client_kwargs={"endpoint_url": endpoint}, skip_instance_cache=True).mkdir(
        bucket
    )
    monkeypatch.setenv("TECTON_LAKE", f"s3://{bucket}/tecton")
    return Lake()


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "drop"
    write_contract(folder, "CRUDE_202005", bars(dt.date(2019, 12, 2), 60))
    write_contract(folder, "SP500_202003", bars(dt.date(2019, 6, 3), 150, price=2900, step=2))
    return folder


def test_ingest_lands_in_s3_and_reads_back(s3_lake, source):
    assert s3_lake.storage.is_s3 and s3_lake.storage.root.startswith("s3://")
    report = ingest_now(source, lake=s3_lake)
    assert report.ok and report.versions == {"bars": 0}
    got = s3_lake.read("bars").to_pandas()
    for path in source.glob("*.csv"):
        want = pd.read_csv(path)
        rows = got[got.contract_id == path.stem].sort_values("trade_date")
        assert rows.close.tolist() == want.close.tolist()
    fs = s3_lake.storage.fs
    parquet = fs.glob(s3_lake.storage.uri("tables", "bars", "**", "*.parquet"))
    assert {p.split("/tables/bars/")[1].rsplit("/", 1)[0] for p in parquet} == {
        "market_id=CRUDE/year=2019",
        "market_id=CRUDE/year=2020",
        "market_id=SP500/year=2019",
    }
    for outcome in report.landed:  # raw files archived in the bucket, byte for byte
        assert (
            fs.cat_file(s3_lake.storage.uri(outcome.archived_as))
            == (source / outcome.source_file.split("/")[-1]).read_bytes()
        )


def test_noop_revision_and_time_travel_on_s3(s3_lake, source):
    first = ingest_now(source, lake=s3_lake)
    assert ingest_now(source, lake=s3_lake).landed == []
    path = source / "CRUDE_202005.csv"
    path.write_text(path.read_text().replace(",50.0,", ",1234.5,", 1))
    revised = ingest_now(source, lake=s3_lake)
    assert [o.sha256 for o in revised.landed] == [sha256(path.read_bytes())]
    assert revised.versions["bars"] == first.versions["bars"] + 1
    now, before = s3_lake.read("bars"), s3_lake.read("bars", version=0)
    crude = lambda t: t.filter(pc.equal(t["contract_id"], "CRUDE_202005"))["close"].to_pylist()  # noqa: E731
    assert 1234.5 in crude(now) and 1234.5 not in crude(before)
    assert now.num_rows == before.num_rows


def test_orphans_are_removed_on_s3_without_touching_versions(s3_lake, source):
    ingest_now(source, lake=s3_lake)
    fs, storage = s3_lake.storage.fs, s3_lake.storage
    live = sorted(fs.glob(storage.uri("tables", "bars", "**", "*.parquet")))
    orphan = storage.uri("tables", "bars", "market_id=CRUDE", "year=2019", "part-killed.parquet")
    fs.pipe_file(orphan, fs.cat_file(live[0]))
    removed = s3_lake.remove_orphans(dt.timedelta(0))
    assert [r for r in removed if "part-killed" in r]
    assert sorted(fs.glob(storage.uri("tables", "bars", "**", "*.parquet"))) == live
    assert sorted_rows(s3_lake.read("bars")).num_rows == 210


def test_storage_uses_the_s3_endpoint_from_the_environment(s3_lake, endpoint):
    options = Storage.default().delta_options
    assert options["AWS_ENDPOINT_URL"] == endpoint and options["AWS_ALLOW_HTTP"] == "true"
    assert options["conditional_put"] == "etag"
