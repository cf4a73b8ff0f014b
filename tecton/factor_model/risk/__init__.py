"""The risk model: volatility, correlation and covariance of markets, walk-forward.

``RiskModel.from_yaml("default").fit(returns).estimate("2020-03-31")`` gives a
:class:`RiskEstimate` (vol, corr, cov) from returns (trade_date x market_id, ret_pct) up to
that day.
"""

from tecton.factor_model.risk.correlation import (
    CORRELATION,
    CorrelationEstimator,
    EwmaCorrelation,
    average_corr,
    clip_to_psd,
    shrink_to_average,
)
from tecton.factor_model.risk.covariance import (
    COVARIANCE,
    CovarianceKind,
    FactorCovariance,
    PcaCovariance,
    SampleCovariance,
)
from tecton.factor_model.risk.definition import MODELS, RiskDefinition, load_definition
from tecton.factor_model.risk.estimate import RiskEstimate
from tecton.factor_model.risk.garch import GarchPath, GarchVolatility, garch_walk_forward
from tecton.factor_model.risk.model import RiskModel
from tecton.factor_model.risk.volatility import (
    VOLATILITY,
    EwmaVolatility,
    VolatilityEstimator,
    VolFloor,
    from_own_days,
    to_own_days,
)

__all__ = [
    "CORRELATION",
    "COVARIANCE",
    "MODELS",
    "VOLATILITY",
    "CorrelationEstimator",
    "CovarianceKind",
    "EwmaCorrelation",
    "EwmaVolatility",
    "FactorCovariance",
    "GarchPath",
    "GarchVolatility",
    "PcaCovariance",
    "RiskDefinition",
    "RiskEstimate",
    "RiskModel",
    "SampleCovariance",
    "VolFloor",
    "VolatilityEstimator",
    "average_corr",
    "clip_to_psd",
    "from_own_days",
    "garch_walk_forward",
    "load_definition",
    "shrink_to_average",
    "to_own_days",
]
