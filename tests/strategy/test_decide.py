"""Strategy.decide on hand-made inputs: the cost check's warning reaches the decision and report."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tecton.factor_model import RiskEstimate
from tecton.snapshot import MarketSnapshot
from tecton.strategy import RebalanceInputs, Strategy, StrategyDefinition
from tecton.strategy.orders import report


def inputs(spread_pts: list[float]) -> RebalanceInputs:
    markets = ("A", "B")
    vol = pd.Series([0.2, 0.3], index=list(markets))
    corr = pd.DataFrame(np.eye(2), index=list(markets), columns=list(markets))
    risk = RiskEstimate(pd.Timestamp("2024-06-28"), markets, vol, corr, corr * np.outer(vol, vol))
    snapshot = MarketSnapshot(
        markets=markets,
        capital=1e6,
        price=[100.0, 98.0],
        point_value=[1000.0, 2500.0],
        fx=[1.0, 1.1],
        vol_daily_pct=vol.to_numpy() / np.sqrt(252),
        commission=[2.0, 2.0],
        spread_pts=spread_pts,
    )
    return RebalanceInputs(
        pd.Timestamp("2024-06-28"), np.array([10.0, -5.0]), risk, snapshot, ("A_1", "B_1")
    )


def strategy() -> Strategy:
    return Strategy(
        StrategyDefinition(
            name="s", model="futures_trend_carry", capital=1e6, vol_target=0.2, idm=1.0
        )
    )


def test_an_implausible_cost_is_a_warning_on_the_decision_and_its_report():
    clean = strategy().decide(inputs([0.01, 0.005]), np.zeros(2))
    assert clean.warnings == ()
    typo = strategy().decide(inputs([0.01, 98.0]), np.zeros(2))  # B's spread: its whole price
    (warning,) = typo.warnings
    assert "implausible costs" in warning and warning.endswith(": B")
    assert "Warning: implausible costs" in report(typo)
    # the decision is unchanged by the warning: a person decides what to do about it
    np.testing.assert_array_equal(clean.target, typo.target)
