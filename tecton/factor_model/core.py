"""FactorModel: a universe, an alpha model and a risk model, defined by one YAML file.

    model = FactorModel.from_yaml("futures_trend_carry").fit(start="2005-01-01")
    model.forecast_                  # dates by markets: the combined forecast used on each day
    model.risk_estimate("2020-03-31")  # RiskEstimate: vol, corr, cov as of that day

A definition names its parts by registered name or writes them inline::

    name: futures_trend_carry
    universe: {asset_classes: [energy, metals]}     # or markets: [CRUDE, GOLD]; empty: all
    alpha: trend_carry                              # alpha/trend_carry.yaml, or a mapping
    risk: default                                   # risk/default.yaml, or a mapping

and written back (:meth:`FactorModel.to_yaml`) it holds every part inline, so it reads back the
same model on any machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tecton.errors import DateLike
from tecton.factor_model import alpha, risk
from tecton.factor_model.alpha import AlphaDefinition, AlphaModel
from tecton.factor_model.data import Panels, load_panels
from tecton.factor_model.definition_io import (
    definitions_beside,
    locate,
    read_definition,
    write_definition,
)
from tecton.factor_model.risk import RiskDefinition, RiskEstimate, RiskModel
from tecton.factor_model.universe import Universe

MODELS = definitions_beside(__file__, "factor model")
# what the `signals` flow, `tecton signals` and the demo run unless told otherwise
DEFAULT_MODELS = ("futures_trend_carry", "futures_fundamental")
# bars read before ``start`` beyond the forecast scalars' own history (``min_periods``), so the
# slowest rules (EWMA span 256) and the volatility are warm on ``start`` too
WARM_UP_BARS = 300


class ModelDefinition(BaseModel):
    """Everything needed to build a factor model: universe, alpha and risk (see the module doc)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    description: str = ""
    universe: Universe = Universe()
    alpha: AlphaDefinition
    risk: RiskDefinition

    @field_validator("alpha", mode="before")
    @classmethod
    def _named_alpha(cls, value: Any) -> Any:
        return _inline(value, alpha.MODELS, AlphaDefinition)

    @field_validator("risk", mode="before")
    @classmethod
    def _named_risk(cls, value: Any) -> Any:
        return _inline(value, risk.MODELS, RiskDefinition)


def _inline(value: Any, registry, schema: type[BaseModel]) -> Any:
    """A registered name becomes the definition it names; anything else is validated as is."""
    return read_definition(locate(value, registry), schema) if isinstance(value, str) else value


class FactorModel:
    """Alpha and risk of one universe (estimator style: ``fit`` returns ``self``).

    After :meth:`fit`: ``panels_`` (what was read, warm-up included), ``alpha_`` (a fitted
    :class:`AlphaModel`), ``risk_`` (a fitted :class:`RiskModel`), and ``forecast_`` (the
    combined, lagged forecast from ``start`` on).
    """

    def __init__(self, definition: ModelDefinition):
        self.definition = definition

    @property
    def name(self) -> str:
        return self.definition.name

    @classmethod
    def from_yaml(cls, source: str | Path) -> FactorModel:
        """From a YAML path or a registered name (a YAML file beside this module)."""
        return cls(read_definition(locate(source, MODELS), ModelDefinition))

    def to_yaml(self, path: str | Path) -> Path:
        return write_definition(self.definition, path)

    def markets(self) -> list[str]:
        return self.definition.universe.market_ids()

    def on(self, markets: list[str]) -> FactorModel:
        """The same model on other markets (its universe replaced), unfitted."""
        universe = Universe(markets=tuple(markets))
        return FactorModel(self.definition.model_copy(update={"universe": universe}))

    def fit(
        self,
        panels: Panels | None = None,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        as_of: DateLike | None = None,
    ) -> FactorModel:
        """Read the universe through Mantle (unless ``panels`` are given) and fit both parts.

        Parameters
        ----------
        panels : Panels, optional
            Data to fit on; read with :func:`tecton.factor_model.data.load_panels` when omitted.
        start, end : date-like, optional
            The window forecast. Bars before ``start`` are read too, enough for the scalars'
            ``min_periods`` plus ``WARM_UP_BARS``, so forecasts exist from ``start`` on.
        as_of : date-like, optional
            Read the data as known at this time: a revision landed later is invisible.
        """
        if panels is None:
            warm_up = self.definition.alpha.scaling.min_periods + WARM_UP_BARS
            lookback = warm_up if start is not None else 0
            panels = load_panels(self.markets(), start, end, as_of=as_of, lookback=lookback)
        self.panels_, self.start_ = panels, pd.Timestamp(start) if start is not None else None
        self.alpha_ = AlphaModel(self.definition.alpha).fit(panels)
        self.risk_ = RiskModel(self.definition.risk).fit(panels.ret_pct)
        self.forecast_ = self.alpha_.forecast_.loc[self.start_ :]
        return self

    def risk_estimate(self, as_of: DateLike | None = None) -> RiskEstimate:
        """Volatilities and covariance from returns through ``as_of`` (default: the last day)."""
        return self.risk_.estimate(as_of)

    def forecasts(self) -> pd.DataFrame:
        """Every rule's forecast and the combination from ``start`` on, long (see
        :meth:`AlphaModel.forecasts`)."""
        return self.alpha_.forecasts(self.start_)
