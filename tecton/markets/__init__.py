"""Market metadata, exchange calendars and contract expiries."""

from tecton.markets.calendar import MONTH_CODES, rule_date, trading_days
from tecton.markets.metadata import MarketSpec, contract_months, market_specs, markets_csv
from tecton.markets.universe import Contract, Market, Markets

__all__ = [
    "MONTH_CODES",
    "Contract",
    "Market",
    "MarketSpec",
    "Markets",
    "contract_months",
    "market_specs",
    "markets_csv",
    "rule_date",
    "trading_days",
]
