"""Decision: what a rebalance concluded, and why, market by market."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

# explain()'s columns, in the order a trader reads them
EXPLAIN_COLUMNS = (
    "forecast",
    "contract_id",
    "price",
    "fx",
    "vol_daily_pct",
    "block_value",
    "value_vol",
    "vol_scalar",
    "weight",
    "idm",
    "unrounded",
    "buffer_lower",
    "buffer_upper",
    "current",
    "target",
    "trade",
    "cost",
    "cost_sr_round_trip",
    "reason",
)


@dataclass(frozen=True, eq=False)
class Decision:
    """A rebalance's outcome.

    The per-market table (``details``, and ``trades``, ``costs`` and ``explain()`` from it) and
    the warnings are worked out when first asked: a backtest reads only ``target`` each day.

    Attributes
    ----------
    strategy : str
        The strategy's name.
    as_of : Timestamp
        The rebalance date (data known at its close).
    markets : tuple of str
        The markets decided, in the order of every per-market value.
    contracts : ndarray
        Whole contracts per market to hold (int), ``target``'s values.
    base_currency : str
        Currency of ``costs`` and values.
    columns : callable
        Gives ``details``' columns (a mapping of name to one value per market).
    fallback : str or None
        Why the optimiser's answer was not used (the holdings were kept), else None.
    find_warnings : callable
        Gives ``warnings``.
    target : Series
        Whole contracts per market to hold (int).
    trades : Series
        Contracts to buy (+) or sell (-) to get from the holdings to ``target`` (int).
    costs : Series
        Expected cost of those trades, in the base currency, per market.
    details : DataFrame
        One row per market, the columns of :data:`EXPLAIN_COLUMNS`; the buffer edges are NaN
        where no buffer applies (``sizing: optimizer`` or ``rounding: greedy``, where costs
        decide what is worth trading).
    warnings : tuple of str
        What a person should look at before trading (e.g. a market whose costs are implausible).
    """

    strategy: str
    as_of: pd.Timestamp
    markets: tuple[str, ...]
    contracts: np.ndarray
    base_currency: str
    columns: Callable[[], dict[str, object]] = field(repr=False)
    fallback: str | None = None
    find_warnings: Callable[[], tuple[str, ...]] = field(default=tuple, repr=False)

    @cached_property
    def target(self) -> pd.Series:
        return pd.Series(self.contracts, index=market_index(self.markets), name="contracts")

    @property
    def trades(self) -> pd.Series:
        return self.details["trade"].rename("contracts")

    @property
    def costs(self) -> pd.Series:
        return self.details["cost"].rename(f"cost_{self.base_currency}")

    @cached_property
    def details(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns(), index=market_index(self.markets))

    @cached_property
    def warnings(self) -> tuple[str, ...]:
        return self.find_warnings()

    def explain(self) -> pd.DataFrame:
        """Per market: forecast, price, FX, volatility, block value, weight, IDM, unrounded
        position, buffer edges, the decision and why it traded or not."""
        return self.details.loc[:, list(EXPLAIN_COLUMNS)]

    def orders(self) -> pd.DataFrame:
        """The trades as orders: one row per market that trades (none for a zero trade)."""
        moving = self.details[self.details["trade"] != 0]
        return pd.DataFrame(
            {
                "as_of": self.as_of.date().isoformat(),
                "strategy": self.strategy,
                "market_id": moving.index,
                "contract_id": moving["contract_id"].to_numpy(),
                "side": ["BUY" if t > 0 else "SELL" for t in moving["trade"]],
                "contracts": moving["trade"].abs().astype(int).to_numpy(),
                "reference_price": moving["price"].to_numpy(),
                "expected_cost": moving["cost"].to_numpy(),
                "currency": self.base_currency,
            }
        )

    def __repr__(self) -> str:
        moving = int((self.trades != 0).sum())
        note = f", fallback: {self.fallback}" if self.fallback else ""
        return (
            f"Decision({self.strategy} on {self.as_of.date()}: {len(self.target)} markets, "
            f"{moving} trading, expected cost {self.costs.sum():,.2f} {self.base_currency}{note})"
        )


def market_index(markets: tuple[str, ...]) -> pd.Index:
    """``markets`` as a ``market_id`` index (a new Index object over one cached per tuple)."""
    return _market_index(markets).view()


@lru_cache(maxsize=64)
def _market_index(markets: tuple[str, ...]) -> pd.Index:
    return pd.Index(markets, name="market_id")
