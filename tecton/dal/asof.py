"""Warehouses built from the lake as it was at a time: what ``Mantle.select(..., as_of=...)`` reads.

One warehouse per set of lake table versions, kept under ``$TECTON_HOME/asof/<versions>/``.
The build is handed its data home and lake root (never through the process environment, which
other threads read meanwhile), and a lock per folder keeps two threads from building the same
one at once.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path

import pandas as pd

from tecton.config import home, lake_uri
from tecton.dal import warehouse
from tecton.errors import DateLike, TectonError

# lake tables that do not feed the marts: a new row in them needs no new as-of warehouse
_NOT_MODELLED = ("ingest_log",)
_folder_locks: dict[Path, threading.Lock] = {}
_folder_locks_lock = threading.Lock()


def timestamp(value: DateLike | None, name: str) -> pd.Timestamp | None:
    """``value`` as a ``pandas.Timestamp`` (None stays None); a one-line error if not a date."""
    if value is None:
        return None
    try:
        when = pd.Timestamp(value)
    except (ValueError, TypeError):
        when = None
    if when is None or pd.isna(when):
        raise TectonError(f"{name} {value!r} is not a date; use YYYY-MM-DD, a date or a timestamp")
    return when


def utc(value: DateLike) -> dt.datetime:
    """``value`` as an aware UTC datetime (naive means UTC)."""
    when = timestamp(value, "as_of")
    when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
    return when.to_pydatetime()


def lake_versions(as_of: DateLike, lake_root: str | None = None) -> dict[str, int]:
    """The version of each modelled lake table current at ``as_of`` (UTC when naive)."""
    from tecton.lake import Lake

    when = utc(as_of)
    lake = Lake(lake_root)
    versions = {}
    for name in lake.table_names():
        if name in _NOT_MODELLED:
            continue
        # resolved exactly as the dbt lake plugin will load it (Delta time travel by datetime),
        # so the cache key names what is built. On S3 Delta dates a commit by its log object's
        # Last-Modified, which has whole-second resolution: as_of is second-granular there.
        table = lake.table(name)
        created = min(c["timestamp"] for c in table.history())  # ms since the epoch
        if created > when.timestamp() * 1000:
            continue  # the table did not exist yet (Delta would answer with version 0)
        table.load_as_version(when)
        versions[name] = table.version()
    if "bars" not in versions:
        raise TectonError(f"the lake {lake.storage.root} had no bars as of {when.isoformat()}")
    return versions


def as_of_warehouse(as_of: DateLike) -> Path:
    """The warehouse built from the lake as of ``as_of``, built on first use and kept."""
    data_home, lake_root = home(), lake_uri()  # read once: the build gets them as arguments
    versions = lake_versions(as_of, lake_root)
    key = "_".join(f"{name}-v{v}" for name, v in sorted(versions.items()))
    folder = data_home / "asof" / key
    path = folder / "warehouse.duckdb"
    if path.exists():
        return path
    with _lock_for(folder):
        if not path.exists():
            _build(folder, utc(as_of), lake_root)
    return path


def _lock_for(folder: Path) -> threading.Lock:
    with _folder_locks_lock:
        return _folder_locks.setdefault(folder, threading.Lock())


def _build(folder: Path, when: dt.datetime, lake_root: str) -> None:
    # the as-of build is a data home of its own (its warehouse and dbt state) over the same lake,
    # written beside its final place and renamed in whole
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        report = warehouse.build(
            full_refresh=True, lake_as_of=when.isoformat(), data_home=partial, lake=lake_root
        )
        if not report.ok:
            raise warehouse.BuildFailed(report)
        try:
            os.replace(partial, folder)
        except OSError:
            if not (folder / "warehouse.duckdb").exists():
                raise
            # another process built the same versions first: theirs is the same data
    finally:
        shutil.rmtree(partial, ignore_errors=True)
