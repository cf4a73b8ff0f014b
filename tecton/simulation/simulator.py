"""Simulation: a strategy over history, one close at a time, filled the next day.

    from tecton.simulation import Simulation
    run = Simulation(strategy, start="2005-01-01", end="2024-12-31").run()
    run.portfolio.positions, run.portfolio.trades, run.portfolio.pnl, run.summary

Each day ``t`` the strategy gets :meth:`History.inputs` of ``t`` (row ``t`` of the history, no
later row) and the contracts held; its target fills on day ``t + 1``: at that close (the
default), or with ``fill="open"`` at the held contract's open where the bars have one (the close
where they do not), priced by the strategy's own cost model (the optimiser's). Holding through a roll pays the
roll's two trades. Two paths give the same portfolio where both apply: the event loop (any
strategy) and, for ``vol_target`` with plain rounding on fixed capital, :mod:`vectorised`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from tecton import config
from tecton.errors import DateLike, TectonError
from tecton.portfolio import Portfolio, metrics
from tecton.progress import bar
from tecton.simulation import ledger, lineage
from tecton.simulation.history import FILLS, History, load_history
from tecton.simulation.lineage import Manifest
from tecton.strategy import Strategy, StrategyDefinition

PATHS = ("auto", "events", "vectorised")


@dataclass(frozen=True)
class SimulationResult:
    """One backtest run: what was run, on which data, and what it held and earned."""

    run_id: str
    strategy: StrategyDefinition
    start: pd.Timestamp
    end: pd.Timestamp
    portfolio: Portfolio
    lake_versions: dict[str, int]
    path: str
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    manifest: Manifest | None = None

    @property
    def summary(self) -> dict[str, float]:
        """Headline figures: annual return, volatility, Sharpe, max drawdown, turnover, costs."""
        return metrics.summary(self.portfolio)


class Simulation:
    """A backtest of ``strategy`` from ``start`` to ``end`` (see the module doc).

    Parameters
    ----------
    strategy : Strategy
    start, end : date-like, optional
        The window traded (the model reads its warm-up before ``start``).
    capital : float, optional
        Starting capital (default: the strategy's).
    compounding : bool
        Size each day on the starting capital plus the P&L so far (default: fixed capital).
    lake_as_of : date-like, optional
        Read the marts as the lake stood then (point-in-time data).
    path : {"auto", "events", "vectorised"}
        ``auto`` takes the vectorised path where it applies, else the event loop.
    allow_unchecked : bool
        Run even where a partition the run needs was quarantined or never checked (refused
        otherwise, naming them); the manifest records the override.
    fill : {"close", "open"}
        Where a decision at the close of ``t`` fills on ``t + 1``: the close (default), or the
        open where the bars have one (``markets_without_open`` lists those filled at the close).
    """

    def __init__(
        self,
        strategy: Strategy,
        start: DateLike | None = None,
        end: DateLike | None = None,
        capital: float | None = None,
        compounding: bool = False,
        lake_as_of: DateLike | None = None,
        path: str = "auto",
        allow_unchecked: bool = False,
        fill: str = "close",
    ):
        if path not in PATHS:
            raise TectonError(f"path must be one of {', '.join(PATHS)}, got {path!r}")
        if fill not in FILLS:
            raise TectonError(f"fill must be one of {', '.join(FILLS)}, got {fill!r}")
        capital = strategy.definition.capital if capital is None else float(capital)
        if not (np.isfinite(capital) and capital > 0):
            raise TectonError(f"capital must be a positive number, got {capital}")
        self.strategy, self.capital, self.compounding = strategy, capital, compounding
        self.start, self.end, self.lake_as_of, self.path = start, end, lake_as_of, path
        self.allow_unchecked, self.fill = allow_unchecked, fill
        self.markets_without_open: list[str] = []

    def vectorisable(self) -> bool:
        d = self.strategy.definition
        return d.sizing == "vol_target" and d.rounding == "round" and not self.compounding

    def run(self, history: History | None = None) -> SimulationResult:
        """Run the backtest (``history`` read through Mantle unless given, its partitions checked)."""
        states, overrides = [], []
        if history is None:
            history = load_history(
                self.strategy, self.start, self.end, self.lake_as_of, opens=self.fill == "open"
            )
            states = lineage.partition_states(
                list(history.markets), history.read_from, history.dates[-1], self._as_of_utc()
            )
            overrides = lineage.check_partitions(states, self.allow_unchecked)
        if self.fill == "open":
            self.markets_without_open = history.markets_without_open()
        with threadpool_limits(1):  # small matrices a day: BLAS threads cost more than they give
            return self._simulate(history, states, overrides)

    def _simulate(self, history: History, states: list, overrides: list[str]) -> SimulationResult:
        path = self.path
        if path == "auto":
            path = "vectorised" if self.vectorisable() else "events"
        if path == "vectorised":
            if not self.vectorisable():
                raise TectonError(
                    "the vectorised path needs sizing vol_target, rounding round and fixed capital"
                )
            from tecton.simulation.vectorised import run_vectorised

            portfolio = run_vectorised(self.strategy, history, self.capital, self.fill)
        else:
            portfolio = run_events(
                self.strategy, history, self.capital, self.compounding, self.fill
            )
        versions = _lake_versions(self.lake_as_of)
        return SimulationResult(
            run_id=uuid.uuid4().hex[:12],
            strategy=self.strategy.definition,
            start=history.dates[0],
            end=history.dates[-1],
            portfolio=portfolio,
            lake_versions=versions,
            path=path,
            manifest=self._manifest(history, portfolio, path, versions, states, overrides),
        )

    def _manifest(self, history, portfolio, path, versions, states, overrides) -> Manifest:
        from tecton.config import lake_uri
        from tecton.factor_model.definition_io import dump_definition

        package, commit, libraries = lineage.environment()
        d = self.strategy.definition
        return Manifest(
            strategy=d.model_dump(mode="json"),
            strategy_sha256=hashlib.sha256(dump_definition(d).encode()).hexdigest(),
            model_sha256=hashlib.sha256(dump_definition(d.model).encode()).hexdigest(),
            parameters={
                "start": str(history.dates[0].date()),
                "end": str(history.dates[-1].date()),
                "capital": self.capital,
                "compounding": self.compounding,
                "path": path,
                "allow_unchecked": self.allow_unchecked,
                "fill": self.fill,
                "lake_as_of": None if self.lake_as_of is None else str(self.lake_as_of),
                "base_currency": portfolio.base_currency,
                "solver": d.optimizer.solver if d.sizing == "optimizer" else None,
            },
            lake_root=lake_uri(),
            lake_versions=versions,
            as_of=None if self.lake_as_of is None else str(self.lake_as_of),
            partitions=[asdict(s) for s in states],
            overrides=overrides,
            package_version=package,
            code_commit=commit,
            versions=libraries,
            result_sha256=lineage.result_sha256(portfolio),
        )

    def _as_of_utc(self) -> dt.datetime | None:
        if self.lake_as_of is None:
            return None
        when = pd.Timestamp(self.lake_as_of)
        when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
        return when.to_pydatetime()


def run_events(
    strategy: Strategy,
    history: History,
    capital: float,
    compounding: bool = False,
    fill: str = "close",
) -> Portfolio:
    """The daily event loop: P&L of yesterday's holdings, yesterday's orders filled, decide."""
    book = ledger.Ledger(strategy.cost_model, history, fill)
    weights, idm = ledger.diversification_path(strategy, history)
    d = strategy.definition
    needs_risk = d.sizing == "optimizer" or d.rounding == "greedy"
    pending: tuple[np.ndarray, np.ndarray] | None = None
    cash, earned = capital, 0.0
    with bar(f"backtest {strategy.name}", len(history)) as advance:
        for t in range(len(history)):
            if t:
                book.positions[t] = book.positions[t - 1]
                if pending is not None:  # yesterday's decision fills today (open or close)
                    columns, target = pending
                    filled = np.isin(columns, book.fillable(t, columns))
                    book.positions[t, columns[filled]] = target[filled]
                earned += book.book(t, t + 1, cash)  # the day's P&L, fills and roll costs
            cash = capital + earned if compounding else capital
            book.capital[t] = cash
            columns = history.tradable(t)
            pending = None
            if len(columns):
                risk = history.risk_on(t, columns) if needs_risk else None
                inputs = history.inputs(t, cash, columns, risk)  # row t: nothing later
                held = book.positions[t, columns]
                decision = strategy.decide(inputs, held, (weights[t, columns], idm[t]))
                pending = (columns, decision.contracts.astype(float))
            advance()
    return book.portfolio(config.base_currency())


def _lake_versions(lake_as_of: DateLike | None) -> dict[str, int]:
    from tecton.dal.asof import lake_versions

    try:
        return lake_versions(lake_as_of or pd.Timestamp.now(tz="UTC"))
    except TectonError:
        return {}
