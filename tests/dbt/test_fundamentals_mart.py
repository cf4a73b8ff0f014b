"""futures_fundamentals_daily on a small synthetic universe, built by real dbt: each series on each
trading date as known that day (a pandas merge_asof is the reference), read through Mantle; and
the mart builds empty from a lake without fundamentals."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt.adapters.duckdb.utils import SourceConfig

from tecton.dal.lake_plugin import Plugin
from tecton.dal.mantle import Mantle
from tecton.dal.storage import Storage
from tecton.data.synthetic import generate
from tecton.lake import Lake
from tests.support.dbt import dbt_build
from tests.support.lake import ingest_now

pytestmark = pytest.mark.slow  # real dbt builds

MARKETS = ["CRUDE", "GOLD", "SP500"]
# the mart and what it stands on; tests that also need an unselected mart stay out
SELECT = ("--select", "+futures_fundamentals_daily", "--indirect-selection", "cautious")


def query(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetch_df()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("fundamentals")
    files, home = root / "vendor", root / "home"
    generate(files, MARKETS, dt.date(2019, 1, 1), dt.date(2020, 6, 30))
    ingest_now(files, lake=Lake(Storage(str(home / "lake"))))
    run = dbt_build(home, *SELECT)
    assert run.returncode == 0, run.stdout[-5000:]
    return {"files": files, "home": home, "warehouse": home / "warehouse.duckdb"}


def mart(warehouse: Path) -> pd.DataFrame:
    df = query(
        warehouse, "select * from futures_fundamentals_daily order by market_id, series, trade_date"
    )
    for col in ("trade_date", "release_date", "period_end"):
        df[col] = pd.to_datetime(df[col])
    return df


def reference(files: Path, warehouse: Path) -> pd.DataFrame:
    """The raw files placed on futures_cont's dates with pandas' merge_asof (backward)."""
    days = query(warehouse, "select market_id, trade_date from futures_cont")
    days["trade_date"] = pd.to_datetime(days["trade_date"])
    frames = []
    for path in sorted((files / "fundamentals").glob("*.csv")):
        raw = pd.read_csv(path, parse_dates=["release_date", "period_end"])
        for series, releases in raw.groupby("series"):
            on = days[days.market_id == path.stem].sort_values("trade_date")
            placed = pd.merge_asof(
                on,
                releases.sort_values("release_date"),
                left_on="trade_date",
                right_on="release_date",
            )
            frames.append(placed.dropna(subset=["value"]).assign(series=series))
    want = (
        pd.concat(frames).sort_values(["market_id", "series", "trade_date"]).reset_index(drop=True)
    )
    return want[["market_id", "trade_date", "series", "value", "release_date", "period_end"]]


def test_each_date_carries_the_last_release_on_or_before_it(built):
    got, want = mart(built["warehouse"]), reference(built["files"], built["warehouse"])
    assert len(got) > 1000 and set(got.market_id) == set(MARKETS)
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)
    assert (got.release_age_days == (got.trade_date - got.release_date).dt.days).all()


def test_no_value_shows_before_its_release(built):
    got = mart(built["warehouse"])
    assert (got.release_date <= got.trade_date).all()
    raw = pd.read_csv(built["files"] / "fundamentals" / "CRUDE.csv", parse_dates=["release_date"])
    inventory = got[(got.market_id == "CRUDE") & (got.series == "inventory")].set_index(
        "trade_date"
    )
    for release in raw[raw.series == "inventory"].itertuples():
        if release.release_date in inventory.index:
            # the day before shows the previous release; the day itself shows the new one
            before = inventory.loc[: release.release_date - pd.Timedelta(days=1)]
            assert before.empty or (before.release_date < release.release_date).all()
            assert inventory.loc[release.release_date, "value"] == release.value


def test_mantle_reads_the_mart(built, monkeypatch):
    monkeypatch.setenv("TECTON_HOME", str(built["home"]))
    Mantle.close()
    try:
        table = Mantle.Tables.futures.fundamentals
        assert table.relation == "futures_fundamentals_daily"
        df = Mantle.select(table, "2020-01-01", "2020-03-31", markets=["CRUDE", "SP500"])
        assert set(df.market_id) == {"CRUDE", "SP500"}
        assert df.trade_date.min() >= pd.Timestamp(
            "2020-01-01"
        ) and df.trade_date.max() <= pd.Timestamp("2020-03-31")
        assert set(df[df.market_id == "SP500"].series) == {"positioning"}
        wide = Mantle.select(
            table, "2020-01-01", "2020-03-31", columns=["value"], where={"series": "inventory"}
        )
        wide = wide.pivot(index="trade_date", columns="market_id", values="value")
        assert list(wide.columns) == ["CRUDE", "GOLD"] and wide.notna().all().all()
        want = mart(built["warehouse"])
        want = want[
            (want.series == "inventory") & want.trade_date.between("2020-01-01", "2020-03-31")
        ]
        assert (
            wide.stack().sort_index().tolist()
            == want.set_index(["trade_date", "market_id"]).value.sort_index().tolist()
        )
    finally:
        Mantle.close()


def test_a_lake_without_fundamentals_builds_an_empty_mart(built, tmp_path, monkeypatch):
    files, home = tmp_path / "vendor", tmp_path / "home"
    shutil.copytree(built["files"], files)
    shutil.rmtree(files / "fundamentals")
    ingest_now(files, lake=Lake(Storage(str(home / "lake"))))
    assert not Lake(Storage(str(home / "lake"))).exists("fundamentals")
    run = dbt_build(home, *SELECT)
    assert run.returncode == 0, run.stdout[-5000:]
    assert len(mart(home / "warehouse.duckdb")) == 0
    monkeypatch.setenv("TECTON_HOME", str(home))
    Mantle.close()
    try:
        assert Mantle.Tables.futures.fundamentals.relation == "futures_fundamentals_daily"
        assert Mantle.select("futures.fundamentals").empty
    finally:
        Mantle.close()


def source(**meta) -> SourceConfig:
    return SourceConfig(
        name="fundamentals", identifier="fundamentals", schema="main", database=None,
        meta={"table": "fundamentals", **meta}, tags=[],
    )  # fmt: skip


def rows(loaded) -> int:
    return duckdb.connect().sql("select count(*) from loaded").fetchone()[0]


def test_as_of_before_the_table_existed_reads_empty(built, tmp_path):
    """A lake whose fundamentals landed after `as_of`: they were not known then (not version 0)."""
    files = tmp_path / "vendor"
    shutil.copytree(built["files"], files)
    shutil.move(files / "fundamentals", tmp_path / "later")
    ingest_now(files)
    time.sleep(0.05)
    between = dt.datetime.now(dt.UTC)
    time.sleep(0.05)
    shutil.move(tmp_path / "later", files / "fundamentals")
    ingest_now(files)
    plugin = Plugin(name="lake", plugin_config={})
    assert rows(plugin.load(source(lake_as_of=between.isoformat()))) == 0
    assert (
        rows(plugin.load(source()))
        == Lake().table("fundamentals").to_pyarrow_dataset().count_rows()
        > 0
    )
    assert rows(plugin.load(source(lake_as_of=dt.datetime.now(dt.UTC).isoformat()))) > 0
