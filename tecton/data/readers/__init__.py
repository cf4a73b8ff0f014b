"""Readers: one module per vendor format, each turning raw files into the canonical schema.

A reader module has ``NAME``, ``discover(source) -> list[RawFile]`` and
``read(raw, data=None) -> pyarrow.Table`` (raising ``RawFileError`` with file, line and rule).
"""

from types import ModuleType

from tecton.data.readers import pysystemtrade, vendor_csv
from tecton.data.readers.base import RawFile

READERS: dict[str, ModuleType] = {m.NAME: m for m in (vendor_csv, pysystemtrade)}

__all__ = ["READERS", "RawFile", "reader"]


def reader(fmt: str) -> ModuleType:
    try:
        return READERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(READERS)}") from None
