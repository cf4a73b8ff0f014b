"""What the quality report shows, read from the lake: a summary of the runs shown, each
market-year's latest status and the partitions held in quarantine with their failing rows.

Pure reads of ``quality_log``, ``ingest_log`` and ``bars_quarantine``; the HTML is built in
``report`` from these values, so a test can check the page against the same log independently.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import pandas as pd
import pyarrow.compute as pc

from tecton.lake.log import INGEST_LOG
from tecton.lake.tables import Lake
from tecton.quality import manifest

BARS = "bars"
STATUSES = ("promoted", "quarantined", "accepted", "rejected")


@dataclass(frozen=True)
class RuleCount:
    """A rule that failed in the runs shown: in how many partitions, on how many rows."""

    rule: str
    partitions: int
    rows: int
    message: str


@dataclass(frozen=True)
class Summary:
    """The headline counts of the runs shown (one row each of ``recent``)."""

    runs: int
    checked: int
    promoted: int
    quarantined: int
    accepted: int
    rejected: int
    held: int
    first_at: pd.Timestamp | None
    last_at: pd.Timestamp | None
    top_rules: tuple[RuleCount, ...]


@dataclass(frozen=True)
class Cell:
    """One market-year of the grid: its latest status and the line its tooltip shows."""

    market: str
    year: int
    status: str
    note: str


@dataclass(frozen=True)
class HeldPartition:
    """A partition held in ``bars_quarantine``: its rows and the failing rows the log sampled.

    ``context`` holds the partition's rows already in ``bars`` (other contracts, or the earlier
    delivery of a held file) to compare against; ``failing`` the sampled failing rows with a
    ``rule`` column; ``failing_by_rule`` the number of failing rows per rule (the log keeps at
    most ``thresholds.SAMPLE_ROWS`` samples of each).
    """

    partition: str
    run_id: str
    rows: pd.DataFrame
    context: pd.DataFrame
    failing: pd.DataFrame
    failing_by_rule: dict[str, int]


def quality_log(lake: Lake) -> pd.DataFrame:
    """The whole ``quality_log`` as pandas (empty, with its columns, before the first run)."""
    if not lake.exists(manifest.QUALITY_LOG.name):
        return manifest.QUALITY_LOG.schema.empty_table().to_pandas()
    return lake.read(manifest.QUALITY_LOG.name).to_pandas()


def summary(log: pd.DataFrame, rows: list[dict], held: list[dict], top: int = 5) -> Summary:
    """Counts over ``rows`` (the report's table) and the rules that failed most in their runs."""
    status = Counter(r["status"] for r in rows)
    run_ids = {r["run_id"] for r in rows}
    fails = log[log["run_id"].isin(run_ids) & (log["status"] == "fail")]
    per_rule = (
        fails.groupby("rule")
        .agg(
            partitions=("partition", "nunique"),
            rows=("failing", "sum"),
            message=("message", _wording),
        )
        .sort_values(["partitions", "rows"], ascending=False)
        .head(top)
    )
    times = [r["checked_at"] for r in rows]
    return Summary(
        runs=len(run_ids),
        checked=status["promoted"] + status["quarantined"],
        promoted=status["promoted"],
        quarantined=status["quarantined"],
        accepted=status["accepted"],
        rejected=status["rejected"],
        held=len(held),
        first_at=min(times) if times else None,
        last_at=max(times) if times else None,
        top_rules=tuple(
            RuleCount(str(rule), int(r.partitions), int(r.rows), str(r.message or ""))
            for rule, r in per_rule.iterrows()
        ),
    )


def _wording(messages: pd.Series) -> str:
    """A rule's most common message; a rule worded per asset class says how many others it has."""
    counts = messages.dropna().value_counts()
    if counts.empty:
        return ""
    others = f" (and {len(counts) - 1} other wordings)" if len(counts) > 1 else ""
    return f"{counts.index[0]}{others}"


def grid(log: pd.DataFrame, ingest_log: pd.DataFrame | None = None) -> list[Cell]:
    """Each market-year's latest outcome over the whole log, rejected files placed on it.

    A partition's status is its latest ``partition`` or ``manual_accept`` row. A rejected file
    marks the partitions it fed when it last landed (from ``ingest_log``), if the rejection is
    newer than their status: the lake still holds the file's older delivery there.
    """
    events = log[log["rule"].isin(["partition", "manual_accept"])].sort_values("checked_at")
    latest = events.groupby("partition").tail(1).set_index("partition")
    cells = {p: (r["status"], r["checked_at"], _note(p, r)) for p, r in latest.iterrows()}
    for p, (when, note) in _rejected_partitions(log, ingest_log).items():
        if p not in cells or when > cells[p][1]:
            cells[p] = ("rejected", when, f"{p}: {note}")
    out = []
    for p, (status, _, note) in cells.items():
        market, year = manifest.parse_partition(p)
        out.append(Cell(market, year, status, note))
    return sorted(out, key=lambda c: (c.market, c.year))


def _note(partition: str, r: pd.Series) -> str:
    if r["status"] == "accepted":
        return f"{partition}: accepted by {r['actor']} ({r['reason']})"
    if r["status"] == "quarantined":
        return f"{partition}: quarantined ({r['message']})"
    rows = f" ({int(r['rows']):,} rows)" if pd.notna(r["rows"]) else ""
    return f"{partition}: {r['status']}{rows}"


def _rejected_partitions(
    log: pd.DataFrame, ingest_log: pd.DataFrame | None
) -> dict[str, tuple[pd.Timestamp, str]]:
    """Partition -> (when, why) of the newest rejection of a file that once fed it."""
    rejected = log[log["status"] == "rejected"].sort_values("checked_at")
    if rejected.empty or ingest_log is None or ingest_log.empty:
        return {}
    landed = ingest_log[ingest_log["status"] == "ingested"]
    fed: dict[str, set[str]] = {}
    for f, parts in zip(landed["source_file"], landed["partitions"], strict=True):
        fed.setdefault(f, set()).update(parts if parts is not None else ())
    out = {}
    for r in rejected.itertuples(index=False):
        # a file of contracts or fundamentals lists bare markets: it has no market-year to mark
        for p in (p for p in fed.get(r.source_file, ()) if "/" in p):
            out[p] = (r.checked_at, f"{r.source_file} rejected ({r.rule}: {r.message})")
    return out


def ingest_log(lake: Lake) -> pd.DataFrame | None:
    """The ingest log as pandas, or None before the first ingest."""
    if not lake.exists(INGEST_LOG.name):
        return None
    return lake.read(INGEST_LOG.name).to_pandas()


def held_partitions(
    lake: Lake, log: pd.DataFrame, held: list[dict], limit: int | None = None
) -> list[HeldPartition]:
    """The first ``limit`` partitions of ``held`` (``report.open_quarantine``) by name, each with
    its rows, the rows of it already in ``bars`` and its failing samples.

    Only the partitions asked for are read from ``bars`` (one pruned scan each), so a lake with
    hundreds of held partitions costs what the report shows, not what it holds.
    """
    chosen = sorted(held, key=lambda h: h["partition"])[:limit]
    if not chosen:
        return []
    names = [h["partition"] for h in chosen]
    rows = _quarantined(lake, names)
    by_partition = dict(list(rows.groupby(rows["market_id"] + "/" + rows["year"].astype(str))))
    fails = log[(log["status"] == "fail") & log["partition"].isin(names)]
    fails_by = dict(list(fails.groupby(["partition", "run_id"])))
    bars = lake.table(BARS).to_pyarrow_dataset() if lake.exists(BARS) else None
    out = []
    for h in chosen:
        mine = fails_by.get((h["partition"], h["run_id"]), fails.iloc[:0])
        out.append(
            HeldPartition(
                partition=h["partition"],
                run_id=h["run_id"],
                rows=by_partition.get(h["partition"], rows.iloc[:0]).sort_values("trade_date"),
                context=_promoted(bars, h["partition"]),
                failing=_samples(mine),
                failing_by_rule={
                    str(r): int(n) for r, n in zip(mine["rule"], mine["failing"], strict=True)
                },
            )
        )
    return out


def _quarantined(lake: Lake, partitions: list[str]) -> pd.DataFrame:
    """The held rows of ``partitions`` only (the quarantine is partitioned by market and year)."""
    wanted = [manifest.parse_partition(p) for p in partitions]
    where = None
    for market, year in wanted:
        one = (pc.field("market_id") == market) & (pc.field("year") == year)
        where = one if where is None else where | one
    table = lake.table(manifest.BARS_QUARANTINE.name).to_pyarrow_dataset().to_table(filter=where)
    return table.to_pandas()


def _promoted(bars, partition: str) -> pd.DataFrame:
    """The partition's rows in ``bars`` (a dataset partitioned by market and year: one pruned read)."""
    columns = ["contract_id", "role", "trade_date", "close"]
    if bars is None:
        return pd.DataFrame(columns=columns)
    market, year = manifest.parse_partition(partition)
    where = (pc.field("market_id") == market) & (pc.field("year") == year)
    return bars.to_table(filter=where, columns=columns).to_pandas().sort_values("trade_date")


def _samples(fails: pd.DataFrame) -> pd.DataFrame:
    """The sampled failing rows of each rule, one frame with a ``rule`` column first."""
    # the gate writes the samples with json.dumps, which spells a missing value NaN
    records = [
        {"rule": rule, **row}
        for rule, sample in zip(fails["rule"], fails["sample"], strict=True)
        if isinstance(sample, str)
        for row in json.loads(sample)
    ]
    if not records:
        return pd.DataFrame(columns=["rule", "contract_id", "trade_date", "close"])
    df = pd.DataFrame.from_records(records)
    df["trade_date"] = pd.to_datetime(df["trade_date"])
    return df
