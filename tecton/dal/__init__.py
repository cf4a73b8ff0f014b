"""Data access: storage roots, the warehouse catalog and the notebook door to it, Mantle.

Names load on first use (module ``__getattr__``): ``import tecton.dal.storage`` (the lake does)
or raising a ``TectonError`` must not pull in ibis and DuckDB through Mantle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tecton.dal.catalog import Catalog, TableRef
    from tecton.dal.mantle import Mantle
    from tecton.dal.storage import Storage
    from tecton.errors import TectonError

_HOMES = {
    "Catalog": "tecton.dal.catalog",
    "TableRef": "tecton.dal.catalog",
    "Mantle": "tecton.dal.mantle",
    "Storage": "tecton.dal.storage",
    "TectonError": "tecton.errors",
}

__all__ = ["Catalog", "Mantle", "Storage", "TableRef", "TectonError"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'tecton.dal' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value
