"""The lake: Delta tables of Parquet under one storage root, written in atomic commits.

Each raw file owns the rows it produced (their ``source_file``). Landing a file appends its rows;
landing a revised file replaces exactly its own rows in one commit, so every earlier version
stays readable by time travel and a reader never sees a half-written commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError

from tecton.dal.storage import Storage
from tecton.data.schema import TableSpec


def sql_list(values: Iterable[str]) -> str:
    """A SQL ``IN`` list of string literals (quotes escaped)."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(set(values)))


class Lake:
    """Delta tables under ``<root>/tables/<name>`` and raw files under ``<root>/raw``."""

    def __init__(self, storage: Storage | str | None = None):
        """``storage``: a Storage, a root (path or ``s3://`` URL), or None for the default lake."""
        if isinstance(storage, str):
            storage = Storage(storage)
        self.storage = storage or Storage.default()

    def __repr__(self) -> str:
        return f"Lake({self.storage.root!r})"

    def table_uri(self, name: str) -> str:
        return self.storage.uri("tables", name)

    def table(
        self, name: str, version: int | None = None, as_of: dt.datetime | None = None
    ) -> DeltaTable:
        """A Delta table, at its latest version, a given version or as it was at ``as_of``."""
        table = DeltaTable(self.table_uri(name), storage_options=self.storage.delta_options)
        if version is not None:
            table.load_as_version(version)
        elif as_of is not None:
            table.load_as_version(as_of if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC))
        return table

    def exists(self, name: str) -> bool:
        try:
            self.table(name)
        except TableNotFoundError:
            return False
        return True

    def read(
        self, name: str, version: int | None = None, as_of: dt.datetime | None = None
    ) -> pa.Table:
        return self.table(name, version, as_of).to_pyarrow_table()

    def write(
        self,
        spec: TableSpec,
        data: pa.Table,
        revised: Iterable[str] = (),
        hold: Iterable[tuple[str, int]] = (),
        leaving: str | None = None,
    ) -> int:
        """Commit ``data`` to table ``spec.name`` in one atomic commit; return the new version.

        The rows of every source file in ``data`` replace that file's rows already in the table,
        so writing the same batch twice (a rerun after a crash) leaves the table as one write
        did. ``revised`` names the files known to be in the table already: their old rows may
        sit in partitions the new rows do not touch. ``hold`` names ``(market_id, year)``
        partitions the quality checks quarantined: their rows in the table are left untouched.
        ``leaving`` (a predicate) selects more rows to take out in the same commit: another
        source's rows of the markets switched to this one (see ``tecton.lake.sources``).
        """
        if not self.exists(spec.name):
            return self._commit(spec, data)
        revised = set(revised)
        predicate = f"source_file IN ({sql_list(set(data['source_file'].to_pylist()) | revised)})"
        if "market_id" in spec.partition_by:
            # prune the rewrite to the partitions the files can touch
            markets = set(data["market_id"].to_pylist())
            if revised:
                markets |= self._markets_of(spec.name, revised)
            predicate = f"market_id IN ({sql_list(markets)}) AND {predicate}"
        if hold := sorted(hold):
            held = " OR ".join(f"(market_id = '{m}' AND year = {int(y)})" for m, y in hold)
            predicate = f"{predicate} AND NOT ({held})"
        if leaving:
            predicate = f"({predicate}) OR ({leaving})"
        return self._commit(spec, data, predicate)

    def replace(self, spec: TableSpec, data: pa.Table, where: dict[str, str]) -> int:
        """Replace every row matching ``where`` (column -> value) with ``data``, in one commit.

        For derived tables a job rewrites whole (a model's forecasts): readers see the old rows
        or the new ones, never a mix, and earlier versions stay readable by time travel.
        """
        if not self.exists(spec.name):
            return self._commit(spec, data)
        predicate = " AND ".join(f"{c} IN ({sql_list([v])})" for c, v in sorted(where.items()))
        return self._commit(spec, data, predicate)

    def append(self, spec: TableSpec, data: pa.Table) -> int:
        """Append rows in one commit (for append-only tables such as the ingest log)."""
        return self._commit(spec, data)

    def _commit(self, spec: TableSpec, data: pa.Table, predicate: str | None = None) -> int:
        """One Delta commit of ``data``: appended, or replacing the rows ``predicate`` matches."""
        write_deltalake(
            self.table_uri(spec.name),
            data.cast(spec.schema),
            mode="append" if predicate is None else "overwrite",
            predicate=predicate,
            partition_by=list(spec.partition_by) or None,
            storage_options=self.storage.delta_options,
        )
        return self.table(spec.name).version()

    def _markets_of(self, name: str, sources: set[str]) -> set[str]:
        dataset = self.table(name).to_pyarrow_dataset()
        rows = dataset.to_table(
            columns=["market_id"], filter=pc.field("source_file").isin(list(sources))
        )
        return set(rows["market_id"].unique().to_pylist())

    def table_names(self) -> list[str]:
        """Tables that exist in the lake."""
        root = self.storage.uri("tables")
        if not self.storage.fs.exists(root):
            return []
        names = sorted(
            p.rstrip("/").rsplit("/", 1)[-1] for p in self.storage.fs.ls(root, detail=False)
        )
        return [n for n in names if self.exists(n)]

    def remove_orphans(self, min_age: dt.timedelta = dt.timedelta(hours=1)) -> list[str]:
        """Delete data files no version of any table refers to (left by a killed write).

        Files of every committed version are kept, so time travel is untouched. Only files older
        than ``min_age`` go, so a write in flight elsewhere is safe with the default.
        """
        removed = []
        for name in self.table_names():
            table = self.table(name)
            removed += table.vacuum(
                retention_hours=int(min_age.total_seconds() // 3600),
                dry_run=False,
                enforce_retention_duration=False,
                full=True,
                keep_versions=list(range(table.version() + 1)),
            )
        return removed + self._remove_partial_archives(min_age)

    def _remove_partial_archives(self, min_age: dt.timedelta) -> list[str]:
        """Raw files whose copy into the archive was cut short (``*.partial``)."""
        fs, cutoff = self.storage.fs, dt.datetime.now(dt.UTC) - min_age
        removed = []
        for path in fs.glob(self.storage.uri("raw", "**", "*.partial")):
            modified = fs.modified(path)
            if (modified if modified.tzinfo else modified.replace(tzinfo=dt.UTC)) <= cutoff:
                fs.rm(path)
                removed.append(path)
        return removed
