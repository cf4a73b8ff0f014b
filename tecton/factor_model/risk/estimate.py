"""RiskEstimate: the one frozen value the risk model hands to the optimiser."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from tecton.factor_model.risk.covariance import Structure


class RiskEstimate:
    """Annualised risk of a set of markets, known at the close of ``as_of``.

    Built from returns on or before ``as_of`` only. Immutable: the arrays behind every pandas
    field are read-only (writing into them raises), and the fields cannot be reassigned. An
    estimate the risk model makes (:meth:`from_structure`) holds arrays and builds each pandas
    field when first read; :meth:`labelled` gives the arrays without pandas (the optimiser's
    daily path).

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

    def __init__(
        self,
        as_of: pd.Timestamp,
        markets: tuple,
        vol: pd.Series,
        corr: pd.DataFrame,
        cov: pd.DataFrame,
        factor_loadings: pd.DataFrame | None = None,
        factor_cov: pd.DataFrame | None = None,
        specific_var: pd.Series | None = None,
    ) -> None:
        given = dict(
            vol=vol,
            corr=corr,
            cov=cov,
            factor_loadings=factor_loadings,
            factor_cov=factor_cov,
            specific_var=specific_var,
        )
        frozen = {k: _read_only(v) if _is_pandas(v) else v for k, v in given.items()}
        self.__dict__.update(as_of=as_of, markets=markets, _arrays=None, **frozen)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RiskEstimate is immutable: cannot assign {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"RiskEstimate is immutable: cannot delete {name}")

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
        arrays = dict(
            vol=vol,
            corr=corr,
            cov=cov,
            factor_loadings=structure.loadings,
            factor_cov=structure.factor_cov,
            specific_var=structure.specific_var,
        )
        estimate = cls.__new__(cls)
        estimate.__dict__.update(
            as_of=as_of,
            markets=tuple(markets),
            _arrays={k: _frozen_array(v) for k, v in arrays.items() if v is not None},
            _factors=tuple(structure.factor_names),
        )
        return estimate

    def labelled(self, field: str) -> tuple[Sequence[str], np.ndarray]:
        """The row labels and the (read-only) numbers of ``field`` (``"cov"``, ...), no pandas
        where this estimate holds arrays; the numbers are None where the field is."""
        if self._arrays is None:
            value = getattr(self, field)
            return (value.index, value.to_numpy(dtype=float)) if value is not None else ((), None)
        rows = self._factors if field == "factor_cov" else self.markets
        return rows, self._arrays.get(field)

    # the pandas fields of an estimate made from arrays, built when first read
    @cached_property
    def vol(self) -> pd.Series:
        return pd.Series(
            self._arrays["vol"], index=_labels(self.markets), name="vol_ann", copy=False
        )

    @cached_property
    def corr(self) -> pd.DataFrame:
        return self._frame("corr", self.markets, self.markets)

    @cached_property
    def cov(self) -> pd.DataFrame:
        return self._frame("cov", self.markets, self.markets)

    @cached_property
    def factor_loadings(self) -> pd.DataFrame | None:
        return self._frame("factor_loadings", self.markets, self._factors)

    @cached_property
    def factor_cov(self) -> pd.DataFrame | None:
        return self._frame("factor_cov", self._factors, self._factors)

    @cached_property
    def specific_var(self) -> pd.Series | None:
        values = self._arrays.get("specific_var")
        if values is None:
            return None
        return pd.Series(values, index=_labels(self.markets), name="specific_var", copy=False)

    def _frame(self, field: str, rows: tuple, columns: tuple) -> pd.DataFrame | None:
        values = self._arrays.get(field)
        if values is None:
            return None
        return pd.DataFrame(values, index=_labels(rows), columns=_labels(columns), copy=False)

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


def _is_pandas(value: object) -> bool:
    return isinstance(value, pd.Series | pd.DataFrame)


def _frozen_array(values: np.ndarray) -> np.ndarray:
    """A read-only copy of ``values`` (floats)."""
    array = np.array(values, dtype=float)
    array.flags.writeable = False
    return array


def _labels(names: tuple) -> pd.Index:
    """An Index of ``names``: a new object over one made once per tuple (pandas builds a string
    Index slowly; its name is the new object's own)."""
    return _label_index(names).view()


@lru_cache(maxsize=64)
def _label_index(names: tuple) -> pd.Index:
    return pd.Index(list(names))


def _read_only(value: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """A copy of ``value`` over a read-only array (pandas raises on writes into it)."""
    array = _frozen_array(value.to_numpy(dtype=float))
    if isinstance(value, pd.Series):
        return pd.Series(array, index=value.index.copy(), name=value.name, copy=False)
    return pd.DataFrame(array, index=value.index.copy(), columns=value.columns.copy(), copy=False)
