"""Stored backtest runs: lake round trips, the runs row as commit marker, the held contract read
from the fills, ``list_runs``; the marts served through Mantle after a dbt build of them.

Portfolios are made here by hand (fills replayed into positions by a plain loop) or by the real
simulator on a hand-made two-market history; expected values come from those inputs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tecton.dal import Mantle, warehouse
from tecton.data.schema import TABLES
from tecton.errors import TectonError
from tecton.lake import Lake
from tecton.portfolio import Portfolio
from tecton.portfolio.portfolio import PNL_COLUMNS, TRADE_COLUMNS
from tecton.simulation import History, Simulation
from tecton.simulation.store import (
    DATA_TABLES,
    LIST_COLUMNS,
    SUMMARY_FIGURES,
    held_contracts,
    list_runs,
    load_run,
    run_tables,
    store_run,
)
from tecton.strategy import Strategy, StrategyDefinition

pytestmark = [pytest.mark.slow, pytest.mark.minutes(0.3)]
MARKETS = ("CRUDE", "GOLD")


def definition(name: str = "hand_made") -> StrategyDefinition:
    return StrategyDefinition(
        name=name, model="futures_trend_carry", capital=1_000_000, vol_target=0.2, idm=1.0
    )


@dataclass
class Result:
    """What ``store_run`` reads of a SimulationResult."""

    run_id: str
    portfolio: Portfolio
    strategy: StrategyDefinition = field(default_factory=definition)
    lake_versions: dict = field(default_factory=lambda: {"bars": 4, "fx_prices": 2})
    summary: dict = field(default_factory=lambda: {"sharpe": 0.7, "ann_return": 0.12})
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def start(self) -> pd.Timestamp:
        return self.portfolio.capital.index[0]

    @property
    def end(self) -> pd.Timestamp:
        return self.portfolio.capital.index[-1]


def replay(fills: list[tuple], dates: pd.DatetimeIndex, offset: dict | None = None):
    """Positions and the held contract per day, by replaying the fills one by one.

    ``fills``: (day index, market, contract, quantity). The held contract is the one open
    contract whose quantity is the whole position, else None. ``offset`` adds holdings the
    fills do not explain.
    """
    open_ = {m: {} for m in MARKETS}
    positions = pd.DataFrame(0.0, index=dates, columns=list(MARKETS))
    held = pd.DataFrame(None, index=dates, columns=list(MARKETS), dtype=object)
    by_day = {}
    for day, market, contract, qty in fills:
        by_day.setdefault(day, []).append((market, contract, qty))
    for t, date in enumerate(dates):
        for market, contract, qty in by_day.get(t, []):
            open_[market][contract] = open_[market].get(contract, 0) + qty
        for market in MARKETS:
            total = sum(open_[market].values()) + (offset or {}).get(market, 0)
            positions.loc[date, market] = total
            live = [c for c, q in open_[market].items() if q != 0]
            if len(live) == 1 and open_[market][live[0]] == total and total != 0:
                held.loc[date, market] = live[0]
    return positions.rename_axis(index="trade_date", columns="market_id"), held


def hand_portfolio(fills: list[tuple], days: int = 30, seed: int = 0, offset=None) -> Portfolio:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2021-03-01", periods=days)
    positions, _ = replay(fills, dates, offset)
    trades = pd.DataFrame(
        [
            (dates[t], m, c, float(q), 100.0 + t, abs(q) * (100.0 + t) * 10, abs(q) * 2.5, r)
            for t, m, c, q, r in (
                (*f, "roll" if i % 3 == 2 else "signal") for i, f in enumerate(fills)
            )
        ],
        columns=list(TRADE_COLUMNS),
    )
    pnl = pd.DataFrame(
        [(d, m) for d in dates for m in MARKETS if rng.random() > 0.1],
        columns=["trade_date", "market_id"],
    )
    pnl["pnl_price"], pnl["pnl_fx"] = rng.normal(0, 1e3, len(pnl)), rng.normal(0, 1e2, len(pnl))
    pnl["cost"] = rng.uniform(0, 10, len(pnl))
    pnl["pnl"] = pnl["pnl_price"] + pnl["pnl_fx"] - pnl["cost"]
    capital = pd.Series(1e6 + np.cumsum(rng.normal(0, 1e3, days)), index=dates.rename("trade_date"))
    return Portfolio(positions, trades, pnl.loc[:, list(PNL_COLUMNS)], capital, "USD")


FILLS = [  # a roll of CRUDE on day 5 (two legs), flat on day 12, back in a later contract
    (1, "CRUDE", "CRUDE_202105", 2),
    (1, "GOLD", "GOLD_202106", -1),
    (5, "CRUDE", "CRUDE_202105", -2),
    (5, "CRUDE", "CRUDE_202106", 3),
    (9, "GOLD", "GOLD_202106", -2),
    (12, "CRUDE", "CRUDE_202106", -3),
    (20, "CRUDE", "CRUDE_202108", 1),
]


def assert_same_portfolio(got: Portfolio, expected: Portfolio) -> None:
    """Equal values; dates may come back in another datetime64 unit."""
    pd.testing.assert_frame_equal(
        got.positions,
        expected.positions.astype(float),
        check_names=False,
        check_freq=False,
        check_index_type=False,
    )
    order = ["trade_date", "market_id"]
    pd.testing.assert_frame_equal(
        got.pnl, expected.pnl.sort_values(order, ignore_index=True), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        got.trades, expected.trades.reset_index(drop=True), check_dtype=False
    )
    pd.testing.assert_series_equal(
        got.capital, expected.capital, check_names=False, check_freq=False, check_index_type=False
    )
    assert got.base_currency == expected.base_currency


def test_a_stored_run_reads_back_as_it_was():
    result = Result("r1", hand_portfolio(FILLS))
    assert store_run(result) == "r1"
    run = load_run("r1")
    assert_same_portfolio(run.portfolio, result.portfolio)
    assert run.strategy == result.strategy
    assert run.strategy_name == "hand_made"
    assert (run.start, run.end) == (result.start, result.end)
    assert run.lake_versions == result.lake_versions and run.summary == result.summary
    assert run.created_at == pd.Timestamp(result.created_at)


def test_a_run_that_never_traded_stores_and_reads_back():
    result = Result("idle", hand_portfolio([]))
    store_run(result)
    run = load_run("idle")
    assert run.portfolio.trades.empty and (run.portfolio.positions == 0).all().all()
    assert_same_portfolio(run.portfolio, result.portfolio)


def test_the_lake_tables_hold_every_column_of_a_portfolio():
    # the simulator's portfolio may grow a column: the store must grow with it, not drop it
    assert set(TRADE_COLUMNS) <= set(TABLES["backtest_trades"].schema.names)
    assert set(PNL_COLUMNS) <= set(TABLES["backtest_pnl"].schema.names)
    assert set(SUMMARY_FIGURES) <= set(TABLES["backtest_runs"].schema.names)


def test_the_held_contract_is_the_one_the_fills_left_open():
    portfolio = hand_portfolio(FILLS)
    stored = run_tables(Result("r1", portfolio), "r1")["backtest_positions"].to_pandas()
    _, held = replay(FILLS, portfolio.capital.index)
    expected = (
        held.stack(future_stack=True).rename("contract_id").rename_axis(["trade_date", "market_id"])
    )
    when = pd.to_datetime(stored["trade_date"]).astype(held.index.dtype)
    got = stored.set_index([when, "market_id"])["contract_id"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected.sort_index().astype(got.dtype), check_names=False
    )
    assert got.loc[(pd.Timestamp("2021-03-08"), "CRUDE")] == "CRUDE_202106", "rolled on day 5"


@st.composite
def fill_sequences(draw):
    """Fills of one contract at a time per market: trades in the held contract, or a roll
    (both legs on one day) into the next; sometimes an unexplained starting holding."""
    fills, day = [], 0
    state = {m: [0, 0] for m in MARKETS}  # contract number, quantity
    for _ in range(draw(st.integers(0, 25))):
        day += draw(st.integers(0, 3))
        market = draw(st.sampled_from(MARKETS))
        number, qty = state[market]
        if qty and draw(st.booleans()):
            fills += [
                (day, market, f"{market}_{number}", -qty),
                (day, market, f"{market}_{number + 1}", qty),
            ]
            state[market] = [number + 1, qty]
        else:
            change = draw(st.integers(-3, 3).filter(bool))
            fills.append((day, market, f"{market}_{number}", change))
            state[market][1] += change
    offset = draw(st.sampled_from([None, {"GOLD": 1}]))
    return fills, day + draw(st.integers(1, 3)), offset


@given(fill_sequences())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_held_contracts_agree_with_replaying_the_fills(case):
    fills, days, offset = case
    dates = pd.bdate_range("2021-03-01", periods=days)
    positions, held = replay(fills, dates, offset)
    trades = pd.DataFrame(
        [(dates[t], m, c, float(q)) for t, m, c, q in fills],
        columns=["trade_date", "market_id", "contract_id", "quantity"],
    )
    long = positions.stack(future_stack=True).rename("contracts").reset_index()
    got = held_contracts(long, trades).set_index(["trade_date", "market_id"])["contract_id"]
    expected = held.stack(future_stack=True).reindex(got.index)
    assert got.isna().equals(expected.isna())
    assert (got.dropna() == expected.dropna()).all()


def test_a_run_is_invisible_until_its_runs_row_and_a_retry_stores_it_once():
    result, lake = Result("crashed", hand_portfolio(FILLS)), Lake()
    tables = run_tables(result, "crashed")
    for spec in DATA_TABLES:  # what a store that died before its last commit leaves
        lake.replace(spec, tables[spec.name], {"run_id": "crashed"})
    assert list_runs().empty
    with pytest.raises(TectonError, match="no stored run 'crashed'"):
        load_run("crashed")

    store_run(result)  # the retry
    for spec in DATA_TABLES:
        rows = (
            lake.table(spec.name)
            .to_pyarrow_dataset()
            .to_table(filter=pc.field("run_id") == "crashed")
        )
        assert rows.num_rows == tables[spec.name].num_rows, spec.name
    assert_same_portfolio(load_run("crashed").portfolio, result.portfolio)


def test_a_stored_run_is_never_rewritten_and_ids_are_checked():
    store_run(Result("once", hand_portfolio(FILLS)))
    with pytest.raises(TectonError, match="already stored"):
        store_run(Result("once", hand_portfolio(FILLS, seed=1)))
    with pytest.raises(TectonError, match="must be 1 to 64 letters"):
        store_run(Result("a'b", hand_portfolio(FILLS)))
    with pytest.raises(TectonError, match="no stored run 'other'"):
        load_run("other")


def test_list_runs_newest_first_with_window_data_version_and_figures():
    assert list(list_runs().columns) == list(LIST_COLUMNS) and list_runs().empty
    base = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    for i in range(3):
        summary = {"sharpe": 0.1 * i, "ann_vol": 0.2, "extra": 1.0}
        store_run(Result(f"run{i}", hand_portfolio(FILLS, days=25 + i), summary=summary,
                         created_at=base + dt.timedelta(hours=i), lake_versions={"fx_prices": i, "bars": 7, "backtest_runs": i}))  # fmt: skip
    runs = list_runs()
    assert list(runs["run_id"]) == ["run2", "run1", "run0"]
    assert runs.loc[0, "data_version"] == "bars@7 fx_prices@2", (
        "what the run read, not the runs table"
    )
    assert runs.loc[0, "end"] == pd.bdate_range("2021-03-01", periods=27)[-1]
    np.testing.assert_allclose(runs["sharpe"], [0.2, 0.1, 0.0])
    assert runs["ann_return"].isna().all(), "a figure the summary lacks stays empty"
    assert load_run("run1").summary == {"sharpe": 0.1, "ann_vol": 0.2, "extra": 1.0}


def two_market_history(days: int = 160, seed: int = 5) -> History:
    """Two USD markets, each rolling every 40 days between its own random-walk contracts."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2022-01-03", periods=days)
    held = np.array([[f"{m}_{t // 40}" for m in MARKETS] for t in range(days)], dtype=object)
    price = 100 + np.cumsum(rng.normal(0, 1, (days, 2)), axis=0)
    ret = np.vstack([np.full((1, 2), np.nan), np.diff(price, axis=0)])
    meta = pd.DataFrame(
        {"currency": "USD", "point_value": [10.0, 100.0], "commission_per_contract": 2.0,
         "commission_pct": 0.0, "spread_pts": 0.05, "asset_class": ["energy", "metals"]},
        index=pd.Index(MARKETS, name="market_id"),
    )  # fmt: skip
    forecast = np.column_stack([np.full(days, 10.0), np.where(np.arange(days) < 80, 15.0, -12.0)])
    return History(
        dates=dates, markets=MARKETS, price=price, ret_pts=ret, contract_id=held,
        fx=np.ones((days, 2)), forecast=forecast, vol_daily_pct=np.full((days, 2), 0.012),
        meta=meta, rolls_per_year=np.array([6.0, 6.0]), risk=None,
    )  # fmt: skip


