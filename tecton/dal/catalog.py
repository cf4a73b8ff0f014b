"""The catalog of marts a user can read through Mantle, generated from the warehouse itself.

The rule (no hand-kept list): a table in the warehouse's ``main`` schema is a mart when its name
is ``<domain>_<entity>[_<grain>]`` with a known domain prefix (``futures_``, ``signals_``,
``crypto_``, ``equities_``, ...). The domain becomes the namespace and the rest the table name,
with a grain suffix (``_daily``, ``_weekly``, ``_monthly``) dropped unless dropping it would make
two tables collide: ``futures_returns_daily`` is ``futures.returns``. Staging (``stg_``) and
intermediate (``int_``) models, dbt seeds (``markets``) and anything in another schema are not
marts. Reading the warehouse rather than the dbt manifest means a catalog always describes the
file it reads, including a warehouse built as of an earlier lake version.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from tecton.errors import TectonError  # re-exported: its home was here

__all__ = ["Catalog", "Namespace", "TableRef", "TectonError", "mart_names"]

DOMAINS = (
    "futures",
    "signals",
    "backtests",
    "crypto",
    "equities",
    "fx",
    "options",
    "macro",
    "portfolio",
)
GRAINS = ("_daily", "_weekly", "_monthly")
# columns that name a market: a `markets=[...]` filter and a lookback window run over these
MARKET_COLUMNS = ("market_id", "market_a", "market_b")
# the column a start/end window applies to, in order of preference (else the first date column)
DATE_COLUMNS = ("trade_date", "week_end", "month_end", "roll_date", "observed_at")
# columns that split a market's day into several rows (a model's forecast per rule, a fundamentals
# series, a multiple-prices role): part of a table's key wherever they appear
GRAIN_COLUMNS = ("model", "rule", "series", "role")


@dataclass(frozen=True)
class TableRef:
    """One mart: ``Mantle.Tables.futures.cont``. Its columns are attributes for tab completion."""

    namespace: str
    name: str
    relation: str  # the table's name in the warehouse
    schema: tuple[tuple[str, str], ...] = field(repr=False)  # (column, DuckDB type) in order

    @property
    def path(self) -> str:
        return f"{self.namespace}.{self.name}"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.schema)

    @property
    def types(self) -> dict[str, str]:
        return dict(self.schema)

    @property
    def market_columns(self) -> tuple[str, ...]:
        return tuple(c for c in MARKET_COLUMNS if c in self.types)

    @property
    def date_column(self) -> str | None:
        for name in DATE_COLUMNS:
            if name in self.types:
                return name
        return next(
            (c for c, t in self.schema if t in ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE")),
            None,
        )

    @property
    def key(self) -> tuple[str, ...]:
        """What identifies a row, always read, and the sort order of a result: market columns,
        the date, other ids (``contract_id``), then the grain columns (``model``, ``rule``, ...)."""
        date = (self.date_column,) if self.date_column else ()
        ids = tuple(c for c in self.columns if c.endswith("_id") and c not in MARKET_COLUMNS)
        grain = tuple(c for c in GRAIN_COLUMNS if c in self.types)
        return (*self.market_columns, *date, *ids, *grain)

    def check_columns(self, columns: Iterable[str]) -> list[str]:
        """The columns, in order, each one known; else a one-line error listing the valid ones."""
        if isinstance(columns, str):
            columns = [columns]
        out = []
        for column in columns:
            if not isinstance(column, str) or column not in self.types:
                raise TectonError(
                    f"unknown column {column!r} in {self.path}; columns: {', '.join(self.columns)}"
                )
            out.append(column)
        return out

    def __getattr__(self, name: str) -> str:
        # columns as attributes (`T.price_adj` is "price_adj"); only called for unknown attributes
        if name.startswith("_") or name not in dict(object.__getattribute__(self, "schema")):
            raise AttributeError(
                f"{self.namespace}.{self.name} has no column {name!r}; columns: {', '.join(self.columns)}"
            )
        return name

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.columns})

    def __str__(self) -> str:
        return self.path

    def describe(self) -> str:
        cols = ", ".join(f"{c} {t.lower()}" for c, t in self.schema)
        return f"{self.path} ({self.relation}): {cols}"


class Namespace:
    """The tables of one domain (``Mantle.Tables.futures``)."""

    def __init__(self, name: str, tables: dict[str, TableRef]):
        self._name, self._tables = name, dict(sorted(tables.items()))

    def __getattr__(self, name: str) -> TableRef:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._tables[name]
        except KeyError:
            raise AttributeError(
                f"no table {self._name}.{name}; tables: {', '.join(t.path for t in self)}"
            ) from None

    def __getitem__(self, name: str) -> TableRef:
        return getattr(self, name)

    def __iter__(self) -> Iterator[TableRef]:
        return iter(self._tables.values())

    def __len__(self) -> int:
        return len(self._tables)

    def __dir__(self) -> list[str]:
        return sorted(self._tables)

    def __repr__(self) -> str:
        return "\n".join(t.describe() for t in self) or f"{self._name}: no tables"


class Catalog:
    """Every mart of one warehouse, by namespace: ``catalog.futures.cont``."""

    def __init__(self, tables: Iterable[TableRef] = ()):
        grouped: dict[str, dict[str, TableRef]] = {}
        for t in tables:
            grouped.setdefault(t.namespace, {})[t.name] = t
        self._namespaces = {ns: Namespace(ns, ts) for ns, ts in sorted(grouped.items())}
        self._by_relation = {t.relation: t for t in self.tables()}

    @classmethod
    def from_schema(cls, columns: Iterable[tuple[str, str, str]]) -> Catalog:
        """From ``(table, column, type)`` rows of the warehouse's ``main`` schema, in column order."""
        schemas: dict[str, list[tuple[str, str]]] = {}
        for table, column, dtype in columns:
            schemas.setdefault(table, []).append((column, dtype))
        names = mart_names(schemas)
        return cls(
            TableRef(ns, name, rel, tuple(schemas[rel])) for rel, (ns, name) in names.items()
        )

    def tables(self) -> list[TableRef]:
        return [t for ns in self._namespaces.values() for t in ns]

    def resolve(self, table: TableRef | str) -> TableRef:
        """A table of this catalog from a ``TableRef`` (matched by its warehouse name) or ``"futures.cont"``."""
        if isinstance(table, TableRef):
            found = self._by_relation.get(table.relation)
        elif isinstance(table, str):
            ns, _, name = table.partition(".")
            found = self._namespaces[ns]._tables.get(name) if ns in self._namespaces else None
        else:
            found = None
        if found is None:
            raise TectonError(f"unknown table {str(table)!r}; tables: {self.listing()}")
        return found

    def listing(self) -> str:
        return ", ".join(t.path for t in self.tables()) or "none (the warehouse has no marts)"

    def __getattr__(self, name: str) -> Namespace:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._namespaces[name]
        except KeyError:
            raise AttributeError(
                f"no namespace {name!r}; namespaces: {', '.join(self._namespaces) or 'none'}; "
                f"tables: {self.listing()}"
            ) from None

    def __iter__(self) -> Iterator[Namespace]:
        return iter(self._namespaces.values())

    def __dir__(self) -> list[str]:
        return sorted(self._namespaces)

    def __repr__(self) -> str:
        return "\n".join(t.describe() for t in self.tables()) or "no marts in the warehouse"


def mart_names(relations: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``{relation: (namespace, name)}`` for the relations that are marts (see the module doc)."""
    parsed: dict[str, tuple[str, str]] = {}
    for relation in relations:
        domain, sep, rest = relation.partition("_")
        if sep and rest and domain in DOMAINS:
            parsed[relation] = (domain, rest)
    short: dict[str, tuple[str, str]] = {}
    for relation, (domain, rest) in parsed.items():
        grain = next((g for g in GRAINS if rest.endswith(g) and len(rest) > len(g)), None)
        short[relation] = (domain, rest[: -len(grain)] if grain else rest)
    taken: dict[tuple[str, str], int] = {}
    for ref in short.values():
        taken[ref] = taken.get(ref, 0) + 1
    # a collision (returns_daily and returns_weekly, or returns and returns_daily) keeps full names
    return {rel: (short[rel] if taken[short[rel]] == 1 else parsed[rel]) for rel in sorted(parsed)}
