"""AlphaModel: rules -> scaled, capped, combined and lagged forecasts, per market and day.

    model = AlphaModel.from_yaml("trend_carry").fit(panels)
    model.forecast_          # combined forecast used on each day (from data through the day before)
    model.forecasts()        # every rule and the combination, long, ready to store

Every estimate is expanding (see :mod:`tecton.factor_model.alpha.scaling`), so one ``fit`` over
the whole history gives, on each day, what a daily walk-forward refit would have given that day.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tecton.factor_model.alpha.definition import MODELS, AlphaDefinition
from tecton.factor_model.alpha.rules import RuleInputs, run_rules
from tecton.factor_model.alpha.scaling import lag, scale_and_combine
from tecton.factor_model.data import Panels
from tecton.factor_model.definition_io import locate, read_definition, write_definition

COMBINED = "combined"  # the rule label of the combined forecast in :meth:`AlphaModel.forecasts`


class AlphaModel:
    """Forecasts from an :class:`AlphaDefinition` (estimator style: ``fit`` returns ``self``).

    Learned state, after :meth:`fit`: ``raw_`` (rule -> raw forecasts), ``scalars_`` (dates by
    rules), ``scaled_`` (rule -> scaled and capped), ``weights_``, ``fdm_`` (per date),
    ``combined_`` (on ``t`` from data through ``t``) and ``forecast_`` (``combined_`` lagged by
    ``combination.lag`` bars: what a strategy may use on ``t``).
    """

    def __init__(self, definition: AlphaDefinition):
        self.definition = definition

    @classmethod
    def from_yaml(cls, source: str | Path) -> AlphaModel:
        """From a YAML path or a registered name (a YAML file beside this module)."""
        return cls(read_definition(locate(source, MODELS), AlphaDefinition))

    def to_yaml(self, path: str | Path) -> Path:
        return write_definition(self.definition, path)

    def fit(self, panels: Panels) -> AlphaModel:
        d = self.definition
        inputs = RuleInputs(
            price_adj=panels.price_adj,
            ret_pts=panels.ret_pts,
            carry_ann=panels.carry_ann,
            fundamentals=panels.fundamentals,
            vol_span=d.vol_span,
        )
        self.raw_ = run_rules(inputs, d.rule_calls())
        chain = scale_and_combine(
            self.raw_,
            d.weights,
            target=d.scaling.target,
            cap=d.scaling.cap,
            method=d.scaling.method,
            min_periods=d.scaling.min_periods,
            priors=d.scaling.priors,
            fdm_cap=d.combination.fdm_cap,
            fdm_min_periods=d.combination.fdm_min_periods,
            bars=d.combination.lag,
        )
        self.scalars_, self.scaled_, self.weights_ = chain.scalars, chain.scaled, chain.weights
        self.fdm_, self.combined_, self.forecast_ = chain.fdm, chain.combined, chain.forecast
        return self

    def forecasts(self, start: pd.Timestamp | None = None) -> pd.DataFrame:
        """Every rule's scaled forecast and the combined one, each lagged as the model uses them,
        from ``start`` on (all days when None).

        Returns
        -------
        DataFrame
            ``market_id, trade_date, rule, forecast`` (rule ``"combined"`` for the combination),
            one row per market, day and rule that has a forecast; the forecast on ``trade_date``
            is computed from data through the bar before it.
        """
        bars = self.definition.combination.lag
        frames = {label: lag(scaled, bars) for label, scaled in self.scaled_.items()}
        frames[COMBINED] = self.forecast_
        long = pd.concat(
            {label: frame.loc[start:].stack().dropna() for label, frame in frames.items()},
            names=["rule"],
        ).rename("forecast")
        long = long.reset_index()[["market_id", "trade_date", "rule", "forecast"]]
        return long.sort_values(["market_id", "trade_date", "rule"], ignore_index=True)
