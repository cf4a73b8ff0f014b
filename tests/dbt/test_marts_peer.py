"""The headline check: our continuous contracts reproduce pysystemtrade's own adjusted prices.

One real ``dbt build`` on the whole peer data set (about 3.5 M bars, 29 instruments) is shared
by the module; each test reads the warehouse read-only afterwards.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tecton.dal.storage import Storage
from tecton.lake import Lake
from tests.support.dbt import dbt_build
from tests.support.lake import ingest_now

pytestmark = [pytest.mark.slow, pytest.mark.minutes(1.7)]  # real dbt builds

PEER = Path(__file__).resolve().parents[3] / "shared" / "data" / "pysystemtrade"
FORWARD_FILLED = {"CRUDE_W", "WHEAT"}  # the peer stitched these two with ffill()
TOLERANCE = 1e-9  # relative to the instrument's price level


@pytest.fixture(scope="module")
def peer_warehouse(tmp_path_factory) -> Path:
    if not PEER.is_dir():
        pytest.skip(f"peer data not found at {PEER} (it ships beside the repo in ../shared)")
    home = tmp_path_factory.mktemp("peer-home")
    ingest_now(PEER, "pysystemtrade", lake=Lake(Storage(str(home / "lake"))))
    run = dbt_build(home)  # its time is a benchmark's: `python -m benchmarks.continuous --peer`
    assert run.returncode == 0, run.stdout[-5000:]
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


def held_contract_moves(code: str) -> pd.DataFrame:
    """Per day, from the peer's multiple prices: the held (PRICE) contract's own move since the
    previous day's last row, where that row priced it as PRICE, FORWARD or CARRY, and the jump
    between the two days' held prices (what a roll must never return)."""
    multiple = peer_csv("multiple_prices_csv", code)
    daily = multiple.groupby(multiple.index.normalize()).tail(1)
    daily.index = daily.index.normalize()
    prev, held = daily.shift(1), daily["PRICE_CONTRACT"]
    roles = ("PRICE", "FORWARD", "CARRY")
    before = np.select(
        [prev[f"{r}_CONTRACT"] == held for r in roles], [prev[r] for r in roles], np.nan
    )
    return pd.DataFrame(
        {
            "own_move": daily["PRICE"] - before,
            "jump": daily["PRICE"] - prev["PRICE"],
            "is_roll": (held != prev["PRICE_CONTRACT"]) & prev["PRICE_CONTRACT"].notna(),
        }
    )


def test_returns_reconcile_with_adjusted_prices_and_never_jump_at_rolls(peer_warehouse):
    returns = query(
        peer_warehouse,
        """
        with days as (
            select market_id, trade_date, min(observed_at) as first_at,
                min(observed_at) filter (where is_roll) as roll_at
            from futures_cont_observed
            group by market_id, trade_date
        )
        select r.market_id, r.trade_date, r.ret_pts, r.is_roll, r.price_adj,
            r.price_adj - lag(r.price_adj) over (partition by r.market_id order by r.trade_date)
                as adj_move,
            d.roll_at = d.first_at as rolled_at_first_print
        from futures_returns_daily r
        join days d using (market_id, trade_date)
        """,
    )
    returns["trade_date"] = pd.to_datetime(returns["trade_date"])
    returns = returns.set_index(["market_id", "trade_date"]).sort_index()
    # a return is the move of the Panama-adjusted price: on every day without a roll, and on a
    # roll day when the roll is the day's first print (its gap is then taken at the previous
    # day's last print, where the return starts). An intraday roll's gap is taken at the print
    # before it, inside the day, so that day's adjusted move also holds the old contract's
    # move up to the roll: the second check below pins those days.
    both = returns.ret_pts.notna() & returns.adj_move.notna()
    whole_day = ~returns.is_roll | returns.rolled_at_first_print.fillna(False).astype(bool)
    assert both.sum() > 0.9 * len(returns) and (both & returns.is_roll & whole_day).sum() > 1000
    for code, day in returns[both & whole_day].groupby(level="market_id"):
        problem = first_difference(day.ret_pts, day.adj_move, float(day.price_adj.abs().max()))
        assert problem is None, f"{code}: ret_pts vs price_adj change, {problem}"
    # and it is the held contract's own move, recomputed from the peer's raw multiple prices
    rolls_checked = 0
    for code in codes():
        expected = held_contract_moves(code)
        mine = returns.loc[code].reindex(expected.index)
        scale = float(peer_csv("multiple_prices_csv", code)["PRICE"].abs().max())
        problem = first_difference(mine.ret_pts, expected.own_move, scale)
        assert problem is None, f"{code}: ret_pts vs the held contract's own move, {problem}"
        rolls = expected[expected.is_roll & expected.own_move.notna()]
        assert mine.is_roll.reindex(rolls.index).all(), f"{code}: a peer roll is not a roll here"
        # never the jump between contracts, wherever the two differ
        differs = (rolls.jump - rolls.own_move).abs() > TOLERANCE * scale
        gap = (mine.ret_pts.reindex(rolls.index) - rolls.jump)[differs].abs()
        assert (gap > TOLERANCE * scale).all(), f"{code}: a roll day returns the jump"
        rolls_checked += int(differs.sum())
    assert rolls_checked > 1000
