"""Mantle: the notebook door to the warehouse, and the only code that reads it through ibis/DuckDB.

    from tecton.dal.mantle import Mantle
    df = Mantle.select(Mantle.Tables.futures.cont, "2020-01-01", "2020-12-31",
                       columns=["price_adj", "contract_id"], markets=["CRUDE"], lookback=64)

Every call builds one lazy ibis expression over one read-only DuckDB connection per warehouse
file, and only ``select`` runs it. Table and column names are checked against the catalog (see
:mod:`tecton.dal.catalog`); values (markets, dates) enter the expression as typed ibis literals,
which the compiler quotes: nothing a caller passes is pasted into SQL text.

``as_of`` reads a warehouse built from the lake as it was at that time (Delta time travel), cached
per set of lake table versions under ``$TECTON_HOME/asof/<versions>/warehouse.duckdb``, so a file
revised after ``as_of`` is invisible to the read, in every mart derived from it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from tecton.config import home, lake_uri
from tecton.dal.catalog import Catalog, TableRef
from tecton.dal.warehouse import warehouse_path
from tecton.errors import DateLike, TectonError

# lake tables that do not feed the marts: a new row in them needs no new as-of warehouse
_NOT_MODELLED = ("ingest_log",)
_build_lock = threading.Lock()


class _Warehouse:
    """One warehouse file: its read-only connection and catalog, reopened when the file changes."""

    def __init__(self, path: Path):
        self.path = path
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
        stamp = self._file_stamp()
        if self._con is None or stamp != self._stamp:
            self.close()
            self._con = ibis.duckdb.connect(str(self.path), read_only=True)
            self._stamp = stamp
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.disconnect()
        self._con, self._catalog, self._markets, self._tables = None, None, {}, {}

    def catalog(self) -> Catalog:
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
        con = self.con()
        if ref.relation not in self._tables:
            self._tables[ref.relation] = con.table(ref.relation)
        return self._tables[ref.relation]

    def markets(self, ref: TableRef) -> frozenset[str]:
        """The markets in a table (for checking a ``markets=`` filter), once per file version."""
        self.con()  # reopens (and clears the caches) if the file changed
        if ref.relation not in self._markets:
            t = self.table(ref)
            values: set[str] = set()
            for column in ref.market_columns:
                values |= set(t.select(column).distinct().to_pyarrow()[column].to_pylist())
            self._markets[ref.relation] = frozenset(v for v in values if v is not None)
        return self._markets[ref.relation]


class _TablesAttribute:
    """``Mantle.Tables``: the catalog of the current warehouse, looked up on each access."""

    def __get__(self, obj, owner) -> Catalog:
        return owner._warehouse().catalog()


class Mantle:
    """The warehouse door for notebooks. All methods are class methods; see the module doc.

    ``Mantle.Tables`` is the catalog: ``Mantle.Tables.futures.cont``; its ``repr`` lists every
    table with its columns, and namespaces, tables and columns tab-complete.
    """

    Tables = _TablesAttribute()
    _open: dict[Path, _Warehouse] = {}  # noqa: RUF012 (one cache for the process, by design)

    @classmethod
    def select(
        cls,
        table: TableRef | str,
        start: DateLike | None = None,
        end: DateLike | None = None,
        columns: Sequence[str] | None = None,
        *,
        markets: Iterable[str] | str | None = None,
        lookback: int = 0,
        as_of: DateLike | None = None,
        where: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Read a mart into pandas, sorted by market and date (the table's key).

        Parameters
        ----------
        table : TableRef or str
            ``Mantle.Tables.futures.cont`` or ``"futures.cont"``.
        start, end : date-like, optional
            Inclusive window on the table's date column (``trade_date``, ``week_end``, ...).
        columns : list of str, optional
            Columns to return besides the key (market, date, ids), which always come first.
        markets : list of str, optional
            Only these markets (``market_id``; for pair tables such as ``futures.corr``, rows
            whose markets are both in the list).
        lookback : int
            Also return this many dates before ``start``, per market, so a rolling statistic is
            warm on ``start``.
        as_of : date-like, optional
            Read the data as it was known at this time (UTC when naive): a file ingested later
            is invisible. The first read as of a new lake version builds that warehouse (dbt).
        where : dict, optional
            Equality filters, ``{"contract_id": "CRUDE_202005"}`` (a list value means any of).

        Returns
        -------
        pandas.DataFrame
            Dates as ``datetime64``, ids as strings, prices as ``float64``.
        """
        expr = cls.query(
            table, start, end, columns, markets=markets, lookback=lookback, as_of=as_of, where=where
        )
        # ibis built and compiled the query; DuckDB runs it and hands Arrow straight to pandas
        # (ibis's own execute adds a per-column conversion pass that costs more than the read)
        wh = cls._warehouse(as_of)
        result = wh.con().con.execute(str(wh.con().compile(expr))).arrow()
        arrow = result.read_all() if hasattr(result, "read_all") else result
        return arrow.to_pandas(date_as_object=False)

    @classmethod
    def query(
        cls,
        table: TableRef | str,
        start: DateLike | None = None,
        end: DateLike | None = None,
        columns: Sequence[str] | None = None,
        *,
        markets: Iterable[str] | str | None = None,
        lookback: int = 0,
        as_of: DateLike | None = None,
        where: dict[str, Any] | None = None,
    ) -> Table:
        """What ``select`` runs, as a lazy ibis expression (one query)."""
        wh = cls._warehouse(as_of)
        ref = wh.catalog().resolve(table)
        t = wh.table(ref)
        start_d, end_d = _date(start, "start"), _date(end, "end")
        if start_d is not None and end_d is not None and start_d > end_d:
            raise TectonError(f"start {start_d.date()} is after end {end_d.date()}")
        if not isinstance(lookback, int) or isinstance(lookback, bool) or lookback < 0:
            raise TectonError(
                f"lookback must be a whole number of bars, 0 or more; got {lookback!r}"
            )
        date = ref.date_column
        if date is None and (start_d is not None or end_d is not None):
            raise TectonError(
                f"{ref.path} has no date column to apply start/end to; columns: {', '.join(ref.columns)}"
            )

        wanted = list(ref.key)
        for column in ref.check_columns(columns if columns is not None else ref.columns):
            if column not in wanted:
                wanted.append(column)

        filters = []
        if markets is not None:
            chosen = _market_list(markets, ref, wh)
            filters += [t[c].isin(chosen) for c in ref.market_columns]
        for column, value in (where or {}).items():
            ref.check_columns([column])
            values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
            filters.append(t[column].isin(values))
        if end_d is not None:
            filters.append(t[date] <= _literal(end_d, ref.types[date]))
        t = t.filter(*filters) if filters else t

        if start_d is not None:
            since = _literal(start_d, ref.types[date])
            inside = t.filter(t[date] >= since)
            if lookback:
                before = t.filter(t[date] < since)
                rank = ibis.dense_rank().over(
                    group_by=[before[c] for c in ref.market_columns],
                    order_by=ibis.desc(before[date]),
                )
                before = before.mutate(_bars_back=rank).filter(lambda r: r._bars_back < lookback)
                t = inside.select(wanted).union(before.select(wanted))
            else:
                t = inside
        return t.select(wanted).order_by(list(ref.key))

    @classmethod
    def table(cls, table: TableRef | str, as_of: DateLike | None = None) -> Table:
        """The lazy ibis table of a mart, to compose further (``.execute()`` runs it)."""
        wh = cls._warehouse(as_of)
        return wh.table(wh.catalog().resolve(table))

    @classmethod
    def markets(
        cls, table: TableRef | str = "futures.cont", as_of: DateLike | None = None
    ) -> list[str]:
        """The markets present in a table."""
        wh = cls._warehouse(as_of)
        return sorted(wh.markets(wh.catalog().resolve(table)))

    @classmethod
    def catalog(cls, as_of: DateLike | None = None) -> Catalog:
        """The marts of the warehouse (as of a time, when given): ``Mantle.Tables`` for any time."""
        return cls._warehouse(as_of).catalog()

    @classmethod
    def close(cls) -> None:
        """Close every warehouse connection (a DuckDB read-only connection blocks writers)."""
        for wh in cls._open.values():
            wh.close()
        cls._open.clear()

    @classmethod
    def _warehouse(cls, as_of: DateLike | None = None) -> _Warehouse:
        path = warehouse_path() if as_of is None else as_of_warehouse(as_of)
        if path not in cls._open:
            cls._open[path] = _Warehouse(path)
        return cls._open[path]