def test_a_simulation_result_round_trips_with_the_contracts_the_simulator_held():
    history = two_market_history()
    result = Simulation(Strategy(definition("sim"))).run(history=history)
    run_id = store_run(result)
    assert run_id == result.run_id
    run = load_run(run_id)
    assert_same_portfolio(run.portfolio, result.portfolio)
    assert run.summary == pytest.approx(result.summary, nan_ok=True)
    assert run.strategy == result.strategy
    # where a market is held, the contract is the one the history says was held that day
    stored = run_tables(result, run_id)["backtest_positions"].to_pandas()
    stored = stored[stored["contracts"] != 0]
    assert len(stored) > 100
    t = history.dates.get_indexer(pd.to_datetime(stored["trade_date"]))
    m = [MARKETS.index(x) for x in stored["market_id"]]
    assert (stored["contract_id"].to_numpy() == history.contract_id[t, m]).all()


# --- the marts: one data home, three small dbt builds of the backtest models only ---


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A fresh home's marts (empty lake), then run a plus a crashed run, then run b."""
    home = tmp_path_factory.mktemp("runs-home")
    stages = {}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TECTON_HOME", str(home))
        env.delenv("TECTON_LAKE", raising=False)
        report = warehouse.build(select="tag:backtests")
        assert report.ok, report.failures
        stages["empty"] = {t.name: len(Mantle.select(t)) for t in Mantle.Tables.backtests}
        Mantle.close()
        a, b = (
            Result("a", hand_portfolio(FILLS, seed=2)),
            Result("b", hand_portfolio(FILLS, 25, seed=3)),
        )
        store_run(a)
        crashed = run_tables(Result("c", hand_portfolio(FILLS, seed=4)), "c")
        for spec in DATA_TABLES:
            Lake().replace(spec, crashed[spec.name], {"run_id": "c"})
        assert warehouse.build(select="tag:backtests").ok
        stages["after a"] = Mantle.select("backtests.pnl")
        Mantle.close()
        store_run(b)
        assert warehouse.build(select="tag:backtests").ok
        Mantle.close()
    return home, a, b, stages


