"""Random market snapshots for the cost and optimiser tests (hypothesis and plain numpy)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tecton.snapshot import MarketSnapshot

CLASSES = ("equity", "rates", "commodity", "fx")


def random_snapshot(
    rng: np.random.Generator, n: int, *, volume: bool = True, negative_prices: bool = False
) -> MarketSnapshot:
    """A snapshot of ``n`` markets with plausible, varied numbers (``rng`` decides them all)."""
    price = rng.uniform(0.5, 5000.0, n)
    if negative_prices:  # crude in April 2020: costs must use the size of the notional
        price *= rng.choice([-1.0, 1.0], n)
    return MarketSnapshot(
        markets=tuple(f"M{i:02d}" for i in range(n)),
        capital=float(rng.uniform(1e5, 1e8)),
        price=price,
        point_value=rng.choice([0.01, 1.0, 10.0, 50.0, 1000.0], n),
        fx=rng.uniform(0.005, 1.5, n),
        vol_daily_pct=rng.uniform(0.002, 0.05, n),
        commission=rng.uniform(0.0, 10.0, n),
        commission_pct=rng.choice([0.0, 0.0005], n),
        spread_pts=rng.uniform(0.0, 2.0, n),
        days_per_year=rng.choice([252.0, 365.0], n),
        asset_class=tuple(rng.choice(CLASSES, n)),
        rolls_per_year=rng.choice([0.0, 4.0, 12.0], n),
        volume=rng.uniform(10.0, 1e6, n) if volume else None,
        funding_rate_ann=rng.uniform(-0.1, 0.2, n),
    )


@st.composite
def snapshots(draw, min_markets: int = 1, max_markets: int = 8) -> MarketSnapshot:
    """Hypothesis: a random snapshot (volume sometimes missing, prices sometimes negative)."""
    n = draw(st.integers(min_markets, max_markets))
    seed = draw(st.integers(0, 2**32 - 1))
    return random_snapshot(
        np.random.default_rng(seed),
        n,
        volume=draw(st.booleans()),
        negative_prices=draw(st.booleans()),
    )


@st.composite
def contracts_for(draw, snapshot: MarketSnapshot) -> np.ndarray:
    """Signed (fractional) contracts, one per market of ``snapshot``."""
    values = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
    return np.array(draw(st.lists(values, min_size=len(snapshot), max_size=len(snapshot))))
