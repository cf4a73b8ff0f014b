"""The gate between staging and ``bars``: check a run's staged rows, split them by partition.

``QUALITY_GATE`` is what the ingest hands the lake's commit (``tecton.lake.commit(..., gate=
QUALITY_GATE)``, the :class:`tecton.lake.gate.Gate` protocol): the lake imports no checks.
``check(run_id, data)`` computes the statistics, validates the whole run as one GX batch and
maps every failing row to its partition (``market_id/year``). Rows of passing partitions are
promoted (the ingest commits them to ``bars`` in its one commit); rows of failing partitions go
to ``bars_quarantine``; ``record`` writes the per-partition, per-rule rows of ``quality_log``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from tecton.data.schema import TABLES
from tecton.lake.tables import Lake
from tecton.quality import manifest, stats, validate
from tecton.quality import thresholds as th

SAMPLE_COLUMNS = [
    "market_id",
    "contract_id",
    "trade_date",
    "role",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "source_file",
]


@dataclass(frozen=True)
class PartitionResult:
    partition: str
    rows: int
    failing: int
    failed_rules: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failed_rules


@dataclass
class Verdict:
    """What the checks decided for one run."""

    run_id: str
    passed: pa.Table
    held: pa.Table
    partitions: list[PartitionResult]
    log_rows: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    @classmethod
    def empty(cls, run_id: str) -> Verdict:
        """The verdict of a run that staged no bars (it still records its ingest rejections)."""
        empty = TABLES["bars"].schema.empty_table()
        return cls(run_id, empty, empty, [])

    @property
    def held_partitions(self) -> set[tuple[str, int]]:
        return {manifest.parse_partition(p.partition) for p in self.partitions if not p.ok}

    @property
    def failures(self) -> list[PartitionResult]:
        return [p for p in self.partitions if not p.ok]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.rejected

    def summary(self) -> str:
        """One line naming the quarantined partitions and their rules (for a failed flow)."""
        parts = [f"{p.partition} ({', '.join(p.failed_rules)})" for p in self.failures]
        parts += [f"{r['source_file']} ({r['rule']})" for r in self.rejected]
        return "quarantined or rejected: " + "; ".join(parts) if parts else "all partitions passed"

    def record(self, lake: Lake, bars_version: int | None) -> None:
        """Log every partition and rule of the run, and the files the ingest rejected."""
        now = dt.datetime.now(dt.UTC)
        self.rejected = manifest.rejected_files(lake, self.run_id, now)
        for row in self.log_rows:
            row["checked_at"] = now
            if row["rule"] == "partition" and row["status"] == "promoted":
                row["table_version"] = bars_version
        manifest.log(lake, self.log_rows + self.rejected)


def check(run_id: str, data: pa.Table) -> Verdict:
    """Validate the staged bars of one run and split them into promoted and held rows."""
    df = stats.compute(data)
    results = validate.run(df, run_id)
    part = df["market_id"].astype(str) + "/" + df["year"].astype(str)
    codes, names = pd.factorize(part)
    rows_per = np.bincount(codes, minlength=len(names))
    bad_any = np.zeros(len(df), bool)
    rules: dict[str, tuple[str, str | None, np.ndarray]] = {}
    for r in results:  # several expectations can report under one rule (spike per asset class)
        mask = rules.get(r.rule, (r.message, r.column, np.zeros(len(df), bool)))[2]
        mask[r.failing] = True
        message = r.message if len(r.failing) or r.rule not in rules else rules[r.rule][0]
        rules[r.rule] = (
            message,
            r.column if len(r.failing) else rules.get(r.rule, (None, r.column))[1],
            mask,
        )
    log_rows, failed = [], {i: [] for i in range(len(names))}
    for rule, (message, column, mask) in rules.items():
        bad_any |= mask
        per = np.bincount(codes[mask], minlength=len(names))
        for i, name in enumerate(names):
            row = _log_row(run_id, name, rule, int(rows_per[i]), int(per[i]))
            if per[i]:
                failed[i].append(rule)
                row["message"] = message
                sample = df.loc[mask & (codes == i)].head(th.SAMPLE_ROWS)
                row["sample"] = _sample(sample, column)
            log_rows.append(row)
    partitions = []
    for i, name in enumerate(names):
        result = PartitionResult(
            name,
            int(rows_per[i]),
            int(np.bincount(codes[bad_any], minlength=len(names))[i]),
            tuple(failed[i]),
        )
        partitions.append(result)
        status = "promoted" if result.ok else "quarantined"
        row = _log_row(run_id, name, "partition", result.rows, result.failing)
        row.update(status=status, message=", ".join(result.failed_rules) or None)
        log_rows.append(row)
    held_mask = np.isin(codes, [i for i, p in enumerate(partitions) if not p.ok])
    held = data.filter(pa.array(held_mask))
    held = held.append_column("run_id", pa.array([run_id] * held.num_rows, pa.string()))
    return Verdict(run_id, data.filter(pa.array(~held_mask)), held, partitions, log_rows)


def _log_row(run_id: str, partition: str, rule: str, rows: int, failing: int) -> dict:
    market, year = manifest.parse_partition(partition)
    return {
        "run_id": run_id,
        "partition": partition,
        "market_id": market,
        "year": year,
        "rule": rule,
        "status": "fail" if failing else "pass",
        "rows": rows,
        "failing": failing,
    }


def _sample(rows: pd.DataFrame, column: str | None) -> str:
    cols = [c for c in SAMPLE_COLUMNS if c in rows.columns]
    if column and column in rows.columns and column not in cols:
        cols.append(column)
    return json.dumps(rows[cols].to_dict(orient="records"), default=str)


class QualityGate:
    """The gate :func:`tecton.lake.commit` is handed (the :class:`tecton.lake.gate.Gate` protocol).

    ``check`` judges a run's bars (:func:`check`), ``quarantine`` keeps the held rows in
    ``bars_quarantine``, ``empty`` is the verdict of a run that staged no bars.
    """

    def check(self, run_id: str, data: pa.Table) -> Verdict:
        return check(run_id, data)

    def quarantine(self, lake: Lake, held: pa.Table, files: list[str]) -> None:
        manifest.quarantine(lake, held, files)

    def empty(self, run_id: str) -> Verdict:
        return Verdict.empty(run_id)


QUALITY_GATE = QualityGate()
