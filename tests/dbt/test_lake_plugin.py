"""The dbt-duckdb `lake` plugin reads lake tables by name and honours version / time pins."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt.adapters.duckdb.utils import SourceConfig

from tecton.dal.lake_plugin import Plugin
from tecton.data.synthetic import generate
from tecton.lake import Lake
from tests.support.lake import ingest_now

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def source(table: str, **meta) -> SourceConfig:
    return SourceConfig(
        name=table,
        identifier=table,
        schema="main",
        database=None,
        meta={"table": table, **meta},
        tags=[],
    )


@pytest.fixture
def two_versions(tmp_path) -> tuple[int, int, dt.datetime]:
    """bars v0 without the last day, v1 with it; returns both row counts and a time between."""
    files = tmp_path / "files"
    generate(files, ["SP500"], dt.date(2019, 1, 1), dt.date(2019, 6, 30))
    path = sorted(files.glob("SP500_*.csv"))[0]
    bars = pd.read_csv(path, dtype=str)
    full = bars.copy()
    bars.iloc[:-1].to_csv(path, index=False)
    ingest_now(files)
    v0_rows = Lake().table("bars").to_pyarrow_dataset().count_rows()
    time.sleep(0.05)
    between = dt.datetime.now(dt.UTC)
    time.sleep(0.05)
    full.to_csv(path, index=False)
    ingest_now(files)
    assert Lake().table("bars").version() == 1
    return v0_rows, Lake().table("bars").to_pyarrow_dataset().count_rows(), between


def count(loaded) -> int:
    return duckdb.connect().sql("select count(*) from loaded").fetchone()[0]


def test_latest_version_zero_and_as_of(two_versions):
    v0_rows, v1_rows, between = two_versions
    assert v1_rows == v0_rows + 1
    plugin = Plugin(name="lake", plugin_config={})
    assert count(plugin.load(source("bars"))) == v1_rows
    assert count(plugin.load(source("bars", lake_version="", lake_as_of=""))) == v1_rows
    assert (
        count(plugin.load(source("bars", lake_version="0"))) == v0_rows
    )  # the stock delta plugin reads latest here
    assert count(plugin.load(source("bars", lake_version=1))) == v1_rows
    assert count(plugin.load(source("bars", lake_as_of=between.isoformat()))) == v0_rows
    with pytest.raises(ValueError):
        plugin.load(source("bars", lake_version="0", lake_as_of=between.isoformat()))


def test_a_table_missing_from_the_lake_reads_empty(two_versions):
    assert count(Plugin(name="lake", plugin_config={}).load(source("roll_calendars"))) == 0


def test_dbt_run_pinned_to_version_zero(two_versions, tecton_home):
    v0_rows, _, _ = two_versions
    dbt = Path(sys.executable).with_name("dbt")
    run = subprocess.run(
        [str(dbt), "run", "--select", "stg_lake__bars", "--vars", "{lake_version: 0}"],
        cwd=DBT_PROJECT,
        env={**os.environ, "TECTON_HOME": str(tecton_home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    with duckdb.connect(str(tecton_home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from stg_lake__bars").fetchone()[0] == v0_rows
