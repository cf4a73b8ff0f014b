"""The books of a backtest on a hand-made market: P&L across rolls to the cent, both paths equal,
filled at the next close or at the next open.

One EUR-quoted market with three contracts, each its own random walk, rolled every 60 days; a
strategy that is always long (forecast +10). The expected P&L is computed here from the
per-contract price table, the FX path and the market's costs, not from the simulator's arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tecton.errors import TectonError
from tecton.simulation import History, Simulation
from tecton.strategy import Strategy, StrategyDefinition

POINT, COMMISSION, SPREAD = 50.0, 2.5, 0.5  # quote currency (EUR); spread in price points
DAYS, ROLL_EVERY = 200, 60


def contract_table(seed: int) -> pd.DataFrame:
    """Daily closes of three contracts (dates x contracts), each a random walk with its own level."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2021-01-04", periods=DAYS)
    levels = {"X_2021H": 100.0, "X_2021M": 102.0, "X_2021U": 104.5, "X_2021Z": 106.0}
    return pd.DataFrame(
        {c: lvl + np.cumsum(rng.normal(0, 1.2, DAYS)) for c, lvl in levels.items()}, index=dates
    )


def history_of(table: pd.DataFrame, seed: int) -> History:
    held = [table.columns[min(t // ROLL_EVERY, 3)] for t in range(DAYS)]
    price = np.array([table[c].iloc[t] for t, c in enumerate(held)])
    moves = [table[c].iloc[t] - table[c].iloc[t - 1] for t, c in enumerate(held) if t]
    ret = np.array([np.nan, *moves])
    fx = 1.1 + np.cumsum(np.random.default_rng(seed + 1).normal(0, 0.003, DAYS))
    meta = pd.DataFrame(
        {
            "currency": ["EUR"],
            "point_value": [POINT],
            "commission_per_contract": [COMMISSION],
            "commission_pct": [0.0],
            "spread_pts": [SPREAD],
            "asset_class": ["equity"],
        },
        index=pd.Index(["X"], name="market_id"),
    )
    return History(
        dates=table.index,
        markets=("X",),
        price=price[:, None],
        ret_pts=ret[:, None],
        contract_id=np.array(held, dtype=object)[:, None],
        fx=fx[:, None],
        forecast=np.full((DAYS, 1), 10.0),
        vol_daily_pct=np.full((DAYS, 1), 0.01),
        meta=meta,
        rolls_per_year=np.array([4.0]),
        risk=None,
    )


def always_long(buffer: float = 0.10) -> Strategy:
    return Strategy(
        StrategyDefinition(
            name="always_long",
            model="futures_trend_carry",
            capital=1_000_000,
            vol_target=0.2,
            instrument_weights="equal",
            idm=1.0,
            buffer=buffer,
        )
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_always_long_pnl_is_contracts_times_the_held_contracts_moves_less_costs_across_rolls(seed):
    table = contract_table(seed)
    history = history_of(table, seed)
    run = Simulation(always_long(), path="events").run(history)
    positions = run.portfolio.positions["X"].to_numpy(dtype=float)
    assert (positions[1:] > 0).all() and positions[0] == 0  # long from the first fill on

    held = history.contract_id[:, 0]
    fx = history.fx[:, 0]
    per_contract = COMMISSION + SPREAD / 2 * POINT  # one side, EUR
    expected = np.zeros(DAYS)
    for t in range(1, DAYS):
        move = table[held[t]].iloc[t] - table[held[t]].iloc[t - 1]  # the held contract's own move
        expected[t] = positions[t - 1] * move * POINT * fx[t]
        traded = abs(positions[t] - positions[t - 1])
        rolled = held[t] != held[t - 1]
        expected[t] -= (traded + (2 * positions[t - 1] if rolled else 0)) * per_contract * fx[t]
    pnl = run.portfolio.daily_pnl().to_numpy()
    np.testing.assert_allclose(pnl, expected, rtol=0, atol=1e-8)
    rolls = run.portfolio.trades[run.portfolio.trades["reason"] == "roll"]
    assert len(rolls) == 2 * 3  # three rolls, two legs each
    assert (rolls.groupby("trade_date")["quantity"].sum() == 0).all()


@pytest.mark.parametrize("seed", [3, 4])
def test_the_event_loop_and_the_vectorised_path_keep_the_same_books(seed):
    history = history_of(contract_table(seed), seed)
    strategy = always_long(buffer=0.02)
    events = Simulation(strategy, path="events").run(history).portfolio
    vectorised = Simulation(strategy, path="vectorised").run(history).portfolio
    pd.testing.assert_frame_equal(events.positions, vectorised.positions)
    pd.testing.assert_frame_equal(events.pnl, vectorised.pnl)
    pd.testing.assert_frame_equal(events.trades, vectorised.trades)
    assert (events.trades["reason"] == "signal").sum() > 5  # the buffer let it trade


def test_compounding_sizes_on_capital_plus_pnl():
    history = history_of(contract_table(5), 5)
    run = Simulation(always_long(), compounding=True, path="events").run(history).portfolio
    cumulative = run.daily_pnl().cumsum()
    np.testing.assert_allclose(run.capital.to_numpy(), 1_000_000 + cumulative.to_numpy(), atol=1e-6)


def test_exposure_is_contracts_times_price_point_value_and_fx():
    history = history_of(contract_table(6), 6)
    portfolio = Simulation(always_long(), path="events").run(history).portfolio
    expected = portfolio.positions["X"] * history.price[:, 0] * POINT * history.fx[:, 0]
    np.testing.assert_allclose(portfolio.exposure["X"].to_numpy(), expected.to_numpy(), rtol=1e-12)


def with_opens(history: History, seed: int) -> History:
    """Each day's open of the held contract: its previous close plus an overnight gap; every
    seventh day the bars have no open (the fill there is at the close)."""
    rng = np.random.default_rng(seed + 2)
    previous = history.price[:, 0] - history.ret_pts[:, 0]  # the held contract's last close
    opens = previous + rng.normal(0, 0.8, DAYS)
    opens[::7] = np.nan
    return history.with_arrays(open=opens[:, None])


@pytest.mark.parametrize("seed", [7, 8])
def test_fills_at_the_open_earn_the_day_from_the_open_and_pay_at_that_price(seed):
    table = contract_table(seed)
    history = with_opens(history_of(table, seed), seed)
    run = Simulation(always_long(buffer=0.02), path="events", fill="open").run(history)
    positions = run.portfolio.positions["X"].to_numpy(dtype=float)
    close, opens, fx = history.price[:, 0], history.open[:, 0], history.fx[:, 0]
    filled_at = np.where(np.isnan(opens), close, opens)
    held = history.contract_id[:, 0]
    per_contract = COMMISSION + SPREAD / 2 * POINT
    expected = np.zeros(DAYS)
    for t in range(1, DAYS):
        move = table[held[t]].iloc[t] - table[held[t]].iloc[t - 1]
        traded = positions[t] - positions[t - 1]
        expected[t] = (positions[t - 1] * move + traded * (close[t] - filled_at[t])) * POINT * fx[t]
        rolled = held[t] != held[t - 1]
        expected[t] -= (
            (abs(traded) + (2 * positions[t - 1] if rolled else 0)) * per_contract * fx[t]
        )
    np.testing.assert_allclose(run.portfolio.daily_pnl().to_numpy(), expected, rtol=0, atol=1e-8)

    signals = run.portfolio.trades[run.portfolio.trades["reason"] == "signal"]
    day = history.dates.get_indexer(pd.DatetimeIndex(signals["trade_date"]))
    np.testing.assert_array_equal(signals["price"].to_numpy(), filled_at[day])
    assert np.isnan(opens[day]).any() and np.isfinite(opens[day]).any()  # both kinds were filled
    at_close = Simulation(always_long(buffer=0.02), path="events").run(history).portfolio
    pd.testing.assert_frame_equal(at_close.positions, run.portfolio.positions)  # same decisions
    assert not np.allclose(at_close.daily_pnl(), run.portfolio.daily_pnl())


def test_fills_at_the_open_keep_the_same_books_on_both_paths():
    history = with_opens(history_of(contract_table(9), 9), 9)
    strategy = always_long(buffer=0.02)
    events = Simulation(strategy, path="events", fill="open").run(history).portfolio
    vectorised = Simulation(strategy, path="vectorised", fill="open").run(history).portfolio
    pd.testing.assert_frame_equal(events.pnl, vectorised.pnl)
    pd.testing.assert_frame_equal(events.trades, vectorised.trades)


def test_a_history_without_opens_fills_at_the_close_and_says_so():
    history = history_of(contract_table(10), 10)
    simulation = Simulation(always_long(), path="events", fill="open")
    run = simulation.run(history).portfolio
    pd.testing.assert_frame_equal(
        run.pnl, Simulation(always_long(), path="events").run(history).portfolio.pnl
    )
    assert simulation.markets_without_open == ["X"]
    with pytest.raises(TectonError, match="fill must be one of close, open"):
        Simulation(always_long(), fill="vwap")
