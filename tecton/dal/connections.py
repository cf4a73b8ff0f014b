"""Read-only connections to warehouse files, one per file for the process, safe across threads.

Mantle reads through them; the warehouse build closes the one to the file it is about to write
(a read-only DuckDB connection in this process blocks dbt's writer). Keeping them here, not in
Mantle, is what lets the build close them without importing Mantle (which imports the build).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import ibis
from ibis.expr.types import Table

from tecton.dal.catalog import Catalog, TableRef
from tecton.errors import TectonError

_open: dict[Path, WarehouseFile] = {}
_open_lock = threading.Lock()


class WarehouseFile:
    """One warehouse file: its read-only connection and catalog, reopened when the file changes.

    A lock guards the connection and the caches: threads share one ``WarehouseFile`` per file.
    Queries run on a cursor per call (:meth:`execute`), since a DuckDB connection is not safe to
    use from two threads at once.
    """

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.RLock()
        self._stamp: tuple[int, int, int] | None = None
        self._con: Any = None
        self._catalog: Catalog | None = None
        self._markets: dict[str, frozenset[str]] = {}
        self._tables: dict[str, Table] = {}

    def _file_stamp(self) -> tuple[int, int, int]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise TectonError(
                f'no warehouse at {self.path}: run "tecton build" to build it from the lake '
                f'(or "tecton demo" for a synthetic one)'
            ) from None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def con(self):
        """The ibis connection, (re)opened if the file is new or changed."""
        with self._lock:
            stamp = self._file_stamp()
            if self._con is None or stamp != self._stamp:
                self.close()
                self._con = ibis.duckdb.connect(str(self.path), read_only=True)
                self._stamp = stamp
            return self._con

    def execute(self, expr: Table):
        """Run an ibis expression on a cursor of its own; returns a ``pyarrow.Table``."""
        with self._lock:
            con = self.con()
            sql = str(con.compile(expr))
            cursor = con.con.cursor()
        try:
            result = cursor.execute(sql).arrow()
            return result.read_all() if hasattr(result, "read_all") else result
        finally:
            cursor.close()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.disconnect()
            self._con, self._catalog, self._markets, self._tables = None, None, {}, {}

    def catalog(self) -> Catalog:
        with self._lock:
            con = self.con()
            if self._catalog is None:
                rows = con.con.execute(
                    "select table_name, column_name, data_type from information_schema.columns "
                    "where table_schema = 'main' and table_catalog = current_database() "
                    "order by table_name, ordinal_position"
                ).fetchall()
                self._catalog = Catalog.from_schema(rows)
            return self._catalog

    def table(self, ref: TableRef) -> Table:
        """The ibis table of a mart (its schema fetched once per file version)."""
        with self._lock:
            con = self.con()
            if ref.relation not in self._tables:
                self._tables[ref.relation] = con.table(ref.relation)
            return self._tables[ref.relation]

    def markets(self, ref: TableRef) -> frozenset[str]:
        """The markets in a table (for checking a ``markets=`` filter), once per file version."""
        with self._lock:
            self.con()  # reopens (and clears the caches) if the file changed
            if ref.relation not in self._markets:
                t = self.table(ref)
                values: set[str] = set()
                for column in ref.market_columns:
                    values |= set(t.select(column).distinct().to_pyarrow()[column].to_pylist())
                self._markets[ref.relation] = frozenset(v for v in values if v is not None)
            return self._markets[ref.relation]


def warehouse_file(path: Path) -> WarehouseFile:
    """The process's one ``WarehouseFile`` for ``path``."""
    with _open_lock:
        if path not in _open:
            _open[path] = WarehouseFile(path)
        return _open[path]


def close(path: Path | None = None) -> None:
    """Close the connection to ``path`` (every connection when None)."""
    with _open_lock:
        chosen = list(_open) if path is None else [p for p in _open if p == path]
        for p in chosen:
            _open.pop(p).close()
