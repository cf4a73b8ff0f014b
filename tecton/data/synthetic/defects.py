"""Defect injection on top of clean bars, with its own random stream and a ground-truth log.

Kinds (``KINDS``): a one-day close spike, a gap of missing trading days, an exact duplicate row,
a stale run of identical prices while volume trades, and a bar whose close is above its high or
whose open is below its low. Defects go only where a contract is liquid (front or next, well
before the roll), never on the same market's dates as another defect.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tecton.data.synthetic.curve import ContractBars
from tecton.data.synthetic.prices import rng_for

KINDS = ("spike", "gap", "duplicate", "stale", "bad_ohlc")
SPAN = {"spike": 2, "gap": 8, "duplicate": 1, "stale": 8, "bad_ohlc": 1}  # rows used
MARGIN = 15  # trading rows kept clear either side of a defect


@dataclass(frozen=True)
class Defect:
    kind: str
    market_id: str
    contract_id: str
    file: str
    first_date: np.datetime64
    last_date: np.datetime64


def inject(
    contracts: list[ContractBars], n_per_kind: int, seed: int
) -> tuple[list[ContractBars], list[Defect]]:
    """Copies of ``contracts`` with ``n_per_kind`` defects of every kind, and their log."""
    if n_per_kind <= 0:
        return contracts, []
    rng = rng_for(seed, "defects")
    taken: dict[str, list[tuple[np.datetime64, np.datetime64]]] = {}
    plan: dict[int, list[tuple[str, int]]] = {}
    for kind in KINDS:
        for _ in range(n_per_kind):
            j, row = _place(contracts, kind, rng, taken)
            plan.setdefault(j, []).append((kind, row))
    out, log = list(contracts), []
    for j, items in plan.items():
        bars = _copy(contracts[j])
        # apply from the last row backwards so row numbers stay valid after inserts/removals
        for kind, row in sorted(items, key=lambda kr: -kr[1]):
            bars, first, last = _APPLY[kind](bars, row, rng)
            file = f"{bars.contract_id}.csv"
            log.append(Defect(kind, bars.market_id, bars.contract_id, file, first, last))
        out[j] = bars
    order = {k: i for i, k in enumerate(KINDS)}
    log.sort(key=lambda d: (order[d.kind], d.market_id, d.contract_id, d.first_date))
    return out, log


def _place(contracts, kind, rng, taken) -> tuple[int, int]:
    span = SPAN[kind]
    for _ in range(10_000):
        j = int(rng.integers(len(contracts)))
        bars = contracts[j]
        ok = _runs_ok(bars.liquid, span + 2 * 2)
        if not ok.size:
            continue
        row = int(rng.choice(ok)) + 2
        lo = bars.dates[max(row - MARGIN, 0)]
        hi = bars.dates[min(row + span + MARGIN, len(bars) - 1)]
        spans = taken.setdefault(bars.market_id, [])
        if any(lo <= b and a <= hi for a, b in spans):
            continue
        spans.append((lo, hi))
        return j, row
    raise ValueError(f"no room for another {kind!r} defect: ask for fewer or a longer window")


def _runs_ok(liquid: np.ndarray, width: int) -> np.ndarray:
    """Start rows of windows of ``width`` rows that are all liquid."""
    if len(liquid) < width:
        return np.array([], dtype=int)
    counts = np.convolve(liquid.astype(int), np.ones(width, dtype=int), mode="valid")
    return np.flatnonzero(counts == width)


def _copy(bars: ContractBars) -> ContractBars:
    arrays = {
        f.name: getattr(bars, f.name).copy()
        for f in dataclasses.fields(bars)
        if isinstance(getattr(bars, f.name), np.ndarray)
    }
    return dataclasses.replace(bars, **arrays)


def _arrays(bars):
    return (
        "dates",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "open_interest",
        "sigma_price",
        "liquid",
    )


def _spike(bars: ContractBars, row: int, rng):
    size = rng.uniform(8, 15) * bars.sigma_price[row] * rng.choice([-1, 1])
    size = np.sign(size) * max(abs(size), 20 * bars.tick)
    c = np.round(np.round((bars.close[row] + size) / bars.tick) * bars.tick, bars.decimals)
    bars.close[row] = c
    bars.high[row] = max(bars.high[row], c)
    bars.low[row] = min(bars.low[row], c)
    return bars, bars.dates[row], bars.dates[row]


def _gap(bars: ContractBars, row: int, rng):
    length = int(rng.integers(6, SPAN["gap"] + 1))
    keep = np.ones(len(bars), bool)
    keep[row : row + length] = False
    first, last = bars.dates[row], bars.dates[row + length - 1]
    return _select(bars, np.flatnonzero(keep)), first, last


def _duplicate(bars: ContractBars, row: int, rng):
    index = np.insert(np.arange(len(bars)), row + 1, row)
    return _select(bars, index), bars.dates[row], bars.dates[row]


def _stale(bars: ContractBars, row: int, rng):
    length = int(rng.integers(6, SPAN["stale"] + 1))
    price = bars.close[row]
    for name in ("open", "high", "low", "close"):
        getattr(bars, name)[row : row + length] = price
    return bars, bars.dates[row], bars.dates[row + length - 1]


def _bad_ohlc(bars: ContractBars, row: int, rng):
    ticks = int(rng.integers(3, 20)) * bars.tick
    if rng.random() < 0.5:
        bars.close[row] = np.round(bars.high[row] + ticks, bars.decimals)
    else:
        bars.open[row] = np.round(bars.low[row] - ticks, bars.decimals)
    return bars, bars.dates[row], bars.dates[row]


def _select(bars: ContractBars, index: np.ndarray) -> ContractBars:
    return dataclasses.replace(bars, **{a: getattr(bars, a)[index] for a in _arrays(bars)})


_APPLY = {
    "spike": _spike,
    "gap": _gap,
    "duplicate": _duplicate,
    "stale": _stale,
    "bad_ohlc": _bad_ohlc,
}
