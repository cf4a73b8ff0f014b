"""Backtests on the real peer data: both paths agree, nothing after a day moves its decisions,
P&L matches the per-contract bars, and bad requests are one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tecton import fx
from tecton.dal import Mantle
from tecton.errors import TectonError
from tecton.factor_model import FactorModel, Panels, load_panels
from tecton.simulation import Simulation, load_history
from tecton.simulation.history import assemble_history
from tecton.strategy import Strategy, StrategyDefinition
from tecton.strategy.inputs import market_metadata
from tests.support.peer import SHARED_DATA, peer_home_fixtures

pytestmark = [pytest.mark.slow, pytest.mark.minutes(1.5)]

MARKETS = ["SP500", "US10", "GOLD", "CORN", "CRUDE_W", "EUR", "EUROSTX", "NIKKEI"]
START, END = "2020-01-01", "2022-06-30"


built, home = peer_home_fixtures(MARKETS, "2017-01-01", "backtest-peer-home")


def strategy(**changes) -> Strategy:
    definition = {
        "name": "peer_trend",
        "model": {
            "name": "peer_trend",
            "universe": {"markets": MARKETS},
            "alpha": "trend_carry",
            "risk": "default",
        },
        "capital": 2_000_000,
        "vol_target": 0.25,
        "idm": "estimated",
        "buffer": 0.10,
    }
    return Strategy(StrategyDefinition.model_validate({**definition, **changes}))


@pytest.mark.parametrize(
    "changes", [{}, {"instrument_weights": "estimated"}, {"idm": 1.5, "buffer": 0.0}]
)
def test_the_event_loop_and_the_vectorised_path_agree_on_real_data(home, changes):
    chosen = strategy(**changes)
    history = load_history(chosen, START, END)
    events = Simulation(chosen, path="events").run(history).portfolio
    vectorised = Simulation(chosen, path="vectorised").run(history).portfolio
    pd.testing.assert_frame_equal(events.positions, vectorised.positions)
    pd.testing.assert_frame_equal(events.trades, vectorised.trades)
    pd.testing.assert_frame_equal(events.pnl, vectorised.pnl)
    assert (events.positions != 0).to_numpy().mean() > 0.5  # it really held positions


def peer_moves(market: str) -> pd.DataFrame:
    """From the peer's own file, as the peer samples it (each day's last row): the held contract
    and its price change since the previous day's last row (its FORWARD or CARRY price there on
    the day after a roll)."""
    raw = pd.read_csv(
        SHARED_DATA / "multiple_prices_csv" / f"{market}.csv.gz", parse_dates=["DATETIME"]
    )
    last = raw.groupby(raw["DATETIME"].dt.normalize()).tail(1)
    last = last.set_index(last["DATETIME"].dt.normalize())
    previous = last.shift(1)
    held = last["PRICE_CONTRACT"]
    before = np.select(
        [
            previous["PRICE_CONTRACT"] == held,
            previous["FORWARD_CONTRACT"] == held,
            previous["CARRY_CONTRACT"] == held,
        ],
        [previous["PRICE"], previous["FORWARD"], previous["CARRY"]],
        np.nan,
    )
    return pd.DataFrame({"contract": held, "move": last["PRICE"] - before}, index=last.index)


def test_pnl_is_contracts_times_the_peers_own_price_moves_point_value_and_fx_less_costs(home):
    portfolio = Simulation(strategy(), START, END).run().portfolio
    held, dates = portfolio.positions, portfolio.positions.index
    config = pd.read_csv(SHARED_DATA / "csvconfig" / "instrumentconfig.csv").set_index("Instrument")
    gross = portfolio.pnl.assign(gross=portfolio.pnl["pnl_price"] + portfolio.pnl["pnl_fx"])
    ours = gross.pivot_table(index="trade_date", columns="market_id", values="gross", aggfunc="sum")
    ours = ours.reindex(index=dates, columns=MARKETS).fillna(0.0)
    for market in MARKETS:
        currency = config.loc[market, "Currency"]
        rate = pd.Series(1.0, index=dates)
        if currency != "USD":
            fx_file = pd.read_csv(
                SHARED_DATA / "fx_prices_csv" / f"{currency}USD.csv.gz", parse_dates=["DATETIME"]
            )
            daily = fx_file.groupby(fx_file["DATETIME"].dt.normalize())["PRICE"].last()
            rate = daily.reindex(daily.index.union(dates)).ffill().reindex(dates)
        moves = peer_moves(market).reindex(dates)
        expected = (
            held[market].shift(1).fillna(0)
            * moves["move"].fillna(0.0)
            * config.loc[market, "Pointsize"]
            * rate
        )
        traded = moves["move"].notna()
        assert traded.sum() > 300, market  # the comparison covers most of the window
        np.testing.assert_allclose(
            ours[market].to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-6, err_msg=market
        )
    costs = portfolio.pnl.groupby("trade_date")["cost"].sum()
    fills = portfolio.trades.groupby("trade_date")["cost"].sum()
    pd.testing.assert_series_equal(costs[costs != 0], fills[fills != 0], check_names=False)


@pytest.fixture(scope="module")
def inputs(built):
    """The model's panels and the window's rows, read once (the property test perturbs copies)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TECTON_HOME", str(built))
        chosen = strategy(idm=1.5)
        panels = load_panels(MARKETS, "2021-01-01", END, lookback=600)
        cont = Mantle.select(
            "futures.cont", "2021-01-01", END, ["contract_id", "price"], markets=MARKETS
        )
        meta = market_metadata(MARKETS)
        rates = fx.rates(sorted(set(meta["currency"])), end=END)
        Mantle.close()
    base, _ = _run(chosen, panels, cont, meta, rates)
    return chosen, panels, cont, meta, rates, base


