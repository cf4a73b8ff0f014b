"""Vendor per-contract CSVs: ``<MARKET>_<YYYYMM>.csv`` bars plus a ``contracts.csv`` of expiries.

Bars: ``date,open,high,low,close,volume,open_interest`` (ISO dates, one row per trading day).
Contracts: ``market_id,contract_id,delivery_month,first_trade_date,expiry_date,first_notice_date``.
Files whose names start with ``_`` or ``.`` are not data (the generator's defect log, for one).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.readers.base import RawFile, check_header, read_csv, read_text
from tecton.data.schema import TABLES, RawFileError, conform
from tecton.markets import market_specs

NAME = "vendor-csv"
CONTRACTS_FILE = "contracts.csv"
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
    """Every CSV under ``source`` (a folder or one file), in a stable order."""
    paths = [source] if source.is_file() else sorted(source.rglob("*.csv"))
    root = source.parent if source.is_file() else source
    return [
        RawFile(p, p.relative_to(root).as_posix(), "contracts" if p.name == CONTRACTS_FILE else "bars")
        for p in paths
        if not p.name.startswith(("_", "."))
    ]


def read(raw: RawFile, data: bytes | None = None) -> pa.Table:
    data = read_text(raw, data)
    return _read_contracts(raw, data) if raw.table == "contracts" else _read_bars(raw, data)


def _parse_name(raw: RawFile) -> tuple[str, int, int]:
    match = _CONTRACT_NAME.match(Path(raw.name).name.removesuffix(".csv"))
    if not match:
        raise RawFileError(raw.name, "file_name", "name must be <MARKET>_<YYYYMM>.csv")
    market, year, month = match["market"], int(match["year"]), int(match["month"])
    specs = market_specs()
    if market not in specs:
        raise RawFileError(raw.name, "known_market", f"unknown market {market!r}; known: {', '.join(specs)}")
    if not 1 <= month <= 12 or not specs[market].is_listed(month):
        cycle = specs[market].listing_cycle
        raise RawFileError(raw.name, "listing_cycle", f"month {month:02d} is not in {market}'s listing cycle {cycle}")
    return market, year, month


def _read_bars(raw: RawFile, data: bytes) -> pa.Table:
    market, year, month = _parse_name(raw)
    check_header(raw, data, list(BAR_TYPES))
    table = read_csv(raw, data, BAR_TYPES)
    n = table.num_rows
    date = table["date"]
    return conform(
        table.drop_columns(["date"]).append_column("trade_date", date).append_column(
            "observed_at", pc.cast(date, pa.timestamp("us"))
        ).append_column("market_id", pa.array([market] * n, pa.string()))
        .append_column("contract_id", pa.array([f"{market}_{year:04d}{month:02d}"] * n, pa.string()))
        .append_column("delivery_month", pa.array([year * 100 + month] * n, pa.int32()))
        .append_column("role", pa.nulls(n, pa.string()))
        .append_column("source_file", pa.array([f"{NAME}/{raw.name}"] * n, pa.string()))
        .append_column("year", pc.cast(pc.year(date), pa.int32())),
        TABLES["bars"],
        raw.name,
    )


def _read_contracts(raw: RawFile, data: bytes) -> pa.Table:
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


