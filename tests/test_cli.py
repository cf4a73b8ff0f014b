"""The `tecton` command as a user runs it: a real subprocess, real Prefect in-process."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow.compute as pc
import pytest

from tecton.dal.storage import Storage
from tecton.lake import Lake


def tecton(*args: str, home) -> subprocess.CompletedProcess:
    env = {**os.environ, "TECTON_HOME": str(home), "COLUMNS": "200"}
    env.pop("PREFECT_LOGGING_LEVEL", None)  # as a user would have it
    return subprocess.run(
        [sys.executable, "-m", "tecton.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.mark.slow
def test_demo_lands_the_synthetic_market_and_a_second_run_is_a_noop(tecton_home):
    args = ("demo", "--markets", "CRUDE,SP500", "--start", "2019-01-01", "--end", "2020-12-31")
    first = tecton(*args, home=tecton_home)
    assert first.returncode == 0, first.stderr[-3000:]
    out = first.stdout + first.stderr
    for noise in ("Traceback", "Error flushing", "ERROR", "CancelledError"):
        assert noise not in out, out[-3000:]
    assert "bars by market" in first.stdout and "CRUDE" in first.stdout and "SP500" in first.stdout
    lake = Lake(Storage(str(tecton_home / "lake")))
    bars = lake.read("bars")
    assert set(pc.unique(bars["market_id"]).to_pylist()) == {"CRUDE", "SP500"}
    assert min(bars["close"].to_pylist()) < 0  # the April-2020 negative crude print landed intact
    version = lake.table("bars").version()

    again = tecton(*args, home=tecton_home)
    assert again.returncode == 0, again.stderr[-3000:]
    assert lake.table("bars").version() == version  # deterministic files, nothing new to land


def test_generate_writes_vendor_files(tmp_path, tecton_home):
    run = tecton(
        "generate",
        "--out",
        str(tmp_path / "raw"),
        "--markets",
        "GOLD",
        "--start",
        "2020-01-01",
        "--end",
        "2020-06-30",
        home=tecton_home,
    )
    assert run.returncode == 0, run.stderr
    files = sorted(p.name for p in (tmp_path / "raw").glob("GOLD_*.csv"))
    assert files and all(f[5:11].isdigit() for f in files)
    assert (tmp_path / "raw" / "contracts.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("generate", "--out", "x", "--markets", "NOPE"), "unknown market(s) NOPE"),
        (("generate", "--out", "x", "--start", "2020-13-01"), "is not a date"),
        (("ingest", "/no/such/folder"), "does not exist"),
        (("ingest", ".", "--format", "bloomberg"), "unknown format 'bloomberg'"),
    ],
)
def test_user_errors_are_one_line_without_traceback(args, message, tecton_home):
    run = tecton(*args, home=tecton_home)
    assert run.returncode == 2
    assert message in run.stderr and "Traceback" not in run.stderr
    assert len([ln for ln in run.stderr.splitlines() if message in ln]) == 1


@pytest.mark.slow
def test_a_failing_build_is_named_without_a_traceback(tmp_path, tecton_home):
    import datetime as dt

    from tecton.data.synthetic import generate

    raw = tmp_path / "raw"
    generate(raw, ["CRUDE"], dt.date(2018, 1, 1), dt.date(2019, 12, 31))
    (raw / "CRUDE_201906.csv").unlink()  # still listed in contracts.csv: a hole in the chain
    assert tecton("ingest", str(raw), home=tecton_home).returncode == 0
    built = tecton("build", home=tecton_home)
    assert built.returncode == 2
    out = built.stdout + built.stderr
    assert "failed assert_chain_has_no_missing_contract" in built.stderr, out[-3000:]
    assert "Traceback" not in out and "Encountered exception" not in out, out[-3000:]
