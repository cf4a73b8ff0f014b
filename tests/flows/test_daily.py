"""Flow ``daily`` in-process: checks, promotion and build, then a Failed state naming what was held."""

from __future__ import annotations

import duckdb
import pytest

from flows import in_process
from flows.daily import daily
from tecton.dal.warehouse import warehouse_path
from tecton.lake import Lake
from tests.quality.test_quality import _spike, copy, rows_of, write_rows

pytestmark = pytest.mark.slow


def test_daily_promotes_and_builds_what_passed_then_fails_naming_the_held_partition(
    clean_raw, tmp_path
):
    raw = copy(clean_raw, tmp_path / "raw")
    target = sorted(raw.glob("GOLD_2020*.csv"))[2]
    write_rows(target, _spike(rows_of(target)))

    with in_process():
        state = daily(str(raw), return_state=True)

    assert state.is_failed()
    (held,) = state.result(raise_on_failure=False).quality.failures  # the one spiked partition
    market, year = held.partition.split("/")
    assert market == "GOLD"
    assert held.partition in state.message and "spike" in state.message
    # everything else was promoted and built before the run failed
    bars = Lake().read("bars").to_pandas()
    assert not ((bars.market_id == "GOLD") & (bars.year == int(year))).any()
    assert {"CRUDE", "SP500"} <= set(bars.market_id)
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        built = dict(
            con.execute("select market_id, count(*) from futures_cont group by 1").fetchall()
        )
    assert {"CRUDE", "SP500", "GOLD"} <= set(built)  # GOLD's other years still build
