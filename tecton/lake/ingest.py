"""Landing raw files in the lake, in three steps the ``ingest`` flow orchestrates.

1. ``plan``: find the source's files, hash them, and keep those not landed before (a file whose
   content was already landed under its name is a no-op).
2. ``stage``: archive each file (never deleted) and read it through its format's reader; a file
   that breaks a rule is set aside with a one-line reason, the rest of the batch goes on.
3. ``commit``: one atomic Delta commit per table for everything staged, then the ingest log.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.readers import RawFile, reader
from tecton.data.schema import TABLES, RawFileError
from tecton.lake import sources
from tecton.lake.archive import archive, sha256
from tecton.lake.gate import Gate
from tecton.lake.log import INGEST_LOG, latest_hashes
from tecton.lake.tables import Lake


@dataclass(frozen=True)
class Candidate:
    """A raw file to land: new, or a revision of one landed before."""

    raw: RawFile
    source_file: str
    revises: bool


@dataclass(frozen=True)
class Plan:
    fmt: str
    candidates: list[Candidate]
    unchanged: list[str]
    replace_source: bool = False  # switch markets another source feeds to ``fmt`` (else refuse)

    def batches(self, size: int) -> list[list[Candidate]]:
        return [self.candidates[i : i + size] for i in range(0, len(self.candidates), size)]


@dataclass(frozen=True)
class Outcome:
    """What happened to one file."""

    source_file: str
    table_name: str
    sha256: str
    archived_as: str
    rows: int = 0
    partitions: tuple[str, ...] = ()
    error: RawFileError | None = None


@dataclass
class Staged:
    tables: dict[str, list[pa.Table]] = field(default_factory=lambda: defaultdict(list))
    outcomes: list[tuple[Candidate, Outcome]] = field(default_factory=list)


@dataclass(frozen=True)
class IngestReport:
    run_id: str
    lake: str
    fmt: str
    landed: list[Outcome]
    rejected: list[Outcome]
    unchanged: list[str]
    versions: dict[str, int]
    quality: object | None = None  # the gate's verdict (tecton.quality.gate.Verdict) when checked

    @property
    def rows(self) -> int:
        return sum(o.rows for o in self.landed)

    @property
    def ok(self) -> bool:
        return not self.rejected


def plan(source: Path, fmt: str, lake: Lake, replace_source: bool = False) -> Plan:
    """The files under ``source`` that are new or changed since they were last landed.

    With ``replace_source`` the markets of these files that another source feeds switch to
    ``fmt`` in the commit (see ``tecton.lake.sources``); files landed before that a switch back
    needs are offered again.
    """
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"source {source} does not exist")
    log = lake.read(INGEST_LOG.name) if lake.exists(INGEST_LOG.name) else None
    landed = latest_hashes(log)
    if replace_source:
        again = sources.reoffered(log, fmt, lake)
        landed = {f: h for f, h in landed.items() if f not in again}
    files = reader(fmt).discover(source)
    candidates, unchanged = [], []
    for raw in files:
        source_file = f"{fmt}/{raw.name}"
        # only a file landed before needs hashing here: a new one is a candidate whatever it holds
        if source_file in landed and landed[source_file] == sha256(raw.path.read_bytes()):
            unchanged.append(source_file)
        else:
            candidates.append(Candidate(raw, source_file, source_file in landed))
    return Plan(fmt, candidates, unchanged, replace_source)


def stage(batch: list[Candidate], fmt: str, lake: Lake) -> Staged:
    """Archive and read a batch of files; bad files become rejected outcomes, not exceptions."""

    def keep(candidate: Candidate) -> tuple[bytes, Outcome]:
        data = candidate.raw.path.read_bytes()
        digest = sha256(data)
        archived = archive(lake.storage, candidate.source_file, data, digest)
        return data, Outcome(candidate.source_file, candidate.raw.table, digest, archived)

    kept = [keep(candidate) for candidate in batch]
    files = [(c.raw, data) for c, (data, _) in zip(batch, kept, strict=True)]
    outcomes = [outcome for _, outcome in kept]
    read = reader(fmt).read_batch(files)
    staged = Staged()
    for name, table in read.tables.items():
        staged.tables[name].append(table.drop_columns(["_file"]))
        for index, (rows, partitions) in _per_file(table).items():
            outcomes[index] = replace(outcomes[index], rows=rows, partitions=partitions)
    for index, error in read.errors.items():
        outcomes[index] = replace(outcomes[index], error=error)
    staged.outcomes = list(zip(batch, outcomes, strict=True))
    return staged


def _per_file(table: pa.Table) -> dict[int, tuple[int, tuple[str, ...]]]:
    """Rows and partitions (``market/year``) each file of a batch produced."""
    files = table["_file"].to_numpy()
    index, rows = np.unique(files, return_counts=True)
    out = {int(f): (int(n), ()) for f, n in zip(index, rows, strict=True)}
    if "market_id" not in table.column_names:
        return out
    markets = pc.dictionary_encode(table["market_id"]).combine_chunks()
    years = (
        table["year"].to_numpy() if "year" in table.column_names else np.zeros(len(files), np.int64)
    )
    code = (
        (files.astype(np.int64) << 32) | (markets.indices.to_numpy().astype(np.int64) << 16) | years
    )
    names = markets.dictionary.to_pylist()
    parts = defaultdict(list)
    for c in np.unique(code):
        market, year = names[(c >> 16) & 0xFFFF], c & 0xFFFF
        parts[int(c >> 32)].append(f"{market}/{year}" if "year" in table.column_names else market)
    return {f: (n, tuple(sorted(parts[f]))) for f, (n, _) in out.items()}


def commit(plan: Plan, staged: list[Staged], lake: Lake, gate: Gate | None = None) -> IngestReport:
    """One commit per table for every landed file, then one commit of the ingest log.

    ``gate`` (``tecton.quality.QUALITY_GATE``; see :class:`tecton.lake.gate.Gate`) judges the
    staged bars first: rows of partitions that fail are held back from ``bars`` (the gate keeps
    them aside) and the rows of those partitions already in ``bars`` stay as they were; the rest
    still lands in one commit. The lake imports no gate: the caller hands it one.
    """
    run_id = uuid.uuid4().hex[:12]
    # one price source per market: refuse (or, asked to, switch) markets another source feeds
    staged, switch = sources.rule(plan.fmt, staged, lake, plan.replace_source)
    outcomes = [pair for s in staged for pair in s.outcomes]
    versions, verdict = {}, None
    for name in sorted({n for s in staged for n in s.tables}):
        data = pa.concat_tables([t for s in staged for t in s.tables[name]])
        if data.num_rows == 0:  # every file of the table was rejected: nothing to commit
            continue
        revised = [
            c.source_file
            for c, o in outcomes
            if c.revises and o.error is None and o.table_name == name
        ]
        hold = ()
        if gate is not None and name == "bars":
            verdict = gate.check(run_id, data)
            # keep the held rows (replacing the run's files' older held rows) before promoting
            gate.quarantine(lake, verdict.held, sorted(set(data["source_file"].to_pylist())))
            data, hold = verdict.passed, verdict.held_partitions
        leaving = switch.leaving() if switch and name in sources.OWNED else None
        versions[name] = lake.write(TABLES[name], data, revised=revised, hold=hold, leaving=leaving)
    versions |= sources.withdraw(lake, switch, written=set(versions))
    if outcomes:
        lake.append(INGEST_LOG, _log_rows(run_id, outcomes, versions))
    if gate is not None:
        verdict = verdict if verdict is not None else gate.empty(run_id)
        verdict.record(lake, versions.get("bars"))
    landed = [o for _, o in outcomes if o.error is None]
    rejected = [o for _, o in outcomes if o.error is not None]
    return IngestReport(
        run_id, lake.storage.root, plan.fmt, landed, rejected, plan.unchanged, versions, verdict
    )


def _log_rows(
    run_id: str, outcomes: list[tuple[Candidate, Outcome]], versions: dict[str, int]
) -> pa.Table:
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "run_id": run_id,
            "source_file": o.source_file,
            "sha256": o.sha256,
            "table_name": o.table_name,
            "status": "rejected" if o.error else "ingested",
            "rows": o.rows,
            "partitions": list(o.partitions),
            "table_version": None if o.error else versions.get(o.table_name),
            "archived_as": o.archived_as,
            "rule": o.error.rule if o.error else None,
            "line": o.error.line if o.error else None,
            "error": str(o.error) if o.error else None,
            "ingested_at": now,
        }
        for _, o in outcomes
    ]
    return pa.Table.from_pylist(rows, schema=INGEST_LOG.schema)
