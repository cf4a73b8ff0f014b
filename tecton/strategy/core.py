"""Strategy: a factor model and holdings in, a target portfolio and trades out.

    strategy = Strategy.from_yaml("futures_trend_carry")
    decision = strategy.rebalance(holdings={"CRUDE": 3, "SP500": -1}, as_of="2024-06-28")
    decision.target, decision.trades, decision.costs, decision.explain()

:meth:`Strategy.rebalance` reads the day's inputs through Mantle; :meth:`Strategy.decide` is the
pure step from those inputs and the holdings to a :class:`Decision`, the one the simulator calls
each day, so a backtest and a live rebalance size a portfolio the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from tecton import config
from tecton.costs import MAX_SR_ROUND_TRIP, implausible_costs
from tecton.errors import DateLike, TectonError
from tecton.factor_model import FactorModel
from tecton.factor_model.definition_io import (
    definitions_beside,
    locate,
    read_definition,
    write_definition,
)
from tecton.strategy import rounding, sizing
from tecton.strategy.decision import Decision
from tecton.strategy.definition import StrategyDefinition
from tecton.strategy.holdings import holdings_vector
from tecton.strategy.inputs import RebalanceInputs, read_inputs

STRATEGIES = definitions_beside(__file__, "strategy")


class Strategy:
    """Sizes a factor model's forecasts into whole contracts (see the module doc)."""

    def __init__(self, definition: StrategyDefinition):
        self.definition = definition
        self.cost_model = definition.costs.build()
        self._optimizers: dict[tuple[str, ...], object] = {}

    @property
    def name(self) -> str:
        return self.definition.name

    @classmethod
    def from_yaml(cls, source: str | Path) -> Strategy:
        """From a YAML path or a registered name (a YAML file beside this module)."""
        return cls(read_definition(locate(source, STRATEGIES), StrategyDefinition))

    def to_yaml(self, path: str | Path) -> Path:
        return write_definition(self.definition, path)

    def markets(self) -> list[str]:
        return FactorModel(self.definition.model).markets()

    def on(self, markets: list[str]) -> Strategy:
        """The same strategy on other markets (its model's universe replaced)."""
        model = FactorModel(self.definition.model).on(markets).definition
        weights = self.definition.instrument_weights
        if isinstance(weights, dict):
            weights = {m: w for m, w in weights.items() if m in markets} or "equal"
        update = {"model": model, "instrument_weights": weights}
        return Strategy(self.definition.model_copy(update=update))

    def rebalance(
        self,
        holdings: Mapping[str, float] | pd.Series | None = None,
        as_of: DateLike | None = None,
        *,
        lake_as_of: DateLike | None = None,
    ) -> Decision:
        """Target contracts and trades for ``as_of`` (default: the last day with prices).

        Parameters
        ----------
        holdings : mapping of market id to contracts, optional
            What is held now (whole contracts, + long, - short); none when omitted.
        as_of : date-like, optional
            The rebalance date: forecasts, prices, FX and risk as of its close.
        lake_as_of : date-like, optional
            Read the marts as the lake stood then (a revision landed later is invisible).
        """
        self._check_base_currency()
        markets = self.markets()
        current = holdings_vector(holdings, markets, self.name)
        when = pd.Timestamp(as_of) if as_of is not None else _last_trade_date(markets, lake_as_of)
        model = FactorModel(self.definition.model)
        inputs = read_inputs(
            model, when, self.definition.capital, self.definition.estimation_years, lake_as_of
        )
        return self.decide(inputs, current)

    def decide(
        self,
        inputs: RebalanceInputs,
        current: np.ndarray,
        diversification: tuple[np.ndarray, float] | None = None,
    ) -> Decision:
        """The target and trades from one day's inputs and the current contracts (no I/O).

        ``diversification`` (instrument weights, IDM) overrides their estimate from the day's
        correlation: a backtest re-estimates them monthly, not daily.
        """
        d, snap = self.definition, inputs.snapshot
        weights, idm = diversification or self.diversification(
            list(snap.markets), inputs.risk.corr.to_numpy()
        )
        block = sizing.block_value(snap.price, snap.point_value)
        value_vol = sizing.instrument_value_vol(block, snap.vol_daily_pct, snap.fx)
        scalar = sizing.vol_scalar(d.capital, d.vol_target, value_vol)
        unrounded = sizing.portfolio_position(
            sizing.subsystem_position(inputs.forecast, scalar), weights, idm
        )
        fallback = None
        if d.sizing == "optimizer":
            unrounded, fallback = self._optimise(inputs, current)
        lower, upper = sizing.buffer_edges(
            unrounded, sizing.average_position(scalar, weights, idm), d.buffer
        )
        target, reason = self._whole_contracts(inputs, current, unrounded, lower, upper, fallback)
        if d.sizing == "optimizer" or d.rounding == "greedy":  # no buffer: costs decide instead
            lower, upper = np.full_like(lower, np.nan), np.full_like(upper, np.nan)
        trades = target - current
        costs = self.cost_model.trade_cost(trades, snap)  # now: wrong cost inputs fail here
        columns = partial(
            self._explained,
            inputs,
            sizing={
                "block_value": block,
                "value_vol": value_vol,
                "vol_scalar": scalar,
                "weight": np.array(weights, dtype=float),
                "idm": idm,
                "unrounded": unrounded,
                "buffer_lower": lower,
                "buffer_upper": upper,
            },
            decided={
                "current": current.astype(int),
                "target": target.astype(int),
                "trade": trades.astype(int),
                "cost": costs,
            },
            reason=reason,
        )
        return Decision(
            strategy=self.name,
            as_of=inputs.as_of,
            markets=snap.markets,
            contracts=target.astype(int),
            base_currency=config.base_currency(),
            columns=columns,
            fallback=fallback,
            find_warnings=partial(self._cost_warnings, snap),
        )

    def _explained(self, inputs: RebalanceInputs, sizing: dict, decided: dict, reason) -> dict:
        """The decision's per-market table, in :data:`EXPLAIN_COLUMNS` order (built when asked)."""
        snap = inputs.snapshot
        return {
            "forecast": inputs.forecast,
            "contract_id": inputs.contract_id,
            "price": snap.price,
            "fx": snap.fx,
            "vol_daily_pct": snap.vol_daily_pct,
            **sizing,
            **decided,
            "cost_sr_round_trip": self.cost_model.sharpe_units(snap),
            "reason": reason,
        }

    def _cost_warnings(self, snap) -> tuple[str, ...]:
        flagged = implausible_costs(snap, self.cost_model)
        if not flagged:
            return ()
        return (
            f"implausible costs (a round trip above {MAX_SR_ROUND_TRIP:g} Sharpe units, likely a "
            f"typo in the cost inputs): {', '.join(flagged)}",
        )

    def diversification(self, markets: list[str], corr: np.ndarray) -> tuple[np.ndarray, float]:
        """Instrument weights and the IDM for ``markets`` with correlation ``corr``."""
        weights = self._instrument_weights(markets, corr)
        idm = self.definition.idm
        if not isinstance(idm, float):
            idm = sizing.diversification_multiplier(weights, corr)
        return weights, idm

    def _instrument_weights(self, markets: list[str], corr: np.ndarray) -> np.ndarray:
        given = self.definition.instrument_weights
        if given == "equal":
            return sizing.equal_weights(len(markets))
        if given == "estimated":
            return sizing.estimated_weights(corr)
        raw = np.array([given.get(m, 0.0) for m in markets], dtype=float)
        return raw / raw.sum()

    def _optimise(
        self, inputs: RebalanceInputs, current: np.ndarray
    ) -> tuple[np.ndarray, str | None]:
        """Unrounded contracts from the optimiser, or the holdings and why where it failed."""
        snap = inputs.snapshot
        expected = (
            inputs.forecast
            / sizing.FORECAST_AVERAGE
            * self.definition.forecast_sharpe
            * snap.vol_ann_pct
        )
        result = self._optimizer(snap).solve(expected, inputs.risk, snap.to_weights(current), snap)
        if result.used_fallback:
            return current.astype(float), result.reason
        return snap.to_contracts(result.weights), None

    def _optimizer(self, snap):
        from tecton.optimizer import Optimizer

        key = snap.markets
        if key not in self._optimizers:  # built once, re-solved every day with new parameters
            self._optimizers[key] = Optimizer(
                self.definition.optimizer,
                list(snap.markets),
                list(snap.asset_class),
                self.cost_model,
            )
        return self._optimizers[key]

    def _whole_contracts(self, inputs, current, unrounded, lower, upper, fallback):
        """Whole contracts and, per market, why it traded or not."""
        d, snap = self.definition, inputs.snapshot
        if fallback is not None:
            return current.astype(float), np.full(len(current), f"kept: {fallback}", dtype=object)
        if d.rounding == "greedy":
            cov = rounding.contract_covariance(inputs.risk.cov.to_numpy(), snap.weight_per_contract)
            cost = self.cost_model.cost_per_contract(snap) / snap.capital
            target = rounding.greedy_round(unrounded, cov, current, cost, d.cost_penalty)
            return target, _reasons(current, target, "greedy search")
        if d.sizing == "optimizer":
            target = rounding.plain_round(unrounded)
            return target, _reasons(current, target, "optimiser, rounded")
        target = current + sizing.buffered_trade(current, lower, upper)
        reason = np.where(
            current < lower,
            "below buffer: buy to lower edge",
            np.where(
                current > upper, "above buffer: sell to upper edge", "inside buffer: no trade"
            ),
        ).astype(object)
        return target, reason

    def _check_base_currency(self) -> None:
        wanted, platform = self.definition.base_currency, config.base_currency()
        if wanted is not None and wanted != platform:
            raise TectonError(
                f"strategy {self.name} is in {wanted} but the platform's base currency is "
                f"{platform}: set TECTON_BASE_CURRENCY={wanted} and rebuild, or change base_currency"
            )


def _reasons(current: np.ndarray, target: np.ndarray, how: str) -> np.ndarray:
    return np.where(target == current, f"{how}: no trade", f"{how}: trade").astype(object)


def _last_trade_date(markets: list[str], lake_as_of) -> pd.Timestamp:
    from tecton.dal.mantle import Mantle

    rows = Mantle.select("futures.cont", columns=["price"], markets=markets, as_of=lake_as_of)
    if rows.empty:
        raise TectonError(
            "no prices in futures.cont for the strategy's markets: build the marts first"
        )
    return pd.Timestamp(rows["trade_date"].max())
