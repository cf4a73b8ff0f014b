"""Numeric kernels shared by the marts and the models: EWMA volatility, correlation, floors."""

from tecton.stats.ewma import (
    ewma_corr,
    ewma_corr_pairs,
    ewma_vol,
    floored_vol,
    span_alpha,
    vol_floor,
)

__all__ = ["ewma_corr", "ewma_corr_pairs", "ewma_vol", "floored_vol", "span_alpha", "vol_floor"]
