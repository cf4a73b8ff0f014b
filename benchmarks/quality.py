"""Partition checks: time over the default universe and a one-day increment; recall on defects.

    uv run python -m benchmarks.quality            # timing (default universe, 2000-2024)
    uv run python -m benchmarks.quality --recall   # recall / false positives (seeded defects)

Timing: the gated ``commit`` (statistics + one GX checkpoint run with Data Docs + promotion +
quarantine + quality log) against the plain ``commit`` on the same staged files. The one-day
increment regenerates the universe one trading day longer and ingests the revised files.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def _ingest(source: Path, root: Path, gate, fmt: str = "vendor-csv"):
    from tecton.lake import Lake, commit, plan, stage

    lake = Lake(str(root))
    p = plan(source, fmt, lake)
    staged = [stage(b, fmt, lake) for b in p.batches(500)]
    t = time.perf_counter()
    report = commit(p, staged, lake, gate=gate)
    return report, time.perf_counter() - t


def timing(tmp: Path) -> None:
    from tecton.data.synthetic import generate
    from tecton.quality import QUALITY_GATE as check

    generate(tmp / "raw", end=dt.date(2024, 12, 30))
    _, plain = _ingest(tmp / "raw", tmp / "plain", None)
    report, gated = _ingest(tmp / "raw", tmp / "gated", check)
    n = len(report.quality.partitions)
    print(
        f"full universe: {report.rows:,} bars, {n} partitions: plain commit {plain:.1f} s, checked commit {gated:.1f} s (checks {gated - plain:.1f} s)"
    )
    generate(tmp / "raw", end=dt.date(2024, 12, 31))  # one more trading day: live contracts revised
    report, inc = _ingest(tmp / "raw", tmp / "gated", check)
    m = len(report.quality.partitions)
    print(
        f"one-day increment: {len(report.landed)} revised files, {m} partitions checked in {inc:.2f} s ({inc / max(m, 1):.2f} s per partition); {report.quality.summary()}"
    )


def recall(tmp: Path, seed: int = 7, defects: int = 200) -> None:
    from tecton.data.synthetic import generate
    from tecton.quality import QUALITY_GATE as check

    generate(tmp / "bad", seed=seed, defects=defects)
    report, seconds = _ingest(tmp / "bad", tmp / "badlake", check)
    v = report.quality
    failed = {(r["partition"], r["rule"]) for r in v.log_rows if r["status"] == "fail"}
    rejected = {r["source_file"].split("/", 1)[1]: r["rule"] for r in v.rejected}
    truth = pd.read_csv(tmp / "bad" / "_defects.csv", parse_dates=["first_date", "last_date"])
    rule = {"spike": "spike", "gap": "gap", "stale": "stale", "bad_ohlc": "ohlc_order"}

    def found(d) -> bool:
        if d.kind == "duplicate":
            return rejected.get(d.file) == "ingest:unique_key"
        if d.file in rejected:  # the file carried a duplicate too: all of it was held back
            return True
        years = range(d.first_date.year, d.last_date.year + 2)
        return any((f"{d.market_id}/{y}", rule[d.kind]) in failed for y in years)

    truth["found"] = [found(d) for d in truth.itertuples()]
    print(f"seed {seed}: {len(truth)} injected defects, checked in {seconds:.1f} s")
    print(
        truth.groupby("kind")["found"]
        .agg(["count", "sum", "mean"])
        .rename(columns={"sum": "found", "mean": "recall"})
    )
    expected = {
        f"{d.market_id}/{y}"
        for d in truth.itertuples()
        for y in range(d.first_date.year, d.last_date.year + 2)
    }
    stray = [p for p in v.failures if p.partition not in expected]
    print(
        f"quarantined partitions with no injected defect: {len(stray)} {[p.partition for p in stray][:10]}"
    )
    generate(tmp / "clean", seed=seed)
    report, _ = _ingest(tmp / "clean", tmp / "cleanlake", check)
    print(
        f"clean (seed {seed}): {len(report.quality.partitions)} partitions, false positives: {len(report.quality.failures)}"
    )
    peer = Path(__file__).resolve().parents[2] / "shared" / "data" / "pysystemtrade"
    if peer.is_dir():
        report, _ = _ingest(peer, tmp / "peerlake", check, "pysystemtrade")
        print(
            f"pysystemtrade: {report.rows:,} rows, {len(report.quality.partitions)} partitions, false positives: {len(report.quality.failures)} {report.quality.summary()[:300]}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TECTON_HOME"] = str(Path(tmp) / "home")
        (recall if "--recall" in sys.argv else timing)(Path(tmp))


if __name__ == "__main__":
    main()
