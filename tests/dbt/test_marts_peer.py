"""The headline check: our continuous contracts reproduce pysystemtrade's own adjusted prices.

One real ``dbt build`` on the whole peer data set (about 3.5 M bars, 29 instruments) is shared
by the module; each test reads the warehouse read-only afterwards.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tecton.dal.storage import Storage
from tecton.lake import Lake
from tests.support.dbt import dbt_build
from tests.support.lake import ingest_now

PEER = Path(__file__).resolve().parents[3] / "shared" / "data" / "pysystemtrade"
FORWARD_FILLED = {"CRUDE_W", "WHEAT"}  # the peer stitched these two with ffill()
TOLERANCE = 1e-9  # relative to the instrument's price level




@pytest.fixture(scope="module")
def peer_warehouse(tmp_path_factory) -> Path:
    if not PEER.is_dir():
        pytest.skip(f"peer data not found at {PEER} (it ships beside the repo in ../shared)")
    home = tmp_path_factory.mktemp("peer-home")
    ingest_now(PEER, "pysystemtrade", lake=Lake(Storage(str(home / "lake"))))
    started = time.perf_counter()
    run = dbt_build(home)
    seconds = time.perf_counter() - started
    assert run.returncode == 0, run.stdout[-5000:]
    assert seconds < 120, f"dbt build on the peer data took {seconds:.0f} s"
    return home / "warehouse.duckdb"


def query(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetch_df()


def peer_csv(folder: str, code: str) -> pd.DataFrame:
    return pd.read_csv(PEER / folder / f"{code}.csv.gz", parse_dates=["DATETIME"]).set_index(
        "DATETIME"
    )


def codes() -> list[str]:
    return sorted(
        p.name.removesuffix(".csv.gz") for p in (PEER / "adjusted_prices_csv").glob("*.csv.gz")
    )


def first_difference(ours: pd.Series, theirs: pd.Series, scale: float) -> str | None:
    """The first timestamp where the two series differ (NaN placement included), or None."""
    nan_differs = ours.isna() != theirs.isna()
    too_far = (ours - theirs).abs() > TOLERANCE * scale
    bad = nan_differs | too_far.fillna(False)
    if not bad.any():
        return None
    at = bad.idxmax()
    return f"first difference at {at}: ours {ours[at]!r}, peer {theirs[at]!r}"


def test_panama_adjusted_prices_match_the_peer_for_every_instrument(peer_warehouse):
    ours = query(
        peer_warehouse, "select market_id, observed_at, price_adj from futures_cont_observed"
    )
    ours = {
        code: group.set_index("observed_at")["price_adj"].sort_index()
        for code, group in ours.groupby("market_id")
    }
    assert set(codes()) <= set(ours), f"instruments missing: {sorted(set(codes()) - set(ours))}"
    worst = {}
    for code in codes():
        theirs = peer_csv("adjusted_prices_csv", code)["price"]
        mine = ours[code].ffill() if code in FORWARD_FILLED else ours[code]
        shared = theirs.index.intersection(mine.index)
        assert len(shared) >= 0.95 * len(theirs), (
            f"{code}: only {len(shared)} of {len(theirs)} timestamps shared"
        )
        scale = float(theirs.abs().max())
        problem = first_difference(mine.loc[shared], theirs.loc[shared], scale)
        assert problem is None, f"{code}: {problem}"
        worst[code] = float((mine.loc[shared] - theirs.loc[shared]).abs().max()) / scale
    print("worst relative difference:", max(worst.items(), key=lambda kv: kv[1]))


def test_annualised_carry_matches_pandas_from_the_peer_csvs(peer_warehouse):
    ours = query(
        peer_warehouse,
        "select market_id, trade_date, carry_ann, years_between from futures_carry_daily",
    )
    ours["trade_date"] = pd.to_datetime(ours["trade_date"])
    ours = ours.set_index(["market_id", "trade_date"]).sort_index()
    for code in codes():
        multiple = peer_csv("multiple_prices_csv", code)
        # each day's last row (not groupby().last(), which skips NaN column by column)
        daily = multiple.groupby(multiple.index.normalize()).tail(1)
        daily.index = daily.index.normalize()

        def months(contract: pd.Series) -> pd.Series:
            ym = (contract // 100).astype("float")
            return (ym // 100) * 12 + ym % 100

        years = (months(daily["CARRY_CONTRACT"]) - months(daily["PRICE_CONTRACT"])) / 12.0
        expected = (daily["PRICE"] - daily["CARRY"]) / years.replace(0, np.nan)
        mine = ours.loc[code].reindex(daily.index)
        scale = float(expected.abs().max())
        problem = first_difference(mine["carry_ann"], expected, scale)
        assert problem is None, f"{code} carry: {problem}"
        np.testing.assert_allclose(
            mine["years_between"].to_numpy(float), years.to_numpy(float), equal_nan=True
        )


def test_returns_reconcile_with_adjusted_prices_and_never_jump_at_rolls(peer_warehouse):
    returns = query(
        peer_warehouse,
        """
        select market_id, trade_date, contract_id, ret_pts, is_roll
        from futures_returns_daily
        """,
    )
    schedule = query(peer_warehouse, "select * from futures_roll_schedule")
    assert returns.is_roll.sum() > 1000 and len(schedule) >= returns.is_roll.sum() * 0.9
    assert set(returns.columns) >= {"market_id", "trade_date", "contract_id", "ret_pts", "is_roll"}
