"""A small hand-made warehouse with the marts' names and shapes, for testing Mantle on its own.

It does not depend on the dbt models (tested in tests/dbt): Mantle's job is reading whatever
marts the warehouse holds, so these tests pin that job with known rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

# market -> first trading day (different histories, so lookbacks and windows differ per market)
MARKETS = {"CRUDE": "2019-01-01", "GOLD": "2019-06-03", "SP500": "2020-01-01"}
END = "2020-12-31"


def cont_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frames = []
    for market, first in MARKETS.items():
        days = pd.bdate_range(first, END)
        price = 100 + np.cumsum(rng.normal(0, 1, len(days)))
        month = days.to_period("Q").asfreq("M", "end").strftime("%Y%m")
        frames.append(
            pd.DataFrame(
                {
                    "market_id": market,
                    "trade_date": days.date,
                    "contract_id": [f"{market}_{m}" for m in month],
                    "price": price,
                    "price_adj": price + 5.0,
                    "is_roll": np.r_[False, month[1:] != month[:-1]],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def build(path: Path) -> Path:
    """Write the warehouse file and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cont = cont_frame()
    con = duckdb.connect(str(path))
    try:
        con.register("cont_df", cont)
        # rows stored out of order: Mantle must sort
        con.execute("create table futures_cont as select * from cont_df order by random()")
        con.execute(
            "create table futures_returns_daily as select market_id, trade_date, contract_id, "
            "price_adj - lag(price_adj) over (partition by market_id order by trade_date) as ret "
            "from cont_df"
        )
        con.execute(
            "create table futures_corr as select a.market_id as market_a, b.market_id as market_b, "
            "last_day(a.trade_date) as week_end, 0.5::double as corr from "
            "(select distinct market_id, trade_date from cont_df where dayofweek(trade_date) = 5) a "
            "join (select distinct market_id, trade_date from cont_df where dayofweek(trade_date) = 5) b "
            "on a.trade_date = b.trade_date and a.market_id < b.market_id"
        )
        con.execute(
            "create table futures_roll_schedule as select market_id, trade_date as roll_date, "
            "lag(contract_id) over (partition by market_id order by trade_date) as from_contract, "
            "contract_id as to_contract from cont_df qualify is_roll"
        )
        # not marts: staging, intermediate, a seed, another schema
        con.execute("create table stg_lake__bars as select * from cont_df limit 5")
        con.execute("create table int_futures_rolls_decided as select * from cont_df limit 5")
        con.execute("create table markets as select distinct market_id from cont_df")
        con.execute("create schema audit")
        con.execute("create table audit.futures_secret as select 1 as x")
    finally:
        con.close()
    return path
