"""pysystemtrade's CSV layout (``data/futures`` in robcarver17/pysystemtrade, or a copy of it).

==========================================  ================  ===================================
file (relative to the source root)          table             one row per
==========================================  ================  ===================================
``multiple_prices_csv/<CODE>.csv[.gz]``     bars              timestamp x role (PRICE/FORWARD/CARRY)
``roll_calendars_csv/<CODE>.csv[.gz]``      roll_calendars    roll
``fx_prices_csv/<CCY>USD.csv[.gz]``         fx_prices         timestamp
``csvconfig/instrumentconfig.csv``          instruments       instrument
``csvconfig/rollconfig.csv``                roll_configs      instrument
==========================================  ================  ===================================

Everything else is skipped: ``adjusted_prices_csv`` (the peer's own back-adjusted output, kept
only to cross-check ours), ``csvconfig/moreinstrumentinfo.csv``, the per-contract AUD test fixture,
``MANIFEST.csv`` and ``README.md``.

Contracts are ``YYYYMMDD`` numbers whose day is ``00`` for a monthly contract (``20221200`` is
Dec-2022); they become ``<CODE>_<YYYYMM>``, the id the other readers use. pysystemtrade writes a
non-zero day only to tell apart two contracts of the same month (weeklies), so such a contract
keeps its day (``<CODE>_<YYYYMMDD>``) rather than being merged with its month's contract; none of
the 29 upstream instruments has one. ``delivery_month`` is always ``YYYYMM``. A contract may be
written as an integer or as a float (``20221200.0``, which pandas writes for a column with gaps).

A multiple-prices row becomes up to three bars, one per role whose contract is present: its price
goes to ``close`` even when it is NaN (the peer's adjusted series is NaN exactly there), and a role
whose contract is empty gives no bar. Values are not judged here; that is the checks' job.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.readers.base import Batch, RawFile, check_header, read_csv, read_each, read_text
from tecton.data.schema import TABLES, RawFileError, check_unique, conform, first_true

NAME = "pysystemtrade"
FOLDERS = {
    "multiple_prices_csv": "bars",
    "roll_calendars_csv": "roll_calendars",
    "fx_prices_csv": "fx_prices",
}
CONFIG_FOLDER = "csvconfig"
CONFIGS = {"instrumentconfig.csv": "instruments", "rollconfig.csv": "roll_configs"}
ROLES = ("PRICE", "FORWARD", "CARRY")

_TS, _F64, _STR, _I64 = pa.timestamp("us"), pa.float64(), pa.string(), pa.int64()
MULTIPLE_TYPES = {"DATETIME": _TS, **{c: _F64 for r in ROLES for c in (r, f"{r}_CONTRACT")}}
ROLL_CALENDAR_TYPES = {
    "DATE_TIME": _TS,
    **{c: _F64 for c in ("current_contract", "next_contract", "carry_contract")},
}
FX_TYPES = {"DATETIME": _TS, "PRICE": _F64}
INSTRUMENT_COLUMNS = {  # source column -> (canonical column, type)
    "Instrument": ("market_id", _STR),
    "Description": ("description", _STR),
    "Pointsize": ("point_value", _F64),
    "Currency": ("currency", _STR),
    "AssetClass": ("asset_class", _STR),
    "Slippage": ("slippage", _F64),
    "PerBlock": ("commission_per_block", _F64),
    "Percentage": ("commission_pct", _F64),
    "PerTrade": ("commission_per_trade", _F64),
}
ROLL_CONFIG_COLUMNS = {
    "Instrument": ("market_id", _STR),
    "HoldRollCycle": ("hold_cycle", _STR),
    "PricedRollCycle": ("priced_cycle", _STR),
    "RollOffsetDays": ("roll_offset_days", _I64),
    "CarryOffset": ("carry_offset", _I64),
    "ExpiryOffset": ("expiry_offset", _I64),
}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_FX_PAIR = re.compile(r"^(?P<ccy>[A-Z]{3})(?P<quote>[A-Z]{3})$")


def _table_of(rel: PurePosixPath) -> str | None:
    """The table a file at ``<folder>/<name>`` feeds, or None when the reader skips it."""
    if len(rel.parts) != 2 or rel.name.startswith(("_", ".")):
        return None
    folder, name = rel.parts
    if folder == CONFIG_FOLDER:
        return CONFIGS.get(name)
    if folder in FOLDERS and name.endswith((".csv", ".csv.gz")):
        return FOLDERS[folder]
    return None


def discover(source: Path) -> list[RawFile]:
    """The layout's files under ``source`` (the root, one of its folders, or one file), sorted.

    ``RawFile.name`` is the path relative to the root, e.g. ``multiple_prices_csv/AUD.csv.gz``.
    """
    source = Path(source)
    if source.is_file():
        rel = PurePosixPath(source.parent.name, source.name)
        if (table := _table_of(rel)) is None:
            raise RawFileError(rel.as_posix(), "layout", "not a file this reader ingests")
        return [RawFile(source, rel.as_posix(), table)]
    known = (*FOLDERS, CONFIG_FOLDER)
    root, folders = (source.parent, [source.name]) if source.name in known else (source, known)
    present = [f for f in folders if (root / f).is_dir()]
    if not present:
        raise RawFileError(str(source), "layout", f"no pysystemtrade folder ({', '.join(known)})")
    found = []
    for folder in sorted(present):
        for path in sorted((root / folder).iterdir()):
            rel = PurePosixPath(folder, path.name)
            if path.is_file() and (table := _table_of(rel)) is not None:
                found.append(RawFile(path, rel.as_posix(), table))
    return found


def read(raw: RawFile, data: bytes | None = None) -> pa.Table:
    """One file as its canonical table; ``data`` is the file's bytes as stored (gzip or not)."""
    data = raw.path.read_bytes() if data is None else data
    if raw.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as err:
            raise RawFileError(raw.name, "gzip", f"not a readable gzip file ({err})") from None
    data = read_text(raw, data)
    readers = {
        "bars": _read_multiple_prices,
        "roll_calendars": _read_roll_calendar,
        "fx_prices": _read_fx,
        "instruments": lambda r, d: _read_config(r, d, INSTRUMENT_COLUMNS),
        "roll_configs": lambda r, d: _read_config(r, d, ROLL_CONFIG_COLUMNS),
    }
    if raw.table not in readers:
        raise RawFileError(raw.name, "layout", f"no {NAME} reader for table {raw.table!r}")
    return readers[raw.table](raw, data)


