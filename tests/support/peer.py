"""A few markets of the peer's (pysystemtrade) data, copied into a folder of the same layout."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pysystemtrade"


def copy_markets(peer: Path, out: Path, markets: list[str]) -> Path:
    """``out`` with the multiple prices and roll calendars of ``markets`` from ``peer``."""
    for folder, suffix in (("multiple_prices_csv", ".csv.gz"), ("roll_calendars_csv", ".csv")):
        (out / folder).mkdir(parents=True, exist_ok=True)
        for market in markets:
            shutil.copy(peer / folder / f"{market}{suffix}", out / folder)
    return out


def price_rows(peer: Path, market: str) -> int:
    """Data rows of a market's multiple-prices file, as the peer's MANIFEST.csv records them."""
    with (peer / "MANIFEST.csv").open() as f:
        rows = {r["file"]: int(r["data_rows"]) for r in csv.DictReader(f)}
    return rows[f"multiple_prices_csv/{market}.csv.gz"]
