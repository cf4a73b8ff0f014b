"""Daily FX spot rates consistent with the synthetic FX futures.

A currency with an FX futures market (``EUR``, ``JPY``, ... quoted in USD) takes its spot from
that market's path: ``S = exp(level)`` in USD per one unit of the currency. The market's
``carry`` is the interest-rate differential ``r_CCY - r_USD`` (annual, continuously compounded),
and ``curve`` prices its futures as ``F = S * exp(-carry * tau)`` with ``tau`` the years
(Act/365.25) to expiry: covered interest parity, ``F = S * exp((r_USD - r_CCY) * tau)``. One
spot path and one differential make both the spot file and the futures, so they agree.

A currency no FX futures market covers (none today) gets a path of its own from
``(seed, currency)``, so a market quoted in it still has a rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tecton.data.synthetic.prices import DAYS_PER_YEAR, GRID, Factors, market_path, ou, rng_for
from tecton.markets import MarketSpec

QUOTE = "USD"
SIGNIFICANT = 8  # digits written: FX is quoted to about 5-6, JPYUSD is small
# an FX futures market whose code is not its currency's ISO code (CME's peso is MXP)
MARKET_CURRENCY = {"MXP": "MXN"}


@dataclass(frozen=True)
class FxSpot:
    """One currency's daily spot in ``QUOTE`` per unit, on the weekdays of the window."""

    currency: str
    dates: np.ndarray  # datetime64[D]
    price: np.ndarray

    @property
    def pair(self) -> str:
        return f"{self.currency}{QUOTE}"


def fx_market_currency(spec: MarketSpec) -> str | None:
    """The currency an FX futures market prices (``None`` for any other market)."""
    if spec.asset_class != "fx":
        return None
    return MARKET_CURRENCY.get(spec.market_id, spec.market_id)


def currencies_of(specs: Iterable[MarketSpec]) -> list[str]:
    """The non-USD currencies these markets are quoted in or (FX futures) price, sorted."""
    codes = set()
    for spec in specs:
        codes.add(spec.currency)
        if (ccy := fx_market_currency(spec)) is not None:
            codes.add(ccy)
    return sorted(codes - {QUOTE})


def fx_spots(
    currencies: Iterable[str],
    specs: dict[str, MarketSpec],
    seed: int,
    f: Factors,
    start: dt.date,
    end: dt.date,
) -> list[FxSpot]:
    """Each currency's spot inside ``start``..``end`` (every weekday), deterministic in the seed."""
    by_currency = {fx_market_currency(s): s for s in specs.values() if s.asset_class == "fx"}
    keep = (np.datetime64(start, "D") <= GRID) & (np.datetime64(end, "D") >= GRID)
    out = []
    for ccy in currencies:
        spec = by_currency.get(ccy)
        level = market_path(spec, seed, f).level if spec else _own_path(seed, ccy)
        out.append(FxSpot(ccy, GRID[keep], _significant(np.exp(level[keep]))))
    return out


def _own_path(seed: int, currency: str) -> np.ndarray:
    """Log spot of a currency without an FX market: around 1, about 9% a year, mean-reverting."""
    return ou(rng_for(seed, "fx", currency), len(GRID), 3 * DAYS_PER_YEAR, 0.25)


def _significant(x: np.ndarray) -> np.ndarray:
    """``x`` rounded to ``SIGNIFICANT`` digits, with the same decimals over the file."""
    if not len(x):
        return x
    decimals = SIGNIFICANT - int(np.ceil(np.log10(np.max(np.abs(x)))))
    return np.round(x, max(decimals, 0))
