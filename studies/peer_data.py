"""The peer's data for the studies: its market list, its instrument configuration, a built home.

Building a home (ingest of the peer's multiple prices, FX and instrument configuration, then a
real dbt build) takes about 40 s for all 29 markets since 1970 on 2 cores, so a home is kept
under the system's temporary folder and reused while its markets and start date are the same.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from tests.support.peer import SHARED_DATA, build_peer_home, data_home

MARKER = "study.json"  # what a kept home holds: its markets and start date


def all_markets() -> list[str]:
    """The 29 markets whose multiple prices the peer's data ships, sorted."""
    folder = SHARED_DATA / "multiple_prices_csv"
    return sorted(p.name.removesuffix(".csv.gz") for p in folder.glob("*.csv.gz"))


def instrument_config() -> pd.DataFrame:
    """The peer's ``instrumentconfig.csv``, indexed by instrument code."""
    return pd.read_csv(SHARED_DATA / "csvconfig" / "instrumentconfig.csv").set_index("Instrument")


def peer_home(
    markets: list[str], since: str, home: Path | None = None, rebuild: bool = False
) -> Path:
    """A built data home with ``markets`` of the peer's data from ``since`` on.

    Parameters
    ----------
    markets : list of str
        Peer instrument codes.
    since : str
        ``YYYY-MM-DD``: the first day of multiple prices kept.
    home : Path, optional
        Where to keep it; by default a folder named after the markets and ``since`` under the
        temporary folder.
    rebuild : bool
        Build again even where a home with the same markets and start exists.
    """
    wanted = {"markets": sorted(markets), "since": since}
    if home is None:
        digest = hashlib.sha1(json.dumps(wanted).encode()).hexdigest()[:10]
        home = Path(tempfile.gettempdir()) / "tecton-studies" / f"peer-{since}-{digest}"
    marker = home / MARKER
    if not rebuild and marker.is_file() and json.loads(marker.read_text()) == wanted:
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    build_peer_home(home, sorted(markets), since)
    marker.write_text(json.dumps(wanted))
    return home


# TECTON_HOME set to a home while inside (the builder's own context manager)
using_home = data_home
