"""AlphaDefinition: an alpha model's rules, weights, scaling and combination, as YAML.

    rules:
      ewmac16_64: {rule: ewmac, fast: 16, slow: 64}
      breakout80: {rule: breakout, window: 80}
      carry: {rule: carry, smooth: 90}
    weights: {ewmac16_64: 0.4, breakout80: 0.3, carry: 0.3}   # or: equal (the default), correlation
    scaling: {target: 10, cap: 20, method: pooled, min_periods: 500}
    # or fixed, published scalars (one per rule, used on every date; nothing estimated):
    # scaling: {method: fixed, priors: {ewmac16_64: 3.75}}
    combination: {fdm_cap: 2.5, fdm_min_periods: 250, cap: 20, lag: 1}

A rule's parameters are checked by the rule itself, at definition time, on a small probe panel:
the checks a YAML file passes are exactly the ones the rule applies when it runs, so a negative
span or an unknown ta-lib function fails when the file is read, naming the file and the key.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tecton.factor_model.alpha.rules import RULES, RuleInputs, run_rule
from tecton.factor_model.definition_io import definitions_beside

MODELS = definitions_beside(__file__, "alpha model")


class RuleSpec(BaseModel):
    """One rule variation: a registered rule name and its parameters (the other keys)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    rule: str

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @model_validator(mode="after")
    def _rule_accepts(self) -> RuleSpec:
        RULES.get(self.rule)  # an unknown name lists the registered rules
        run_rule(self.rule, _probe(self.params.get("series")), self.params)
        return self


class Scaling(BaseModel):
    """Each rule's forecast scaled to an average absolute value of ``target``, capped at ``cap``.

    ``method`` ``pooled`` or ``cross_median`` estimates each rule's scalar on expanding windows
    (``priors[rule]`` fills the first ``min_periods`` days); ``fixed`` estimates nothing and
    uses ``priors[rule]`` on every date, so every rule needs one (a published scalar, as the
    peer system's configuration gives them).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: float = Field(10.0, gt=0)
    cap: float = Field(20.0, gt=0)
    method: Literal["pooled", "cross_median", "fixed"] = "pooled"
    min_periods: int = Field(500, ge=1)
    priors: dict[str, float] = Field(default_factory=dict)

    @field_validator("priors")
    @classmethod
    def _positive(cls, priors: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in priors.items() if not (np.isfinite(v) and v > 0)}
        if bad:
            raise ValueError(f"forecast scalars must be positive numbers, got {bad}")
        return priors


class Combination(BaseModel):
    """Rules combined with weights and a diversification multiplier, capped, lagged ``lag`` bars."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fdm_cap: float = Field(2.5, ge=1)
    fdm_min_periods: int = Field(250, ge=2)
    cap: float = Field(20.0, gt=0)
    lag: int = Field(1, ge=1)


class AlphaDefinition(BaseModel):
    """The parameters of an alpha model (see the module doc for the YAML)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: dict[str, RuleSpec] = Field(min_length=1)
    # given by rule, or estimated: "equal", or "correlation" (each day, inversely to each rule's
    # summed expanding correlation with the others: scaling.correlation_weights)
    weights: dict[str, float] | Literal["equal", "correlation"] = "equal"
    scaling: Scaling = Scaling()
    combination: Combination = Combination()
    vol_span: float = Field(35.0, gt=1)

    @field_validator("weights", mode="before")
    @classmethod
    def _method_named(cls, weights: Any) -> Any:
        if isinstance(weights, str) and weights not in ("equal", "correlation"):
            raise ValueError(
                f"expected 'equal', 'correlation' or a mapping of rule to weight, got {weights!r}"
            )
        return weights

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, weights: dict[str, float] | str) -> dict[str, float] | str:
        if isinstance(weights, dict) and (
            any(w < 0 for w in weights.values()) or not sum(weights.values()) > 0
        ):
            raise ValueError(f"weights must be 0 or more with a positive sum, got {weights}")
        return weights

    @model_validator(mode="after")
    def _weights_name_rules(self) -> AlphaDefinition:
        for mapping, what in (
            (self.weights if isinstance(self.weights, dict) else {}, "weights"),
            (self.scaling.priors, "scaling.priors"),
        ):
            unknown = sorted(set(mapping) - set(self.rules))
            if unknown:
                raise ValueError(
                    f"{what} name rule {unknown[0]!r}, which is not in rules: {', '.join(self.rules)}"
                )
        missing = [r for r in self.rules if r not in self.scaling.priors]
        if self.scaling.method == "fixed" and missing:
            raise ValueError(
                f"scaling method fixed needs a scalar in scaling.priors for every rule; "
                f"none for {', '.join(missing)}"
            )
        return self

    def rule_calls(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """``{label: (rule name, params)}`` for :func:`tecton.factor_model.alpha.rules.run_rules`."""
        return {label: (spec.rule, spec.params) for label, spec in self.rules.items()}


@cache
def _probe_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    dates = pd.bdate_range("2020-01-01", periods=60, name="trade_date")
    walk = 100.0 + np.cumsum(np.random.default_rng(0).standard_normal((60, 1)), axis=0)
    price = pd.DataFrame(walk, index=dates, columns=pd.Index(["PROBE"], name="market_id"))
    return price, price * 0.01


def _probe(series: object) -> RuleInputs:
    """A tiny panel every rule can run on (with a fundamental series of the name asked for)."""
    price, carry = _probe_frames()
    fundamentals = {series: price} if isinstance(series, str) else {}
    return RuleInputs(price_adj=price, carry_ann=carry, fundamentals=fundamentals)
