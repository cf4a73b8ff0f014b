"""Exponentially weighted volatility and correlation, and the trailing volatility floor.

Pure numeric kernels on numpy arrays or pandas objects (no I/O). Every kernel is written in
numpy, independently of pandas' window code, and is defined to agree with a named pandas
expression (see each docstring); the tests check that agreement against pandas itself.

How the EWMA recursion is vectorised
------------------------------------
An exponentially weighted sum ``S_t = beta ** dk_t * S_{t-1} + u_t`` is, inside a block of rows,
``S_t = beta ** k_t * (S_start + cumsum(beta ** -k_i * u_i))`` where ``k`` counts the decays since
the block started. Blocks are short enough that ``beta ** -k`` stays far from overflow, and the
rounding error stays relative to ``S_t`` itself (the cumulative sum is dominated by its newest
terms). The sums are kept about a centre that moves to the running mean at each block boundary,
so a variance is never the difference of two large numbers, and a constant series has exactly
zero variance. Each output row depends only on rows at or before it (``cumsum`` is sequential),
so there is no look-ahead, even in rounding.
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

import numpy as np
import pandas as pd

Data = TypeVar("Data", np.ndarray, pd.Series, pd.DataFrame)

_BLOCK_ROWS = 256  # rows between re-centrings of the running sums
_MAX_EXPONENT = 300.0  # bound on -log(beta ** 2k) inside a block: far from float64 overflow
# below this share of cross weights (1 - sum(w ** 2) / sum(w) ** 2) the data are effectively one
# observation: the spread and the bias correction are both lost to rounding, here and in pandas
_MIN_CROSS_SHARE = 1e-6


def span_alpha(span: float) -> float:
    """Smoothing factor of an EWMA with the given span.

    Parameters
    ----------
    span : float
        Span in observations, ``> 1``.

    Returns
    -------
    float
        ``alpha = 2 / (span + 1)``, as pandas' ``ewm(span=...)``.
    """
    if not span > 1:
        raise ValueError(f"span must be greater than 1, got {span!r}")
    return 2.0 / (span + 1.0)


class _Moments(NamedTuple):
    """Exponentially weighted moments of ``(x, y)`` at every row (biased, i.e. divided by sum_w)."""

    nobs: np.ndarray
    sum_w: np.ndarray
    cross_w: np.ndarray  # sum of w_i * w_j over observation pairs i < j
    var_x: np.ndarray
    var_y: np.ndarray
    cov: np.ndarray


def _block_rows(beta: float) -> int:
    return int(max(1, min(_BLOCK_ROWS, _MAX_EXPONENT / (-2.0 * np.log(beta)))))


def _first_valid(x: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """Per column, the first observed value of ``x`` (0 where the column has none)."""
    first = x[np.argmax(obs, axis=0), np.arange(x.shape[1])]
    return np.where(obs.any(axis=0), first, 0.0)


def _recentre(sums: np.ndarray, centre: np.ndarray, x, y, obs) -> np.ndarray:
    """Move ``sums`` (in place) to a new centre: the running mean, else the block's first value."""
    w, _, sx, sy, _, _, _ = sums
    seen = w > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        new = np.where(
            seen,
            centre + np.stack([sx, sy]) / w,
            np.stack([_first_valid(x, obs), _first_valid(y, obs)]),
        )
    dx, dy = centre - new
    sums[4] += 2 * dx * sx + dx * dx * w
    sums[5] += 2 * dy * sy + dy * dy * w
    sums[6] += dx * sy + dy * sx + dx * dy * w
    sums[2] += dx * w
    sums[3] += dy * w
    return new


def _decayed_cumsum(u: np.ndarray, k: np.ndarray, decay: float, carry: np.ndarray) -> np.ndarray:
    """``S_t = decay ** (k_t - k_{t-1}) * S_{t-1} + u_t`` down the rows of a block, ``S_{-1} = carry``."""
    shrink = np.power(decay, k)
    return shrink * (carry + np.cumsum(u / shrink, axis=-2))


