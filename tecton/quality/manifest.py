"""The quality manifest: the ``quality_log`` and ``bars_quarantine`` Delta tables beside ``bars``.

``quality_log`` has, per run, one row per partition and rule (``pass`` / ``fail``), one row per
partition with its outcome (rule ``partition``: ``promoted`` / ``quarantined``), one row per raw
file the ingest rejected (rule ``ingest:<rule>``, status ``rejected``) and one row per manual
release (rule ``manual_accept``, status ``accepted``, with who, why and the ``bars`` version).
``bars_quarantine`` holds the latest quarantined rows of each raw file, never read by the marts.
"""

from __future__ import annotations

import datetime as dt
import getpass
import uuid

import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.schema import BARS, TABLES, TableSpec
from tecton.lake.log import INGEST_LOG
from tecton.lake.tables import Lake, sql_list

QUALITY_LOG = TableSpec(
    "quality_log",
    pa.schema(
        [
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("partition", pa.string()),  # market_id/year
            pa.field("market_id", pa.string()),
            pa.field("year", pa.int32()),
            pa.field("source_file", pa.string()),  # for ingest rejections
            pa.field("rule", pa.string(), nullable=False),
            pa.field("status", pa.string(), nullable=False),
            pa.field("rows", pa.int64()),
            pa.field("failing", pa.int64()),
            pa.field("message", pa.string()),
            pa.field("sample", pa.string()),  # JSON list of failing rows
            pa.field("actor", pa.string()),
            pa.field("reason", pa.string()),
            pa.field("table_version", pa.int64()),  # bars version that promoted the rows
            pa.field("checked_at", pa.timestamp("us", tz="UTC"), nullable=False),
        ]
    ),
    key=("run_id", "partition", "rule"),
    partition_by=(),
)

BARS_QUARANTINE = TableSpec(
    "bars_quarantine",
    BARS.append(pa.field("run_id", pa.string(), nullable=False)),
    key=("market_id", "contract_id", "observed_at", "role"),
    partition_by=("market_id", "year"),
)


def parse_partition(text: str) -> tuple[str, int]:
    """``CRUDE/2020`` -> ``("CRUDE", 2020)``."""
    market, sep, year = text.strip().partition("/")
    if not sep or not year.isdigit() or not market:
        raise ValueError(f"{text!r} is not a partition; write MARKET/YEAR, e.g. CRUDE/2020")
    return market.upper(), int(year)


def log(lake: Lake, rows: list[dict]) -> None:
    if rows:
        lake.append(QUALITY_LOG, pa.Table.from_pylist(rows, schema=QUALITY_LOG.schema))


def quarantine(lake: Lake, rows: pa.Table, run_files: list[str]) -> None:
    """Keep ``rows``: they replace every earlier quarantined row of the run's files (one commit)."""
    from deltalake import write_deltalake

    uri, options = lake.table_uri(BARS_QUARANTINE.name), lake.storage.delta_options
    rows = rows.cast(BARS_QUARANTINE.schema)
    if not lake.exists(BARS_QUARANTINE.name):
        if rows.num_rows:
            write_deltalake(
                uri,
                rows,
                mode="append",
                partition_by=["market_id", "year"],
                storage_options=options,
            )
        return
    predicate = f"source_file IN ({sql_list(run_files)})"
    if rows.num_rows:
        write_deltalake(
            uri,
            rows,
            mode="overwrite",
            predicate=predicate,
            partition_by=["market_id", "year"],
            storage_options=options,
        )
    elif run_files and _any(lake, BARS_QUARANTINE.name, pc.field("source_file").isin(run_files)):
        lake.table(BARS_QUARANTINE.name).delete(predicate)


def _any(lake: Lake, name: str, expr) -> bool:
    return lake.table(name).to_pyarrow_dataset().count_rows(filter=expr) > 0


def quarantined(lake: Lake) -> pa.Table:
    if not lake.exists(BARS_QUARANTINE.name):
        return BARS_QUARANTINE.schema.empty_table()
    return lake.read(BARS_QUARANTINE.name)


def accept(lake: Lake, partition: str, reason: str, actor: str | None = None) -> dict:
    """Promote a quarantined partition's rows into ``bars`` in one commit, audited in the log."""
    from deltalake import write_deltalake

    if not reason or not reason.strip():
        raise ValueError("a reason is required to accept a quarantined partition")
    market, year = parse_partition(partition)
    expr = (pc.field("market_id") == market) & (pc.field("year") == year)
    held = quarantined(lake).filter(expr)
    if held.num_rows == 0:
        raise ValueError(f"{market}/{year} has no quarantined rows")
    files = sorted(set(held["source_file"].to_pylist()))
    rows = held.drop_columns(["run_id"]).cast(BARS)
    predicate = f"market_id = '{market}' AND year = {year} AND source_file IN ({sql_list(files)})"
    bars = TABLES["bars"]
    if lake.exists(bars.name):
        write_deltalake(
            lake.table_uri(bars.name),
            rows,
            mode="overwrite",
            predicate=predicate,
            partition_by=list(bars.partition_by),
            storage_options=lake.storage.delta_options,
        )
    else:
        write_deltalake(
            lake.table_uri(bars.name),
            rows,
            mode="append",
            partition_by=list(bars.partition_by),
            storage_options=lake.storage.delta_options,
        )
    version = lake.table(bars.name).version()
    lake.table(BARS_QUARANTINE.name).delete(f"market_id = '{market}' AND year = {year}")
    record = {
        "run_id": uuid.uuid4().hex[:12],
        "partition": f"{market}/{year}",
        "market_id": market,
        "year": year,
        "rule": "manual_accept",
        "status": "accepted",
        "rows": rows.num_rows,
        "failing": 0,
        "message": f"released {rows.num_rows} rows of {len(files)} file(s) into bars v{version}",
        "actor": actor or getpass.getuser(),
        "reason": reason.strip(),
        "table_version": version,
        "checked_at": dt.datetime.now(dt.UTC),
    }
    log(lake, [record])
    return record


def rejected_files(lake: Lake, run_id: str, now: dt.datetime) -> list[dict]:
    """Quality-log rows for the files the ingest of ``run_id`` rejected (structural rules)."""
    if not lake.exists(INGEST_LOG.name):
        return []
    t = lake.read(INGEST_LOG.name)
    t = t.filter((pc.field("run_id") == run_id) & (pc.field("status") == "rejected"))
    return [
        {
            "run_id": run_id,
            "source_file": r["source_file"],
            "rule": f"ingest:{r['rule']}",
            "status": "rejected",
            "rows": 0,
            "failing": 0,
            "message": r["error"],
            "checked_at": now,
        }
        for r in t.to_pylist()
    ]
