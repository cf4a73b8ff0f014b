"""Correlation estimators: a path of pairwise correlations, and the matrix on one day.

A pair is compared over the days both markets traded (weights age only at common days), so a
market's short history or holidays never blank the whole matrix. On a given day the matrix over
the markets in the estimate is completed and regularised in three steps:

1. a pair without a defined correlation yet takes the average of the defined ones;
2. it is shrunk toward the constant matrix of that average (``shrinkage`` in [0, 1]);
3. if it is still not positive semi-definite (pairwise estimates need not be), its negative
   eigenvalues are clipped to zero and it is rescaled to a unit diagonal (a PSD correlation
   matrix near the estimate; not Higham's nearest one).
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field
from scipy.linalg.lapack import dtrtri

from tecton.factor_model.registry import Registry
from tecton.factor_model.risk.components import Component
from tecton.stats import ewma_corr_pairs

CORRELATION: Registry[type[CorrelationEstimator]] = Registry("correlation estimator")


class CorrelationEstimator(Component):
    """A family base: pairwise correlations through time, then the completed matrix on a day."""

    registry: ClassVar[Registry] = CORRELATION
    name_key: ClassVar[str] = "estimator"

    estimator: str
    shrinkage: float = Field(0.2, ge=0, le=1)

    def pair_path(self, values: np.ndarray) -> np.ndarray:
        """Correlation of every pair at every row (implemented by each estimator).

        Parameters
        ----------
        values : ndarray
            Returns, calendar rows x markets, NaN where a market did not trade.

        Returns
        -------
        ndarray
            Rows x pairs, pairs in ``np.triu_indices(n_markets, 1)`` order; row ``t`` holds the
            correlation known at ``t`` (from rows up to ``t``), NaN while undefined.
        """
        raise NotImplementedError

    def matrix(self, pairs: np.ndarray, n_markets: int, keep: np.ndarray) -> np.ndarray:
        """The completed, shrunk, PSD correlation matrix over markets ``keep`` on one day.

        Parameters
        ----------
        pairs : ndarray
            One row of :meth:`pair_path`.
        n_markets : int
            Markets in the path.
        keep : ndarray
            Positions of the markets in the estimate.
        """
        left, right = upper_pairs(n_markets)
        corr = np.eye(n_markets)
        corr[left, right] = corr[right, left] = pairs
        if len(keep) < n_markets:
            corr = corr[np.ix_(keep, keep)]
        undefined = np.isnan(corr)
        if undefined.any():
            corr = np.where(undefined, average_corr(corr), corr)
        return clip_to_psd(shrink_to_average(corr, self.shrinkage))


@CORRELATION.register("ewma")
class EwmaCorrelation(CorrelationEstimator):
    """EWMA correlation over each pair's common days (:func:`tecton.stats.ewma_corr_pairs`).

    Pandas' ``pair.dropna().ewm(span, min_periods).corr()`` for each pair of columns: the one
    correlation kernel, which the ``futures_corr`` mart runs too (on weekly returns, span 26).

    Parameters
    ----------
    span : float
        EWMA span in common days, ``> 1``.
    min_periods : int
        Common days needed before a pair's correlation is defined.
    shrinkage : float
        Weight of the constant average-correlation matrix, in [0, 1].
    """

    estimator: Literal["ewma"] = "ewma"
    span: float = Field(125.0, gt=1)
    min_periods: int = Field(20, ge=2)

    def pair_path(self, values: np.ndarray) -> np.ndarray:
        n_rows, n_markets = values.shape
        left, right = upper_pairs(n_markets)
        path = np.full((n_rows, len(left)), np.nan)
        if not len(left) or not n_rows:
            return path
        # integer labels keep ewma_corr_pairs' sorted column order equal to position order
        long = ewma_corr_pairs(pd.DataFrame(values), self.span, self.min_periods)
        pair_of = np.full((n_markets, n_markets), -1)
        pair_of[left, right] = np.arange(len(left))
        rows = long["index"].to_numpy(dtype=int)
        pair = pair_of[long["a"].to_numpy(dtype=int), long["b"].to_numpy(dtype=int)]
        path[rows, pair] = long["corr"].to_numpy(dtype=float)
        # between a pair's common days, carry its last common day's value
        stamped = np.full(path.shape, -1)
        stamped[rows, pair] = rows
        last = np.maximum.accumulate(stamped, axis=0)
        carried = path[np.maximum(last, 0), np.arange(len(left))]
        return np.where(last >= 0, carried, np.nan)


@lru_cache(maxsize=8)
def upper_pairs(n_markets: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(n_markets, 1)``, made once per size (read-only): the pairs' order."""
    left, right = np.triu_indices(n_markets, 1)
    left.flags.writeable = right.flags.writeable = False
    return left, right


