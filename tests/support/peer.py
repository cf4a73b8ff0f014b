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


def build_peer_home(home: Path, markets: list[str], since: str) -> Path:
    """A data home whose lake holds ``markets`` of the peer since ``since`` with the peer's
    instrument configuration and every FX file, and whose warehouse is built (real dbt)."""
    import os

    from tecton.dal import Mantle, warehouse
    from tests.support.lake import ingest_now

    peer = copy_markets(SHARED_DATA, home / "peer", markets, since=since)
    shutil.copytree(SHARED_DATA / "csvconfig", peer / "csvconfig", dirs_exist_ok=True)
    (peer / "fx_prices_csv").mkdir(exist_ok=True)
    for path in (SHARED_DATA / "fx_prices_csv").glob("*"):
        shutil.copy(path, peer / "fx_prices_csv")
    before = {k: os.environ.get(k) for k in ("TECTON_HOME", "TECTON_LAKE")}
    os.environ["TECTON_HOME"] = str(home)
    os.environ.pop("TECTON_LAKE", None)
    try:
        ingest_now(peer, "pysystemtrade", checked=True)
        report = warehouse.build()
        assert report.ok, report.failures
    finally:
        Mantle.close()
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return home