def _date(value: DateLike | None, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        when = pd.Timestamp(value)
    except (ValueError, TypeError):
        when = None
    if when is None or pd.isna(when):
        raise TectonError(f"{name} {value!r} is not a date; use YYYY-MM-DD, a date or a timestamp")
    return when


def _literal(when: pd.Timestamp, duckdb_type: str):
    if duckdb_type == "DATE":
        return ibis.literal(when.date(), type="date")
    if duckdb_type.startswith("TIMESTAMP WITH"):
        return ibis.literal(
            when if when.tzinfo else when.tz_localize("UTC"), type="timestamp('UTC')"
        )
    return ibis.literal(when.tz_localize(None) if when.tzinfo else when, type="timestamp")


def _market_list(markets: Iterable[str] | str, ref: TableRef, wh: _Warehouse) -> list[str]:
    chosen = [markets] if isinstance(markets, str) else list(markets)
    if not ref.market_columns:
        raise TectonError(f"{ref.path} has no market column; columns: {', '.join(ref.columns)}")
    known = wh.markets(ref)
    for market in chosen:
        if not isinstance(market, str) or market not in known:
            raise TectonError(
                f"unknown market {market!r} in {ref.path}; markets: {', '.join(sorted(known))}"
            )
    return chosen


# --- as_of: a warehouse built from the lake as it was at a time ---------------------------------


def lake_versions(as_of: DateLike) -> dict[str, int]:
    """The version of each modelled lake table current at ``as_of`` (UTC when naive)."""
    from tecton.lake import Lake

    when = _utc(as_of)
    lake = Lake()
    versions = {}
    for name in lake.table_names():
        if name in _NOT_MODELLED:
            continue
        # resolved exactly as the dbt lake plugin will load it (Delta time travel by datetime),
        # so the cache key names what is built. On S3 Delta dates a commit by its log object's
        # Last-Modified, which has whole-second resolution: as_of is second-granular there.
        table = lake.table(name)
        created = min(c["timestamp"] for c in table.history())  # ms since the epoch
        if created > when.timestamp() * 1000:
            continue  # the table did not exist yet (Delta would answer with version 0)
        table.load_as_version(when)
        versions[name] = table.version()
    if "bars" not in versions:
        raise TectonError(f"the lake {lake.storage.root} had no bars as of {when.isoformat()}")
    return versions


def as_of_warehouse(as_of: DateLike) -> Path:
    """The warehouse built from the lake as of ``as_of``, built on first use and kept."""
    versions = lake_versions(as_of)
    key = "_".join(f"{name}-v{v}" for name, v in sorted(versions.items()))
    folder = home() / "asof" / key
    path = folder / "warehouse.duckdb"
    if path.exists():
        return path
    with _build_lock:
        if not path.exists():
            _build_as_of(folder, _utc(as_of))
    return path


def _build_as_of(folder: Path, when: dt.datetime) -> None:
    from tecton.dal import warehouse

    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    # the as-of build is a data home of its own (its warehouse and dbt state) over the same lake
    with _environ(TECTON_HOME=str(partial), TECTON_LAKE=lake_uri()):
        report = warehouse.build(full_refresh=True, lake_as_of=when.isoformat())
    if not report.ok:
        shutil.rmtree(partial, ignore_errors=True)
        raise warehouse.BuildFailed(report)
    os.replace(partial, folder)


@contextmanager
def _environ(**values: str):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _utc(value: DateLike) -> dt.datetime:
    when = _date(value, "as_of")
    when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
    return when.to_pydatetime()
