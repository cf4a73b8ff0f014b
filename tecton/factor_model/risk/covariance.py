"""Covariance kinds: the correlation structure between the markets of an estimate.

The volatility estimator alone decides each market's volatility (the diagonal); a covariance
kind decides how markets co-move. ``sample`` keeps the estimated correlation, ``pca`` keeps its
first ``k`` principal components plus a diagonal specific part, ``factors`` builds it from given
factor returns. The two factor kinds also give the factor form the optimiser can use:
``cov = loadings @ factor_cov @ loadings.T + diag(specific_var)``.
"""

from __future__ import annotations

from typing import ClassVar, Literal, NamedTuple

import numpy as np
from pydantic import Field

from tecton.factor_model.registry import Registry
from tecton.factor_model.risk.components import Component
from tecton.stats import span_alpha

COVARIANCE: Registry[type[CovarianceKind]] = Registry("covariance kind")


class History(NamedTuple):
    """The data up to the estimate's day, for kinds that need more than the correlation."""

    returns: np.ndarray  # rows up to as_of x the estimate's markets; NaN where not traded
    factor_returns: np.ndarray  # the same rows x factors
    factor_names: tuple[str, ...]


class Structure(NamedTuple):
    """An annualised covariance, and its factor form where the kind has one."""

    cov: np.ndarray
    loadings: np.ndarray | None = None
    factor_cov: np.ndarray | None = None
    specific_var: np.ndarray | None = None
    factor_names: tuple[str, ...] = ()


class CovarianceKind(Component):
    """A family base: the covariance over the estimate's markets on one day."""

    registry: ClassVar[Registry] = COVARIANCE
    name_key: ClassVar[str] = "kind"
    needs_correlation: ClassVar[bool] = True  # uses the correlation estimator's matrix
    needs_factors: ClassVar[bool] = False  # needs factor returns passed to fit

    kind: str

    def build(
        self, vol_ann: np.ndarray, corr: np.ndarray | None, history: History | None, days: int
    ) -> Structure:
        """The covariance on one day (implemented by each kind).

        Parameters
        ----------
        vol_ann : ndarray
            Annualised volatility of each market (positive).
        corr : ndarray or None
            The correlation estimator's matrix (None if the kind does not need it).
        history : History or None
            Returns and factor returns up to the day (only for kinds that need factors).
        days : int
            Days per year of the annualisation.
        """
        raise NotImplementedError


@COVARIANCE.register("sample")
class SampleCovariance(CovarianceKind):
    """``vol * corr * vol``: the estimated correlation as it is."""

    kind: Literal["sample"] = "sample"

    def build(self, vol_ann, corr, history, days) -> Structure:
        return Structure(vol_ann[:, None] * corr * vol_ann[None, :])


@COVARIANCE.register("pca")
class PcaCovariance(CovarianceKind):
    """The first ``k`` principal components of the correlation, plus diagonal specific risk.

    Components of the correlation rather than the covariance, so high-volatility markets do not
    own the first components. With ``k`` at least the number of markets it is ``sample``.

    Parameters
    ----------
    k : int
        Components kept (at most the number of markets).
    """

    kind: Literal["pca"] = "pca"
    k: int = Field(3, ge=1)

    def build(self, vol_ann, corr, history, days) -> Structure:
        k = min(self.k, len(corr))
        values, vectors = np.linalg.eigh(corr)
        top = np.argsort(values)[::-1][:k]
        values, vectors = np.maximum(values[top], 0.0), vectors[:, top]
        common = np.sum(vectors**2 * values, axis=1)
        loadings = vol_ann[:, None] * vectors
        specific = vol_ann**2 * np.maximum(1.0 - common, 0.0)
        factor_cov = np.diag(values)
        names = tuple(f"pc{i + 1}" for i in range(k))
        return Structure(
            _compose(loadings, factor_cov, specific), loadings, factor_cov, specific, names
        )


@COVARIANCE.register("factors")
class FactorCovariance(CovarianceKind):
    """The correlation implied by given factors (factor returns passed to ``RiskModel.fit``).

    Each market's loadings come from an EWMA-weighted regression of its returns on the factor
    returns over the days both it and every factor have returns (weights age at those days);
    the factor covariance is the EWMA covariance of the factor returns, and the specific variance
    the regression's residual variance. Each market's row is then scaled so its volatility is
    the volatility estimator's. A market with fewer than ``min_periods`` such days is treated
    as uncorrelated with the others (no loadings).

    Parameters
    ----------
    span : float
        EWMA span in days, ``> 1``.
    min_periods : int
        Common days needed before a market gets loadings.
    """

    kind: Literal["factors"] = "factors"
    needs_correlation: ClassVar[bool] = False
    needs_factors: ClassVar[bool] = True
    span: float = Field(125.0, gt=1)
    min_periods: int = Field(60, ge=2)

    def build(self, vol_ann, corr, history, days) -> Structure:
        beta = 1.0 - span_alpha(self.span)
        returns, factors = history.returns, history.factor_returns
        all_factors = ~np.isnan(factors).any(axis=1)
        factor_cov = _weighted_cov(factors[all_factors], beta)
        both = ~np.isnan(returns) & all_factors[:, None]
        betas = np.zeros((returns.shape[1], factors.shape[1]))
        specific = np.ones(returns.shape[1])
        for j in np.flatnonzero(both.sum(axis=0) >= self.min_periods):
            moments = _weighted_cov(np.column_stack([factors, returns[:, j]])[both[:, j]], beta)
            betas[j] = np.linalg.pinv(moments[:-1, :-1], hermitian=True) @ moments[:-1, -1]
            specific[j] = moments[-1, -1] - betas[j] @ moments[:-1, -1]
        implied = np.einsum("if,fg,ig->i", betas, factor_cov, betas) + np.maximum(specific, 0.0)
        specific = np.where(implied > 0, np.maximum(specific, 0.0), 1.0)
        implied = np.where(implied > 0, implied, 1.0)
        # loadings scaled so each market's total variance is the estimator's; F annualised
        scale = vol_ann / np.sqrt(implied * days)
        loadings = betas * scale[:, None]
        factor_cov = factor_cov * days
        specific = specific * scale**2 * days
        return Structure(
            _compose(loadings, factor_cov, specific),
            loadings,
            factor_cov,
            specific,
            history.factor_names,
        )


def _weighted_cov(rows: np.ndarray, beta: float) -> np.ndarray:
    """EWMA covariance of complete rows (newest last), weights ``beta ** age``, about the mean."""
    if not len(rows):
        return np.zeros((rows.shape[1], rows.shape[1]))
    weights = beta ** np.arange(len(rows) - 1, -1, -1, dtype=float)
    weights /= weights.sum()
    centred = rows - weights @ rows
    return (centred * weights[:, None]).T @ centred


def _compose(loadings, factor_cov, specific) -> np.ndarray:
    cov = loadings @ factor_cov @ loadings.T + np.diag(specific)
    return (cov + cov.T) / 2.0
