"""Rerun a stored backtest: the same strategy, parameters and data, compared bit for bit.

The rerun reads the marts as the lake stood when the run was made (Delta time travel, as of
its creation time, or the run's own ``lake_as_of``), so a later revision cannot change it; then
it says whether the result is identical, and what changed since: partitions of the data (the
current lake against the run's fingerprints), the code commit, the package and library versions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tecton.errors import TectonError
from tecton.simulation import lineage
from tecton.simulation.simulator import Simulation, SimulationResult
from tecton.simulation.store import load_run


@dataclass(frozen=True)
class Rerun:
    """A rerun's result and how it compares with the stored run."""

    run_id: str
    result: SimulationResult
    reproduced: bool
    differences: list[str]

    def describe(self) -> str:
        """One line a person reads first: reproduced or not, and what differs."""
        head = (
            f"run {self.run_id} reproduced bit for bit (result {self.result.manifest.result_sha256[:16]})"
            if self.reproduced
            else f"run {self.run_id} NOT reproduced"
        )
        return head + ("; since then: " + "; ".join(self.differences) if self.differences else "")


def rerun(run_id: str) -> Rerun:
    """Run a stored run again on the data it read and compare (see the module doc)."""
    from tecton.strategy import Strategy

    stored = load_run(run_id)
    then = stored.manifest
    if then is None:
        raise TectonError(
            f"run {run_id} has no manifest (stored before lineage was kept): cannot rerun it"
        )
    p = then.parameters
    as_of = p["lake_as_of"] or pd.Timestamp(then.created_at)
    simulation = Simulation(
        Strategy(stored.strategy),
        start=p["start"],
        end=p["end"],
        capital=p["capital"],
        compounding=p["compounding"],
        lake_as_of=as_of,
        path=p["path"],
        allow_unchecked=p["allow_unchecked"],
        fill=p.get("fill", "close"),  # runs stored before fills at the open were closes
    )
    result = simulation.run()
    now = result.manifest
    reproduced = now.result_sha256 == then.result_sha256
    notes = [n for n in then.differences(now) if not n.startswith("data:")]
    current = lineage.partition_states(
        sorted({q["market_id"] for q in then.partitions}),
        pd.Timestamp(f"{min((q['year'] for q in then.partitions), default=2000)}-01-01"),
        pd.Timestamp(f"{max((q['year'] for q in then.partitions), default=2000)}-12-31"),
    )
    changed = _changed(then.partitions, current)
    if changed:
        notes.insert(
            0,
            f"data: partitions changed: {', '.join(changed[:12])}"
            + (f" and {len(changed) - 12} more" if len(changed) > 12 else ""),
        )
    return Rerun(run_id, result, reproduced, notes)


def _changed(then: list[dict], now: list[lineage.PartitionState]) -> list[str]:
    before = {(p["market_id"], p["year"]): p["fingerprint"] for p in then}
    after = {(s.market_id, s.year): s.fingerprint for s in now}
    return sorted(
        f"{m}/{y}"
        for (m, y) in before.keys() | after.keys()
        if before.get((m, y)) != after.get((m, y))
    )
