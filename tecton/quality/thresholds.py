"""Every tunable of the partition checks, in one place.

Tuned on the synthetic generator's injected defects (recall 100%: spikes are 8-15 daily
volatilities, gaps and stale runs 6-8 trading days) and on clean synthetic data plus the peer's
pysystemtrade prices (no false positive). Change a number here and rerun
``uv run python -m benchmarks.quality --recall`` and ``tests/quality``.
"""

from __future__ import annotations

# A spike is a one-day reverting outlier: the move into the close and the move out of it are both
# larger than this many robust standard deviations (1.4826 x the rolling median absolute
# deviation of daily price changes), with opposite signs. A limit move (a jump that stays) moves
# only one way and is never a spike. Per asset class: fatter-tailed classes get a higher bar.
SPIKE_Z: dict[str, float] = {
    # measured (seed 42 clean, 2000-2024, all markets: largest clean |z|; seed 7 with 200
    # defects of each kind: smallest injected |z|) -> threshold in between
    "equity": 6.0,  # clean 0.3, injected >= 8.4
    "bond": 6.0,  # clean 5.0, injected >= 6.9 (two live contracts: the weakest cross-check)
    "stir": 7.5,  # clean 4.7, injected >= 11.0
    "fx": 6.0,  # clean 0.6, injected >= 9.7
    "energy": 6.0,  # clean 3.2, injected >= 8.4
    "metals": 6.0,  # clean 0.8, injected >= 9.5
    "ags": 4.5,  # clean 3.0, injected >= 6.0
    "livestock": 6.0,  # clean 2.0, injected >= 10.0
    "vol": 7.0,  # clean 6.0, injected >= 8.4
}
SPIKE_Z_DEFAULT = 8.0  # a market the metadata does not know (e.g. some of the peer's)
MAD_WINDOW = 41  # rows in the centred window of the rolling median absolute deviation
MAD_MIN_ROWS = 10  # fewer changes than this in the window: no z-score (too little context)
MAD_SCALE = 1.4826  # MAD -> standard deviation for normal data

# N: more than this many exchange trading days missing between two bars of one contract
GAP_DAYS = 5
# K: the same flat bar (open = high = low = close) on this many consecutive trading days while
# volume trades is stale (a feed carrying one price forward); an unchanged settlement inside a
# real range is not (the generator's VIX deferreds settle flat for weeks)
STALE_DAYS = 6
# A contract's last trading days before its expiry are thin and may print oddly (April 2020
# crude settled at -37.63 the day before expiry): spikes and stale runs are not judged there.
EXPIRY_DAYS = 5

# An intraday print (multiple-price rows) on a non-trading day belongs to the next session when
# that session opens within this many calendar days (Sunday evening before a holiday Monday).
SESSION_LEAD_DAYS = 2

# Sample rows kept per failing partition and rule in the quality log.
SAMPLE_ROWS = 5
