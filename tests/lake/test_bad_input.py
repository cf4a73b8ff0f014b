"""The malformed-file corpus: each file is set aside with one line naming file, line and rule;
the rest of the batch lands and nothing already stored changes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pytest

from tecton.lake import Lake
from tests.support.cli import tecton
from tests.support.lake import ingest_now, sorted_rows
from tests.support.vendor import bars, write_contract

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_input" / "vendor-csv"

# file -> (rule, line): line None where the fault is the file as a whole
EXPECTED = {
    "CRUDE_201001.csv": ("columns", 1),  # missing column
    "CRUDE_201002.csv": ("number", 3),  # wrong type
    "CRUDE_201003.csv": ("date", 2),  # unparseable date
    "CRUDE_201004.csv": ("not_empty", None),  # empty file
    "CRUDE_201005.csv": ("field_count", 4),  # truncated last line
    "CRUDE_201006.csv": ("unique_key", 3),  # duplicate dates
    "FOO_201003.csv": ("known_market", None),  # unknown market
    "SP500_201001.csv": ("listing_cycle", None),  # month not in HMUZ
    "CRUDE_201007.csv": ("utf8", 3),  # non-UTF-8 bytes
    "CRUDE_201008.csv": ("not_empty", None),  # header only
    "CRUDE_201009.csv": ("columns", 1),  # extra column
    "CRUDE_201010.csv": ("high_ge_low", 2),  # high < low
    "CRUDE_2010.csv": ("file_name", None),  # name without a month
    "CRUDE_201011.csv": ("not_empty", None),  # blank lines only
    "CRUDE_201012.csv": ("field_count", 3),  # a row with too many fields
    "CRUDE_201101.csv": ("date", 2),  # 30 February
    "CRUDE_201102.csv": ("columns", 1),  # repeated column
    "CRUDE_201103.csv": ("not_null", 3),  # missing date
    "CRUDE_201104.csv": ("columns", 1),  # semicolon-delimited
    "CRUDE_201105.csv": ("utf8", 1),  # gzip bytes under a .csv name
    "CRUDE_201106.csv": ("number", 3),  # garbage number
    "CRUDE_201107.csv": ("number", 3),  # '-' for a volume
    "CRUDE_201108.csv": ("finite", 4),  # close is the literal nan
    "CRUDE_201109.csv": ("finite", 3),  # an inf high (passes high >= low)
    "CRUDE_201110.csv": ("non_negative", 4),  # negative volume
    "contracts.csv": ("known_market", 3),  # contracts file naming an unknown market
}


@pytest.fixture
def batch(tmp_path):
    """The corpus plus two good files, in one drop folder."""
    folder = tmp_path / "drop"
    shutil.copytree(CORPUS, folder)
    write_contract(folder, "CRUDE_202005", bars(dt.date(2020, 1, 6), 20))
    write_contract(folder, "GOLD_202006", bars(dt.date(2020, 1, 6), 20, price=1500))
    return folder


def test_corpus_is_complete():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 15


def test_each_bad_file_is_set_aside_with_its_rule_and_line(batch):
    report = ingest_now(batch)
    got = {o.source_file.removeprefix("vendor-csv/"): o.error for o in report.rejected}
    assert set(got) == set(EXPECTED)
    for name, (rule, line) in EXPECTED.items():
        error = got[name]
        assert (error.rule, error.line) == (rule, line), f"{name}: {error}"
        text = str(error)
        assert "\n" not in text and text.startswith(name)
        assert f"[{rule}]" in text and (line is None or f"{name}:{line}:" in text)
    assert sorted(o.source_file for o in report.landed) == [
        "vendor-csv/CRUDE_202005.csv",
        "vendor-csv/GOLD_202006.csv",
    ]


def test_bad_files_are_kept_and_logged(batch, tecton_home):
    ingest_now(batch)
    log = Lake().read("ingest_log").to_pandas().set_index("source_file")
    for name, (rule, _) in EXPECTED.items():
        row = log.loc[f"vendor-csv/{name}"]
        assert row.status == "rejected" and row.rule == rule
        assert (tecton_home / "lake" / row.archived_as).read_bytes() == (batch / name).read_bytes()
        assert (batch / name).exists()  # the source file is never moved or deleted


def test_nothing_stored_changes(batch, tmp_path):
    good = tmp_path / "good"
    write_contract(good, "CRUDE_201001", bars(dt.date(2009, 1, 5), 200))  # same name as a bad file
    ingest_now(good)
    lake = Lake()
    before = sorted_rows(lake.read("bars"))

    report = ingest_now(batch)  # CRUDE_201001.csv is now a bad revision of a landed file
    assert "vendor-csv/CRUDE_201001.csv" in {o.source_file for o in report.rejected}
    after = lake.read("bars")
    kept = after.filter(pc.equal(after["source_file"], "vendor-csv/CRUDE_201001.csv"))
    assert sorted_rows(kept).equals(before)
    assert after.num_rows == before.num_rows + 40  # plus the two good files of the batch


def test_cli_prints_one_line_per_bad_file_and_lands_the_good_ones(batch, tecton_home):
    run = tecton("ingest", str(batch), home=tecton_home, timeout=300)
    assert run.returncode == 1, run.stderr
    # no traceback, and no numpy RuntimeWarning from the checks on nan / inf / negative values
    assert "Traceback" not in run.stderr + run.stdout
    assert "Warning" not in run.stderr + run.stdout, run.stderr
    landed = Lake().read("bars")
    good = ["vendor-csv/CRUDE_202005.csv", "vendor-csv/GOLD_202006.csv"]
    assert sorted(set(landed["source_file"].to_pylist())) == good
    assert landed.num_rows == 40 and pc.all(pc.is_finite(landed["close"])).as_py()
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith("set aside")]
    assert len(lines) == len(EXPECTED), run.stderr
    for name, (rule, line) in EXPECTED.items():
        where = f"{name}:{line}:" if line else f"{name}:"
        assert sum(f" {where} [{rule}]" in ln for ln in lines) == 1, (name, run.stderr)
