"""A strategy on the real peer data: positions, buffer and costs against plain numpy, the CLI.

Eight of the peer's (pysystemtrade's) markets since 2017, quoted in USD, EUR and JPY, with its FX
rates and instrument configuration, land in one lake; one real dbt build is shared by the module.
Each expected number is computed here from the peer's own files (prices, point sizes, currencies,
FX) with the textbook formula, not read back from tecton's tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tecton.factor_model import FactorModel
from tecton.markets import Markets
from tecton.strategy import Strategy, StrategyDefinition
from tests.support.cli import tecton
from tests.support.peer import SHARED_DATA, peer_home_fixtures

pytestmark = [pytest.mark.slow, pytest.mark.minutes(1.5)]

MARKETS = ["SP500", "US10", "GOLD", "CORN", "CRUDE_W", "EUR", "EUROSTX", "NIKKEI"]
AS_OF = pd.Timestamp("2022-06-30")
HELD = {"SP500": 2, "NIKKEI": -1, "CRUDE_W": 5}


built, home = peer_home_fixtures(MARKETS, "2017-01-01", "strategy-peer-home")


def definition(**changes) -> dict:
    base = {
        "name": "peer_trend",
        "model": {
            "name": "peer_trend",
            "universe": {"markets": MARKETS},
            "alpha": "trend_carry",
            "risk": "default",
        },
        "capital": 2_000_000,
        "vol_target": 0.25,
        "instrument_weights": "equal",
        "idm": "estimated",
        "buffer": 0.10,
    }
    return {**base, **changes}


def peer_last(folder: str, code: str, column: str) -> float:
    """The peer's last value of ``column`` on or before the rebalance day."""
    frame = pd.read_csv(SHARED_DATA / folder / f"{code}.csv.gz", parse_dates=["DATETIME"])
    frame = frame[frame["DATETIME"] < AS_OF + pd.Timedelta(days=1)].dropna(subset=[column])
    return float(frame[column].iloc[-1])


def peer_config() -> pd.DataFrame:
    return pd.read_csv(SHARED_DATA / "csvconfig" / "instrumentconfig.csv").set_index("Instrument")


def test_vol_target_positions_equal_the_textbook_formula_on_the_peers_own_numbers(home):
    strategy = Strategy(StrategyDefinition.model_validate(definition()))
    decision = strategy.rebalance(HELD, as_of=AS_OF)
    shown = decision.explain()
    config = peer_config().loc[MARKETS]

    price = np.array([peer_last("multiple_prices_csv", m, "PRICE") for m in MARKETS])
    fx = np.array(
        [
            1.0 if c == "USD" else peer_last("fx_prices_csv", f"{c}USD", "PRICE")
            for c in config["Currency"]
        ]
    )
    point = config["Pointsize"].to_numpy(float)
    np.testing.assert_allclose(shown["price"], price, rtol=1e-12)
    np.testing.assert_allclose(shown["fx"], fx, rtol=1e-12)

    # the model refitted on its own, as a notebook would
    fitted = FactorModel(strategy.definition.model).fit(
        start=AS_OF - pd.DateOffset(days=round(365.25 * 3)), end=AS_OF
    )
    forecast = fitted.forecast_.loc[:AS_OF].iloc[-1][MARKETS].to_numpy()
    risk = fitted.risk_estimate(AS_OF)
    vol_daily = risk.vol[MARKETS].to_numpy() / np.sqrt(252)
    corr = np.maximum(risk.corr.loc[MARKETS, MARKETS].to_numpy(), 0)
    weights = np.full(len(MARKETS), 1 / len(MARKETS))
    idm = min(2.5, 1 / np.sqrt(weights @ corr @ weights))

    cash_vol_per_contract = price * point * vol_daily * fx  # = block value x daily % vol x FX
    vol_scalar = (2_000_000 * 0.25 / np.sqrt(252)) / cash_vol_per_contract
    position = forecast / 10 * vol_scalar * weights * idm
    np.testing.assert_allclose(shown["forecast"], forecast, rtol=1e-12)
    np.testing.assert_allclose(shown["unrounded"], position, rtol=1e-9)

    held = np.array([HELD.get(m, 0) for m in MARKETS], dtype=float)
    half = 0.10 * np.abs(vol_scalar * weights * idm)
    lower, upper = np.round(position - half), np.round(position + half)
    expected = np.clip(held, lower, upper)
    np.testing.assert_array_equal(decision.target.to_numpy(), expected)
    np.testing.assert_array_equal(decision.trades.to_numpy(), expected - held)

    per_contract = np.array(
        [Markets[m].costs.cost_per_contract(p) for m, p in zip(MARKETS, price, strict=True)]
    )
    np.testing.assert_allclose(
        decision.costs.to_numpy(), np.abs(expected - held) * per_contract * fx, rtol=1e-9
    )


