"""The alpha model: trading rules, their scaling and combination into one forecast per market.

model = AlphaModel.from_yaml("trend_carry").fit(panels)
model.forecast_          # dates by markets, capped at +/-20, lagged one bar
"""

from tecton.factor_model.alpha.definition import (
    MODELS,
    AlphaDefinition,
    Combination,
    RuleSpec,
    Scaling,
)
from tecton.factor_model.alpha.indicators import INDICATORS
from tecton.factor_model.alpha.model import COMBINED, AlphaModel
from tecton.factor_model.alpha.rules import (
    RULES,
    RuleInputs,
    default_rules,
    price_vol,
    run_rule,
    run_rules,
)
from tecton.factor_model.alpha.scaling import (
    ForecastCombination,
    combine,
    diversification_multiplier,
    forecast_scalar,
    forecast_weights,
    lag,
    scale_and_cap,
    scale_and_combine,
)

__all__ = [
    "COMBINED",
    "INDICATORS",
    "MODELS",
    "RULES",
    "AlphaDefinition",
    "AlphaModel",
    "Combination",
    "ForecastCombination",
    "RuleInputs",
    "RuleSpec",
    "Scaling",
    "combine",
    "default_rules",
    "diversification_multiplier",
    "forecast_scalar",
    "forecast_weights",
    "lag",
    "price_vol",
    "run_rule",
    "run_rules",
    "scale_and_cap",
    "scale_and_combine",
]
