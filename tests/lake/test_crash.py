"""Crash safety: SIGKILL the ingest at random points, rerun, and compare with a clean run.

A reader polls the table the whole time and must only ever see whole files (every source file
it sees has all its rows, none twice). Files orphaned by killed writes are vacuumed without
touching any committed version.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from tecton.dal.storage import Storage
from tecton.lake import Lake
from tests.support.lake import ingest_now, sorted_rows
from tests.support.vendor import bars, write_contract

REPO = Path(__file__).resolve().parents[2]
WORKER = """
import sys
from pathlib import Path
from tecton.dal.storage import Storage
from tecton.lake import Lake
from tests.support.lake import ingest_now
lake = Lake(Storage(sys.argv[2]))
print("ready", flush=True)
sys.stdin.readline()
for wave in sorted(Path(sys.argv[1]).iterdir()):  # one commit per wave: many commits to land in
    ingest_now(wave, lake=lake, batch=25)
print("done", flush=True)
"""


def _source(folder: Path) -> dict[str, int]:
    """Ten waves of files (one folder per delivery year), landed one after another."""
    counts = {}
    for market, months, price in (
        ("CRUDE", range(1, 13), 60.0),
        ("GOLD", (2, 4, 6, 8, 10, 12), 1500.0),
    ):
        for year in range(2010, 2020):
            for month in months:
                rows = bars(dt.date(year - 1, month, 1), 120, price=price)
                path = write_contract(folder / f"wave_{year}", f"{market}_{year}{month:02d}", rows)
                counts[f"vendor-csv/{path.name}"] = len(rows)
    return counts


class Watcher(threading.Thread):
    """Reads the latest table version over and over; records anything that is not whole files."""

    def __init__(self, uri: str, expected: dict[str, int]):
        super().__init__(daemon=True)
        self.uri, self.expected, self.stop, self.problems, self.reads = (
            uri,
            expected,
            threading.Event(),
            [],
            0,
        )

    def run(self):
        while not self.stop.is_set():
            try:
                table = DeltaTable(self.uri).to_pyarrow_table(columns=["source_file"])
            except Exception:  # not created yet
                time.sleep(0.02)
                continue
            self.reads += 1
            counts = table.group_by("source_file").aggregate([([], "count_all")]).to_pylist()
            for row in counts:
                if row["count_all"] != self.expected.get(row["source_file"]):
                    self.problems.append(row)


def _worker(source: Path, lake: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(source), lake],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _timed_run(source: Path, lake: str) -> float:
    """How long the worker takes from 'go' to 'done' (imports excluded)."""
    proc = _worker(source, lake)
    start = time.perf_counter()
    proc.stdin.write("go\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "done"
    proc.wait(30)
    return time.perf_counter() - start


@pytest.mark.slow
def test_killed_ingest_reruns_to_the_clean_result(tmp_path):
    source = tmp_path / "drop"
    expected = _source(source)

    reference = Lake(Storage(str(tmp_path / "reference")))
    for wave in sorted(source.iterdir()):
        ingest_now(wave, lake=reference, batch=25)
    duration = _timed_run(source, str(tmp_path / "timing"))

    lake_root = str(tmp_path / "lake")
    watcher = Watcher(f"{lake_root}/tables/bars", expected)
    watcher.start()
    rng, kills, attempts = random.Random(7), 0, 0
    while kills < 6 and attempts < 30:
        attempts += 1
        proc = _worker(source, lake_root)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        time.sleep(rng.uniform(0.0, duration))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(30)
    proc = _worker(source, lake_root)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "done"
    proc.wait(30)
    watcher.stop.set()
    watcher.join(10)

    assert kills >= 5, f"only {kills} of {attempts} runs were killed before finishing"
    assert watcher.reads > 0 and watcher.problems == [], watcher.problems[:5]
    lake = Lake(Storage(lake_root))
    final = sorted_rows(lake.read("bars"))
    assert final.equals(sorted_rows(reference.read("bars")))
    assert set(pc.unique(final["source_file"]).to_pylist()) == set(expected)

    # a killed write leaves data files no commit names; plant one more to be sure there is one
    table_dir = Path(lake_root) / "tables" / "bars"
    orphan = table_dir / "market_id=CRUDE" / "year=2015" / "part-killed-writer.parquet"
    orphan.write_bytes((next(table_dir.rglob("*.parquet"))).read_bytes())
    (Path(lake_root) / "raw" / "vendor-csv" / "0000-killed.csv.partial").write_text("half a file")
    versions = lake.table("bars").version()
    assert versions >= 9  # the waves committed, and kills fell between commits
    referenced = {
        Path(uri).relative_to(table_dir).as_posix()
        for v in range(versions + 1)
        for uri in DeltaTable(str(table_dir), version=v).file_uris()
    }
    on_disk = {p.relative_to(table_dir).as_posix() for p in table_dir.rglob("*.parquet")}
    assert on_disk - referenced  # at least the planted orphan

    removed = lake.remove_orphans(min_age=dt.timedelta(0))
    assert any("part-killed-writer" in r for r in removed) and any(
        r.endswith(".partial") for r in removed
    )
    on_disk_after = {p.relative_to(table_dir).as_posix() for p in table_dir.rglob("*.parquet")}
    assert on_disk_after == referenced  # every file of every version kept, only orphans gone
    for v in range(versions + 1):
        DeltaTable(str(table_dir), version=v).to_pyarrow_table()  # time travel still works
    assert sorted_rows(lake.read("bars")).equals(final)
