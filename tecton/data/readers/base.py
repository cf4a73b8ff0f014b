"""What every reader shares: the raw-file handle and strict, line-precise CSV parsing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from tecton.data.schema import RawFileError


@dataclass
class Batch:
    """What a reader made of a batch of files.

    ``tables``: valid rows per lake table, cast to its schema, plus a ``_file`` column (the
    file's index in the batch). ``errors``: the first rule each bad file broke, by index.
    """

    tables: dict[str, pa.Table] = field(default_factory=dict)
    errors: dict[int, RawFileError] = field(default_factory=dict)


def read_each(
    read: Callable[[RawFile, bytes], pa.Table],
    files: list[tuple[RawFile, bytes]],
    only: str | None = None,
) -> Batch:
    """A batch from a reader that reads (and checks) one file at a time (of table ``only``, if given)."""
    batch, parts = Batch(), defaultdict(list)
    for index, (raw, data) in enumerate(files):
        if only is not None and raw.table != only:
            continue
        try:
            table = read(raw, data)
        except RawFileError as err:
            batch.errors[index] = err
            continue
        parts[raw.table].append(
            table.append_column("_file", pa.array(np.full(table.num_rows, index, np.int32)))
        )
    batch.tables = {name: pa.concat_tables(tables) for name, tables in parts.items()}
    return batch


@dataclass(frozen=True)
class RawFile:
    """One vendor file: where it is, its name relative to the source, the lake table it feeds."""

    path: Path
    name: str
    table: str


def discover_csvs(source: Path, table: str) -> list[RawFile]:
    """Every CSV under ``source`` (a folder or one file) as a file of ``table``, in a stable order.

    Names starting with ``_`` or ``.`` are not data.
    """
    source = Path(source)
    paths = [source] if source.is_file() else sorted(source.rglob("*.csv"))
    root = source.parent if source.is_file() else source
    return [
        RawFile(p, p.relative_to(root).as_posix(), table)
        for p in paths
        if not p.name.startswith(("_", "."))
    ]


def read_alone(
    read_batch: Callable[[list[tuple[RawFile, bytes]]], Batch],
    table: str,
    raw: RawFile,
    data: bytes | None,
) -> pa.Table:
    """One file's rows of ``table`` through a batch reader (raises the file's ``RawFileError``)."""
    batch = read_batch([(raw, raw.path.read_bytes() if data is None else data)])
    if batch.errors:
        raise batch.errors[0]
    return batch.tables[table].drop_columns(["_file"])


def read_text(raw: RawFile, data: bytes | None = None) -> bytes:
    """The file's bytes, checked to be non-empty UTF-8 (error names the line of a bad byte)."""
    data = raw.path.read_bytes() if data is None else data
    if not data.strip():
        raise RawFileError(raw.name, "not_empty", "file is empty")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise RawFileError(
            raw.name, "utf8", f"byte 0x{data[e.start]:02x} is not UTF-8", line
        ) from None
    return data


def check_header(
    raw: RawFile, data: bytes, expected: list[str], optional: tuple[str, ...] = ()
) -> list[str]:
    """The header's columns, which must be exactly ``expected`` (in any order) plus ``optional``."""
    first, _, rest = data.partition(b"\n")
    header = next(csv.reader(io.StringIO(first.decode("utf-8"))), [])
    header = [h.strip() for h in header]
    if missing := [c for c in expected if c not in header]:
        raise RawFileError(raw.name, "columns", f"missing column(s) {', '.join(missing)}", 1)
    if extra := [c for c in header if c not in expected and c not in optional]:
        raise RawFileError(raw.name, "columns", f"unexpected column(s) {', '.join(extra)}", 1)
    if len(set(header)) != len(header):
        raise RawFileError(raw.name, "columns", "a column name repeats", 1)
    if not rest.strip():
        raise RawFileError(raw.name, "not_empty", "header but no data rows")
    return header


# how the line-by-line diagnosis parses a typed column, and what it calls the type
_PARSERS = {
    pa.float64(): (float, "number"),
    pa.int64(): (int, "whole number"),
    pa.int32(): (int, "whole number"),
    pa.date32(): (dt.date.fromisoformat, "date (YYYY-MM-DD)"),
    pa.timestamp("us"): (dt.datetime.fromisoformat, "timestamp (YYYY-MM-DD HH:MM:SS)"),
}


def read_csv(
    raw: RawFile, data: bytes, types: dict[str, pa.DataType], null_values: list[str] | None = None
) -> pa.Table:
    """Parse CSV bytes with typed columns; on failure, name the first bad line and why.

    The fast path is pyarrow's parser. Only a file it rejects is re-read line by line, to turn
    pyarrow's row-less message into one that names the line and the rule. ``null_values``: the
    fields read as missing (default pyarrow's list, which includes ``nan`` and ``NA``); a reader
    that passes ``[""]`` gets ``nan``/``inf`` as numbers, for the ``finite`` rule to name.
    """
    options = pcsv.ConvertOptions(column_types=types, strings_can_be_null=False)
    if null_values is not None:
        options.null_values = null_values
    try:
        return pcsv.read_csv(io.BytesIO(data), convert_options=options)
    except pa.ArrowInvalid as err:
        _locate(raw, data, types)
        raise RawFileError(raw.name, "csv", str(err).splitlines()[0]) from None


def _locate(raw: RawFile, data: bytes, types: dict[str, pa.DataType]) -> None:
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = [h.strip() for h in next(rows)]
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise RawFileError(
                raw.name, "field_count", f"expected {len(header)} fields, got {len(row)}", number
            )
        for name, value in zip(header, row, strict=True):
            if name not in types or types[name] not in _PARSERS or value.strip() == "":
                continue
            parse, kind = _PARSERS[types[name]]
            try:
                parse(value.strip())
            except ValueError:
                rule = "date" if "date" in kind or "timestamp" in kind else "number"
                raise RawFileError(
                    raw.name, rule, f"{name} {value!r} is not a {kind}", number
                ) from None
