"""Market metadata, exchange calendars and contract expiries; the Markets objects above them.

Two layers: :mod:`tecton.markets.metadata` and :mod:`tecton.markets.calendar` are static
reference data (the reference file, trading days, expiry rules) and import nothing of tecton
else, so readers, the generator and the quality checks use them without touching the warehouse.
``Markets``, ``Market`` and ``Contract`` read prices through Mantle: they load on first use
(module ``__getattr__``), so importing this package never imports Mantle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tecton.markets.calendar import MONTH_CODES, rule_date, trading_days
from tecton.markets.metadata import MarketSpec, contract_months, market_specs, markets_csv

if TYPE_CHECKING:
    from tecton.markets.universe import Contract, Market, Markets

_LAZY = {"Contract", "Market", "Markets"}

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


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'tecton.markets' has no attribute {name!r}")
    value = getattr(importlib.import_module("tecton.markets.universe"), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value
