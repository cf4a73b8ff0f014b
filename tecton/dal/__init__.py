"""Data access: storage roots, the warehouse catalog and the notebook door to it, Mantle."""

from tecton.dal.catalog import Catalog, TableRef, TectonError
from tecton.dal.mantle import Mantle
from tecton.dal.storage import Storage

__all__ = ["Catalog", "Mantle", "Storage", "TableRef", "TectonError"]
