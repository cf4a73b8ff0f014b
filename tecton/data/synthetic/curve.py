"""Contracts of one market: term structure, daily OHLC bars, volume and open interest.

A contract's close is the market's spot state (``prices.MarketPath``) pushed along a term
structure: ``log F = log S - carry * tau + season(delivery month)`` for most markets,
``F = 100 - rate - slope * tau`` for short-rate futures, and a mean-reverting expectation for
VIX. For an FX market ``carry`` is the rate differential ``r_CCY - r_USD``, so its futures obey
covered interest parity against the spot file ``synthetic.fx`` writes. Open interest and volume
move from the front to the next contract around the front's reference date (first notice, else
expiry), and the expiring contract's volume thins out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from tecton.data.synthetic.prices import GRID, SEASONS, MarketPath, phi_for, rng_for
from tecton.markets.calendar import trading_days
from tecton.markets.metadata import MarketSpec, contract_months

CROSS_DAYS = 2.0  # front OI halves this many trading days before its reference date
OI_WIDTH = 1.5
RAMP_DAYS = 15.0
VIX_MEAN = np.log(19)
VIX_KAPPA = 1 - phi_for(25)

NEGATIVE_PRINTS = {"CRUDE_202005": (-37.63, 10.01)}  # closes on the last two days of trading


@dataclass
class ContractBars:
    """One contract's bars inside the requested window, plus where defects may go."""

    market_id: str
    contract_id: str
    delivery_month: int  # YYYYMM
    expiry: dt.date
    first_notice: dt.date | None
    dates: np.ndarray  # datetime64[D]
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray  # int64
    open_interest: np.ndarray  # int64
    sigma_price: np.ndarray  # daily price volatility (for sizing spikes)
    liquid: np.ndarray  # bool: front or next contract, well before the roll
    decimals: int
    tick: float

    def __len__(self) -> int:
        return len(self.dates)


def tick_decimals(tick: float) -> int:
    return max(0, -Decimal(repr(tick)).normalize().as_tuple().exponent)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _to_round(x: np.ndarray, tick: float, decimals: int, how=np.round) -> np.ndarray:
    return np.round(how(x / tick) * tick, decimals)


def _activity(spec: MarketSpec, seed: int, path: MarketPath) -> tuple[np.ndarray, np.ndarray]:
    """Market-wide open interest and volume on GRID (slowly varying, busier when volatile)."""
    from tecton.data.synthetic.prices import ou

    rng = rng_for(seed, "activity", spec.market_id)
    n = len(GRID)
    base_oi = 10 ** rng.uniform(4.7, 6.0)
    years = np.arange(n) / 252
    growth = np.exp(0.04 * (years - 10))
    oi = base_oi * growth * np.exp(ou(rng, n, 250, 0.25))
    calm = path.sigma / np.median(path.sigma)
    vol = 0.4 * oi * np.exp(ou(rng, n, 40, 0.2)) * calm**0.7
    return oi, vol


