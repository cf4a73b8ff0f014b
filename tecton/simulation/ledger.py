"""Ledger: the books of a backtest, the same for the event loop and the vectorised path.

Marking a day (the P&L of the contracts held over it, the roll's two trades), filling orders at
a close, and turning it all into a :class:`Portfolio` happen here once, so both paths account
identically; they differ only in how they decide.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tecton.costs import CostModel
from tecton.portfolio import Portfolio
from tecton.portfolio.portfolio import PNL_COLUMNS, TRADE_COLUMNS
from tecton.simulation.history import History
from tecton.strategy import Strategy


class Ledger:
    """Contracts held, P&L and fills of one backtest, day by day."""

    def __init__(self, costs: CostModel, history: History):
        T, N = len(history), len(history.markets)
        self.costs, self.history = costs, history
        self.positions = np.zeros((T, N))
        self.pnl_price = np.zeros((T, N))
        self.pnl_fx = np.zeros((T, N))
        self.cost = np.zeros((T, N))
        self.capital = np.zeros(T)
        self.rolled = history.is_roll()
        self.trades: list[tuple] = []

    def mark(self, t: int, capital: float) -> np.ndarray:
        """Yesterday's contracts carried to day ``t``: their P&L, and a roll's cost; returns them."""
        if t == 0:
            return self.positions[0].copy()
        h, held = self.history, self.positions[t - 1].copy()
        self.positions[t] = held
        move = np.nan_to_num(held * h.ret_pts[t] * h.point_value)
        fx_before, fx_now = h.fx[t - 1], h.fx[t]
        self.pnl_price[t] = np.nan_to_num(move * fx_before)
        self.pnl_fx[t] = np.nan_to_num(move * (fx_now - fx_before))
        rolling = np.flatnonzero(self.rolled[t] & (held != 0))
        if len(rolling):
            self._roll(t, rolling, held, capital)
        return held

    def fill(self, t: int, order: tuple[np.ndarray, np.ndarray], capital: float) -> np.ndarray:
        """Fill ``(columns, target)`` at day ``t``'s close where it has a price; returns holdings."""
        h, (columns, target) = self.history, order
        filled = columns[np.isfinite(h.price[t, columns])]
        wanted = dict(zip(columns, target, strict=True))
        quantity = np.array([wanted[c] for c in filled]) - self.positions[t, filled]
        moving = filled[quantity != 0]
        quantity = quantity[quantity != 0]
        if len(moving):
            cost = self.costs.trade_cost(quantity, h.snapshot(t, capital, moving))
            self.cost[t, moving] += cost
            self.positions[t, moving] += quantity
            for c, q, paid in zip(moving, quantity, cost, strict=True):
                self.trades.append(
                    (
                        h.dates[t],
                        h.markets[c],
                        h.contract_id[t, c],
                        q,
                        h.price[t, c],
                        abs(q) * h.price[t, c] * h.point_value[c] * h.fx[t, c],
                        paid,
                        "signal",
                    )
                )
        return self.positions[t].copy()

    def _roll(self, t: int, columns: np.ndarray, held: np.ndarray, capital: float) -> None:
        """Two trades per held contract, at the previous close (when the P&L switches contract)."""
        h = self.history
        # priced at the old contract's last close (the new one may have no price on the day)
        price = np.where(
            np.isfinite(h.price[t - 1, columns]), h.price[t - 1, columns], h.price[t, columns]
        )
        columns, price = columns[np.isfinite(price)], price[np.isfinite(price)]
        cost = self.costs.roll_cost(held[columns], h.snapshot(t, capital, columns, price))
        self.cost[t, columns] += cost
        for c, paid in zip(columns, cost, strict=True):
            market, q = h.markets[c], held[c]
            old_price, new_price = h.price[t - 1, c], h.price[t, c] - h.ret_pts[t, c]
            value = abs(q) * h.point_value[c] * h.fx[t, c]
            self.trades.append(
                (
                    h.dates[t],
                    market,
                    h.contract_id[t - 1, c],
                    -q,
                    old_price,
                    value * old_price,
                    paid / 2,
                    "roll",
                )
            )
            self.trades.append(
                (
                    h.dates[t],
                    market,
                    h.contract_id[t, c],
                    q,
                    new_price,
                    value * new_price,
                    paid / 2,
                    "roll",
                )
            )

    def pnl_total(self) -> float:
        """P&L so far, base currency (for compounding capital)."""
        return float(self.pnl_price.sum() + self.pnl_fx.sum() - self.cost.sum())

    def portfolio(self, base_currency: str) -> Portfolio:
        h = self.history
        dates, markets = pd.DatetimeIndex(h.dates, name="trade_date"), list(h.markets)
        positions = pd.DataFrame(
            self.positions, index=dates, columns=pd.Index(markets, name="market_id")
        )
        before = np.vstack([np.zeros((1, len(markets))), self.positions[:-1]])
        keep = (before != 0) | (self.cost != 0)
        t_idx, m_idx = np.nonzero(keep)
        pnl = pd.DataFrame(
            {
                "trade_date": dates[t_idx],
                "market_id": np.array(markets, dtype=object)[m_idx],
                "pnl_price": self.pnl_price[t_idx, m_idx],
                "pnl_fx": self.pnl_fx[t_idx, m_idx],
                "cost": self.cost[t_idx, m_idx],
            }
        )
        pnl["pnl"] = pnl["pnl_price"] + pnl["pnl_fx"] - pnl["cost"]
        trades = pd.DataFrame(self.trades, columns=list(TRADE_COLUMNS))
        trades = trades.sort_values(
            ["trade_date", "market_id", "reason"], kind="stable"
        ).reset_index(drop=True)
        return Portfolio(
            positions=positions.astype(int)
            if np.all(self.positions == np.round(self.positions))
            else positions,
            trades=trades,
            pnl=pnl[list(PNL_COLUMNS)],
            capital=pd.Series(self.capital, index=dates, name="capital"),
            base_currency=base_currency,
        )


def diversification_path(strategy: Strategy, history: History) -> tuple[np.ndarray, np.ndarray]:
    """Instrument weights (T, N) and IDM (T,), re-estimated on each month's first trading day.

    Over the markets tradable that day (others weigh 0 until the next month), from the risk
    model's correlation at that close; a given weight and IDM are the same every month.
    """
    T, N = len(history), len(history.markets)
    weights, idm = np.zeros((T, N)), np.ones(T)
    d = strategy.definition
    needs_corr = d.instrument_weights == "estimated" or d.idm == "estimated"
    month, columns = None, np.array([], dtype=int)
    current_w, current_idm = np.zeros(N), 1.0
    for t, date in enumerate(history.dates):
        if (date.year, date.month) != month:
            columns = history.tradable(t)
            month = (date.year, date.month) if len(columns) else None
            current_w = np.zeros(N)
            if len(columns):
                corr = (
                    history.risk_on(t, columns).corr.to_numpy()
                    if needs_corr
                    else np.eye(len(columns))
                )
                w, current_idm = strategy.diversification(
                    [history.markets[c] for c in columns], corr
                )
                current_w[columns] = w
        weights[t], idm[t] = current_w, current_idm
    return weights, idm
