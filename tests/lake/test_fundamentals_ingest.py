"""Landing fundamentals: from a vendor folder or as their own format, idempotent, revisions as
versions, and bad files set aside with one line while nothing stored changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pytest

from tecton.data.synthetic import generate
from tecton.lake import Lake
from tests.data.test_fundamentals_reader import BAD, GOOD, write
from tests.support.cli import tecton
from tests.support.lake import ingest_now

KEY = ["market_id", "series", "release_date"]


def table(lake: Lake, version: int | None = None) -> pd.DataFrame:
    df = lake.read("fundamentals", version=version).to_pandas()
    df["release_date"] = pd.to_datetime(df["release_date"])
    return df.sort_values(KEY).reset_index(drop=True)


def files_of(folder: Path, prefix: str = "vendor-csv/fundamentals") -> pd.DataFrame:
    frames = []
    for path in sorted(folder.glob("*.csv")):
        f = pd.read_csv(path, parse_dates=["release_date"])
        f["market_id"], f["source_file"] = path.stem, f"{prefix}/{path.name}"
        frames.append(f)
    return pd.concat(frames).sort_values(KEY).reset_index(drop=True)


@pytest.fixture
def vendor(tmp_path) -> Path:
    out = tmp_path / "vendor"
    generate(out, ["CRUDE", "SP500"], dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    return out


def test_a_vendor_folder_lands_its_fundamentals_beside_the_bars(vendor, tecton_home):
    report = ingest_now(vendor)
    assert report.ok and set(report.versions) == {"bars", "contracts", "fundamentals"}
    got, want = table(Lake()), files_of(vendor / "fundamentals")
    assert len(got) == len(want) > 100
    for col in ("market_id", "series", "release_date", "value", "source_file"):
        assert got[col].tolist() == want[col].tolist(), col
    assert (pd.to_datetime(got.period_end) == pd.to_datetime(want.period_end)).all()
    parts = {p.name for p in (tecton_home / "lake" / "tables" / "fundamentals").glob("market_id=*")}
    assert parts == {"market_id=CRUDE", "market_id=SP500"}
    landed = {o.source_file: o.partitions for o in report.landed if o.table_name == "fundamentals"}
    assert landed == {
        "vendor-csv/fundamentals/CRUDE.csv": ("CRUDE",),
        "vendor-csv/fundamentals/SP500.csv": ("SP500",),
    }


def test_reingesting_is_a_noop(vendor):
    first = ingest_now(vendor)
    again = ingest_now(vendor)
    assert again.landed == [] and again.versions == {}
    assert Lake().table("fundamentals").version() == first.versions["fundamentals"]


def test_one_more_day_revises_only_the_files_it_touches(tmp_path):
    day = dt.date(2020, 6, 10)  # a Wednesday: CRUDE's inventory comes out, SP500 has no release
    before, after = tmp_path / "before", tmp_path / "after"
    generate(before, ["CRUDE", "SP500"], dt.date(2020, 1, 1), day - dt.timedelta(days=1))
    generate(after, ["CRUDE", "SP500"], dt.date(2020, 1, 1), day)
    first = ingest_now(before)
    lake = Lake()
    old = table(lake)
    (after / "fundamentals" / "SP500.csv").rename(
        before / "fundamentals" / "SP500.csv"
    )  # unchanged
    (before / "fundamentals" / "CRUDE.csv").write_bytes(
        (after / "fundamentals" / "CRUDE.csv").read_bytes()
    )
    second = ingest_now(before / "fundamentals")
    assert [o.source_file for o in second.landed] == ["vendor-csv/fundamentals/CRUDE.csv"]
    assert second.unchanged == ["vendor-csv/fundamentals/SP500.csv"]
    assert second.versions == {"fundamentals": first.versions["fundamentals"] + 1}
    new = table(lake)
    added = new.merge(old, how="left", on=[*KEY, "value"], indicator=True)
    added = added[added._merge == "left_only"]
    assert added[KEY].values.tolist() == [["CRUDE", "inventory", pd.Timestamp(day)]]
    assert len(new) == len(old) + 1
    pd.testing.assert_frame_equal(table(lake, first.versions["fundamentals"]), old)  # time travel


def test_own_format_sets_bad_files_aside_and_lands_the_rest(tmp_path, tecton_home):
    folder = write(tmp_path / "drop", {**GOOD, **BAD})
    report = ingest_now(folder, fmt="fundamentals-csv")
    got = {o.source_file.removeprefix("fundamentals-csv/"): o.error for o in report.rejected}
    assert {name: (e.rule, e.line) for name, e in got.items()} == {
        n: (r, ln) for n, (_, r, ln) in BAD.items()
    }
    assert all("\n" not in str(e) and str(e).startswith(name) for name, e in got.items())
    assert sorted(o.source_file for o in report.landed) == [
        "fundamentals-csv/CRUDE.csv",
        "fundamentals-csv/cot.csv",
    ]
    lake = Lake()
    assert len(table(lake)) == 6
    log = lake.read("ingest_log").to_pandas().set_index("source_file")
    for name, (_, rule, _) in BAD.items():
        row = log.loc[f"fundamentals-csv/{name}"]
        assert row.status == "rejected" and row.rule == rule and row.table_name == "fundamentals"
        assert (tecton_home / "lake" / row.archived_as).read_bytes() == (folder / name).read_bytes()


def test_a_bad_revision_changes_nothing_stored(tmp_path):
    folder = write(tmp_path / "drop", {"CRUDE.csv": GOOD["CRUDE.csv"]})
    ingest_now(folder, fmt="fundamentals-csv")
    lake = Lake()
    before, version = table(lake), lake.table("fundamentals").version()
    # a revision that repeats a release: the file is set aside, its landed rows stay
    (folder / "CRUDE.csv").write_text(GOOD["CRUDE.csv"] + "2020-01-15,2020-01-10,inventory,9\n")
    report = ingest_now(folder, fmt="fundamentals-csv")
    assert [(o.error.rule, o.error.line) for o in report.rejected] == [("unique_key", 5)]
    assert lake.table("fundamentals").version() == version
    pd.testing.assert_frame_equal(table(lake), before)


def test_rows_keep_their_file(tmp_path):
    """Two files, one market each: revising one rewrites only its own rows."""
    folder = write(tmp_path / "drop", GOOD)
    ingest_now(folder, fmt="fundamentals-csv")
    (folder / "CRUDE.csv").write_text(GOOD["CRUDE.csv"].replace("428.7", "428.9"))
    ingest_now(folder, fmt="fundamentals-csv")
    t = Lake().read("fundamentals")
    crude = t.filter(pc.equal(t["market_id"], "CRUDE"))
    assert sorted(crude["value"].to_pylist()) == [12.84, 428.9, 431.1]
    assert t.num_rows == 6


@pytest.mark.slow
def test_cli_ingests_the_format_with_one_line_per_bad_file(tmp_path, tecton_home):
    folder = write(tmp_path / "drop", {**GOOD, **BAD})
    run = tecton(
        "ingest", str(folder), "--format", "fundamentals-csv", home=tecton_home, timeout=300
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith("set aside")]
    assert len(lines) == len(BAD), run.stderr
    for name, (_, rule, line) in BAD.items():
        where = f"{name}:{line}:" if line else f"{name}:"
        assert sum(f" {where} [{rule}]" in ln for ln in lines) == 1, (name, run.stderr)
    assert "fundamentals v0" in run.stdout
