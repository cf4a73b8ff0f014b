"""The vectorised path for ``vol_target`` strategies with plain rounding on fixed capital.

Every unrounded position and buffer edge of the whole window is one array expression (the
same :mod:`tecton.strategy.sizing` functions the strategy calls day by day). Buffering depends
on what is held, so it runs as a tight loop over days on vectors of markets; the books are kept
by the same :class:`Ledger` as the event loop, so both paths report the same portfolio.
"""

from __future__ import annotations

import numpy as np

from tecton import config
from tecton.portfolio import Portfolio
from tecton.simulation.history import History
from tecton.simulation.ledger import Ledger, diversification_path
from tecton.strategy import Strategy, sizing


def buffer_path(
    strategy: Strategy, history: History, capital: float
) -> tuple[np.ndarray, np.ndarray]:
    """Whole-contract buffer edges (T, N) for every day; NaN where a market cannot be sized."""
    d = strategy.definition
    weights, idm = diversification_path(strategy, history)
    value_vol = sizing.instrument_value_vol(
        sizing.block_value(history.price, history.point_value), history.vol_daily_pct, history.fx
    )
    scalar = sizing.vol_scalar(capital, d.vol_target, value_vol)
    idm = idm[:, None]
    unrounded = sizing.portfolio_position(
        sizing.subsystem_position(history.forecast, scalar), weights, idm
    )
    lower, upper = sizing.buffer_edges(
        unrounded, sizing.average_position(scalar, weights, idm), d.buffer
    )
    sized = np.zeros(lower.shape, dtype=bool)
    for t in range(len(history)):
        sized[t, history.tradable(t)] = True
    return np.where(sized, lower, np.nan), np.where(sized, upper, np.nan)


def run_vectorised(
    strategy: Strategy, history: History, capital: float, fill: str = "close"
) -> Portfolio:
    """Positions from the buffer edges, filled the next day (at ``fill``), booked by the
    :class:`Ledger`."""
    lower, upper = buffer_path(strategy, history, capital)
    book = Ledger(strategy.cost_model, history, fill)
    held, fillable = book.positions, np.isfinite(history.price)
    for t in range(1, len(history)):  # buffering depends on what is held: one vector a day
        held[t] = held[t - 1]
        ok = fillable[t] & np.isfinite(lower[t - 1])
        held[t, ok] = np.clip(held[t - 1, ok], lower[t - 1, ok], upper[t - 1, ok])
    book.book(1, len(history), capital)
    book.capital[:] = capital
    return book.portfolio(config.base_currency())
