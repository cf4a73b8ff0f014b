"""Data access: storage roots and (later) the warehouse door, Mantle."""

from tecton.dal.storage import Storage

__all__ = ["Storage"]
