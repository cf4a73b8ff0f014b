"""Fixtures of the lake tests."""

from __future__ import annotations

import pytest

from tests.support.peer import SHARED_DATA, copy_markets


@pytest.fixture(scope="module")
def peer_few(tmp_path_factory):
    """The peer's GOLD and SP500 (markets the synthetic vendor has too) and CRUDE_W (peer only).

    Their prices from 2018 on: the rule is about markets, not history, and a small lake is fast.
    """
    if not SHARED_DATA.is_dir():
        pytest.skip(f"peer data not found at {SHARED_DATA} (it ships beside the repo in ../shared)")
    return copy_markets(
        SHARED_DATA,
        tmp_path_factory.mktemp("peer"),
        ["GOLD", "SP500", "CRUDE_W"],
        since="2018-01-01",
    )
