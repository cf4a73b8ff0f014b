"""The peer's costs in tecton's terms: its point sizes and cash costs, and what they cost.

The ``futures_markets`` mart takes point values and costs from tecton's own reference file for
the markets it lists and from the peer's ``instrumentconfig.csv`` only for the others; the peer
system uses its own file throughout, so the study swaps the metadata (:func:`with_peer_costs`)
and lists where the two disagree (:func:`metadata_differences`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from tecton.costs.checks import cost_check
from tecton.simulation import History
from tecton.snapshot import MarketSnapshot
from tecton.strategy import Strategy

EURIBOR_SLIPPAGE = 0.0025  # half of one 0.005 tick: what the file's 49 points stand in for
CASES = ("peer, as shipped", "peer, EURIBOR fixed", "tecton reference")


def with_peer_costs(
    meta: pd.DataFrame, config: pd.DataFrame, slippage: dict[str, float] | None = None
) -> pd.DataFrame:
    """``meta`` (``futures.markets`` rows) with the peer's point sizes and costs.

    ``point_value`` = Pointsize, ``commission_per_contract`` = PerBlock, ``commission_pct`` =
    Percentage, ``spread_pts`` = 2 x Slippage (a trade pays half the spread: the peer's
    slippage); ``slippage`` replaces the file's slippage of the markets it names.
    """
    peer = config.reindex(meta.index)
    slip = peer["Slippage"].astype(float).copy()
    for market, value in (slippage or {}).items():
        if market in slip.index:
            slip[market] = value
    return meta.assign(
        point_value=peer["Pointsize"].astype(float),
        commission_per_contract=peer["PerBlock"].astype(float),
        commission_pct=peer["Percentage"].astype(float),
        spread_pts=2 * slip,
        slippage_pts=slip,
    )


def metadata_differences(meta: pd.DataFrame, config: pd.DataFrame) -> pd.DataFrame:
    """Markets where tecton's ``futures.markets`` and the peer's file disagree, side by side.

    Columns ``<field> tecton`` and ``<field> peer`` for currency, point value, commission and
    slippage (half the spread), and ``source`` (where the mart took the market's row from).
    """
    peer = with_peer_costs(meta, config).assign(currency=config.reindex(meta.index)["Currency"])
    fields = ["currency", "point_value", "commission_per_contract", "slippage_pts"]
    differs = pd.Series(False, index=meta.index)
    table = {}
    for name in fields:
        ours, theirs = meta[name], peer[name]
        if name == "currency":
            differs |= ours != theirs
        else:
            differs |= ~np.isclose(ours.astype(float), theirs.astype(float), rtol=1e-9)
        table[f"{name} tecton"], table[f"{name} peer"] = ours, theirs
    table["source"] = meta["source"]
    return pd.DataFrame(table)[differs].rename_axis("market")


def cost_cases(history: History, config: pd.DataFrame) -> dict[str, History]:
    """The study's three cost cases (:data:`CASES`): the same history, other metadata."""
    shipped = with_peer_costs(history.meta, config)
    fixed = with_peer_costs(history.meta, config, {"EURIBOR": EURIBOR_SLIPPAGE})
    return {
        CASES[0]: dataclasses.replace(history, meta=shipped),
        CASES[1]: dataclasses.replace(history, meta=fixed),
        CASES[2]: history,
    }


def round_trip_sharpe(strategy: Strategy, history: History, capital: float) -> pd.DataFrame:
    """The strategy's ``cost_sr_round_trip`` on every day a market is tradable (dates x markets).

    One :class:`MarketSnapshot` whose entries are the (day, market) cells: the cost model is
    elementwise, so this is the daily figure the strategy reports, all days at once.
    """
    ok = np.zeros((len(history), len(history.markets)), dtype=bool)
    for t in range(len(history)):
        ok[t, history.tradable(t)] = True
    t, c = np.nonzero(ok)
    meta = history.meta.iloc[c]
    cells = MarketSnapshot(
        markets=tuple(np.asarray(history.markets, dtype=object)[c]),
        capital=capital,
        price=history.price[t, c],
        point_value=meta["point_value"].to_numpy(dtype=float),
        fx=history.fx[t, c],
        vol_daily_pct=history.vol_daily_pct[t, c],
        commission=meta["commission_per_contract"].to_numpy(dtype=float),
        commission_pct=meta["commission_pct"].fillna(0.0).to_numpy(dtype=float),
        spread_pts=meta["spread_pts"].to_numpy(dtype=float),
    )
    out = np.full(ok.shape, np.nan)
    out[t, c] = strategy.cost_model.sharpe_units(cells)
    return pd.DataFrame(out, index=history.dates, columns=list(history.markets))


def flagged_costs(history: History, capital: float) -> pd.DataFrame:
    """:func:`cost_check` of each market on its last tradable day (its latest prices and vol)."""
    last = {}
    for t in range(len(history)):
        for c in history.tradable(t):
            last[c] = t
    columns = np.array(sorted(last))
    rows = np.array([last[c] for c in columns])
    snaps = [
        history.snapshot(t, capital, np.array([c])) for t, c in zip(rows, columns, strict=True)
    ]
    return pd.concat([cost_check(s) for s in snaps]).sort_values(
        ["is_implausible", "sr_round_trip"], ascending=False
    )
