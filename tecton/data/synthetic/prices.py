"""Spot and factor processes on a fixed weekday grid.

Every series lives on one grid of weekdays (``GRID``) that does not depend on the requested
window, so a market's path is a function of ``(seed, market_id)`` only and a market's slice is the
same whatever ``start``/``end`` or subset of markets is asked for. Common factors (a global one,
one per asset class and one per sub-class, plus volatility factors) come from the seed alone;
that is what makes markets of one class co-move more than markets of different classes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from tecton.markets.metadata import MarketSpec

GRID = np.arange(np.datetime64("1990-01-01"), np.datetime64("2036-01-01"), dtype="datetime64[D]")
GRID = GRID[np.is_busday(GRID)]
DAYS_PER_YEAR = 252


def stable_key(text: str) -> int:
    """A 64-bit integer from text that is the same in every process (unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def rng_for(seed: int, *names: str) -> np.random.Generator:
    """An independent random stream for ``(seed, *names)``."""
    return np.random.default_rng(np.random.SeedSequence([seed, *(stable_key(n) for n in names)]))


def ar1(shocks: np.ndarray, phi: float, x0: float = 0.0) -> np.ndarray:
    """``x[t] = phi * x[t-1] + shocks[t]``, vectorised in blocks short enough to stay exact."""
    if phi == 0:
        return shocks.copy()
    n = len(shocks)
    block = max(1, min(n, int(200 / max(-np.log(phi), 1e-12))))
    out = np.empty(n)
    state = x0
    for lo in range(0, n, block):
        chunk = shocks[lo : lo + block]
        powers = phi ** np.arange(1, len(chunk) + 1)
        out[lo : lo + block] = powers * (state + np.cumsum(chunk / powers))
        state = out[lo + len(chunk) - 1]
    return out


def phi_for(half_life_days: float) -> float:
    return float(np.exp(-np.log(2) / half_life_days))


def student_t(rng: np.random.Generator, df: float, size: int) -> np.ndarray:
    """Unit-variance Student-t draws (fat tails)."""
    return rng.standard_t(df, size) / np.sqrt(df / (df - 2))


def ou(rng: np.random.Generator, n: int, half_life_days: float, sd: float) -> np.ndarray:
    """A stationary Ornstein-Uhlenbeck path with the given stationary standard deviation."""
    phi = phi_for(half_life_days)
    x0 = rng.normal(0, sd)
    return ar1(rng.normal(0, sd * np.sqrt(1 - phi**2), n), phi, x0)


@dataclass(frozen=True)
class ClassProfile:
    """How one asset class moves: loadings on the factors, volatility, carry, tails."""

    global_loading: float
    class_loading: float
    sub_loading: float
    trend_sharpe: float  # drift in a trending regime, in annual volatilities
    carry_mean: float  # annualised roll yield, backwardation positive
    carry_sd: float
    carry_half_life: float  # trading days
    df: float = 5.0
    level_half_life: float = 3 * DAYS_PER_YEAR  # pull of log price towards its anchor
    factor_class: str | None = None  # load on another class's factor (VIX on equity)


PROFILES: dict[str, ClassProfile] = {
    "equity": ClassProfile(0.35, 0.65, 0.35, 0.6, -0.01, 0.015, 250),
    "bond": ClassProfile(-0.2, 0.65, 0.35, 0.5, 0.005, 0.012, 250),
    "stir": ClassProfile(-0.15, 0.7, 0.3, 0.5, 0.0, 0.0, 250),
    "fx": ClassProfile(0.3, 0.6, 0.3, 0.5, 0.0, 0.02, 250),
    "energy": ClassProfile(0.3, 0.5, 0.55, 0.6, 0.0, 0.15, 120),
    "metals": ClassProfile(0.3, 0.5, 0.55, 0.5, -0.02, 0.025, 200),
    "ags": ClassProfile(0.2, 0.45, 0.55, 0.5, -0.04, 0.10, 120),
    "livestock": ClassProfile(0.1, 0.62, 0.3, 0.4, 0.0, 0.12, 120),
    "vol": ClassProfile(-0.3, -0.65, 0.0, 0.0, 0.0, 0.0, 250, factor_class="equity"),
}

# level around 2000 and annual volatility of each market (price units as the exchange quotes)
LEVELS: dict[str, tuple[float, float]] = {
    "SP500": (1400, 0.18),
    "NASDAQ": (3500, 0.25),
    "DAX": (7000, 0.21),
    "EUROSTX": (4800, 0.21),
    "NIKKEI": (19000, 0.22),
    "US2": (102, 0.017),
    "US10": (106, 0.062),
    "US20": (104, 0.10),
    "BUND": (107, 0.055),
    "OAT": (103, 0.055),
    "JGB": (135, 0.03),
    "SOFR": (6.5, 0.0),
    "EURIBOR": (4.5, 0.0),
    "EUR": (1.15, 0.095),
    "JPY": (0.0095, 0.10),
    "GBP": (1.55, 0.09),
    "AUD": (0.62, 0.12),
    "MXP": (0.105, 0.11),
    "CRUDE": (25, 0.36),
    "BRENT": (24, 0.33),
    "GAS_US": (2.6, 0.50),
    "HEATOIL": (0.72, 0.34),
    "GOLD": (285, 0.16),
    "SILVER": (5.2, 0.28),
    "COPPER": (0.85, 0.24),
    "CORN": (210, 0.25),
    "WHEAT": (260, 0.27),
    "SOYBEAN": (480, 0.22),
    "SUGAR": (6.5, 0.30),
    "LEANHOG": (55, 0.24),
    "LIVECOW": (68, 0.15),
    "VIX": (21, 0.0),
}
DRIFT = {"equity": 0.05, "metals": 0.04, "energy": 0.03, "ags": 0.02, "livestock": 0.01}
# seasonal amplitude (log price) and peak delivery month of the forward curve
SEASONS: dict[str, tuple[float, int]] = {
    "GAS_US": (0.12, 1),
    "CORN": (0.04, 7),
    "WHEAT": (0.03, 5),
    "SOYBEAN": (0.03, 7),
}


@dataclass(frozen=True)
class Factors:
    common: np.ndarray  # global return factor
    by_class: dict[str, np.ndarray]
    by_sub: dict[str, np.ndarray]
    vol_common: np.ndarray  # log-volatility factors
    vol_by_class: dict[str, np.ndarray]


@cache
def factors(seed: int, classes: tuple[str, ...], subs: tuple[str, ...]) -> Factors:
    """Common factors from the seed alone (each named factor has its own stream)."""
    n = len(GRID)

    def shock(name: str) -> np.ndarray:
        return student_t(rng_for(seed, "factor", name), 5.0, n)

    def vol(name: str, sd: float) -> np.ndarray:
        return ou(rng_for(seed, "volfactor", name), n, 60, sd)

    return Factors(
        common=shock("global"),
        by_class={c: shock(c) for c in classes},
        by_sub={s: shock(s) for s in subs},
        vol_common=vol("global", 0.25),
        vol_by_class={c: vol(c, 0.25) for c in classes},
    )


@dataclass(frozen=True)
class MarketPath:
    """A market's state on ``GRID``."""

    level: np.ndarray  # spot: log price, or the rate in % for STIR, or log VIX
    sigma: np.ndarray  # daily volatility of the level
    carry: np.ndarray  # annualised roll yield (backwardation positive)


def _regimes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Markov regimes: 1 = uptrend, -1 = downtrend, 0 = mean-reverting; mean spell 120 days."""
    spells = np.maximum(rng.geometric(1 / 120, size=n // 10 + 10), 5)
    states = rng.choice([-1, 0, 1], size=len(spells), p=[0.3, 0.4, 0.3])
    return np.repeat(states, spells)[:n]


def market_path(spec: MarketSpec, seed: int, f: Factors) -> MarketPath:
    """The spot process of one market on ``GRID``; deterministic in ``(seed, market_id)``."""
    rng = rng_for(seed, "market", spec.market_id)
    prof = PROFILES[spec.asset_class]
    n = len(GRID)
    cls = prof.factor_class or spec.asset_class
    lg, lc, ls = prof.global_loading, prof.class_loading, prof.sub_loading
    li = np.sqrt(max(0.0, 1 - lg**2 - lc**2 - ls**2))
    sub = f.by_sub[f"{spec.asset_class}/{spec.sub_class}"]
    z = lg * f.common + lc * f.by_class[cls] + ls * sub + li * student_t(rng, prof.df, n)
    logvol = (
        0.7 * f.vol_common + 0.7 * f.vol_by_class[cls] + ou(rng, n, 90, 0.3) + ou(rng, n, 8, 0.2)
    )
    volmult = np.exp(logvol - logvol.var() / 2)
    regime = _regimes(rng, n)
    # mean-reverting spells: negative first-order autocorrelation; trends: slight positive
    momentum = np.where(regime == 0, -0.12, 0.05)
    z = z + momentum * np.concatenate(([0.0], z[:-1]))
    carry = prof.carry_mean + ou(rng, n, prof.carry_half_life, prof.carry_sd)
    level0, vol_ann = LEVELS[spec.market_id]
    if spec.asset_class == "stir":
        sigma = 0.065 * volmult
        x = ar1(-sigma * z, phi_for(4 * DAYS_PER_YEAR), level0 - 3.0) + 3.0
        rate = -0.6 + np.logaddexp(0, (x + 0.6) * 2) / 2  # soft floor near -0.6%
        sigma = sigma * (1 / (1 + np.exp(-(x + 0.6) * 2)) * 0.75 + 0.25)
        slope = 0.4 + ou(rng, n, 250, 0.5)  # % per year of curve slope
        return MarketPath(rate, sigma, slope)
    if spec.asset_class == "vol":
        sigma = 0.034 * volmult
        x = ar1(sigma * z, phi_for(25), np.log(level0) - np.log(19))
        return MarketPath(np.log(19) + x, sigma, carry)
    sigma = vol_ann / np.sqrt(DAYS_PER_YEAR) * volmult
    drift = prof.trend_sharpe * vol_ann / DAYS_PER_YEAR * regime
    r = drift + sigma * z
    years = np.arange(n) / DAYS_PER_YEAR
    anchor = np.log(level0) + DRIFT.get(spec.asset_class, 0.0) * (years - 10)
    x = ar1(r, phi_for(prof.level_half_life), rng.normal(0, 0.1))
    return MarketPath(anchor + x, sigma, carry)