def test_rebalance_on_the_command_line_prints_the_table_and_writes_the_orders(home, tmp_path):
    strategy_file = tmp_path / "peer_trend.yaml"
    strategy_file.write_text(yaml.safe_dump(definition()))
    holdings = tmp_path / "holdings.csv"
    holdings.write_text("market_id,contracts\n" + "".join(f"{m},{n}\n" for m, n in HELD.items()))
    orders = tmp_path / "orders.csv"

    run = tecton(
        "rebalance",
        str(strategy_file),
        "--holdings",
        str(holdings),
        "--as-of",
        "2022-06-30",
        "--orders",
        str(orders),
        home=home,
    )
    assert run.returncode == 0, run.stderr
    decision = Strategy.from_yaml(strategy_file).rebalance(HELD, as_of=AS_OF)
    written = pd.read_csv(orders)
    trading = decision.trades[decision.trades != 0]
    assert list(written["market_id"]) == list(trading.index)
    signed = np.where(written["side"] == "BUY", 1, -1) * written["contracts"]
    np.testing.assert_array_equal(signed, trading.to_numpy())
    for market in MARKETS:
        assert market in run.stdout
    assert "peer_trend on 2022-06-30" in run.stdout


@pytest.mark.parametrize(
    ("holdings_text", "changes", "as_of", "message"),
    [
        ("market_id,contracts\nFOO,1\n", {}, "2022-06-30", "holdings name FOO"),
        (
            "market_id,contracts\nSP500,1.5\n",
            {},
            "2022-06-30",
            "holdings.csv:2: contracts for SP500",
        ),
        (
            "market_id,contracts\nSP500,1\nSP500,2\n",
            {},
            "2022-06-30",
            "holdings.csv:3: SP500 is listed twice",
        ),
        ("market,contracts\nSP500,1\n", {}, "2022-06-30", "missing column market_id"),
        ("market_id,contracts\n", {"capital": float("nan")}, "2022-06-30", "capital"),
        ("market_id,contracts\n", {"capital": -5}, "2022-06-30", "capital"),
        ("market_id,contracts\n", {}, "2016-06-30", "have no price in the 10 days to 2016-06-30"),
        ("market_id,contracts\n", {"vol_target": "lots"}, "2022-06-30", "vol_target"),
    ],
)
def test_bad_input_is_one_clear_line_and_no_traceback(
    home, tmp_path, holdings_text, changes, as_of, message
):
    strategy_file = tmp_path / "peer_trend.yaml"
    strategy_file.write_text(yaml.safe_dump(definition(**changes)))
    holdings = tmp_path / "holdings.csv"
    holdings.write_text(holdings_text)
    run = tecton(
        "rebalance", str(strategy_file), "--holdings", str(holdings), "--as-of", as_of, home=home
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert not (Path(home) / "orders" / "peer_trend").exists()


def test_the_optimiser_sizes_within_its_vol_ceiling_and_an_infeasible_one_keeps_the_holdings(home):
    ceiling = {"risk_aversion": 5, "constraints": {"vol_ceiling": 0.10}}
    strategy = Strategy(
        StrategyDefinition.model_validate(definition(sizing="optimizer", optimizer=ceiling))
    )
    decision = strategy.rebalance(HELD, as_of=AS_OF)
    assert decision.fallback is None
    fitted = FactorModel(strategy.definition.model).fit(
        start=AS_OF - pd.DateOffset(days=round(365.25 * 3)), end=AS_OF
    )
    cov = fitted.risk_estimate(AS_OF).cov.loc[MARKETS, MARKETS].to_numpy()
    shown = decision.explain()
    notional = (
        shown["price"].to_numpy()
        * peer_config().loc[MARKETS, "Pointsize"].to_numpy()
        * shown["fx"].to_numpy()
    )
    weights = shown["unrounded"].to_numpy() * notional / 2_000_000
    assert np.sqrt(weights @ cov @ weights) <= 0.10 * (1 + 1e-6)
    assert np.sqrt(weights @ cov @ weights) > 0.05  # the ceiling binds rather than nothing held
    np.testing.assert_array_equal(decision.target, np.round(shown["unrounded"]))

    stuck = Strategy(
        StrategyDefinition.model_validate(
            definition(
                sizing="optimizer",
                optimizer={
                    "constraints": {
                        "net_leverage": 0.0,
                        "long_only": True,
                        "vol_ceiling": 0.1,
                        "turnover": 0.0,
                    }
                },
            )
        )
    )
    kept = stuck.rebalance({"SP500": -3}, as_of=AS_OF)  # short is not long-only, and may not trade
    assert kept.fallback is not None and "infeasible" in kept.fallback
    assert kept.target["SP500"] == -3 and (kept.trades == 0).all()


def test_a_100k_account_tracks_the_unrounded_portfolio_better_with_the_greedy_search(home):
    from tecton.strategy.rounding import contract_covariance, plain_round, tracking_error

    small = definition(capital=100_000, rounding="greedy", cost_penalty=0.0)
    decision = Strategy(StrategyDefinition.model_validate(small)).rebalance(as_of=AS_OF)
    shown = decision.explain()
    fitted = FactorModel(StrategyDefinition.model_validate(small).model).fit(
        start=AS_OF - pd.DateOffset(days=round(365.25 * 3)), end=AS_OF
    )
    notional = (
        shown["price"].to_numpy()
        * peer_config().loc[MARKETS, "Pointsize"].to_numpy()
        * shown["fx"].to_numpy()
    )
    cov = contract_covariance(
        fitted.risk_estimate(AS_OF).cov.loc[MARKETS, MARKETS].to_numpy(), notional / 100_000
    )
    unrounded = shown["unrounded"].to_numpy()
    greedy = tracking_error(decision.target.to_numpy(), unrounded, cov)
    plain = tracking_error(plain_round(unrounded), unrounded, cov)
    assert greedy < plain, (greedy, plain)
