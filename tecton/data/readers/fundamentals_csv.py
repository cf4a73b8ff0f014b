"""Fundamentals CSVs: weekly series per market (inventories, positioning), one row per release.

A file holds one market (named ``<MARKET>.csv``) or several (with a ``market_id`` column)::

    release_date,period_end,series,value
    2020-01-08,2020-01-03,inventory,431.1
    2020-01-10,2020-01-07,positioning,12.84

==================  ========  ==============================================================
column              required  meaning
==================  ========  ==============================================================
``release_date``    yes       the day the value became public (ISO date); a rule may use it
                              from that day on, never before
``series``          yes       lower-case name: ``inventory``, ``positioning``, ...
``value``           yes       a finite number, in the series' own unit
``period_end``      no        the day the value describes (week ending), on or before release
``market_id``       no        the market (else the file's name); must be a known market
==================  ========  ==============================================================

Rules (each gives one ``FILE:LINE: [rule] message``): the columns, types and not-null values,
a known market, a series name, a finite value, ``period_end`` not after ``release_date``, one
row per (market, series, release_date) in a file (``unique_key``) and, within a file, each
series' releases listed in date order (``date_order``).

As a format of its own (``tecton ingest PATH --format fundamentals-csv``) every ``*.csv`` under
PATH is a fundamentals file; inside a vendor folder the ``fundamentals/`` subfolder is (see
``vendor_csv``), which is how the synthetic generator writes them.
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
from tecton.data.schema import TABLES, RawFileError, check, without_files
from tecton.markets.metadata import market_specs

NAME = "fundamentals-csv"
TABLE = "fundamentals"
FOLDER = "fundamentals"  # the subfolder of a vendor folder that holds fundamentals files

TYPES = {"release_date": pa.date32(), "series": pa.string(), "value": pa.float64()}
OPTIONAL = {"period_end": pa.date32(), "market_id": pa.string()}
_MARKET_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_SERIES = re.compile(r"^[a-z][a-z0-9_]*$")


def discover(source: Path) -> list[RawFile]:
    """Every CSV under ``source`` (a folder or one file), in a stable order; ``_``/``.`` names skipped."""
    return discover_csvs(source, TABLE)


def read(raw: RawFile, data: bytes | None = None) -> pa.Table:
    """One file's canonical rows (raises its ``RawFileError``)."""
    return read_alone(read_batch, TABLE, raw, data)


def read_batch(files: list[tuple[RawFile, bytes]], fmt: str = NAME) -> Batch:
    """Many files at once: each is parsed alone, then every rule runs over the whole batch.

    ``fmt`` names the format in ``source_file`` (``vendor-csv`` when a vendor folder carries
    fundamentals), which must match the name the ingest plans the file under.
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
    errors = _row_rules(table, names)
    for index, error in check(table, TABLES[TABLE], names).items():
        errors.setdefault(index, error)
    errors |= _date_order(without_files(table, errors), names)
    batch.errors |= errors
    batch.tables[TABLE] = without_files(table, errors).drop_columns(["_line"]).cast(_with_file())
    return batch


def _with_file() -> pa.Schema:
    return TABLES[TABLE].schema.append(pa.field("_file", pa.int32()))


def _parse(raw: RawFile, data: bytes, index: int, fmt: str) -> pa.Table:
    """One file's rows in the canonical columns (loosely typed), plus ``_file`` and ``_line``."""
    data = read_text(raw, data)
    header = check_header(raw, data, list(TYPES), tuple(OPTIONAL))
    types = {**TYPES, **{c: t for c, t in OPTIONAL.items() if c in header}}
    table = read_csv(raw, data, types)
    n = table.num_rows
    if "market_id" in header:
        market = table["market_id"]
    else:
        market = pa.repeat(pa.scalar(_market_of(raw)), n)
    period = table["period_end"] if "period_end" in header else pa.nulls(n, pa.date32())
    loose = pa.schema([f.with_nullable(True) for f in TABLES[TABLE].schema])
    return pa.table(
        {
            "market_id": market,
            "series": table["series"],
            "release_date": table["release_date"],
            "period_end": period,
            "value": table["value"],
            "source_file": pa.repeat(pa.scalar(f"{fmt}/{raw.name}"), n),
            "_file": pa.array(np.full(n, index, np.int32)),
            "_line": pa.array(_line_numbers(data, n)),
        }
    ).cast(pa.schema([*loose, pa.field("_file", pa.int32()), pa.field("_line", pa.int64())]))


