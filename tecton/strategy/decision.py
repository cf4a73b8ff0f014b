"""Decision: what a rebalance concluded, and why, market by market."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Decision:
    """A rebalance's outcome.

    Attributes
    ----------
    strategy : str
        The strategy's name.
    as_of : Timestamp
        The rebalance date (data known at its close).
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
    base_currency : str
        Currency of ``costs`` and values.
    fallback : str or None
        Why the optimiser's answer was not used (the holdings were kept), else None.
    warnings : tuple of str
        What a person should look at before trading (e.g. a market whose costs are implausible).
    """

    strategy: str
    as_of: pd.Timestamp
    target: pd.Series
    trades: pd.Series
    costs: pd.Series
    details: pd.DataFrame
    base_currency: str
    fallback: str | None = None
    warnings: tuple[str, ...] = ()

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
