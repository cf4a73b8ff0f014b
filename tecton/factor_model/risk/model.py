"""RiskModel: volatility, correlation and covariance of markets, estimated walk-forward."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from tecton.errors import TectonError
from tecton.factor_model.definition_io import describe, write_definition
from tecton.factor_model.registry import ModelDefinitionError
from tecton.factor_model.risk.covariance import History, Structure
from tecton.factor_model.risk.definition import RiskDefinition, load_definition
from tecton.factor_model.risk.estimate import RiskEstimate
from tecton.factor_model.risk.volatility import from_own_days, to_own_days


class RiskModel:
    """A risk model in the scikit-learn manner: parameters in, ``fit`` on returns, then estimates.

    Parameters
    ----------
    definition : RiskDefinition, optional
        The parameters; by default the registered ``"default"`` model (``default.yaml``).
    **params
        Top-level keys of the definition to replace, e.g.
        ``RiskModel(covariance={"kind": "pca", "k": 3}, annualisation_days=365)``.

    Attributes
    ----------
    vol_ann_ : DataFrame
        After ``fit``: annualised volatility per trade date x market, each value known at that
        date's close (a market's last value carries over the days it does not trade).
    corr_path_ : ndarray or None
        After ``fit``: each pair's correlation known at each date (before completion and
        shrinkage), dates x pairs in ``np.triu_indices(n_markets, 1)`` order; None for
        covariance kinds that do not use the correlation estimator.
    returns_ : DataFrame
        The returns given to ``fit``.
    factor_returns_ : DataFrame or None
        The factor returns given to ``fit``, on the returns' dates.

    Examples
    --------
    >>> model = RiskModel.from_yaml("default").fit(returns)   # doctest: +SKIP
    >>> model.estimate("2020-03-31").cov                       # doctest: +SKIP
    """

    def __init__(self, definition: RiskDefinition | None = None, **params: Any) -> None:
        base = definition if definition is not None else load_definition("default")
        if params:
            try:
                base = RiskDefinition.model_validate({**dict(base), **params})
            except ValidationError as exc:
                raise ModelDefinitionError(f"RiskModel: {describe(exc)}") from None
        self.definition = base

    @classmethod
    def from_yaml(cls, source: str | Path) -> RiskModel:
        """The model in a YAML file, or a registered model by name (``"default"``, ``"garch"``)."""
        return cls(load_definition(source))

    def to_yaml(self, path: str | Path) -> Path:
        """Write the definition; ``from_yaml`` of the file gives an equal model."""
        return write_definition(self.definition, path)

    def fit(self, returns: pd.DataFrame, factor_returns: pd.DataFrame | None = None) -> RiskModel:
        """Learn the volatility and correlation paths; every value uses only earlier returns.

        Parameters
        ----------
        returns : DataFrame
            Daily returns as fractions (``ret_pct``), index ``trade_date`` (increasing
            DatetimeIndex), one column per ``market_id``; NaN where a market did not trade
            (markets may start and end on different dates).
        factor_returns : DataFrame, optional
            Daily factor returns (columns are factors), needed by ``covariance: factors``;
            aligned to the returns' dates (missing dates are NaN).

        Returns
        -------
        RiskModel
            ``self``.
        """
        returns = _checked(returns, "returns")
        kind = self.definition.covariance
        if kind.needs_factors and (factor_returns is None or not len(factor_returns.columns)):
            raise TectonError(f"covariance kind {kind.kind!r} needs factor_returns in fit(...)")
        values = returns.to_numpy(dtype=float)
        own, seen = to_own_days(values)
        vol_daily = from_own_days(self.definition.volatility.daily_vol(own), seen)
        days = self.definition.annualisation_days
        self._vol_ann = vol_daily * np.sqrt(days)  # the estimates read rows of the array
        self._vol_ann.flags.writeable = False
        self._column = {market: i for i, market in enumerate(returns.columns)}
        self.vol_ann_ = pd.DataFrame(self._vol_ann, index=returns.index, columns=returns.columns)
        self.corr_path_ = (
            self.definition.correlation.pair_path(values) if kind.needs_correlation else None
        )
        self.factor_returns_ = (
            None
            if factor_returns is None
            else _checked(factor_returns, "factor_returns").reindex(returns.index)
        )
        self.returns_ = returns
        return self

    def estimate(self, as_of: Any = None, markets: Sequence[str] | None = None) -> RiskEstimate:
        """The risk known at the close of ``as_of``, from returns on or before it.

        Parameters
        ----------
        as_of : date-like, optional
            Any date from the first fitted date on; by default the last. A date between trade
            dates uses the last trade date before it.
        markets : sequence of str, optional
            Only these markets, in this order (the same numbers as their rows and columns of the
            whole estimate); a market without a volatility on that date is refused by name.

        Returns
        -------
        RiskEstimate
            Over the markets with a volatility on that date (or ``markets``).
        """
        if not hasattr(self, "returns_"):
            raise TectonError("RiskModel is not fitted: call fit(returns) first")
        row = self._row(as_of)
        vol = self._vol_ann[row]
        keep = np.flatnonzero(np.isfinite(vol) & (vol > 0))
        kind = self.definition.covariance
        corr = (
            self.definition.correlation.matrix(self.corr_path_[row], len(vol), keep)
            if kind.needs_correlation
            else None
        )
        history = self._history(row, keep) if kind.needs_factors else None
        structure = kind.build(vol[keep], corr, history, self.definition.annualisation_days)
        as_of = self.returns_.index[row]
        if markets is None:
            return RiskEstimate.from_structure(as_of, tuple(self.returns_.columns[keep]), structure)
        where = self._positions_in(keep, markets, as_of)
        return RiskEstimate.from_structure(as_of, tuple(markets), _subset(structure, where))

    def _row(self, as_of: Any) -> int:
        """The row of the last trade date on or before ``as_of`` (the last row by default)."""
        index = self.returns_.index
        row = (
            len(index) - 1
            if as_of is None
            else index.searchsorted(pd.Timestamp(as_of), "right") - 1
        )
        if row < 0:
            raise TectonError(f"as_of {as_of} is before the first return ({index[0].date()})")
        return row

    def _positions_in(
        self, keep: np.ndarray, markets: Sequence[str], as_of: pd.Timestamp
    ) -> np.ndarray:
        """Where each of ``markets`` sits among the markets ``keep`` (refused by name if not)."""
        slot = np.full(len(self._column) + 1, -1)  # the last entry: a market not fitted
        slot[keep] = np.arange(len(keep))
        where = slot[[self._column.get(m, -1) for m in markets]]
        missing = [m for m, i in zip(markets, where, strict=True) if i < 0]
        if missing:
            raise TectonError(f"no risk estimate for {', '.join(missing)} on {as_of.date()}")
        return where

    def _history(self, row: int, keep: np.ndarray) -> History:
        factors = self.factor_returns_
        return History(
            self.returns_.iloc[: row + 1, keep].to_numpy(dtype=float),
            factors.iloc[: row + 1].to_numpy(dtype=float),
            tuple(str(name) for name in factors.columns),
        )

    def __repr__(self) -> str:
        d = self.definition
        return (
            f"RiskModel(volatility={d.volatility.estimator}, correlation={d.correlation.estimator}, "
            f"covariance={d.covariance.kind}, annualisation_days={d.annualisation_days})"
        )


def _subset(structure: Structure, where: np.ndarray) -> Structure:
    """``structure`` over the markets at positions ``where`` only."""
    factors = structure.loadings is not None
    return structure._replace(
        cov=structure.cov[np.ix_(where, where)],
        loadings=structure.loadings[where] if factors else None,
        specific_var=structure.specific_var[where] if factors else None,
    )


def _checked(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` as floats, after the checks a wrong input would otherwise fail obscurely on."""
    if not isinstance(frame, pd.DataFrame) or not isinstance(frame.index, pd.DatetimeIndex):
        raise TectonError(f"{name} must be a DataFrame indexed by trade_date (a DatetimeIndex)")
    if not frame.index.is_monotonic_increasing or not frame.index.is_unique:
        raise TectonError(f"{name}: trade dates must be unique and increasing")
    if frame.empty:
        raise TectonError(f"{name} is empty: no dates or no columns")
    if not frame.columns.is_unique:
        raise TectonError(f"{name}: column names must be unique")
    try:
        values = frame.astype(float)
    except (TypeError, ValueError) as exc:
        raise TectonError(f"{name} must hold numbers: {exc}") from None
    if np.isinf(values.to_numpy()).any():
        raise TectonError(f"{name} holds infinite values; use NaN for a missing return")
    return values
