"""RiskDefinition: a risk model's parameters, read from and written to YAML.

The YAML files beside this module are the registered risk models, found by their stem
(``default.yaml`` is ``"default"``)::

    volatility: {estimator: ewma, span: 35, min_periods: 10, floor: {window: 500, quantile: 0.05, min_periods: 100}}
    correlation: {estimator: ewma, span: 125, min_periods: 20, shrinkage: 0.2}
    covariance: {kind: sample}
    annualisation_days: 252   # optional: tecton.stats.TRADING_DAYS_PER_YEAR by default
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny

from tecton.factor_model.definition_io import definitions_beside, locate, read_definition
from tecton.factor_model.risk.correlation import CorrelationEstimator
from tecton.factor_model.risk.covariance import CovarianceKind
from tecton.factor_model.risk.garch import GarchVolatility  # noqa: F401  (registers "garch")
from tecton.factor_model.risk.volatility import VolatilityEstimator
from tecton.stats import TRADING_DAYS_PER_YEAR

MODELS = definitions_beside(__file__, "risk model")


class RiskDefinition(BaseModel):
    """The parameters of a risk model. Every key but ``annualisation_days`` is required in YAML.

    Parameters
    ----------
    volatility : VolatilityEstimator
        By ``estimator`` name: ``ewma`` or ``garch``, each with its parameters and ``floor``.
    correlation : CorrelationEstimator
        By ``estimator`` name: ``ewma``, with its span and ``shrinkage``.
    covariance : CovarianceKind
        By ``kind`` name: ``sample``, ``pca`` (``k``) or ``factors``.
    annualisation_days : int
        Trading days per year; by default the one owner's
        :data:`tecton.stats.TRADING_DAYS_PER_YEAR` (252); 365 for crypto
        (:func:`tecton.stats.days_per_year`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    volatility: SerializeAsAny[VolatilityEstimator]
    correlation: SerializeAsAny[CorrelationEstimator]
    covariance: SerializeAsAny[CovarianceKind]
    annualisation_days: int = Field(TRADING_DAYS_PER_YEAR, ge=1, le=366)


def load_definition(source: str | Path) -> RiskDefinition:
    """A definition from a YAML path, or a registered model's name (a file stem here).

    Raises
    ------
    ModelDefinitionError
        One line: an unknown name (with the registered ones), or the file, key and expectation.
    """
    return read_definition(locate(source, MODELS), RiskDefinition)