def _run(chosen, panels, cont, meta, rates):
    model = FactorModel(chosen.definition.model).fit(panels, start="2021-01-01")
    history = assemble_history(model, cont, rates, meta)
    return Simulation(chosen, path="events").run(history).portfolio.positions, model


@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.generate],  # each example fits the model: no slow shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cut=st.integers(20, 300), scale=st.floats(0.5, 2.0).filter(lambda x: abs(x - 1) > 0.05))
def test_no_look_ahead_changing_anything_after_a_day_never_changes_a_decision_up_to_it(
    inputs, cut, scale
):
    chosen, panels, cont, meta, rates, base = inputs
    day = base.index[cut]
    later = panels.dates > day
    factor = np.where(later, scale, 1.0)[:, None]
    shocked = Panels(
        price_adj=panels.price_adj * factor,
        ret_pts=panels.ret_pts * factor,
        ret_pct=panels.ret_pct * factor,
        carry_ann=panels.carry_ann * np.where(later, -1.0, 1.0)[:, None],
    )
    after = pd.to_datetime(cont["trade_date"]) > day
    cont_shocked = cont.assign(price=np.where(after, cont["price"] * scale, cont["price"]))
    rates_shocked = rates * np.where(rates.index > day, scale, 1.0)[:, None]
    moved, _ = _run(chosen, shocked, cont_shocked, meta, rates_shocked)
    # a decision at the close of `day` fills at the next close: holdings up to then are unchanged
    upto = base.index[cut + 1]
    pd.testing.assert_frame_equal(base.loc[:upto], moved.loc[:upto])
    # and the perturbation reached the data the strategy reads: later holdings differ
    assert not base.loc[upto:].equals(moved.loc[upto:])


def test_bad_requests_are_one_clear_line(home):
    with pytest.raises(TectonError, match="window is before any data"):
        Simulation(strategy(), "1990-01-01", "1995-12-31").run()
    unknown = strategy(
        model={
            "name": "x",
            "universe": {"markets": ["SP500", "NOPE"]},
            "alpha": "trend_carry",
            "risk": "default",
        }
    )
    with pytest.raises(TectonError, match="NOPE"):
        Simulation(unknown, START, END).run()
    with pytest.raises(TectonError, match="capital"):
        Simulation(strategy(), START, END, capital=float("nan"))


def test_backtest_on_the_command_line_stores_a_run_that_runs_lists_and_mantle_serves(
    home, tmp_path
):
    import re

    import yaml

    from tests.support.cli import tecton

    path = tmp_path / "peer_trend.yaml"
    path.write_text(yaml.safe_dump(strategy().definition.model_dump(mode="json")))
    run = tecton("backtest", str(path), "--start", START, "--end", END, home=home)
    assert run.returncode == 0, run.stderr
    assert "peer_trend" in run.stdout and "Sharpe" in run.stdout
    run_id = re.search(r"stored as run ([0-9a-f]{12})", run.stdout).group(1)
    listed = tecton("runs", home=home)
    assert run_id in listed.stdout
    served = Mantle.select(Mantle.Tables.backtests.pnl, where={"run_id": run_id})
    again = Simulation(strategy(), START, END).run().portfolio.pnl
    assert np.isclose(served["pnl"].sum(), again["pnl"].sum(), rtol=1e-9)
    assert len(served) == len(again)

    for args, says in [
        (
            ("backtest", str(path), "--start", "1990-01-01", "--end", "1995-12-31"),
            "before any data",
        ),
        (("backtest", "no_such_strategy"), "no_such_strategy"),
        (("backtest", str(path), "--capital", "-5"), "--capital"),
    ]:
        bad = tecton(*args, home=home)
        assert bad.returncode == 2, bad.stdout + bad.stderr
        assert says in bad.stderr and "Traceback" not in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr
