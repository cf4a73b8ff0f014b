"""Lineage: what a backtest read and ran with, and a refusal to run on data nobody checked.

A run's :class:`Manifest` names the lake partitions it read (each ``market/year`` of ``bars``,
with its check status and a fingerprint of its files), the lake versions and as-of time, the
strategy and model definitions with their hashes, every parameter, the package version and code
commit, the solver's version, any override, and a hash of the result. Delta data files are
immutable and uniquely named, so the list of a partition's files (path and size) fingerprints its
content without reading it; the result hash makes "bit for bit" a string comparison.

Before a backtest runs, :func:`check_partitions` refuses (naming them) the partitions of its
markets and years that were quarantined, or landed without being checked, unless the user
overrides it; the override is recorded in the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from tecton.errors import TectonError

PASSED = ("promoted", "accepted")  # a partition's last check status that lets a backtest read it
VERSIONED = ("numpy", "pandas", "cvxpy", "clarabel", "deltalake", "duckdb")


@dataclass(frozen=True)
class PartitionState:
    """One ``bars`` partition a run needs: its check status and its files' fingerprint."""

    market_id: str
    year: int
    status: str  # promoted | accepted | quarantined | unchecked | missing
    files: int
    fingerprint: str


@dataclass(frozen=True)
class Manifest:
    """Everything needed to say what a run read and ran with (JSON with :meth:`to_json`)."""

    strategy: dict
    strategy_sha256: str
    model_sha256: str
    parameters: dict
    lake_root: str
    lake_versions: dict
    as_of: str | None
    partitions: list[dict]
    overrides: list[str]
    package_version: str
    code_commit: str | None
    versions: dict
    result_sha256: str = ""
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, default=str)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(**json.loads(text))

    def data_key(self) -> str:
        """What "the same data" means for counting trials: the partitions' fingerprints."""
        parts = sorted((p["market_id"], p["year"], p["fingerprint"]) for p in self.partitions)
        return _sha256(json.dumps(parts))

    def differences(self, other: Manifest) -> list[str]:
        """What differs from ``other`` (a rerun's): data, code, versions, result; one line each."""
        notes = []
        ours = {(p["market_id"], p["year"]): p for p in self.partitions}
        theirs = {(p["market_id"], p["year"]): p for p in other.partitions}
        changed = sorted(
            f"{m}/{y}"
            for (m, y) in ours.keys() | theirs.keys()
            if ours.get((m, y), {}).get("fingerprint") != theirs.get((m, y), {}).get("fingerprint")
        )
        if changed:
            notes.append(
                f"data: partitions changed since: {', '.join(changed[:12])}"
                + (f" and {len(changed) - 12} more" if len(changed) > 12 else "")
            )
        if self.code_commit != other.code_commit:
            notes.append(f"code: commit {self.code_commit} then, {other.code_commit} now")
        if self.package_version != other.package_version:
            notes.append(f"code: tecton {self.package_version} then, {other.package_version} now")
        for name in sorted(self.versions.keys() | other.versions.keys()):
            if self.versions.get(name) != other.versions.get(name):
                notes.append(
                    f"{name}: {self.versions.get(name)} then, {other.versions.get(name)} now"
                )
        if self.result_sha256 != other.result_sha256:
            notes.append("result: differs")
        return notes


def partition_states(
    markets: list[str],
    first: pd.Timestamp,
    last: pd.Timestamp,
    as_of: dt.datetime | None = None,
    lake=None,
) -> list[PartitionState]:
    """Status and fingerprint of each ``bars`` partition of ``markets`` from ``first`` to ``last``
    (in the lake as it stood at ``as_of``, UTC, when given)."""
    from tecton.lake import Lake
    from tecton.quality.manifest import QUALITY_LOG

    lake = lake or Lake()
    actions = lake.table("bars", as_of=as_of).get_add_actions(flatten=True)
    files = pa.table(actions).to_pandas()  # deltalake hands an arro3 table: via the Arrow C API
    files = files.rename(columns={"partition.market_id": "market_id", "partition.year": "year"})
    log = lake.read(QUALITY_LOG.name).to_pandas() if lake.exists(QUALITY_LOG.name) else None
    if log is not None and as_of is not None:
        log = log[log["checked_at"] <= pd.Timestamp(as_of)]
    status = _last_status(log) if log is not None else {}
    states = []
    for market in markets:
        for year in range(first.year, last.year + 1):
            mine = files[(files["market_id"] == market) & (files["year"].astype(int) == year)]
            known = status.get((market, year))
            if mine.empty and known is None:
                continue  # no data that year and never any: the market did not trade then
            listing = sorted(zip(mine["path"], mine["size_bytes"].astype(int), strict=True))
            states.append(
                PartitionState(
                    market,
                    year,
                    known or ("unchecked" if len(mine) else "missing"),
                    len(mine),
                    _sha256(json.dumps(listing)),
                )
            )
    return states


def _last_status(log: pd.DataFrame) -> dict[tuple[str, int], str]:
    """Each partition's latest check outcome (promoted, quarantined or a manual accept)."""
    outcomes = log[(log["rule"] == "partition") | (log["rule"] == "manual_accept")]
    outcomes = outcomes.dropna(subset=["market_id", "year"]).sort_values("checked_at")
    last = outcomes.groupby(["market_id", "year"])["status"].last()
    return {(m, int(y)): s for (m, y), s in last.items()}


def check_partitions(states: list[PartitionState], allow_unchecked: bool) -> list[str]:
    """Refuse the unchecked or quarantined partitions (one line naming them), or, allowed to,
    return the override notes the manifest records."""
    bad = [s for s in states if s.status not in PASSED]
    if not bad:
        return []
    named = ", ".join(f"{s.market_id}/{s.year} ({s.status})" for s in bad[:10])
    more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
    if not allow_unchecked:
        raise TectonError(
            f"refused: the backtest needs partitions that did not pass the checks: {named}{more}; "
            "fix or accept them (tecton quality accept), or pass --allow-unchecked to run anyway"
        )
    return [f"ran on data that did not pass the checks: {named}{more}"]


def result_sha256(portfolio) -> str:
    """A hash of the positions, fills and P&L (bit for bit)."""
    digest = hashlib.sha256()
    for frame in (portfolio.positions, portfolio.pnl, portfolio.trades):
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(np.ascontiguousarray(portfolio.capital.to_numpy()).tobytes())
    return digest.hexdigest()


def environment() -> tuple[str, str | None, dict]:
    """Package version, code commit (with ``+dirty`` for local changes) and library versions."""
    try:
        package = importlib.metadata.version("tecton")
    except importlib.metadata.PackageNotFoundError:
        package = "unknown"
    versions = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return package, _commit(), versions


def _commit() -> str | None:
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
