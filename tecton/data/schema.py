"""The canonical schemas every reader produces, and the structural rules every file must pass.

Structural rules reject what cannot be stored unambiguously (wrong types, missing keys, duplicate
keys, a bar whose high is below its low). Judging values (spikes, stale prices, gaps) is left to
the data-quality checks: real vendor data is messy and is taken as it is.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BARS = pa.schema(
    [
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("contract_id", pa.string(), nullable=False),
        pa.field("delivery_month", pa.int32(), nullable=False),  # YYYYMM
        pa.field("trade_date", pa.date32(), nullable=False),
        pa.field("observed_at", pa.timestamp("us"), nullable=False),  # source timestamp, naive
        pa.field("role", pa.string()),  # PRICE / FORWARD / CARRY for multiple-price sources
        pa.field("open", pa.float64()),
        pa.field("high", pa.float64()),
        pa.field("low", pa.float64()),
        pa.field("close", pa.float64()),
        pa.field("volume", pa.float64()),
        pa.field("open_interest", pa.float64()),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("year", pa.int32(), nullable=False),  # partition column
    ]
)

CONTRACTS = pa.schema(
    [
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("contract_id", pa.string(), nullable=False),
        pa.field("delivery_month", pa.int32(), nullable=False),
        pa.field("first_trade_date", pa.date32()),
        pa.field("expiry_date", pa.date32(), nullable=False),
        pa.field("first_notice_date", pa.date32()),
        pa.field("source_file", pa.string(), nullable=False),
    ]
)

ROLL_CALENDARS = pa.schema(
    [
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("roll_at", pa.timestamp("us"), nullable=False),
        pa.field("current_contract", pa.string(), nullable=False),
        pa.field("next_contract", pa.string(), nullable=False),
        pa.field("carry_contract", pa.string()),
        pa.field("source_file", pa.string(), nullable=False),
    ]
)

INSTRUMENTS = pa.schema(
    [
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("description", pa.string()),
        pa.field("point_value", pa.float64()),  # value of one price point, in `currency`
        pa.field("currency", pa.string()),
        pa.field("asset_class", pa.string()),
        pa.field("slippage", pa.float64()),  # price points
        pa.field("commission_per_block", pa.float64()),
        pa.field("commission_pct", pa.float64()),
        pa.field("commission_per_trade", pa.float64()),
        pa.field("source_file", pa.string(), nullable=False),
    ]
)

# How a market rolls (pysystemtrade's rollconfig.csv): month-letter cycles, offsets in days.
ROLL_CONFIGS = pa.schema(
    [
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("hold_cycle", pa.string()),  # months held, e.g. HMUZ
        pa.field("priced_cycle", pa.string()),  # months with prices
        pa.field("roll_offset_days", pa.int32()),  # days from expiry to roll (negative: before)
        pa.field("carry_offset", pa.int32()),  # -1: carry is the earlier priced contract, +1: later
        pa.field("expiry_offset", pa.int32()),  # approx. expiry: 1st of the contract month + days
        pa.field("source_file", pa.string(), nullable=False),
    ]
)

# Daily spot FX: `price` is units of `quote_currency` per one unit of `currency`.
FX_PRICES = pa.schema(
    [
        pa.field("pair", pa.string(), nullable=False),  # e.g. AUDUSD
        pa.field("currency", pa.string(), nullable=False),  # e.g. AUD
        pa.field("quote_currency", pa.string(), nullable=False),  # e.g. USD
        pa.field("trade_date", pa.date32(), nullable=False),
        pa.field("observed_at", pa.timestamp("us"), nullable=False),  # source timestamp, naive
        pa.field("price", pa.float64()),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("year", pa.int32(), nullable=False),  # partition column
    ]
)

# Weekly fundamentals (inventories, positioning), one value per market, series and release.
# ``release_date`` is when the value became public (a rule may use it from that date's close);
# ``period_end`` the date it describes (the week ending), when the source gives one.
FUNDAMENTALS = pa.schema(
    [
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("series", pa.string(), nullable=False),  # e.g. inventory, positioning
        pa.field("release_date", pa.date32(), nullable=False),
        pa.field("period_end", pa.date32()),
        pa.field("value", pa.float64(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
    ]
)

# Forecasts of the factor models (written by the `signals` flow, not landed from files): per
# model, market, day and rule (``combined`` for the combination), the forecast used on that day,
# computed from data through the bar before it.
FORECASTS = pa.schema(
    [
        pa.field("model", pa.string(), nullable=False),
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("trade_date", pa.date32(), nullable=False),
        pa.field("rule", pa.string(), nullable=False),
        pa.field("forecast", pa.float64(), nullable=False),
        pa.field("fitted_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)


# Stored backtest runs (written by tecton.simulation.store, not landed from files). Delta has no
# multi-table transaction: a run's rows go to the four data tables first and its one row in
# ``backtest_runs`` last, so that row is the commit marker; readers (the marts, ``list_runs``)
# see only runs that have it. Partitioned by run: a run's rows are read back, or rewritten by a
# retried store, without touching any other run's files.
_RUN_ID = pa.field("run_id", pa.string(), nullable=False)
BACKTEST_RUNS = pa.schema(
    [
        _RUN_ID,
        pa.field("strategy", pa.string(), nullable=False),
        pa.field("start_date", pa.date32(), nullable=False),
        pa.field("end_date", pa.date32(), nullable=False),
        pa.field("capital", pa.float64(), nullable=False),  # on the first day, base currency
        pa.field("base_currency", pa.string(), nullable=False),
        pa.field("definition_yaml", pa.string(), nullable=False),  # the strategy as run
        pa.field("lake_versions", pa.string(), nullable=False),  # JSON {lake table: Delta version}
        pa.field("ann_return", pa.float64()),
        pa.field("ann_vol", pa.float64()),
        pa.field("sharpe", pa.float64()),
        pa.field("max_drawdown", pa.float64()),
        pa.field("turnover", pa.float64()),
        pa.field("cost_ann", pa.float64()),
        pa.field("gross_sharpe", pa.float64()),
        pa.field("summary_json", pa.string(), nullable=False),  # every headline figure, JSON
        pa.field("manifest_json", pa.string()),  # lineage: data read, definitions, code (JSON)
        pa.field("created_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
BACKTEST_POSITIONS = pa.schema(
    [
        _RUN_ID,
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("trade_date", pa.date32(), nullable=False),
        pa.field("contract_id", pa.string()),  # the contract held; NULL when flat or unknown
        pa.field("contracts", pa.float64(), nullable=False),  # held at the close, after fills
        pa.field("notional", pa.float64()),  # signed exposure at the close, base currency
    ]
)
BACKTEST_TRADES = pa.schema(
    [
        _RUN_ID,
        pa.field("fill_seq", pa.int64(), nullable=False),  # the fill's place in the run's order
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("trade_date", pa.date32(), nullable=False),
        pa.field("contract_id", pa.string(), nullable=False),
        pa.field("quantity", pa.float64(), nullable=False),  # signed contracts
        pa.field("price", pa.float64(), nullable=False),
        pa.field("notional", pa.float64()),  # |quantity| x price x point value x FX, base currency
        pa.field("cost", pa.float64(), nullable=False),  # base currency, positive
        pa.field("reason", pa.string(), nullable=False),  # signal / roll
    ]
)
BACKTEST_PNL = pa.schema(
    [
        _RUN_ID,
        pa.field("market_id", pa.string(), nullable=False),
        pa.field("trade_date", pa.date32(), nullable=False),
        pa.field("pnl_price", pa.float64(), nullable=False),
        pa.field("pnl_fx", pa.float64(), nullable=False),
        pa.field("cost", pa.float64(), nullable=False),
        pa.field("pnl", pa.float64(), nullable=False),  # pnl_price + pnl_fx - cost
    ]
)
BACKTEST_CAPITAL = pa.schema(
    [
        _RUN_ID,
        pa.field("trade_date", pa.date32(), nullable=False),
        pa.field("capital", pa.float64(), nullable=False),  # what the strategy sized on that day
    ]
)


# An FX rate more than doubling or halving from one row to the next is a unit or decimal slip
# (JPYUSD written as USDJPY), not a market move: the largest in the peer's 30 years is x1.5.
FX_MAX_DAY_RATIO = 2.0


class TableSpec:
    """A lake table: its schema, key, partition columns."""

    def __init__(
        self, name: str, schema: pa.Schema, key: tuple[str, ...], partition_by: tuple[str, ...]
    ):
        self.name, self.schema, self.key, self.partition_by = name, schema, key, partition_by


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "bars", BARS, ("market_id", "contract_id", "observed_at", "role"), ("market_id", "year")
        ),
        TableSpec("contracts", CONTRACTS, ("contract_id",), ("market_id",)),
        TableSpec("roll_calendars", ROLL_CALENDARS, ("market_id", "roll_at"), ("market_id",)),
        TableSpec("instruments", INSTRUMENTS, ("market_id",), ()),
        TableSpec("roll_configs", ROLL_CONFIGS, ("market_id",), ()),
        TableSpec("fx_prices", FX_PRICES, ("pair", "observed_at"), ("pair", "year")),
        TableSpec(
            "fundamentals", FUNDAMENTALS, ("market_id", "series", "release_date"), ("market_id",)
        ),
        TableSpec("forecasts", FORECASTS, ("model", "market_id", "trade_date", "rule"), ("model",)),
        TableSpec("backtest_runs", BACKTEST_RUNS, ("run_id",), ()),
        TableSpec(
            "backtest_positions",
            BACKTEST_POSITIONS,
            ("run_id", "market_id", "trade_date"),
            ("run_id",),
        ),
        TableSpec("backtest_trades", BACKTEST_TRADES, ("run_id", "fill_seq"), ("run_id",)),
        TableSpec("backtest_pnl", BACKTEST_PNL, ("run_id", "market_id", "trade_date"), ("run_id",)),
        TableSpec("backtest_capital", BACKTEST_CAPITAL, ("run_id", "trade_date"), ("run_id",)),
    )
}


class RawFileError(ValueError):
    """A raw file broke a rule. ``str()`` is the one line a user sees."""

    def __init__(self, file: str, rule: str, message: str, line: int | None = None):
        super().__init__(message)
        self.file, self.rule, self.message, self.line = file, rule, message, line

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: [{self.rule}] {self.message}"


def first_true(mask: pa.Array | pa.ChunkedArray) -> int | None:
    """Index of the first true value of a boolean mask (nulls count as false), or None."""
    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return None
    return pc.index(mask, True).as_py()


# Values no vendor can mean; an empty field is null and passes (missing is not wrong), so
# pysystemtrade's NaN prices, which it writes as empty fields, pass.
FINITE = {"bars": ("open", "high", "low", "close", "volume", "open_interest")}
NON_NEGATIVE = {"bars": ("volume", "open_interest")}
_VALUE_RULES = (  # rule, columns per table, (test on an array, the same test on one value), message
    (
        "finite",
        FINITE,
        (lambda a: pc.invert(pc.is_finite(a)), lambda v: not math.isfinite(v)),
        "is not a finite number",
    ),
    ("non_negative", NON_NEGATIVE, (lambda a: pc.less(a, 0), lambda v: v < 0), "is negative"),
)


def _any_bad(table: pa.Table, columns: tuple[str, ...], is_bad) -> pa.ChunkedArray:
    """Rows where any of ``columns`` fails the array test (nulls pass)."""
    return functools.reduce(pc.or_, [pc.fill_null(is_bad[0](table[c]), False) for c in columns])


def _name_bad(row: dict, columns: tuple[str, ...], is_bad, what: str) -> str:
    """The message for a flagged row, naming its first column that fails the test."""
    column = next(c for c in columns if row[c] is not None and is_bad[1](row[c]))
    return f"{column} {row[column]} {what}"


def check(
    table: pa.Table,
    spec: TableSpec,
    files: list[str],
    line_of=None,
    key: tuple[str, ...] | None = None,
) -> dict[int, RawFileError]:
    """Apply the structural rules to a batch of files at once; return the first error per file.

    ``table`` holds the schema's columns plus ``_file`` (index into ``files``) and ``_line``
    (where the row sits in its file; ``line_of`` maps it to a line number when it is not one).
    ``key`` narrows the unique key where a reader knows the rest is constant within a file.
    Vectorised over the whole batch: a rule costs the same for one file or a thousand.
    """
    line_of = line_of or (lambda x: x)
    errors: dict[int, RawFileError] = {}

    def flag(mask, rule: str, message) -> None:
        rows = pc.indices_nonzero(pc.fill_null(mask, False))
        if len(rows) == 0:
            return
        hits = table.take(rows)
        _, first = np.unique(hits["_file"].to_numpy(), return_index=True)
        for row in hits.take(pa.array(first)).to_pylist():
            errors.setdefault(
                row["_file"],
                RawFileError(files[row["_file"]], rule, message(row), line_of(row["_line"])),
            )

    for field in spec.schema:
        if not field.nullable and table[field.name].null_count:
            flag(
                pc.is_null(table[field.name]), "not_null", lambda r, f=field.name: f"{f} is missing"
            )
    for rule, columns_of, is_bad, what in _VALUE_RULES:
        if columns := columns_of.get(spec.name):
            message = functools.partial(_name_bad, columns=columns, is_bad=is_bad, what=what)
            flag(_any_bad(table, columns, is_bad), rule, message)
    if spec.name == "bars":
        flag(
            pc.less(table["high"], table["low"]),
            "high_ge_low",
            lambda r: f"high {r['high']} is below low {r['low']}",
        )
    if spec.name == "fx_prices":
        price = table["price"]
        flag(pc.less_equal(price, 0), "positive", lambda r: f"price {r['price']} is not above 0")
        flag(pc.is_inf(price), "finite", lambda r: f"price {r['price']} is not a finite number")
        flag(_fx_jumps(table), "jump", lambda r: (
            f"price {r['price']} on {r['trade_date']} moved more than x{FX_MAX_DAY_RATIO:g} "
            "from the row before (a unit or decimal slip?)"
        ))  # fmt: skip
    if spec.name == "fundamentals":
        flag(
            pc.invert(pc.is_finite(table["value"])),
            "finite",
            lambda r: f"value {r['value']} is not a finite number",
        )
        flag(
            pc.greater(table["period_end"], table["release_date"]),
            "period_before_release",
            lambda r: f"period_end {r['period_end']} is after release_date {r['release_date']}",
        )
    _check_unique(table, key or spec.key, files, line_of, errors)
    return errors


def _fx_jumps(table: pa.Table) -> pa.Array:
    """Rows whose price is over ``FX_MAX_DAY_RATIO`` times (or under 1/that) the pair's row before in its file."""
    order = pc.sort_indices(table, [(c, "ascending") for c in ("_file", "pair", "observed_at")])
    rows = table.select(["_file", "pair", "price"]).take(order)
    price = rows["price"].to_numpy()
    same = np.zeros(len(price), bool)
    same[1:] = (rows["_file"].to_numpy()[1:] == rows["_file"].to_numpy()[:-1]) & (
        np.asarray(rows["pair"].to_pylist()[1:]) == np.asarray(rows["pair"].to_pylist()[:-1])
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.ones(len(price))
        ratio[1:] = price[1:] / price[:-1]
    jump = same & ((ratio > FX_MAX_DAY_RATIO) | (ratio < 1 / FX_MAX_DAY_RATIO))
    mask = np.zeros(len(price), bool)
    mask[order.to_numpy()] = jump
    return pa.array(mask)


def _check_unique(table, key, files, line_of, errors) -> None:
    """Sort by (key, file, line); a row whose key and file equal its predecessor's repeats it."""
    cols = [*key, "_file"]
    order = pc.sort_indices(table, sort_keys=[(c, "ascending") for c in [*cols, "_line"]])
    rows = table.select([*cols, "_line"]).take(order)
    same = None
    for c in cols:
        a = rows[c].combine_chunks()
        prev, this = a.slice(0, len(a) - 1), a.slice(1)
        eq = pc.or_kleene(pc.equal(prev, this), pc.and_(pc.is_null(prev), pc.is_null(this)))
        same = pc.fill_null(eq, False) if same is None else pc.and_(same, pc.fill_null(eq, False))
    if same is None or not pc.any(same).as_py():
        return
    for i in pc.indices_nonzero(same).to_pylist():
        first, again = rows.slice(i, 2).to_pylist()
        if again["_file"] in errors:
            continue
        shown = ", ".join(f"{k}={again[k]}" for k in key if again[k] is not None)
        message = f"duplicate {shown} (also line {line_of(first['_line'])})"
        errors[again["_file"]] = RawFileError(
            files[again["_file"]], "unique_key", message, line_of(again["_line"])
        )


def without_files(table: pa.Table, files) -> pa.Table:
    """The batch minus the rows of the given file indexes."""
    if not files:
        return table
    return table.filter(pc.invert(pc.is_in(table["_file"], pa.array(sorted(files), pa.int32()))))


def _one_file(table: pa.Table) -> pa.Table:
    """One file's rows as a batch of one: ``_file`` 0, ``_line`` the row index."""
    n = table.num_rows
    return table.append_column("_file", pa.array(np.zeros(n, np.int32))).append_column(
        "_line", pa.array(np.arange(n))
    )


def conform(table: pa.Table, spec: TableSpec, file: str, line_of=lambda i: i + 2) -> pa.Table:
    """Check one file's rows (``line_of`` maps a row index to its line in the raw file).

    Returns the table cast to the schema, or raises the file's first ``RawFileError``.
    """
    if table.num_rows == 0:
        raise RawFileError(file, "not_empty", "no data rows")
    loose = pa.schema([f.with_nullable(True) for f in spec.schema])
    table = table.select(spec.schema.names).cast(loose)
    if errors := check(_one_file(table), spec, [file], line_of):
        raise errors[0]
    return table.cast(spec.schema)


def check_unique(table: pa.Table, key: tuple[str, ...], file: str, line_of=lambda i: i + 2) -> None:
    """Raise ``unique_key`` naming the line whose ``key`` repeats an earlier one."""
    errors: dict[int, RawFileError] = {}
    _check_unique(_one_file(table.select(list(key))), key, [file], line_of, errors)
    if errors:
        raise errors[0]
