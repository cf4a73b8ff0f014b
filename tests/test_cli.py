"""The `tecton` command as a user runs it: a real subprocess, its flows on a real Prefect server."""

from __future__ import annotations

import pytest

from tests.support.cli import tecton


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