def _market_of(raw: RawFile) -> str:
    stem = Path(raw.name).name.removesuffix(".csv")
    if not _MARKET_NAME.match(stem):
        raise RawFileError(
            raw.name, "file_name", "name must be <MARKET>.csv, or the file needs a market_id column"
        )
    if stem not in (specs := market_specs()):
        raise RawFileError(
            raw.name, "known_market", f"unknown market {stem!r}; known: {', '.join(specs)}"
        )
    return stem


def _line_numbers(data: bytes, n: int) -> np.ndarray:
    """The source line of each data row (header = line 1; the CSV parser skips blank lines)."""
    if b"\n\n" not in data and b"\n\r\n" not in data:
        return np.arange(n, dtype=np.int64) + 2
    filled = np.flatnonzero([bool(s.strip()) for s in data.split(b"\n")]) + 1
    return filled[1 : n + 1].astype(np.int64)


def _row_rules(table: pa.Table, names: list[str]) -> dict[int, RawFileError]:
    """The first row of each file with an unknown market or a bad series name."""
    errors: dict[int, RawFileError] = {}
    known = pa.array(list(market_specs()))
    unknown = pc.and_(
        pc.is_valid(table["market_id"]), pc.invert(pc.is_in(table["market_id"], known))
    )
    bad_series = pc.invert(pc.match_substring_regex(table["series"], _SERIES.pattern))
    for mask, rule, message in (
        (unknown, "known_market", lambda r: f"unknown market {r['market_id']!r}"),
        (
            bad_series,
            "series_name",
            lambda r: f"series {r['series']!r} must be lower-case letters, digits and _",
        ),
    ):
        rows = pc.indices_nonzero(pc.fill_null(mask, False))
        for row in table.take(rows).select(["market_id", "series", "_file", "_line"]).to_pylist():
            if row["_file"] not in errors:
                errors[row["_file"]] = RawFileError(
                    names[row["_file"]], rule, message(row), row["_line"]
                )
    return errors


def _date_order(table: pa.Table, names: list[str]) -> dict[int, RawFileError]:
    """The first row of each file whose release is not after its series' previous row in the file."""
    errors: dict[int, RawFileError] = {}
    if table.num_rows < 2:
        return errors
    keys = [
        ("_file", "ascending"),
        ("market_id", "ascending"),
        ("series", "ascending"),
        ("_line", "ascending"),
    ]
    rows = table.select(["_file", "market_id", "series", "release_date", "_line"]).take(
        pc.sort_indices(table, keys)
    )
    prev, this = rows.slice(0, rows.num_rows - 1), rows.slice(1)
    same = pc.and_(
        pc.and_(
            pc.equal(prev["_file"], this["_file"]), pc.equal(prev["market_id"], this["market_id"])
        ),
        pc.equal(prev["series"], this["series"]),
    )
    back = pc.and_(same, pc.less(this["release_date"], prev["release_date"]))
    for i in pc.indices_nonzero(pc.fill_null(back, False)).to_pylist():
        before, row = rows.slice(i, 2).to_pylist()
        if row["_file"] not in errors:
            message = (
                f"{row['series']} released {row['release_date']} is listed after "
                f"{before['release_date']} (line {before['_line']}); list releases in date order"
            )
            errors[row["_file"]] = RawFileError(
                names[row["_file"]], "date_order", message, row["_line"]
            )
    return errors
