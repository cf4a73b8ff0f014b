"""What a strategy is, as YAML beside the code (validated like the models, one-line errors)::

name: futures_trend_carry
model: futures_trend_carry        # a registered factor model, or one written inline
capital: 1000000                  # in the base currency
base_currency: USD                # optional; must be the platform's (TECTON_BASE_CURRENCY)
vol_target: 0.20                  # annual, fraction of capital
instrument_weights: equal         # equal | estimated | {CRUDE: 0.2, SP500: 0.1, ...}
idm: estimated                    # estimated | a number; capped at 2.5 either way
sizing: vol_target                # vol_target | optimizer
buffer: 0.10                      # no trade within +/- this x the average position
rounding: round                   # round | greedy
costs: {commission: true, spread: true, roll: true}
optimizer: {risk_aversion: 10, constraints: {vol_ceiling: 0.2}}   # for sizing: optimizer
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tecton.costs import CostDefinition
from tecton.factor_model import MODELS, ModelDefinition
from tecton.factor_model.definition_io import locate, read_definition
from tecton.optimizer import OptimizerDefinition
from tecton.strategy.sizing import IDM_CAP


class StrategyDefinition(BaseModel):
    """The parameters of a strategy (see the module doc for every key).

    Attributes
    ----------
    forecast_sharpe : float
        Expected annual Sharpe ratio of one market held at an average forecast (10); turns
        forecasts into the expected returns the optimiser maximises (``sizing: optimizer``).
    cost_penalty : float
        For ``rounding: greedy``: how much a unit of trading cost weighs against a unit of
        tracking variance (the greedy search's buffer).
    estimation_years : float
        Years of returns before the rebalance date the model reads to estimate volatility,
        correlation and (where asked) instrument weights.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    description: str = ""
    model: ModelDefinition
    capital: float = Field(gt=0, allow_inf_nan=False)
    base_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    vol_target: float = Field(gt=0, le=2, allow_inf_nan=False)
    instrument_weights: Literal["equal", "estimated"] | dict[str, float] = "equal"
    idm: Literal["estimated"] | float = "estimated"
    sizing: Literal["vol_target", "optimizer"] = "vol_target"
    buffer: float = Field(default=0.10, ge=0, le=1)
    rounding: Literal["round", "greedy"] = "round"
    cost_penalty: float = Field(default=1.0, ge=0)
    forecast_sharpe: float = Field(default=0.3, gt=0, le=3)
    estimation_years: float = Field(default=3.0, gt=0, le=50)
    costs: CostDefinition = CostDefinition()
    optimizer: OptimizerDefinition = OptimizerDefinition()

    @field_validator("model", mode="before")
    @classmethod
    def _named_model(cls, value: Any) -> Any:
        return (
            read_definition(locate(value, MODELS), ModelDefinition)
            if isinstance(value, str)
            else value
        )

    @field_validator("idm")
    @classmethod
    def _idm_in_range(cls, value: Any) -> Any:
        if isinstance(value, float) and not 1.0 <= value <= IDM_CAP:
            raise ValueError(f"expected estimated or a number from 1 to {IDM_CAP}, got {value}")
        return value

    @field_validator("instrument_weights")
    @classmethod
    def _weights_valid(cls, value: Any) -> Any:
        if isinstance(value, dict):
            if any(not (w >= 0) for w in value.values()):
                raise ValueError("instrument weights must be >= 0")
            if not sum(value.values()) > 0:
                raise ValueError("instrument weights must not all be 0")
        return value

    @model_validator(mode="after")
    def _weights_name_the_universe(self) -> StrategyDefinition:
        if isinstance(self.instrument_weights, dict) and self.model.universe.markets:
            unknown = sorted(set(self.instrument_weights) - set(self.model.universe.markets))
            if unknown:
                raise ValueError(
                    f"instrument_weights name markets outside the model's universe: {', '.join(unknown)}"
                )
        return self
