"""Ingest invariants over random histories of vendor files (hypothesis)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tecton.dal.storage import Storage
from tecton.lake import Lake
from tests.support.lake import ingest_now, sorted_rows
from tests.support.vendor import bars, write_contract

CONTRACTS = ("CRUDE_202005", "CRUDE_202006", "GOLD_202006")

# one step: (contract, first day offset, number of days, price level)
step = st.tuples(
    st.sampled_from(CONTRACTS),
    st.integers(0, 10),
    st.integers(1, 15),
    st.floats(-40, 200, allow_nan=False).map(lambda x: round(x, 2)),  # negative prices are legal
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=st.lists(step, min_size=1, max_size=5))
def test_any_history_ends_as_one_clean_ingest_and_reingest_is_a_noop(history):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source, lake = tmp / "drop", Lake(Storage(str(tmp / "lake")))
        for contract, offset, days, price in history:
            write_contract(
                source, contract, bars(dt.date(2020, 1, 6) + dt.timedelta(days=offset), days, price)
            )
            ingest_now(source, lake=lake)

        version = lake.table("bars").version()
        again = ingest_now(source, lake=lake)
        assert again.landed == [] and lake.table("bars").version() == version

        clean = Lake(Storage(str(tmp / "clean")))
        ingest_now(source, lake=clean)
        assert sorted_rows(lake.read("bars")).equals(sorted_rows(clean.read("bars")))
