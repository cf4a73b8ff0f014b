"""Readers: one module per vendor format, each turning raw files into the canonical schema.

A reader module has ``NAME``, ``discover(source) -> list[RawFile]``,
``read(raw, data=None) -> pyarrow.Table`` for one file (raising ``RawFileError`` with file, line
and rule) and ``read_batch([(raw, data), ...]) -> Batch`` for many (valid rows per table, and the
first error of each bad file), which is what ingest calls.
"""

from types import ModuleType

from tecton.data.readers import fundamentals_csv, fx_csv, pysystemtrade, vendor_csv
from tecton.data.readers.base import RawFile

READERS: dict[str, ModuleType] = {
    m.NAME: m for m in (vendor_csv, pysystemtrade, fundamentals_csv, fx_csv)
}

__all__ = ["READERS", "RawFile", "reader"]


def reader(fmt: str) -> ModuleType:
    try:
        return READERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(READERS)}") from None
