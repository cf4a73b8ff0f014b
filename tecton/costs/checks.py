"""Plausibility of cost inputs: a market whose round trip costs an absurd share of its risk.

A cost table is typed by hand and copied between systems, so a slip of the decimal point is easy
and silent: the peer's (pysystemtrade's) instrument configuration gives EURIBOR a slippage of 49
price points on a 2,500 EUR point, about 122,500 EUR a contract a side, half the contract's
notional. Backtests then lose millions on a market that trades for a few euros. Measured in
Sharpe ratio units (:meth:`CostModel.sharpe_units`: a round trip's cost over the annual
volatility, both as fractions of the notional) costs compare across markets: real futures cost
from about 0.001 (liquid FX, equity indices) to about 0.1 (micro bitcoin in a calm year) a round
trip; EURIBOR's 49 points cost 77 (September 2022) to 600 (its calmest year).

    check = cost_check(snapshot)           # one row per market, the flagged ones first
    implausible_costs(snapshot)            # ["EURIBOR"]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tecton.costs.base import CostKind
from tecton.costs.model import CostModel
from tecton.costs.trading import Commission, Spread
from tecton.snapshot import MarketSnapshot

# a round trip costing a whole year's Sharpe ratio of a good strategy is no market, it is a typo:
# ten times the dearest real market in the peer's 29 over 50 years (micro bitcoin, ~0.1)
MAX_SR_ROUND_TRIP = 1.0

CHECK_COLUMNS = (
    "cost_per_contract",
    "notional",
    "cost_pct_notional",
    "vol_ann_pct",
    "sr_round_trip",
    "is_implausible",
)


def cost_check(
    snapshot: MarketSnapshot,
    costs: CostModel | CostKind | None = None,
    limit: float = MAX_SR_ROUND_TRIP,
) -> pd.DataFrame:
    """Each market's round-trip cost in Sharpe units, and whether it is beyond ``limit``.

    Parameters
    ----------
    snapshot : MarketSnapshot
        A day's prices, point values, FX, volatility and cost inputs.
    costs : CostModel or CostKind, optional
        The costs charged per trade; commission and half the spread by default.
    limit : float
        The largest plausible round-trip cost in annual Sharpe ratio units.

    Returns
    -------
    DataFrame
        Index ``market_id``, the columns of :data:`CHECK_COLUMNS` (money in the base currency,
        ``cost_pct_notional`` and ``vol_ann_pct`` fractions), implausible markets first, then
        by cost.
    """
    costs = _model(costs)
    per_contract = costs.cost_per_contract(snapshot)
    sr = costs.sharpe_units(snapshot)
    frame = pd.DataFrame(
        {
            "cost_per_contract": per_contract,
            "notional": np.abs(snapshot.notional),
            "cost_pct_notional": per_contract / np.abs(snapshot.notional),
            "vol_ann_pct": snapshot.vol_ann_pct,
            "sr_round_trip": sr,
            "is_implausible": sr > limit,
        },
        index=pd.Index(snapshot.markets, name="market_id"),
    )
    return frame.sort_values(["is_implausible", "sr_round_trip"], ascending=False)


def implausible_costs(
    snapshot: MarketSnapshot,
    costs: CostModel | CostKind | None = None,
    limit: float = MAX_SR_ROUND_TRIP,
) -> list[str]:
    """The markets whose round trip costs more than ``limit`` Sharpe units (see :func:`cost_check`)."""
    check = cost_check(snapshot, costs, limit)
    return sorted(check.index[check["is_implausible"]])


def _model(costs: CostModel | CostKind | None) -> CostModel:
    if costs is None:
        return Commission() + Spread()
    return CostModel([costs]) if isinstance(costs, CostKind) else costs
