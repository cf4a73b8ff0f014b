"""Factor models: a universe, an alpha model (forecasts) and a risk model (covariance), from YAML.

    from tecton.factor_model import FactorModel
    model = FactorModel.from_yaml("futures_trend_carry").fit(start="2010-01-01")

Each model's YAML lives beside the code that implements it; classes and rules are chosen by a
registered name, never by an import path.
"""

from tecton.factor_model.alpha import AlphaDefinition, AlphaModel
from tecton.factor_model.core import DEFAULT_MODELS, MODELS, FactorModel, ModelDefinition
from tecton.factor_model.data import Panels, load_panels
from tecton.factor_model.registry import ModelDefinitionError, Registry
from tecton.factor_model.risk import RiskDefinition, RiskEstimate, RiskModel
from tecton.factor_model.universe import Universe

__all__ = [
    "DEFAULT_MODELS",
    "MODELS",
    "AlphaDefinition",
    "AlphaModel",
    "FactorModel",
    "ModelDefinition",
    "ModelDefinitionError",
    "Panels",
    "Registry",
    "RiskDefinition",
    "RiskEstimate",
    "RiskModel",
    "Universe",
    "load_panels",
]