def _block_sums(x, y, obs, k, beta: float, carry: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Running sums (w, cross weights, x, y, xx, yy, xy about ``centre``) at each row of a block.

    The cross weights are the sum of ``w_i * w_j`` over pairs of observations ``i < j``: the
    bias correction's denominator, summed directly so it stays accurate when old weights vanish.
    """
    w = obs.astype(float)
    xc = np.where(obs, x - centre[0], 0.0)
    yc = np.where(obs, y - centre[1], 0.0)
    sums = np.empty((7, *x.shape))
    sums[[0, 2, 3, 4, 5, 6]] = _decayed_cumsum(
        np.stack([w, xc, yc, xc * xc, yc * yc, xc * yc]),
        k,
        beta,
        carry[[0, 2, 3, 4, 5, 6], None, :],
    )
    # a new observation pairs with every older one, each aged by the step to its row
    older = np.vstack([carry[None, 0], sums[0, :-1]]) * np.power(
        beta, np.diff(k, axis=0, prepend=0.0)
    )
    sums[1] = _decayed_cumsum(w * older, k, beta * beta, carry[1])
    return sums


def _ewm_moments(x: np.ndarray, y: np.ndarray, alpha: float, ignore_na: bool) -> _Moments:
    """Weighted moments of the rows where both ``x`` and ``y`` are observed (2-D, column-wise).

    The weight at row ``t`` of the observation at row ``i`` is ``(1 - alpha) ** d``, where ``d`` is
    ``t - i`` (``ignore_na=False``) or the number of observations after ``i`` up to ``t``
    (``ignore_na=True``, the same as dropping the unobserved rows).
    """
    obs = ~(np.isnan(x) | np.isnan(y))
    clock = np.cumsum(obs if ignore_na else np.ones_like(obs), axis=0, dtype=float)
    beta = 1.0 - alpha
    rows = _block_rows(beta)
    n, m = x.shape
    sums = np.zeros((7, m))
    centre = np.zeros((2, m))
    out = np.empty((5, n, m))  # sum_w, cross weights, var_x, var_y, cov
    for start in range(0, n, rows):
        part = slice(start, min(start + rows, n))
        centre = _recentre(sums, centre, x[part], y[part], obs[part])
        k = clock[part] - (clock[start - 1] if start else 0.0)
        block = _block_sums(x[part], y[part], obs[part], k, beta, sums, centre)
        w, _, sx, sy, sxx, syy, sxy = block
        with np.errstate(invalid="ignore", divide="ignore"):
            mx, my = sx / w, sy / w
            out[:, part] = [w, block[1], sxx / w - mx * mx, syy / w - my * my, sxy / w - mx * my]
        sums = block[:, -1].copy()
    return _Moments(np.cumsum(obs, axis=0), out[0], out[1], out[2], out[3], out[4])


def _as_2d(data) -> np.ndarray:
    values = np.asarray(data, dtype=float)
    # columns from the data's own shape: a frame with no rows still has its columns
    return values.reshape(len(values), int(np.prod(values.shape[1:], dtype=int)))


def _like(result: np.ndarray, data: Data) -> Data:
    """``result`` (2-D) in the shape and pandas type of ``data``."""
    if isinstance(data, pd.DataFrame):
        return pd.DataFrame(result, index=data.index, columns=data.columns)
    if isinstance(data, pd.Series):
        return pd.Series(result[:, 0], index=data.index, name=data.name)
    return result.reshape(np.shape(data))


def ewma_vol(returns: Data, span: float, min_periods: int = 0) -> Data:
    """Exponentially weighted standard deviation (bias-corrected), column by column.

    Defined as pandas ``returns.ewm(span=span, adjust=True, ignore_na=False,
    min_periods=min_periods).std()``: weights ``(1 - alpha) ** (t - i)`` by row position (a missing
    value takes no weight but still ages the older ones), the weighted variance about the weighted
    mean times ``sum_w ** 2 / (sum_w ** 2 - sum(w ** 2))``. Computed in numpy (see the module
    docstring), not with pandas.

    Parameters
    ----------
    returns : ndarray, Series or DataFrame
        Returns in rows (time) by columns (independent series); NaN is missing.
    span : float
        EWMA span, ``> 1``; ``alpha = 2 / (span + 1)``.
    min_periods : int
        Observations needed before a value is given.

    Returns
    -------
    same type and shape as ``returns``
        NaN before ``max(min_periods, 2)`` observations (one observation has no spread); after
        that, rows with a missing return carry the standard deviation of the data so far. Also
        NaN where the data are effectively one observation (all but the newest weigh under about
        1e-6 of the total, as after a gap of ``14 * span`` rows): there the bias correction is
        lost to rounding, and pandas gives NaN or noise.
    """
    moments = _ewm_moments(x := _as_2d(returns), x, span_alpha(span), ignore_na=False)
    spread = 2 * moments.cross_w > _MIN_CROSS_SHARE * moments.sum_w**2
    ok = (moments.nobs >= max(min_periods, 2)) & spread
    with np.errstate(invalid="ignore", divide="ignore"):
        var = moments.sum_w**2 / (2 * moments.cross_w) * np.maximum(moments.var_x, 0.0)
    return _like(np.where(ok, np.sqrt(np.where(ok, var, 0.0)), np.nan), returns)


def _correlation(moments: _Moments, min_periods: int) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.sqrt(np.maximum(moments.var_x, 0.0) * np.maximum(moments.var_y, 0.0))
        corr = np.clip(moments.cov / scale, -1.0, 1.0)
    return np.where((moments.nobs >= max(min_periods, 1)) & (scale > 0), corr, np.nan)


def ewma_corr(a, b, span: float, min_periods: int = 0) -> pd.Series:
    """Exponentially weighted correlation of two series over their common observations.

    Defined as pandas ``pair.dropna().pipe(lambda p: p.a.ewm(span=span, adjust=True,
    min_periods=min_periods).corr(p.b))`` where ``pair`` holds ``a`` and ``b`` side by side:
    rows where either is missing are dropped, so weights age only at common observations.
    Computed in numpy (see the module docstring), not with pandas; the result is clipped to
    ``[-1, 1]`` against rounding.

    Parameters
    ----------
    a, b : Series or 1-D array
        Returns on the same index (Series are aligned on their index first).
    span : float
        EWMA span, ``> 1``.
    min_periods : int
        Common observations needed before a value is given.

    Returns
    -------
    Series
        One value per common observation (on the common index); NaN before ``min_periods``
        common observations or while either series has had no spread.
    """
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        a, b = a.align(b)
    index = a.index if isinstance(a, pd.Series) else pd.RangeIndex(len(a))
    x, y = _as_2d(a), _as_2d(b)
    corr = _correlation(_ewm_moments(x, y, span_alpha(span), ignore_na=True), min_periods)
    common = ~(np.isnan(x) | np.isnan(y))[:, 0]
    return pd.Series(corr[common, 0], index=index[common], name="corr")


def ewma_corr_pairs(returns: pd.DataFrame, span: float, min_periods: int = 0) -> pd.DataFrame:
    """``ewma_corr`` for every pair of columns ``a < b``, all pairs in one vectorised pass.

    Parameters
    ----------
    returns : DataFrame
        Returns, rows (time) by columns (series); NaN is missing.
    span : float
        EWMA span, ``> 1``.
    min_periods : int
        Common observations needed before a value is given.

    Returns
    -------
    DataFrame
        Long: the index level (named as ``returns.index``, else ``"index"``), ``a``, ``b`` and
        ``corr``; one row per pair per common observation, pairs ordered by column name.
    """
    names = sorted(returns.columns)
    left, right = np.triu_indices(len(names), k=1)
    values = returns[names].to_numpy(dtype=float)
    x, y = values[:, left], values[:, right]
    corr = _correlation(_ewm_moments(x, y, span_alpha(span), ignore_na=True), min_periods)
    rows, pairs = np.nonzero(~(np.isnan(x) | np.isnan(y)))
    labels = np.asarray(names, dtype=object)
    order = np.lexsort((rows, pairs))
    rows, pairs = rows[order], pairs[order]
    return pd.DataFrame(
        {
            returns.index.name or "index": returns.index[rows],
            "a": labels[left[pairs]],
            "b": labels[right[pairs]],
            "corr": corr[rows, pairs],
        }
    )


def _zero_counts(ranks: np.ndarray) -> np.ndarray:
    """A wavelet matrix of ``ranks`` (a permutation of 0..n-1): per bit level, most significant
    first, the running count of zero bits after the stable zeros-first sort of the levels above.
    """
    bits = max(1, (len(ranks) - 1).bit_length())
    zeros = np.zeros((bits, len(ranks) + 1), dtype=np.int64)
    current = ranks
    for level in range(bits):
        one = (current >> (bits - 1 - level)) & 1 == 1
        np.cumsum(~one, out=zeros[level, 1:])
        current = np.concatenate([current[~one], current[one]])
    return zeros


def _kth_smallest(zeros: np.ndarray, lo: np.ndarray, hi: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The rank of the ``k``-th smallest (0-based) of ``ranks[lo:hi]``, for many ranges at once."""
    rank = np.zeros(len(k), dtype=np.int64)
    for level in zeros:
        low_zeros, high_zeros = level[lo], level[hi]
        in_zeros = high_zeros - low_zeros
        one = k >= in_zeros
        k = np.where(one, k - in_zeros, k)
        lo = np.where(one, level[-1] + lo - low_zeros, low_zeros)
        hi = np.where(one, level[-1] + hi - high_zeros, high_zeros)
        rank = 2 * rank + one
    return rank


def _rolling_quantile(
    values: np.ndarray, window: int, quantile: float, min_periods: int
) -> np.ndarray:
    """Trailing-window quantile (linear between order statistics) of one column, NaN skipped.

    Order statistics of every window come from one wavelet matrix of the values' ranks
    (NaN ranked last, so never among the first ``count``): O(n log n) in all.
    """
    n = len(values)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    seen = np.concatenate([[0], np.cumsum(~np.isnan(values))])
    hi = np.arange(1, n + 1)
    lo = np.maximum(hi - window, 0)
    count = seen[hi] - seen[lo]
    rows = np.flatnonzero(count >= max(min_periods, 1))
    out = np.full(n, np.nan)
    if not len(rows):
        return out
    zeros, lo, hi, count = _zero_counts(ranks), lo[rows], hi[rows], count[rows]
    position = quantile * (count - 1)
    low = np.floor(position).astype(np.int64)
    below = values[order[_kth_smallest(zeros, lo, hi, low)]]
    above = values[order[_kth_smallest(zeros, lo, hi, np.minimum(low + 1, count - 1))]]
    out[rows] = below + (above - below) * (position - low)
    return out


def vol_floor(vol: Data, window: int = 500, quantile: float = 0.05, min_periods: int = 100) -> Data:
    """Floor for a volatility series: its trailing ``quantile`` over the last ``window`` rows.

    Defined as pandas ``vol.rolling(window, min_periods=min_periods).quantile(quantile)`` (linear
    interpolation between order statistics; the window includes the current row; missing
    values are skipped and ``min_periods`` counts the present ones). Computed in numpy, not with
    pandas: the order statistics of all windows at once from a wavelet matrix of the ranks.

    Parameters
    ----------
    vol : ndarray, Series or DataFrame
        Volatility, rows (time) by columns (series).
    window : int
        Trailing window in rows.
    quantile : float
        In ``[0, 1]``; 0.05 is the 5th percentile.
    min_periods : int
        Non-missing values in the window needed before a floor is given.

    Returns
    -------
    same type and shape as ``vol``
        The floor; NaN where fewer than ``min_periods`` values are in the window.
    """
    if not 0 <= quantile <= 1:
        raise ValueError(f"quantile must be in [0, 1], got {quantile!r}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window!r}")
    values = _as_2d(vol)
    floor = np.column_stack(
        [
            _rolling_quantile(values[:, j], window, quantile, min_periods)
            for j in range(values.shape[1])
        ]
    ).reshape(values.shape)
    return _like(floor, vol)


def floored_vol(vol: Data, floor: Data) -> Data:
    """``max(vol, floor)``, keeping ``vol`` where the floor is not yet defined (NaN).

    Parameters
    ----------
    vol, floor : ndarray, Series or DataFrame
        Same shape; ``floor`` typically from ``vol_floor(vol)``.

    Returns
    -------
    same type as ``vol``
    """
    values, low = _as_2d(vol), _as_2d(floor)
    return _like(np.where(np.isnan(low), values, np.maximum(values, low)), vol)
