"""Portfolio: a time series of holdings, the fills that made them and the P&L they earned."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tecton.stats import TRADING_DAYS_PER_YEAR

if TYPE_CHECKING:
    from tecton.portfolio.analytics import Analytics

POSITION_COLUMNS = ("trade_date", "market_id", "contract_id", "contracts")
TRADE_COLUMNS = (
    "trade_date",
    "market_id",
    "contract_id",
    "quantity",
    "price",
    "notional",
    "cost",
    "reason",
)
PNL_COLUMNS = ("trade_date", "market_id", "pnl_price", "pnl_fx", "cost", "pnl")


@dataclass(frozen=True)
class Portfolio:
    """What a strategy held and earned, day by day, in whole contracts and the base currency.

    Attributes
    ----------
    positions : DataFrame
        Index ``trade_date``, one column per market: contracts held at the close (after the
        day's fills).
    trades : DataFrame
        Every fill (:data:`TRADE_COLUMNS`): ``quantity`` signed contracts, ``price`` the fill
        price (the held contract's close), ``notional`` its absolute value in the base currency
        (``|quantity| x price x point value x FX``), ``cost`` in the base currency, ``reason`` ``signal``
        (a rebalance) or ``roll`` (one row per leg: out of the old contract, into the new).
    pnl : DataFrame
        Daily P&L per market (:data:`PNL_COLUMNS`), base currency: ``pnl_price`` the contracts
        held over the day x the held contract's price change x point value x the previous
        day's FX rate, ``pnl_fx`` the same move revalued at the day's FX rate less that,
        ``cost`` what the day's fills cost (positive), ``pnl = pnl_price + pnl_fx - cost``.
    capital : Series
        Index ``trade_date``: the capital the strategy sized on that day.
    base_currency : str
    exposure : DataFrame, optional
        Like ``positions``: the signed notional held at the close, base currency (contracts x
        the held contract's last price x point value x FX).
    """

    positions: pd.DataFrame
    trades: pd.DataFrame
    pnl: pd.DataFrame
    capital: pd.Series
    base_currency: str
    exposure: pd.DataFrame | None = None

    def daily_pnl(self) -> pd.Series:
        """Total P&L per day, base currency."""
        return (
            self.pnl.groupby("trade_date")["pnl"].sum().reindex(self.capital.index, fill_value=0.0)
        )

    def returns(self) -> pd.Series:
        """Daily P&L as a fraction of the day's capital."""
        return (self.daily_pnl() / self.capital.shift(1).fillna(self.capital.iloc[0])).rename(
            "return"
        )

    def analytics(
        self,
        days_per_year: int = TRADING_DAYS_PER_YEAR,
        asset_classes: Mapping[str, str] | None = None,
    ) -> Analytics:
        """Metrics, attribution and exposures of this portfolio (:class:`Analytics`).

        Parameters
        ----------
        days_per_year : int
            Trading days a year (:func:`tecton.stats.days_per_year`: 365 for crypto).
        asset_classes : mapping, optional
            ``{market_id: asset class}`` for exposures and P&L by asset class.
        """
        from tecton.portfolio.analytics import Analytics  # it reads Portfolio: import late

        return Analytics(self, days_per_year, asset_classes)
