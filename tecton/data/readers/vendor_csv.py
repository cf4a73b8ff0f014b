"""Vendor per-contract CSVs: ``<MARKET>_<YYYYMM>.csv`` bars plus a ``contracts.csv`` of expiries.

Bars: ``date,open,high,low,close,volume,open_interest`` (ISO dates, one row per trading day).
Contracts: ``market_id,contract_id,delivery_month,first_trade_date,expiry_date,first_notice_date``.
Fundamentals: the files of a ``fundamentals/`` subfolder, read as ``fundamentals_csv`` reads them
(``fundamentals/<MARKET>.csv``), and FX spot: the files of an ``fx/`` subfolder, read as ``fx_csv``
reads them (``fx/<CCY>USD.csv``), so one ingest of a generated folder lands everything.
Files whose names start with ``_`` or ``.`` are not data (the generator's defect log, for one).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.readers import fundamentals_csv, fx_csv
from tecton.data.readers.base import Batch, RawFile, check_header, read_csv, read_each, read_text
from tecton.data.schema import TABLES, RawFileError, check, conform, without_files
from tecton.markets.metadata import market_specs

NAME = "vendor-csv"
CONTRACTS_FILE = "contracts.csv"
FUNDAMENTALS = fundamentals_csv.FOLDER
FX = fx_csv.FOLDER
_CONTRACT_NAME = re.compile(r"^(?P<market>[A-Z][A-Z0-9_]*?)_(?P<year>\d{4})(?P<month>\d{2})$")

BAR_TYPES = {
    "date": pa.date32(),
    **{c: pa.float64() for c in ("open", "high", "low", "close", "volume", "open_interest")},
}
CONTRACT_TYPES = {
    "market_id": pa.string(),
    "contract_id": pa.string(),
    "delivery_month": pa.int32(),
    "first_trade_date": pa.date32(),
    "expiry_date": pa.date32(),
    "first_notice_date": pa.date32(),
}


def discover(source: Path) -> list[RawFile]:
    """Every CSV under ``source`` (a folder or one file), in a stable order.

    A file's name is relative to the vendor folder: the ``fundamentals/`` or ``fx/`` subfolder
    (or a file in it) given on its own keeps its prefix, so its files land under the same
    names as when the whole vendor folder is ingested.
    """
    source = Path(source)
    paths = [source] if source.is_file() else sorted(source.rglob("*.csv"))
    root = source.parent if source.is_file() else source
    if root.name in (FUNDAMENTALS, FX):
        root = root.parent
    return [_raw_file(p, p.relative_to(root)) for p in paths if not p.name.startswith(("_", "."))]


def _raw_file(path: Path, rel: Path) -> RawFile:
    if rel.parts[0] == FUNDAMENTALS and len(rel.parts) > 1:
        table = fundamentals_csv.TABLE
    elif rel.parts[0] == FX and len(rel.parts) > 1:
        table = fx_csv.TABLE
    else:
        table = "contracts" if path.name == CONTRACTS_FILE else "bars"
    return RawFile(path, rel.as_posix(), table)


def read(raw: RawFile, data: bytes | None = None) -> pa.Table:
    """One file's canonical rows (raises its ``RawFileError``)."""
    batch = read_batch([(raw, raw.path.read_bytes() if data is None else data)])
    if batch.errors:
        raise batch.errors[0]
    return batch.tables[raw.table].drop_columns(["_file"])


def read_batch(files: list[tuple[RawFile, bytes]]) -> Batch:
    """Many files at once: each file is only parsed; columns and rules apply to the whole batch."""
    batch = read_each(_read_contracts, files, only="contracts")
    fundamentals = fundamentals_csv.read_batch(files, fmt=NAME)
    batch.errors |= fundamentals.errors
    batch.tables |= fundamentals.tables
    fx = fx_csv.read_batch(files, fmt=NAME)
    batch.errors |= fx.errors
    batch.tables |= fx.tables
    parts, meta = [], []
    for index, (raw, data) in enumerate(files):
        if raw.table != "bars":
            continue
        try:
            name = _parse_name(raw)
            parts.append(_parse_bars(raw, data))
        except RawFileError as err:
            batch.errors[index] = err
        else:
            meta.append((index, *name, raw.name))
    if parts:
        table = _assemble(parts, meta)
        names = [raw.name for raw, _ in files]
        # one file is one contract with no roles: its rows are unique when its dates are
        errors = check(table, TABLES["bars"], names, key=("observed_at",))
        batch.errors |= errors
        batch.tables["bars"] = without_files(table, errors).drop_columns(["_line"])
    return batch