def _stem(raw: RawFile, pattern: re.Pattern, form: str) -> re.Match:
    stem = PurePosixPath(raw.name).name.removesuffix(".gz").removesuffix(".csv")
    if not (match := pattern.match(stem)):
        raise RawFileError(raw.name, "file_name", f"name must be {form}")
    return match


def _lines(data: bytes):
    """``line(row)``: the source line of data row ``row`` (header = line 1, blank lines skipped)."""
    if b"\n\n" not in data and b"\n\r\n" not in data:
        return lambda row: row + 2
    cache: list[np.ndarray] = []

    def line(row: int) -> int:
        if not cache:  # only on an error path: find the non-blank lines once
            cache.append(np.flatnonzero([bool(s.strip()) for s in data.split(b"\n")]) + 1)
        return int(cache[0][row + 1])

    return line


def _source_file(raw: RawFile, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(f"{NAME}/{raw.name}"), n)


def _require(raw: RawFile, table: pa.Table, column: str, line) -> None:
    if (bad := first_true(pc.is_null(table[column]))) is not None:
        raise RawFileError(raw.name, "not_null", f"{column} is missing", line(bad))


def _contract_ids(raw: RawFile, code: str, contracts: pa.Array, name_of, line):
    """``(contract_id, delivery_month)`` from YYYYMMDD numbers (null stays null).

    ``name_of(i)`` names the source column of value ``i`` and ``line(i)`` its line, for errors.
    """
    c = contracts.to_numpy(zero_copy_only=False).astype(np.float64)
    missing = np.isnan(c)
    whole = np.where(missing, 20000100.0, c)
    ymd = whole.astype(np.int64)
    month, day = ymd // 100 % 100, ymd % 100
    ok = (whole == ymd) & (ymd >= 10000100) & (ymd <= 99991231) & (month >= 1) & (month <= 12)
    if not (ok := ok & (day <= 31)).all():
        bad = int(np.flatnonzero(~ok)[0])
        value = int(c[bad]) if float(c[bad]).is_integer() else float(c[bad])
        message = f"{name_of(bad)} {value} is not a YYYYMMDD contract date"
        raise RawFileError(raw.name, "contract", message, line(bad))
    ym = ymd // 100
    digits = pc.cast(pa.array(np.where(day == 0, ym, ymd), mask=missing), _STR)
    ids = pc.binary_join_element_wise(f"{code}_", digits, "")
    return ids, pa.array(ym, pa.int32(), mask=missing)


