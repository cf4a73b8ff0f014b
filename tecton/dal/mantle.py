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
revised after ``as_of`` is invisible to the read, in every mart derived from it (see
:mod:`tecton.dal.asof`: the build never touches the process environment, so threads may read as
of different times at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from tecton.dal import connections
from tecton.dal.asof import as_of_warehouse, lake_versions, timestamp
from tecton.dal.catalog import Catalog, TableRef
from tecton.dal.connections import WarehouseFile
from tecton.dal.warehouse import warehouse_path
from tecton.errors import DateLike, TectonError

__all__ = ["DateLike", "Mantle", "TectonError", "as_of_warehouse", "lake_versions"]


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
        return cls._warehouse(as_of).execute(expr).to_pandas(date_as_object=False)

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
        start_d, end_d = timestamp(start, "start"), timestamp(end, "end")
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
        connections.close()

    @classmethod
    def _warehouse(cls, as_of: DateLike | None = None) -> WarehouseFile:
        path = warehouse_path() if as_of is None else as_of_warehouse(as_of)
        return connections.warehouse_file(path)


def _literal(when: pd.Timestamp, duckdb_type: str):
    if duckdb_type == "DATE":
        return ibis.literal(when.date(), type="date")
    if duckdb_type.startswith("TIMESTAMP WITH"):
        return ibis.literal(
            when if when.tzinfo else when.tz_localize("UTC"), type="timestamp('UTC')"
        )
    return ibis.literal(when.tz_localize(None) if when.tzinfo else when, type="timestamp")


def _market_list(markets: Iterable[str] | str, ref: TableRef, wh: WarehouseFile) -> list[str]:
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
