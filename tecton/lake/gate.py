"""What the lake's commit needs from a quality gate, as a protocol: the lake never imports one.

``tecton.quality.QUALITY_GATE`` is the one tecton ships (Great Expectations checks per
partition); the ingest flow hands it to :func:`tecton.lake.commit`. Keeping the interface here
keeps the layers one way round: quality reads and writes the lake, the lake knows no checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

    from tecton.lake.tables import Lake


class Verdict(Protocol):
    """A gate's decision on one run's bars."""

    passed: pa.Table  # rows of partitions that passed: committed to ``bars``
    held: pa.Table  # rows of partitions that failed: kept aside, never promoted

    @property
    def held_partitions(self) -> set[tuple[str, int]]:
        """``(market_id, year)`` of the failing partitions (their rows in ``bars`` stay as they were)."""
        ...

    def record(self, lake: Lake, bars_version: int | None) -> None:
        """Write the run's results (once ``bars`` is committed at ``bars_version``)."""
        ...


class Gate(Protocol):
    """Judges a run's staged bars before they are committed."""

    def check(self, run_id: str, data: pa.Table) -> Verdict:
        """Split ``data`` into passing and held rows."""
        ...

    def quarantine(self, lake: Lake, held: pa.Table, files: list[str]) -> None:
        """Keep the held rows (replacing the older held rows of the run's ``files``)."""
        ...

    def empty(self, run_id: str) -> Verdict:
        """The verdict of a run that staged no bars (it still records the run)."""
        ...
