"""A few markets of the peer's (pysystemtrade) data, copied into a folder of the same layout."""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import os
import shutil
from collections.abc import Iterator
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


@contextlib.contextmanager
def data_home(home: Path) -> Iterator[Path]:
    """``TECTON_HOME`` set to ``home`` (and the default lake) while inside; Mantle closed after."""
    from tecton.dal import Mantle

    before = {k: os.environ.get(k) for k in ("TECTON_HOME", "TECTON_LAKE")}
    os.environ["TECTON_HOME"] = str(home)
    os.environ.pop("TECTON_LAKE", None)
    try:
        yield home
    finally:
        Mantle.close()
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_peer_home(home: Path, markets: list[str], since: str) -> Path:
    """A data home whose lake holds ``markets`` of the peer since ``since`` with the peer's
    instrument configuration and every FX file, and whose warehouse is built (real dbt)."""
    from tecton.dal import warehouse
    from tests.support.lake import ingest_now

    peer = copy_markets(SHARED_DATA, home / "peer", markets, since=since)
    shutil.copytree(SHARED_DATA / "csvconfig", peer / "csvconfig", dirs_exist_ok=True)
    (peer / "fx_prices_csv").mkdir(exist_ok=True)
    for path in (SHARED_DATA / "fx_prices_csv").glob("*"):
        shutil.copy(path, peer / "fx_prices_csv")
    with data_home(home):
        ingest_now(peer, "pysystemtrade", checked=True)
        report = warehouse.build()
        assert report.ok, report.failures
    return home


def shared_peer_home(tmp_path_factory, markets: list[str], since: str) -> Path:
    """A built peer home for ``markets`` since ``since``, built once per test run and shared by
    every module (and pytest-xdist worker) asking for the same one; read it through a copy."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    key = hashlib.sha256(f"{sorted(markets)}|{since}".encode()).hexdigest()[:12]
    home, done = root / f"peer-home-{key}", root / f"peer-home-{key}.built"
    with open(root / f"peer-home-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait for the first build
        if not done.exists():
            shutil.rmtree(home, ignore_errors=True)
            build_peer_home(home, markets, since)
            done.touch()
    return home


def peer_home_fixtures(markets: list[str], since: str, name: str):
    """Pytest fixtures ``built`` (a module's own copy of the shared peer data home: a module may
    write runs into it) and ``home`` (a test run inside it); a module takes them with
    ``built, home = peer_home_fixtures(...)``."""
    import pytest

    @pytest.fixture(scope="module")
    def built(tmp_path_factory):
        if not SHARED_DATA.is_dir():
            pytest.skip(
                f"peer data not found at {SHARED_DATA} (it ships beside the repo in ../shared)"
            )
        shared = shared_peer_home(tmp_path_factory, markets, since)
        own = tmp_path_factory.mktemp(name)
        shutil.copytree(shared, own, dirs_exist_ok=True)
        return own

    @pytest.fixture
    def home(built, monkeypatch):
        from tecton.dal import Mantle

        monkeypatch.setenv("TECTON_HOME", str(built))
        yield built
        Mantle.close()

    return built, home
