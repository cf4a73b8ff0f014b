"""Weekly fundamentals of one market, made from its price path: inventories and positioning.

``inventory`` (energy, metals, ags, livestock): stocks at the end of the week (Friday), released
the next Wednesday, like the EIA's weekly petroleum status report. Stocks build ahead of a falling
price and draw ahead of a rising one: each week's change leans against the market's move over
the ``INVENTORY_HORIZON`` trading days after the release, so a trend on inventory predicts
returns a little, with sign -1. Log stocks mean-revert (half-life about half a year), with a
seasonal cycle where the market has one (gas, grains).

``positioning`` (every market): net speculative position as % of open interest on Tuesday,
released on Friday, like the CFTC's Commitments of Traders. Speculators follow trends: it loads
on the price move of the last ``POSITIONING_LOOKBACK`` trading days, a little on the next
month's move, and on its own slow noise.

A release that falls on a day the market's exchange is closed comes out on its next trading
day. Everything is computed on the fixed weekday ``GRID`` from ``(seed, market_id)`` alone, like
the prices, so a window or a subset of markets only selects rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from tecton.data.synthetic.prices import GRID, MarketPath, ar1, ou, phi_for, rng_for
from tecton.markets.calendar import trading_days
from tecton.markets.metadata import MarketSpec

INVENTORY_CLASSES = frozenset({"energy", "metals", "ags", "livestock"})
# series -> (weekday of the period end (Monday 0), calendar days from period end to release)
SCHEDULES = {"inventory": (4, 5), "positioning": (1, 3)}
DECIMALS = {"inventory": 1, "positioning": 2}

INVENTORY_HORIZON = 40  # trading days of price move a week's stock change anticipates
INVENTORY_LEAN = 0.08  # weight of that move in a week's change (sign -1): modest, not free money
INVENTORY_WEEKLY_SD = 0.03  # weekly change of log stocks
INVENTORY_HALF_LIFE = 26  # weeks
# seasonal amplitude of log stocks and the day of the year they peak
INVENTORY_SEASONS: dict[str, tuple[float, int]] = {
    "GAS_US": (0.12, 305),  # injections through the summer, draws in the winter
    "HEATOIL": (0.05, 290),
    "CORN": (0.08, 330),  # after the harvest
    "SOYBEAN": (0.08, 320),
    "WHEAT": (0.06, 230),
}

POSITIONING_LOOKBACK = 60  # trading days of past price move speculators follow
POSITIONING_LEAD = 20  # trading days of future move they anticipate (a little)
POSITIONING_WEIGHTS = (0.9, 0.08)  # on the past move and on the coming one, in volatilities
POSITIONING_MAX = 60.0  # % of open interest


@dataclass(frozen=True)
class FundamentalSeries:
    """One series of one market: a row per release inside the requested window."""

    market_id: str
    series: str
    period_end: np.ndarray  # datetime64[D]
    release_date: np.ndarray  # datetime64[D]
    value: np.ndarray
    decimals: int

    def __len__(self) -> int:
        return len(self.release_date)


def series_of(spec: MarketSpec) -> tuple[str, ...]:
    """The series a market has: positioning for all, inventory for physical commodities."""
    if spec.asset_class in INVENTORY_CLASSES:
        return ("inventory", "positioning")
    return ("positioning",)


def market_fundamentals(
    spec: MarketSpec, seed: int, path: MarketPath, start: dt.date, end: dt.date
) -> list[FundamentalSeries]:
    """The market's series with their releases in ``start``..``end`` (empty ones left out)."""
    make = {"inventory": _inventory, "positioning": _positioning}
    # the direction of the futures price: a short-rate future is 100 minus the rate
    px = -path.level if spec.asset_class == "stir" else path.level
    lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
    out = []
    for series in series_of(spec):
        pe, ri = _schedule(spec, series)
        rng = rng_for(seed, "fundamentals", series, spec.market_id)
        value = make[series](spec, rng, px, path.sigma, pe, ri)
        keep = (GRID[ri] >= lo) & (GRID[ri] <= hi)
        if keep.any():
            rounded = np.round(value[keep], DECIMALS[series]) + 0.0  # no "-0" in the file
            out.append(
                FundamentalSeries(
                    spec.market_id,
                    series,
                    GRID[pe[keep]],
                    GRID[ri[keep]],
                    rounded,
                    DECIMALS[series],
                )
            )
    return out


def _schedule(spec: MarketSpec, series: str) -> tuple[np.ndarray, np.ndarray]:
    """GRID positions of each week's period end and release (on the exchange's next open day).

    Weeks are kept only where every window the series looks at lies on the grid.
    """
    weekday, delay = SCHEDULES[series]
    # 1970-01-01 was a Thursday: (days since the epoch + 3) % 7 counts from Monday
    pe = np.flatnonzero((GRID.astype(np.int64) + 3) % 7 == weekday)
    days = trading_days(spec.calendar)
    due = GRID[pe] + np.timedelta64(delay, "D")
    ri = np.searchsorted(GRID, days[np.minimum(np.searchsorted(days, due), len(days) - 1)])
    ok = (
        (pe >= POSITIONING_LOOKBACK)
        & (ri + INVENTORY_HORIZON < len(GRID))
        & (GRID[np.minimum(ri, len(GRID) - 1)] >= due)
    )
    return pe[ok], ri[ok]


def _move(px: np.ndarray, sigma: np.ndarray, at: np.ndarray, days: int) -> np.ndarray:
    """The price move over ``days`` trading days from ``at`` (back when negative), in volatilities."""
    a, b = (at, at + days) if days > 0 else (at + days, at)
    return (px[b] - px[a]) / (sigma[at] * np.sqrt(abs(days)))


def _inventory(spec, rng, px, sigma, pe, ri) -> np.ndarray:
    n = len(pe)
    ahead = _move(px, sigma, ri, INVENTORY_HORIZON)
    lean = -INVENTORY_LEAN * ahead + np.sqrt(1 - INVENTORY_LEAN**2) * rng.standard_normal(n)
    log_stock = ar1(INVENTORY_WEEKLY_SD * lean, phi_for(INVENTORY_HALF_LIFE), rng.normal(0, 0.1))
    amp, peak = INVENTORY_SEASONS.get(spec.market_id, (0.0, 1))
    day_of_year = (GRID[pe] - GRID[pe].astype("datetime64[Y]")).astype(np.int64)
    season = amp * np.cos(2 * np.pi * (day_of_year - peak) / 365.25)
    base = 10 ** rng.uniform(1.7, 3.0)  # a market's stocks in its own unit
    return base * np.exp(log_stock + season)


def _positioning(spec, rng, px, sigma, pe, ri) -> np.ndarray:
    n = len(pe)
    past = _move(px, sigma, pe, -POSITIONING_LOOKBACK)
    ahead = _move(px, sigma, ri, POSITIONING_LEAD)
    noise = ou(rng, n, 6, 0.6)  # half-life in weeks
    bias = rng.normal(0, 0.3)
    w_past, w_ahead = POSITIONING_WEIGHTS
    return POSITIONING_MAX * np.tanh((w_past * past + w_ahead * ahead + noise + bias) / 2)
