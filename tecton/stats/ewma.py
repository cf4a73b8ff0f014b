"""Exponentially weighted correlation over common observations: the kernel pandas lacks.

Pandas computes ``ewm().corr()`` one pair at a time, and over common observations only after a
``dropna`` per pair; :func:`ewma_corr_pairs` does every pair of a panel in one vectorised numpy
pass (the risk model's daily correlations and the ``futures_corr`` mart's weekly ones). Each
kernel is defined to agree with a named pandas expression (see its docstring); the tests check
that agreement against pandas itself. Volatility is not here: it is pandas' own ``ewm().std()``
(:mod:`tecton.stats.volatility`).

How the EWMA recursion is vectorised
------------------------------------
An exponentially weighted sum ``S_t = beta ** dk_t * S_{t-1} + u_t`` is, inside a block of rows,
``S_t = beta ** k_t * (S_start + cumsum(beta ** -k_i * u_i))`` where ``k`` counts the pair's
common observations since the block started. Blocks are short enough that ``beta ** -k`` stays
far from overflow, and the rounding error stays relative to ``S_t`` itself (the cumulative sum
is dominated by its newest terms). The sums are kept about a centre that moves to the running
mean at each block boundary, so a variance is never the difference of two large numbers.
Each output row depends only on rows at or before it (``cumsum`` is sequential), so there is no
look-ahead, even in rounding.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

_BLOCK_ROWS = 256  # rows between re-centrings of the running sums
_MAX_EXPONENT = 300.0  # bound on -log(beta ** 2k) inside a block: far from float64 overflow


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
    w, sx, sy, _, _, _ = sums
    seen = w > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        new = np.where(
            seen,
            centre + np.stack([sx, sy]) / w,
            np.stack([_first_valid(x, obs), _first_valid(y, obs)]),
        )
    dx, dy = centre - new
    sums[3] += 2 * dx * sx + dx * dx * w
    sums[4] += 2 * dy * sy + dy * dy * w
    sums[5] += dx * sy + dy * sx + dx * dy * w
    sums[1] += dx * w
    sums[2] += dy * w
    return new


def _decayed_cumsum(u: np.ndarray, k: np.ndarray, decay: float, carry: np.ndarray) -> np.ndarray:
    """``S_t = decay ** (k_t - k_{t-1}) * S_{t-1} + u_t`` down the rows of a block, ``S_{-1} = carry``."""
    shrink = np.power(decay, k)
    return shrink * (carry + np.cumsum(u / shrink, axis=-2))


def _block_sums(x, y, obs, k, beta: float, carry: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Running sums (w, x, y, xx, yy, xy about ``centre``) at each row of a block."""
    w = obs.astype(float)
    xc = np.where(obs, x - centre[0], 0.0)
    yc = np.where(obs, y - centre[1], 0.0)
    return _decayed_cumsum(
        np.stack([w, xc, yc, xc * xc, yc * yc, xc * yc]), k, beta, carry[:, None, :]
    )


def _ewm_moments(x: np.ndarray, y: np.ndarray, alpha: float) -> _Moments:
    """Weighted moments of the rows where both ``x`` and ``y`` are observed (2-D, column-wise).

    The weight at row ``t`` of the observation at row ``i`` is ``(1 - alpha) ** d``, ``d`` the
    number of common observations after ``i`` up to ``t`` (the same as dropping the other rows).
    """
    obs = ~(np.isnan(x) | np.isnan(y))
    clock = np.cumsum(obs, axis=0, dtype=float)
    beta = 1.0 - alpha
    rows = _block_rows(beta)
    n, m = x.shape
    sums = np.zeros((6, m))
    centre = np.zeros((2, m))
    out = np.empty((3, n, m))  # var_x, var_y, cov
    for start in range(0, n, rows):
        part = slice(start, min(start + rows, n))
        centre = _recentre(sums, centre, x[part], y[part], obs[part])
        k = clock[part] - (clock[start - 1] if start else 0.0)
        block = _block_sums(x[part], y[part], obs[part], k, beta, sums, centre)
        w, sx, sy, sxx, syy, sxy = block
        with np.errstate(invalid="ignore", divide="ignore"):
            mx, my = sx / w, sy / w
            out[:, part] = [sxx / w - mx * mx, syy / w - my * my, sxy / w - mx * my]
        sums = block[:, -1].copy()
    return _Moments(np.cumsum(obs, axis=0), out[0], out[1], out[2])


def _as_2d(data) -> np.ndarray:
    values = np.asarray(data, dtype=float)
    # columns from the data's own shape: a frame with no rows still has its columns
    return values.reshape(len(values), int(np.prod(values.shape[1:], dtype=int)))


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
    corr = _correlation(_ewm_moments(x, y, span_alpha(span)), min_periods)
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
    corr = _correlation(_ewm_moments(x, y, span_alpha(span)), min_periods)
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
