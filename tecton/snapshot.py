"""MarketSnapshot: one day's numbers per market that sizing, costs and the optimiser all need.

Arrays, aligned with ``markets``; no tables. The strategy builds one from the marts (through
Mantle) for its rebalance date; the simulator builds one per day. Everything that turns a count of
contracts into money goes through :attr:`MarketSnapshot.notional`, so sizing, the optimiser and
the cost model agree on what a contract is worth.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from tecton.errors import TectonError


@dataclass(frozen=True, eq=False)
class MarketSnapshot:
    """Per-market numbers on one day (every array has one entry per market, in ``markets`` order).

    Attributes
    ----------
    markets : tuple of str
        ``market_id`` of each entry.
    capital : float
        Trading capital, in the base currency.
    price : ndarray
        Price of the contract held (raw, not back-adjusted), in the quote currency.
    point_value : ndarray
        Value of one price point of one contract, in the quote currency.
    fx : ndarray
        Units of base currency per unit of the quote currency (1.0 for base-currency markets).
    vol_daily_pct : ndarray
        Daily volatility of percentage returns, as a fraction (0.012 is 1.2% a day).
    commission : ndarray
        Commission per contract per side, in the quote currency.
    commission_pct : ndarray
        Commission as a fraction of the traded notional.
    spread_pts : ndarray
        Typical bid/ask spread, in price points (a trade pays half of it).
    days_per_year : ndarray
        Trading days per year of each market (:func:`tecton.stats.days_per_year`).
    asset_class : tuple of str
        Asset class of each market.
    rolls_per_year : ndarray
        How often each market rolls (each roll trades every held contract twice).
    volume : ndarray or None
        Typical contracts traded per day, for market impact; None where unknown (no impact).
    funding_rate_ann : ndarray
        Annual funding rate a long pays on its notional (perpetuals); 0 for futures.
    """

    markets: tuple[str, ...]
    capital: float
    price: np.ndarray
    point_value: np.ndarray
    fx: np.ndarray
    vol_daily_pct: np.ndarray
    commission: np.ndarray
    spread_pts: np.ndarray
    commission_pct: np.ndarray | None = None
    days_per_year: np.ndarray | None = None
    asset_class: tuple[str, ...] | None = None
    rolls_per_year: np.ndarray | None = None
    volume: np.ndarray | None = None
    funding_rate_ann: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        n = len(self.markets)
        object.__setattr__(self, "markets", tuple(self.markets))
        defaults = {
            "commission_pct": 0.0,
            "days_per_year": 252.0,
            "rolls_per_year": 4.0,
            "funding_rate_ann": 0.0,
        }
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("markets", "capital", "asset_class"):
                continue
            if value is None and f.name in defaults:
                value = np.full(n, defaults[f.name])
            if value is None:
                continue
            array = np.array(value, dtype=float).reshape(-1)
            if array.shape != (n,):
                raise TectonError(f"snapshot {f.name}: {array.size} values for {n} markets")
            array.flags.writeable = False
            object.__setattr__(self, f.name, array)
        if self.asset_class is None:
            object.__setattr__(self, "asset_class", ("",) * n)
        if not (np.isfinite(self.capital) and self.capital > 0):
            raise TectonError(f"capital must be a positive number, got {self.capital}")

    def __len__(self) -> int:
        return len(self.markets)

    @property
    def notional(self) -> np.ndarray:
        """Value of one contract, in the base currency: ``price x point value x fx``."""
        return self.price * self.point_value * self.fx

    @property
    def weight_per_contract(self) -> np.ndarray:
        """One contract's notional as a fraction of capital (how contracts become weights)."""
        return self.notional / self.capital

    @property
    def vol_ann_pct(self) -> np.ndarray:
        """Annual volatility of percentage returns, as a fraction."""
        return self.vol_daily_pct * np.sqrt(self.days_per_year)

    def to_weights(self, contracts: np.ndarray) -> np.ndarray:
        """Signed contracts per market as signed fractions of capital."""
        return np.asarray(contracts, dtype=float) * self.weight_per_contract

    def to_contracts(self, weights: np.ndarray) -> np.ndarray:
        """Signed fractions of capital as (unrounded) contracts per market."""
        return np.asarray(weights, dtype=float) / self.weight_per_contract

    def take(self, markets: list[str]) -> MarketSnapshot:
        """The snapshot restricted to (and reordered as) ``markets``."""
        where = {m: i for i, m in enumerate(self.markets)}
        index = [where[m] for m in markets]
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "markets":
                values[f.name] = tuple(markets)
            elif f.name == "asset_class":
                values[f.name] = tuple(value[i] for i in index)
            elif isinstance(value, np.ndarray):
                values[f.name] = value[index]
            else:
                values[f.name] = value
        return MarketSnapshot(**values)
