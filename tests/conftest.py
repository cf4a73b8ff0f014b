"""Shared fixtures. Every test gets its own data home, so none touches the user's ~/.tecton."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect keeps its state under one temporary home for the whole session (set before any import);
# each pytest-xdist worker gets its own, since each starts its own temporary server on it.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tecton-prefect-"))
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["PREFECT_HOME"] = os.path.join(os.environ["PREFECT_HOME"], worker)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_UI_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data" / "pysystemtrade"


@pytest.fixture(autouse=True)
def tecton_home(tmp_path_factory, monkeypatch) -> Path:
    """A fresh ``TECTON_HOME`` (and default lake) for each test, apart from its ``tmp_path``."""
    home = tmp_path_factory.mktemp("tecton-home")
    monkeypatch.setenv("TECTON_HOME", str(home))
    monkeypatch.delenv("TECTON_LAKE", raising=False)
    return home


@pytest.fixture
def peer_data() -> Path:
    """The pysystemtrade data in ../shared/data (skip with a reason where it is absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"peer data not found at {SHARED_DATA} (it ships beside the repo in ../shared)")
    return SHARED_DATA


@pytest.fixture(scope="module")
def clean_raw(tmp_path_factory) -> Path:
    """Clean synthetic vendor files: CRUDE (with the April-2020 negative print), GOLD, SP500."""
    import datetime as dt

    from tecton.data.synthetic import generate

    out = tmp_path_factory.mktemp("raw")
    generate(out, ["CRUDE", "GOLD", "SP500"], dt.date(2019, 6, 1), dt.date(2020, 12, 31), seed=3)
    return out