def _parse_name(raw: RawFile) -> tuple[str, int, int]:
    match = _CONTRACT_NAME.match(Path(raw.name).name.removesuffix(".csv"))
    if not match:
        raise RawFileError(raw.name, "file_name", "name must be <MARKET>_<YYYYMM>.csv")
    market, year, month = match["market"], int(match["year"]), int(match["month"])
    specs = market_specs()
    if market not in specs:
        raise RawFileError(
            raw.name, "known_market", f"unknown market {market!r}; known: {', '.join(specs)}"
        )
    if not 1 <= month <= 12 or not specs[market].is_listed(month):
        cycle = specs[market].listing_cycle
        raise RawFileError(
            raw.name,
            "listing_cycle",
            f"month {month:02d} is not in {market}'s listing cycle {cycle}",
        )
    return market, year, month


def _parse_bars(raw: RawFile, data: bytes) -> pa.Table:
    data = read_text(raw, data)
    check_header(raw, data, list(BAR_TYPES))
    # only an empty field is missing: a vendor's `nan` or `NA` is a bad value, named by a rule
    return read_csv(raw, data, BAR_TYPES, null_values=[""]).select(list(BAR_TYPES))


def _assemble(parts: list[pa.Table], meta: list[tuple]) -> pa.Table:
    """The canonical bars of many files: per-file values repeated once, over the whole batch."""
    lengths = np.array([t.num_rows for t in parts])
    rows = np.repeat(np.arange(len(parts)), lengths)  # row -> position in parts
    index, market, year, month, name = zip(*meta, strict=True)
    delivery = [y * 100 + m for y, m in zip(year, month, strict=True)]
    rows_of = pa.array(rows.astype(np.int32))

    def per_file(values, type=None):  # one value per file, spread over its rows without copying
        return pa.DictionaryArray.from_arrays(rows_of, pa.array(values, type or pa.string()))

    data = pa.concat_tables(parts)
    date = data["date"]
    n = data.num_rows
    columns = {
        "market_id": per_file(market),
        "contract_id": per_file([f"{m}_{d}" for m, d in zip(market, delivery, strict=True)]),
        "delivery_month": per_file(delivery, pa.int32()),
        "trade_date": date,
        "observed_at": pc.cast(date, pa.timestamp("us")),
        "role": pa.nulls(n, pa.string()),
        **{c: data[c] for c in ("open", "high", "low", "close", "volume", "open_interest")},
        "source_file": per_file([f"{NAME}/{x}" for x in name]),
        "year": pc.cast(pc.year(date), pa.int32()),
        "_file": per_file(index, pa.int32()),
        "_line": pa.array(np.arange(n) - np.repeat(np.cumsum(lengths) - lengths, lengths) + 2),
    }
    loose = pa.schema([f.with_nullable(True) for f in TABLES["bars"].schema])
    return pa.table(columns).cast(
        pa.schema([*loose, pa.field("_file", pa.int32()), pa.field("_line", pa.int64())])
    )


def _read_contracts(raw: RawFile, data: bytes) -> pa.Table:
    data = read_text(raw, data)
    check_header(raw, data, list(CONTRACT_TYPES))
    table = read_csv(raw, data, CONTRACT_TYPES)
    specs = market_specs()
    unknown = pc.invert(pc.is_in(table["market_id"], pa.array(list(specs))))
    if (bad := pc.index(pc.fill_null(unknown, True), True).as_py()) >= 0:
        market = table["market_id"][bad].as_py()
        raise RawFileError(raw.name, "known_market", f"unknown market {market!r}", bad + 2)
    n = table.num_rows
    table = table.append_column("source_file", pa.array([f"{NAME}/{raw.name}"] * n, pa.string()))
    return conform(table, TABLES["contracts"], raw.name)
