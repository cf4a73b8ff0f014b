"""Ledger: the books of a backtest, one set of formulas for the event loop and the vectorised path.

The drivers only decide what is held at each close (``positions``); :meth:`Ledger.book` turns
a span of days of holdings into P&L, fills and costs with array expressions, whether the span
is one day (the event loop, which needs each day's P&L for compounding capital) or the whole
window at once (the vectorised path). Fills are on the day the holding changes, at that day's
close or (``fill="open"``) at the held contract's open where the bars have one: a contract
bought at the open also earns the day's move from the open to the close. A roll moves the
holding to the new contract at the previous close, where the P&L switches contract, and pays
two trades per contract held.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tecton.costs import CostModel
from tecton.portfolio import Portfolio
from tecton.portfolio.portfolio import PNL_COLUMNS, TRADE_COLUMNS
from tecton.simulation.history import History
from tecton.snapshot import MarketSnapshot
from tecton.strategy import Strategy


class Ledger:
    """Contracts held at each close (set by a driver), and the P&L and fills they imply."""

    def __init__(self, costs: CostModel, history: History, fill: str = "close"):
        T, N = len(history), len(history.markets)
        self.costs, self.history = costs, history
        self.fill_price = history.fill_prices(fill)
        self.positions = np.zeros((T, N))
        self.pnl_price = np.zeros((T, N))
        self.pnl_fx = np.zeros((T, N))
        self.cost = np.zeros((T, N))
        self.capital = np.zeros(T)
        self.rolled = history.is_roll()
        self._fills: list[tuple[np.ndarray, ...]] = []

    def fillable(self, t: int, columns: np.ndarray) -> np.ndarray:
        """The ``columns`` that can trade at day ``t``'s close (they have a price)."""
        return columns[np.isfinite(self.history.price[t, columns])]

    def book(self, t0: int, t1: int, capital: float | np.ndarray) -> float:
        """P&L, costs and fills of days ``t0 <= t < t1`` (``t0 >= 1``); returns their P&L sum."""
        h, days = self.history, slice(t0, t1)
        before, after = self.positions[t0 - 1 : t1 - 1], self.positions[days]
        move = np.nan_to_num(before * h.ret_pts[days] * h.point_value)
        fx_before, fx_now = h.fx[t0 - 1 : t1 - 1], h.fx[days]
        # what was traded that day, from its fill to the close (nothing for fills at the close)
        since_fill = (after - before) * (h.price[days] - self.fill_price[days]) * h.point_value
        self.pnl_price[days] = np.nan_to_num(move * fx_before) + np.nan_to_num(since_fill * fx_now)
        self.pnl_fx[days] = np.nan_to_num(move * (fx_now - fx_before))
        cash = np.broadcast_to(np.asarray(capital, dtype=float), (t1 - t0,))
        self._trades(t0, before, after, cash)
        self._rolls(t0, before, cash)
        return float(self.pnl_price[days].sum() + self.pnl_fx[days].sum() - self.cost[days].sum())

    def _trades(self, t0: int, before: np.ndarray, after: np.ndarray, cash: np.ndarray) -> None:
        rows, cols = np.nonzero(after != before)
        if not len(rows):
            return
        t = rows + t0
        quantity = after[rows, cols] - before[rows, cols]
        price = self.fill_price[t, cols]
        cost = self.costs.trade_cost(quantity, self._cells(t, cols, cash[rows], price))
        np.add.at(self.cost, (t, cols), cost)
        self._record(t, cols, quantity, price, cost, "signal")

    def _rolls(self, t0: int, before: np.ndarray, cash: np.ndarray) -> None:
        h = self.history
        rows, cols = np.nonzero(self.rolled[t0 : t0 + len(before)] & (before != 0))
        t = rows + t0
        # the roll is at the previous close: the old contract's close there, the new one's close
        # less its move since; where one is missing the other (or today's close) stands in
        today = h.price[t, cols]
        old = _first_finite(h.price[t - 1, cols], today, h.price[t, cols] - h.ret_pts[t, cols])
        new = _first_finite(h.price[t, cols] - h.ret_pts[t, cols], today, old)
        ok = np.isfinite(old) & np.isfinite(new)
        rows, cols, t, old, new = rows[ok], cols[ok], t[ok], old[ok], new[ok]
        if not len(rows):
            return
        held = before[rows, cols]
        cost = self.costs.roll_cost(held, self._cells(t, cols, cash[rows], old))
        np.add.at(self.cost, (t, cols), cost)
        self._record(t, cols, -held, old, cost / 2, "roll", contract_day=t - 1)
        self._record(t, cols, held, new, cost / 2, "roll")

    def _cells(
        self, t: np.ndarray, cols: np.ndarray, cash: np.ndarray, price: np.ndarray
    ) -> MarketSnapshot:
        """A snapshot whose entries are (day, market) cells: the cost model is elementwise."""
        return self.history.snapshot(t, float(cash.max()) if len(cash) else 1.0, cols, price)

    def _record(self, t, cols, quantity, price, cost, reason, contract_day=None) -> None:
        h = self.history
        notional = np.abs(quantity) * price * h.point_value[cols] * h.fx[t, cols]
        contract = h.contract_id[t if contract_day is None else contract_day, cols]
        self._fills.append(
            (t, cols, contract, quantity, price, notional, cost, np.full(len(t), reason))
        )

    def portfolio(self, base_currency: str) -> Portfolio:
        """The books as a :class:`Portfolio`."""
        h = self.history
        dates, markets = (
            pd.DatetimeIndex(h.dates, name="trade_date"),
            np.array(h.markets, dtype=object),
        )
        positions = pd.DataFrame(
            self.positions, index=dates, columns=pd.Index(list(markets), name="market_id")
        )
        before = np.vstack([np.zeros((1, len(markets))), self.positions[:-1]])
        t, c = np.nonzero((before != 0) | (self.cost != 0))
        pnl = pd.DataFrame(
            {
                "trade_date": dates[t],
                "market_id": markets[c],
                "pnl_price": self.pnl_price[t, c],
                "pnl_fx": self.pnl_fx[t, c],
                "cost": self.cost[t, c],
            }
        )
        pnl["pnl"] = pnl["pnl_price"] + pnl["pnl_fx"] - pnl["cost"]
        price = pd.DataFrame(h.price).ffill().to_numpy()
        fx = pd.DataFrame(h.fx).ffill().to_numpy()
        exposure = np.nan_to_num(self.positions * price * h.point_value * fx)
        return Portfolio(
            exposure=pd.DataFrame(exposure, index=dates, columns=positions.columns),
            positions=positions.astype(int)
            if np.array_equal(self.positions, np.round(self.positions))
            else positions,
            trades=self._trade_frame(dates, markets),
            pnl=pnl[list(PNL_COLUMNS)],
            capital=pd.Series(self.capital, index=dates, name="capital"),
            base_currency=base_currency,
        )

    def _trade_frame(self, dates: pd.DatetimeIndex, markets: np.ndarray) -> pd.DataFrame:
        if not self._fills:
            return pd.DataFrame({c: [] for c in TRADE_COLUMNS})
        t, c, contract, quantity, price, notional, cost, reason = (
            np.concatenate(parts) for parts in zip(*self._fills, strict=True)
        )
        frame = pd.DataFrame(
            dict(
                zip(
                    TRADE_COLUMNS,
                    (dates[t], markets[c], contract, quantity, price, notional, cost, reason),
                    strict=True,
                )
            )
        )
        # a roll's two legs first (out, then in), then the day's signal fill, market by market
        order = pd.Categorical(frame["reason"], ["roll", "signal"], ordered=True)
        frame = frame.assign(_order=order).sort_values(
            ["trade_date", "market_id", "_order"], kind="stable"
        )
        return frame.drop(columns="_order").reset_index(drop=True)


def _first_finite(*candidates: np.ndarray) -> np.ndarray:
    """Elementwise, the first candidate that is finite (NaN where none is)."""
    out = np.full(np.shape(candidates[0]), np.nan)
    for values in reversed(candidates):
        out = np.where(np.isfinite(values), values, out)
    return out


def diversification_path(strategy: Strategy, history: History) -> tuple[np.ndarray, np.ndarray]:
    """Instrument weights (T, N) and IDM (T,), re-estimated on each month's first trading day.

    Over the markets tradable that day (others weigh 0 until the next month), from the risk
    model's correlation at that close; a given weight and IDM are the same every month.
    """
    T, N = len(history), len(history.markets)
    weights, idm = np.zeros((T, N)), np.ones(T)
    d = strategy.definition
    needs_corr = d.instrument_weights == "estimated" or d.idm == "estimated"
    month = None
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
