"""The ingest log: one row per raw file landed or rejected, itself a Delta table in the lake."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.schema import TableSpec

INGEST_LOG = TableSpec(
    "ingest_log",
    pa.schema(
        [
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("source_file", pa.string(), nullable=False),  # <format>/<name in the source>
            pa.field("sha256", pa.string(), nullable=False),
            pa.field("table_name", pa.string(), nullable=False),
            pa.field("status", pa.string(), nullable=False),  # ingested | rejected
            pa.field("rows", pa.int64()),
            pa.field("partitions", pa.list_(pa.string())),  # market_id/year touched
            pa.field("table_version", pa.int64()),
            pa.field("archived_as", pa.string(), nullable=False),
            pa.field("rule", pa.string()),
            pa.field("line", pa.int64()),
            pa.field("error", pa.string()),
            pa.field("ingested_at", pa.timestamp("us", tz="UTC"), nullable=False),
        ]
    ),
    key=("run_id", "source_file"),
    partition_by=(),
)


def latest_hashes(log: pa.Table | None) -> dict[str, str]:
    """For each source file, the hash of the version most recently ingested."""
    if log is None or log.num_rows == 0:
        return {}
    landed = log.filter(pc.equal(log["status"], "ingested")).sort_by("ingested_at")
    return dict(zip(landed["source_file"].to_pylist(), landed["sha256"].to_pylist(), strict=True))