def market_contracts(
    spec: MarketSpec, seed: int, path: MarketPath, start: dt.date, end: dt.date
) -> list[ContractBars]:
    """All contracts of a market with at least one bar in ``start``..``end``."""
    days = trading_days(spec.calendar)
    months = contract_months(spec, start, end)
    if not months:
        return []
    # include the previous delivery so the first contract knows when it became the front
    prev = _prev_month(spec, *months[0])
    all_months = [prev, *months]
    expiries = [spec.expiry(y, m) for y, m in all_months]
    notices = [spec.first_notice(y, m) for y, m in all_months]
    refs = [min(e, n) if n else e for e, n in zip(expiries, notices, strict=True)]
    ref_idx = np.searchsorted(days, np.array(refs, dtype="datetime64[D]"), side="right") - 1
    exp_dates = np.array(expiries, dtype="datetime64[D]")
    oi_grid, vol_grid = _activity(spec, seed, path)
    decimals = tick_decimals(spec.tick_size)
    lo_win, hi_win = np.datetime64(start, "D"), np.datetime64(end, "D")
    out = []
    for j in range(1, len(all_months)):
        year, month = all_months[j]
        listed = np.datetime64(_add_months(expiries[j], -spec.listing_months), "D")
        first = int(np.searchsorted(days, listed, side="left"))
        last = int(np.searchsorted(days, exp_dates[j], side="right"))
        life = days[first:last]
        cid = spec.contract_id(year, month)
        rng = rng_for(seed, "bars", cid)
        n = len(life)
        z = rng.standard_normal((4, n))
        t_idx = np.arange(first, last)
        gi = np.searchsorted(GRID, life)
        close, sp = _closes(spec, path, gi, life, exp_dates[j], month, last - 1 - t_idx)
        if cid in NEGATIVE_PRINTS and n >= 3:
            close[-3] *= 0.9
            close[-2:] = NEGATIVE_PRINTS[cid]
            sp[-2:] = np.maximum(sp[-2:], np.abs(np.diff(close[-3:])) * 0.3)
        # open interest and volume: ramp up as the previous contract's reference passes,
        # decay around this contract's own reference date
        k_ref = ref_idx[j] - t_idx
        u = t_idx - ref_idx[j - 1]
        ramp = np.exp(np.minimum(0.0, u + CROSS_DAYS) / RAMP_DAYS)
        floor = 0.01 * np.exp(-np.maximum(k_ref, 0) / 250)
        oi_share = np.maximum(ramp / (1 + np.exp(-(k_ref - CROSS_DAYS) / OI_WIDTH)), floor)
        vol_share = np.maximum(ramp / (1 + np.exp(-(k_ref - CROSS_DAYS - 1.0))), floor / 2)
        oi = np.round(oi_grid[gi] * oi_share * np.exp(0.01 * z[3])).astype(np.int64)
        volume = np.round(vol_grid[gi] * vol_share * np.exp(0.3 * z[2])).astype(np.int64)
        volume = np.maximum(volume, 1)
        o, h, lo, c = _ohlc(close, sp, z, spec.tick_size, decimals)
        front = np.searchsorted(exp_dates, life, side="left")
        liquid = (j - front <= 1) & (k_ref >= spec.roll_days + 10) & (oi_share > 0.3)
        keep = (life >= lo_win) & (life <= hi_win)
        if not keep.any():
            continue
        out.append(
            ContractBars(
                spec.market_id, cid, year * 100 + month, expiries[j], notices[j],
                life[keep], o[keep], h[keep], lo[keep], c[keep], volume[keep], oi[keep],
                sp[keep], liquid[keep] & (cid not in NEGATIVE_PRINTS), decimals, spec.tick_size,
            )
        )  # fmt: skip
    return out


def _prev_month(spec: MarketSpec, year: int, month: int) -> tuple[int, int]:
    earlier = [m for m in spec.months if m < month]
    return (year, earlier[-1]) if earlier else (year - 1, spec.months[-1])


def _closes(spec, path: MarketPath, gi, life, expiry, month, k_days):
    """Close prices along the term structure and their daily volatility in price units."""
    tau = (expiry - life).astype(float) / 365.25
    if spec.asset_class == "stir":
        price = 100 - path.level[gi] - path.carry[gi] * tau
        return price, path.sigma[gi].copy()
    if spec.asset_class == "vol":
        decay = (1 - VIX_KAPPA) ** k_days
        premium = 0.09 * (1 - np.exp(-k_days / 40))
        log_f = VIX_MEAN + (path.level[gi] - VIX_MEAN) * decay + premium
        price = np.exp(log_f)
        return price, path.sigma[gi] * np.maximum(decay, 0.35) * price
    amp, peak = SEASONS.get(spec.market_id, (0.0, 1))
    season = amp * np.cos(2 * np.pi * (month - peak) / 12)
    price = np.exp(path.level[gi] - path.carry[gi] * tau + season)
    return price, path.sigma[gi] * price


def _ohlc(close, sp, z, tick, decimals):
    """Open near the previous close, high/low around both; all on the tick grid and consistent."""
    prev = np.concatenate(([close[0]], close[:-1]))
    o = _to_round(prev + 0.25 * sp * z[0], tick, decimals)
    c = _to_round(close, tick, decimals)
    wick = 0.45 * sp * np.abs(z[1])
    wick2 = 0.45 * sp * np.abs(np.roll(z[1], 7))
    h = np.maximum(_to_round(np.maximum(o, c) + wick, tick, decimals, np.ceil), np.maximum(o, c))
    lo = np.minimum(_to_round(np.minimum(o, c) - wick2, tick, decimals, np.floor), np.minimum(o, c))
    return o, h, lo, c