def average_corr(corr: np.ndarray) -> float:
    """Mean of the defined off-diagonal entries (0 if none), at least ``-1 / (n - 1)``.

    The bound keeps the constant matrix of the average positive semi-definite.
    """
    n = len(corr)
    if n < 2:
        return 0.0
    off = corr[~np.eye(n, dtype=bool)]
    off = off[~np.isnan(off)]
    return max(float(off.mean()), -1.0 / (n - 1)) if len(off) else 0.0


def shrink_to_average(corr: np.ndarray, weight: float) -> np.ndarray:
    """``(1 - weight) * corr + weight * A``, A the constant matrix of ``corr``'s average correlation.

    Parameters
    ----------
    corr : ndarray
        A complete correlation matrix (no NaN).
    weight : float
        In [0, 1]: 0 returns ``corr``, 1 the constant matrix (unit diagonal, the average off it).
    """
    if weight == 0:
        return corr.copy()
    n = len(corr)
    target = np.full((n, n), average_corr(corr))
    np.fill_diagonal(target, 1.0)
    return (1.0 - weight) * corr + weight * target


def clip_to_psd(corr: np.ndarray) -> np.ndarray:
    """``corr`` if positive semi-definite; else eigenvalues clipped at 0 and unit diagonal again.

    Parameters
    ----------
    corr : ndarray
        A symmetric matrix with a unit diagonal.

    Returns
    -------
    ndarray
        Symmetric, unit diagonal, eigenvalues >= 0 (to rounding).
    """
    corr = (corr + corr.T) / 2.0
    if not len(corr) or clearly_positive_definite(corr):
        return corr
    values, vectors = np.linalg.eigh(corr)
    if values[0] >= 0:
        return corr
    fixed = (vectors * np.maximum(values, 0.0)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    # a row with no weight on the kept eigenvectors is left uncorrelated
    scale = np.where(scale > 0, scale, 1.0)
    fixed = fixed / np.outer(scale, scale)
    np.fill_diagonal(fixed, 1.0)
    return (fixed + fixed.T) / 2.0


# an eigenvalue above this is positive through any rounding of Cholesky or eigh on a correlation
# matrix of up to 1,000 markets (their errors are below n^2 x 1.1e-16, 1.1e-10)
CLEARLY_POSITIVE = 1e-8


def clearly_positive_definite(corr: np.ndarray) -> bool:
    """True where ``corr``'s smallest eigenvalue is surely above :data:`CLEARLY_POSITIVE`.

    Cholesky's factor ``L`` (a tenth of ``eigh``'s time) bounds it from below: the smallest
    eigenvalue of ``L L'`` is ``1 / ||L^-1||_2^2 >= 1 / ||L^-1||_F^2``. False where Cholesky
    fails or the bound is too low to tell (``eigh`` decides then).
    """
    try:
        lower = np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        return False
    inverse, _ = dtrtri(lower, lower=1)  # L^-1 (LAPACK's triangular inverse)
    return 1.0 / np.sum(inverse**2) > CLEARLY_POSITIVE
