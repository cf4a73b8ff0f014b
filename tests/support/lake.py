"""Run the ingest steps directly (the same functions the Prefect flow's tasks call)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from tecton.lake import IngestReport, Lake, commit, plan, stage


def ingest_now(
    source: Path,
    fmt: str = "vendor-csv",
    lake: Lake | None = None,
    batch: int = 50,
    checked: bool = False,
) -> IngestReport:
    """``checked``: through the quality gate, as the ``ingest`` flow lands files (backtests refuse
    partitions that were never checked)."""
    from tecton.quality import QUALITY_GATE

    lake = lake or Lake()
    p = plan(source, fmt, lake)
    staged = [stage(b, fmt, lake) for b in p.batches(batch)]
    return commit(p, staged, lake, gate=QUALITY_GATE if checked else None)


def sorted_rows(table: pa.Table, keys=("source_file", "contract_id", "observed_at")) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in keys])
