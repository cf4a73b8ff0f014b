"""A few markets of the peer's (pysystemtrade) data, copied into a folder of the same layout."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pysystemtrade"


def copy_markets(peer: Path, out: Path, markets: list[str], since: str | None = None) -> Path:
    """``out`` with the multiple prices and roll calendars of ``markets`` from ``peer``.

    ``since`` (``YYYY-MM-DD``) keeps only the multiple prices from that day on (a smaller lake).
    """
    for folder, suffix in (("multiple_prices_csv", ".csv.gz"), ("roll_calendars_csv", ".csv")):
        (out / folder).mkdir(parents=True, exist_ok=True)
        for market in markets:
            source, target = peer / folder / f"{market}{suffix}", out / folder / f"{market}{suffix}"
            if since and suffix == ".csv.gz":
                with gzip.open(source, "rt") as f:
                    header, *rows = f.readlines()
                with gzip.open(target, "wt") as f:
                    f.writelines([header, *(r for r in rows if r[:10] >= since)])
            else:
                shutil.copy(source, target)
    return out


def data_rows(path: Path) -> int:
    """Data rows of a (gzipped) CSV file."""
    with gzip.open(path, "rt") as f:
        return sum(1 for _ in f) - 1
