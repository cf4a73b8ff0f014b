"""RiskEstimate: the one frozen value the risk model hands to the optimiser."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from tecton.factor_model.risk.covariance import Structure


@dataclass(frozen=True, eq=False, repr=False)
class RiskEstimate:
    """Annualised risk of a set of markets, known at the close of ``as_of``.

    Built from returns on or before ``as_of`` only. Immutable: the arrays behind every pandas
    field are read-only (writing into them raises), and the fields cannot be reassigned.

    Attributes
    ----------
    as_of : Timestamp
        The trade date of the last returns used.
    markets : tuple
        Markets (``market_id``) with a volatility on ``as_of``, in the fitted returns' order.
    vol : Series
        Annualised volatility per market (``vol_ann``).
    corr : DataFrame
        The correlation of ``cov``: symmetric, unit diagonal, positive semi-definite.
    cov : DataFrame
        Annualised covariance, symmetric and positive semi-definite (to rounding): where the
        pairwise correlation estimate was not, its negative eigenvalues were clipped (see
        ``tecton.factor_model.risk.correlation``).
    factor_loadings : DataFrame or None
        Markets x factors, for the factor kinds (``pca``, ``factors``); else None.
    factor_cov : DataFrame or None
        Factors x factors, annualised; ``cov = loadings @ factor_cov @ loadings.T +
        diag(specific_var)``.
    specific_var : Series or None
        Annualised specific (idiosyncratic) variance per market.
    """

    as_of: pd.Timestamp
    markets: tuple
    vol: pd.Series
    corr: pd.DataFrame
    cov: pd.DataFrame
    factor_loadings: pd.DataFrame | None = None
    factor_cov: pd.DataFrame | None = None
    specific_var: pd.Series | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, pd.Series | pd.DataFrame):
                object.__setattr__(self, field.name, _read_only(value))

    @classmethod
    def from_structure(
        cls, as_of: pd.Timestamp, markets: tuple, structure: Structure
    ) -> RiskEstimate:
        """The estimate of a covariance :class:`Structure` over ``markets``."""
        cov = (structure.cov + structure.cov.T) / 2.0  # exactly symmetric
        vol = np.sqrt(np.diag(cov))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = cov / np.outer(vol, vol)
        np.fill_diagonal(corr, 1.0)
        names = list(markets)
        factors = list(structure.factor_names)
        has_factors = structure.loadings is not None
        return cls(
            as_of=as_of,
            markets=tuple(markets),
            vol=pd.Series(vol, index=names, name="vol_ann"),
            corr=pd.DataFrame(corr, index=names, columns=names),
            cov=pd.DataFrame(cov, index=names, columns=names),
            factor_loadings=(
                pd.DataFrame(structure.loadings, index=names, columns=factors)
                if has_factors
                else None
            ),
            factor_cov=(
                pd.DataFrame(structure.factor_cov, index=factors, columns=factors)
                if has_factors
                else None
            ),
            specific_var=(
                pd.Series(structure.specific_var, index=names, name="specific_var")
                if has_factors
                else None
            ),
        )

    def __repr__(self) -> str:
        vol = self.vol
        spread = (
            f", vol_ann {vol.min():.1%}..{vol.max():.1%} (median {vol.median():.1%})"
            if len(vol)
            else ""
        )
        factors = (
            f", factors {list(self.factor_cov.columns)}" if self.factor_cov is not None else ""
        )
        return (
            f"RiskEstimate(as_of={self.as_of.date()}, {len(self.markets)} markets{spread}{factors})"
        )


def _read_only(value: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """A copy of ``value`` over a read-only array (pandas raises on writes into it)."""
    array = np.array(value.to_numpy(dtype=float), dtype=float)
    array.flags.writeable = False
    if isinstance(value, pd.Series):
        return pd.Series(array, index=value.index.copy(), name=value.name, copy=False)
    return pd.DataFrame(array, index=value.index.copy(), columns=value.columns.copy(), copy=False)