def _read_multiple_prices(raw: RawFile, data: bytes) -> pa.Table:
    code = _stem(raw, _CODE, "<CODE>.csv[.gz]").group(0)
    check_header(raw, data, list(MULTIPLE_TYPES))
    table = read_csv(raw, data, MULTIPLE_TYPES)
    line = _lines(data)
    _require(raw, table, "DATETIME", line)
    check_unique(table, ("DATETIME",), raw.name, line)
    # explode: one bar per (row, role) whose contract is present; take maps a bar to its row
    rows = [pc.indices_nonzero(pc.is_valid(table[f"{r}_CONTRACT"])) for r in ROLES]
    counts = [len(r) for r in rows]
    src = pa.concat_arrays(rows)
    take = src.to_numpy()
    role_no = np.repeat(np.arange(len(ROLES), dtype=np.int8), counts)

    def gather(column: str) -> pa.Array:
        return pa.concat_arrays(
            [
                table[column.format(r)].take(i).combine_chunks()
                for r, i in zip(ROLES, rows, strict=True)
            ]
        )

    contract_id, delivery = _contract_ids(
        raw,
        code,
        gather("{}_CONTRACT"),
        lambda i: f"{ROLES[role_no[i]]}_CONTRACT",
        lambda i: line(int(take[i])),
    )
    observed = table["DATETIME"].take(src)
    roles = pa.DictionaryArray.from_arrays(pa.array(role_no), pa.array(ROLES)).cast(_STR)
    close = gather("{}")
    n, nulls = len(src), pa.nulls(len(src), _F64)
    bars = pa.table(
        {
            "market_id": pa.repeat(pa.scalar(code), n),
            "contract_id": contract_id,
            "delivery_month": delivery,
            "trade_date": pc.cast(observed, pa.date32()),
            "observed_at": observed,
            "role": roles,
            "open": nulls,
            "high": nulls,
            "low": nulls,
            "close": close,
            "volume": nulls,
            "open_interest": nulls,
            "source_file": _source_file(raw, n),
            "year": pc.cast(pc.year(observed), pa.int32()),
        }
    )
    return conform(bars, TABLES["bars"], raw.name, lambda i: line(int(take[i])))


def _read_roll_calendar(raw: RawFile, data: bytes) -> pa.Table:
    code = _stem(raw, _CODE, "<CODE>.csv[.gz]").group(0)
    check_header(raw, data, list(ROLL_CALENDAR_TYPES))
    table = read_csv(raw, data, ROLL_CALENDAR_TYPES)
    line, n = _lines(data), table.num_rows
    out = {"market_id": pa.repeat(pa.scalar(code), n), "roll_at": table["DATE_TIME"]}
    for col in ("current_contract", "next_contract", "carry_contract"):
        ids = _contract_ids(raw, code, table[col].combine_chunks(), lambda _, c=col: c, line)
        out[col] = ids[0]
    out["source_file"] = _source_file(raw, n)
    return conform(pa.table(out), TABLES["roll_calendars"], raw.name, line)


def _read_fx(raw: RawFile, data: bytes) -> pa.Table:
    pair = _stem(raw, _FX_PAIR, "<CCY><QUOTE>.csv[.gz], e.g. AUDUSD.csv.gz")
    check_header(raw, data, list(FX_TYPES))
    table = read_csv(raw, data, FX_TYPES)
    n, observed = table.num_rows, table["DATETIME"]
    fx = pa.table(
        {
            "pair": pa.repeat(pa.scalar(pair.group(0)), n),
            "currency": pa.repeat(pa.scalar(pair["ccy"]), n),
            "quote_currency": pa.repeat(pa.scalar(pair["quote"]), n),
            "trade_date": pc.cast(observed, pa.date32()),
            "observed_at": observed,
            "price": table["PRICE"],
            "source_file": _source_file(raw, n),
            "year": pc.cast(pc.year(observed), pa.int32()),
        }
    )
    return conform(fx, TABLES["fx_prices"], raw.name, _lines(data))


def _read_config(
    raw: RawFile, data: bytes, columns: dict[str, tuple[str, pa.DataType]]
) -> pa.Table:
    check_header(raw, data, list(columns))
    table = read_csv(raw, data, {src: typ for src, (_, typ) in columns.items()})
    table = table.rename_columns([columns[c][0] for c in table.column_names])
    table = table.append_column("source_file", _source_file(raw, table.num_rows))
    return conform(table, TABLES[raw.table], raw.name, _lines(data))


def read_batch(files: list[tuple[RawFile, bytes]]) -> Batch:
    """Files of this layout are few and large: each is read (and checked) on its own."""
    return read_each(read, files)
