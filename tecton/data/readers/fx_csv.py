"""FX spot CSVs: one currency pair per file, ``<CCY><QUOTE>.csv`` (``EURUSD.csv``), one row a day::

    date,price
    2020-01-02,1.1215
    2020-01-03,1.1160

``price`` is units of ``QUOTE`` per one unit of ``CCY`` (USD per euro above), as in the
pysystemtrade peer's ``fx_prices_csv`` files; both land in the lake table ``fx_prices``.

Rules (each gives one ``FILE:LINE: [rule] message``; a bad file is set aside, the rest lands):
the file name (two different 3-letter codes), the header, ISO dates, a price on every row
(``not_null``), one row per date (``unique_key``), dates in increasing order (``date_order``),
and the value checks every FX row meets whatever its source (``schema.check``): a price above 0
(``positive``), finite (``finite``), and no day-on-day move beyond a factor of
``schema.FX_MAX_DAY_RATIO`` (``jump``: a unit or decimal slip, not a market move).

As a format of its own (``tecton ingest PATH --format fx-csv``) every ``*.csv`` under PATH is an
FX file; inside a vendor folder the ``fx/`` subfolder is (see ``vendor_csv``), which is where the
synthetic generator writes them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.readers.base import (
    Batch,
    RawFile,
    check_header,
    discover_csvs,
    read_alone,
    read_csv,
    read_text,
)
from tecton.data.readers.fundamentals_csv import _line_numbers
from tecton.data.schema import TABLES, RawFileError, check, first_true, without_files

NAME = "fx-csv"
TABLE = "fx_prices"
FOLDER = "fx"  # the subfolder of a vendor folder that holds FX files

TYPES = {"date": pa.date32(), "price": pa.float64()}
_PAIR = re.compile(r"^(?P<ccy>[A-Z]{3})(?P<quote>[A-Z]{3})$")


def discover(source: Path) -> list[RawFile]:
    """Every CSV under ``source`` (a folder or one file), in a stable order; ``_``/``.`` names skipped."""
    return discover_csvs(source, TABLE)


def read(raw: RawFile, data: bytes | None = None) -> pa.Table:
    """One file's canonical rows (raises its ``RawFileError``)."""
    return read_alone(read_batch, TABLE, raw, data)


def read_batch(files: list[tuple[RawFile, bytes]], fmt: str = NAME) -> Batch:
    """Many files at once: each is parsed alone, then every rule runs over the whole batch.

    ``fmt`` names the format in ``source_file`` (``vendor-csv`` for a vendor folder's ``fx/``).
    """
    batch, parts = Batch(), []
    for index, (raw, data) in enumerate(files):
        if raw.table != TABLE:
            continue
        try:
            parts.append(_parse(raw, data, index, fmt))
        except RawFileError as err:
            batch.errors[index] = err
    if not parts:
        return batch
    table = pa.concat_tables(parts)
    names = [raw.name for raw, _ in files]
    errors = _missing_price(table, names)
    for index, error in check(table, TABLES[TABLE], names, key=("observed_at",)).items():
        errors.setdefault(index, error)
    errors |= _date_order(without_files(table, errors), names)
    batch.errors |= errors
    schema = TABLES[TABLE].schema.append(pa.field("_file", pa.int32()))
    batch.tables[TABLE] = without_files(table, errors).drop_columns(["_line"]).cast(schema)
    return batch


def _parse(raw: RawFile, data: bytes, index: int, fmt: str) -> pa.Table:
    """One file's rows in the canonical columns (loosely typed), plus ``_file`` and ``_line``."""
    pair = _pair(raw)
    data = read_text(raw, data)
    check_header(raw, data, list(TYPES))
    table = read_csv(raw, data, TYPES)
    n, date = table.num_rows, table["date"]
    loose = pa.schema([f.with_nullable(True) for f in TABLES[TABLE].schema])
    return pa.table(
        {
            "pair": pa.repeat(pa.scalar(pair.group(0)), n),
            "currency": pa.repeat(pa.scalar(pair["ccy"]), n),
            "quote_currency": pa.repeat(pa.scalar(pair["quote"]), n),
            "trade_date": date,
            "observed_at": pc.cast(date, pa.timestamp("us")),
            "price": table["price"],
            "source_file": pa.repeat(pa.scalar(f"{fmt}/{raw.name}"), n),
            "year": pc.cast(pc.year(date), pa.int32()),
            "_file": pa.array(np.full(n, index, np.int32)),
            "_line": pa.array(_line_numbers(data, n)),
        }
    ).cast(pa.schema([*loose, pa.field("_file", pa.int32()), pa.field("_line", pa.int64())]))


def _pair(raw: RawFile) -> re.Match:
    stem = Path(raw.name).name.removesuffix(".csv")
    match = _PAIR.match(stem)
    if not match or match["ccy"] == match["quote"]:
        raise RawFileError(
            raw.name,
            "file_name",
            "name must be <CCY><QUOTE>.csv with two currency codes, e.g. EURUSD.csv",
        )
    return match


def _missing_price(table: pa.Table, names: list[str]) -> dict[int, RawFileError]:
    """The first row of each file with no price (the peer's files may have NaN; these may not)."""
    errors: dict[int, RawFileError] = {}
    missing = pc.or_(pc.is_null(table["price"]), pc.is_nan(pc.fill_null(table["price"], 0.0)))
    rows = table.filter(missing).select(["trade_date", "_file", "_line"]).to_pylist()
    for row in rows:
        if row["_file"] not in errors:
            errors[row["_file"]] = RawFileError(
                names[row["_file"]],
                "not_null",
                f"price is missing on {row['trade_date']}",
                row["_line"],
            )
    return errors


def _date_order(table: pa.Table, names: list[str]) -> dict[int, RawFileError]:
    """The first row of each file whose date is not after the row above it."""
    errors: dict[int, RawFileError] = {}
    rows = table.select(["_file", "trade_date", "_line"]).take(
        pc.sort_indices(table, [("_file", "ascending"), ("_line", "ascending")])
    )
    if rows.num_rows < 2:
        return errors
    prev, this = rows.slice(0, rows.num_rows - 1), rows.slice(1)
    back = pc.and_(
        pc.equal(prev["_file"], this["_file"]), pc.less(this["trade_date"], prev["trade_date"])
    )
    while (i := first_true(back)) is not None:
        before, row = rows.slice(i, 2).to_pylist()
        errors[row["_file"]] = RawFileError(
            names[row["_file"]],
            "date_order",
            f"{row['trade_date']} comes after {before['trade_date']} (line {before['_line']}); "
            "list dates in increasing order",
            row["_line"],
        )
        # later rows of the same file add nothing: one error per file
        back = pc.and_(back, pc.not_equal(this["_file"], row["_file"]))
    return errors