@pytest.fixture
def marts(served, monkeypatch):
    home, a, b, stages = served
    monkeypatch.setenv("TECTON_HOME", str(home))
    yield a, b, stages
    Mantle.close()


def test_an_empty_lake_builds_empty_backtest_marts(marts):
    _, _, stages = marts
    assert stages["empty"] == {"capital": 0, "pnl": 0, "positions": 0, "runs": 0, "trades": 0}


def test_the_marts_serve_each_committed_run_once_and_never_a_crashed_one(marts):
    _, b, stages = marts
    assert set(stages["after a"]["run_id"]) == {"a"}
    runs = Mantle.select(Mantle.Tables.backtests.runs)
    assert sorted(runs["run_id"]) == ["a", "b"]
    for table in ("pnl", "trades", "positions", "capital"):
        served = Mantle.select(f"backtests.{table}")
        assert set(served["run_id"]) == {"a", "b"}, table
        assert not served.duplicated().any(), table
    row = runs.set_index("run_id").loc["b"]
    assert json.loads(row["lake_versions"]) == b.lake_versions
    assert row["capital"] == b.portfolio.capital.iloc[0] and row["strategy"] == "hand_made"


def test_mantle_reads_one_runs_pnl_positions_and_trades_as_stored(marts):
    a, _, _ = marts
    start, end = a.portfolio.capital.index[[3, 15]]
    pnl = Mantle.select(Mantle.Tables.backtests.pnl, start, end, where={"run_id": "a"})
    expected = a.portfolio.pnl[a.portfolio.pnl["trade_date"].between(start, end)]
    pd.testing.assert_frame_equal(
        pnl.loc[:, list(PNL_COLUMNS)].sort_values(["trade_date", "market_id"], ignore_index=True),
        expected.sort_values(["trade_date", "market_id"], ignore_index=True),
        check_dtype=False,
    )
    trades = Mantle.select("backtests.trades", where={"run_id": "a"}).sort_values("fill_seq")
    pd.testing.assert_frame_equal(
        trades.loc[:, list(TRADE_COLUMNS)].reset_index(drop=True),
        a.portfolio.trades,
        check_dtype=False,
    )
    positions = Mantle.select("backtests.positions", where={"run_id": "a"})
    wide = positions.pivot(index="trade_date", columns="market_id", values="contracts")
    pd.testing.assert_frame_equal(
        wide, a.portfolio.positions, check_names=False, check_freq=False, check_index_type=False
    )


def test_the_capital_mart_gives_each_days_pnl_over_the_day_befores_capital(marts):
    a, _, _ = marts
    served = Mantle.select(Mantle.Tables.backtests.capital, where={"run_id": "a"})
    capital = a.portfolio.capital.to_numpy()
    daily = (
        a.portfolio.pnl.groupby("trade_date")["pnl"]
        .sum()
        .reindex(a.portfolio.capital.index, fill_value=0.0)
    )
    previous = np.concatenate([capital[:1], capital[:-1]])
    np.testing.assert_allclose(served["capital"], capital)
    np.testing.assert_allclose(served["pnl"], daily.to_numpy(), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(
        served["ret_pct"], daily.to_numpy() / previous, rtol=1e-12, atol=1e-15
    )
