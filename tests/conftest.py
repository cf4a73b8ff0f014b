"""Shared fixtures. Every test gets its own data home, so none touches the user's ~/.tecton."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.peer import SHARED_DATA

# Property tests try the same examples on every run, so the suite's verdict does not depend on
# luck (a CI run once drew a subnormal coefficient no earlier run had). To search new examples:
# HYPOTHESIS_PROFILE=explore uv run pytest -n 0 tests/costs (repeat it; failures are saved).
settings.register_profile("suite", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

# Prefect keeps its state under one temporary home for the whole session (set before any import);
# each pytest-xdist worker gets its own, since each starts its own temporary server on it.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tecton-prefect-"))
# (Once per worker: a module importing ``tests.conftest`` runs this file a second time.)
worker = os.environ.get("PYTEST_XDIST_WORKER")
if worker and os.environ.get("TECTON_TESTS_PREFECT_WORKER") != worker:
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix=f"tecton-prefect-{worker}-")
    os.environ["TECTON_TESTS_PREFECT_WORKER"] = worker
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_UI_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (``minutes(n)``, then any with slow tests), each in its own order.

    With one worker per core and each file on one worker, a long file left to the end keeps one
    core busy while the other idles; started first, the short files fill in around it.
    """

    def weight(item: pytest.Item) -> float:
        if marker := item.get_closest_marker("minutes"):
            return marker.args[0]
        return 0.1 if item.get_closest_marker("slow") else 0.0

    items.sort(key=weight, reverse=True)
