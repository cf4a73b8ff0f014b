"""tecton configured as the peer's (pysystemtrade's) simplest system, on the peer's own data.

    uv run python -m studies.peer_system [--markets SP500 GOLD ...] [--since 1970-01-01]

EWMAC 16/64 only, the fixed forecast scalar 3.75, forecasts capped at 20, equal instrument
weights, IDM 1.0, a 20% annual volatility target on 1,000,000 USD, a 10% buffer, and cash costs
from the peer's ``instrumentconfig.csv`` (slippage in price points x point size, plus commission
per contract). The ``futures_markets`` mart takes point values and costs from tecton's own
reference file for the markets it lists, so the study swaps them for the peer's
(:func:`studies.peer_costs.with_peer_costs`) and runs three cost cases on the same positions:

* ``peer, as shipped``: the peer's file as it is, EURIBOR's slippage of 49 points included;
* ``peer, EURIBOR fixed``: the same with EURIBOR's slippage at half a tick (0.0025, the one
  change; :data:`EURIBOR_SLIPPAGE`), the headline case;
* ``tecton reference``: the mart as built (tecton's reference costs where it lists a market).

It prints gross and net Sharpe, annual return and volatility per case, and per market the
round-trip cost in Sharpe units (the strategy's ``cost_sr_round_trip``, median over the days the
market traded) and the realised cost a year over the market's P&L volatility, with the markets
:func:`tecton.costs.checks.cost_check` flags. See ``studies/README.md`` for the recorded run and
the conventions tecton shares with the peer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from studies.peer_conventions import convention_swaps
from studies.peer_costs import (
    CASES,
    cost_cases,
    flagged_costs,
    metadata_differences,
    round_trip_sharpe,
)
from studies.peer_data import instrument_config, peer_home, using_home
from studies.report import markdown, run_from_command_line
from tecton.simulation import History, Simulation, SimulationResult, load_history
from tecton.stats import TRADING_DAYS_PER_YEAR
from tecton.strategy import Strategy, StrategyDefinition

PEER_SCALAR = 3.75  # the peer's published forecast scalar for EWMAC 16/64
PEER_ROOT_DAYS = 16.0  # the peer annualises with sqrt(256) business days


def peer_definition(markets: list[str], capital: float = 1_000_000.0) -> StrategyDefinition:
    """The peer's simplest system as a tecton strategy over ``markets``."""
    rule = "ewmac16_64"
    return StrategyDefinition.model_validate(
        {
            "name": "peer_simplest",
            "description": "pysystemtrade's simplest system: EWMAC 16/64, fixed scalar 3.75.",
            "model": {
                "name": "peer_ewmac16_64",
                "universe": {"markets": markets},
                "alpha": {
                    "rules": {rule: {"rule": "ewmac", "fast": 16, "slow": 64}},
                    "scaling": {"method": "fixed", "priors": {rule: PEER_SCALAR}, "cap": 20},
                    "combination": {"cap": 20, "lag": 1},
                },
                "risk": "default",
            },
            "capital": capital,
            "vol_target": 0.20,
            "instrument_weights": "equal",
            "idm": 1.0,
            "buffer": 0.10,
            "costs": {"commission": True, "spread": True, "roll": True, "funding": False},
        }
    )


def headline(results: dict[str, SimulationResult]) -> pd.DataFrame:
    """One row per cost case: gross and net Sharpe, annual return and volatility, costs."""
    rows = {}
    for case, result in results.items():
        s = result.summary
        rows[case] = {
            "gross_sharpe": s["gross_sharpe"],
            "net_sharpe": s["sharpe"],
            "ann_return": s["ann_return"],
            "ann_vol": s["ann_vol"],
            "cost_ann": s["cost_ann"],
            "max_drawdown": s["max_drawdown"],
            "turnover": s["turnover"],
        }
    return pd.DataFrame(rows).T.rename_axis("costs")


def per_market(
    strategy: Strategy, history: History, result: SimulationResult, capital: float
) -> pd.DataFrame:
    """Per market, over its own priced days: Sharpe before and after costs and what costs take.

    ``cost_sr_round_trip``: the median of :func:`round_trip_sharpe`; ``cost_sr_realised``: the
    realised cost a year over the annual volatility of the market's P&L before costs.
    """
    pnl = result.portfolio.pnl.assign(gross=lambda f: f["pnl_price"] + f["pnl_fx"])
    wide = {
        k: pnl.pivot_table(index="trade_date", columns="market_id", values=k, aggfunc="sum")
        .reindex(index=history.dates, columns=list(history.markets))
        .fillna(0.0)
        for k in ("gross", "cost")
    }
    round_trip = round_trip_sharpe(strategy, history, capital)
    root = np.sqrt(TRADING_DAYS_PER_YEAR)
    rows = {}
    for j, market in enumerate(history.markets):
        own = np.isfinite(history.price[:, j])
        gross, cost = wide["gross"][market][own], wide["cost"][market][own]
        years = own.sum() / TRADING_DAYS_PER_YEAR
        vol = gross.std(ddof=1) * root
        rows[market] = {
            "years": years,
            "gross_sr": gross.mean() / gross.std(ddof=1) * root,
            "net_sr": (gross - cost).mean() / (gross - cost).std(ddof=1) * root,
            "cost_usd_ann": cost.sum() / years,
            "cost_sr_round_trip": round_trip[market].median(),
            "cost_sr_realised": cost.sum() / years / vol,
        }
    return pd.DataFrame(rows).T.rename_axis("market")


@dataclass(frozen=True)
class PeerStudy:
    """A run of the study: the strategy, its history (tecton's metadata) and each case's run."""

    strategy: Strategy
    history: History
    cases: dict[str, History]
    results: dict[str, SimulationResult]
    differences: pd.DataFrame
    seconds: dict[str, float]

    @property
    def capital(self) -> float:
        return self.strategy.definition.capital

    def headline(self) -> pd.DataFrame:
        return headline(self.results)

    def per_market(self, case: str = CASES[1]) -> pd.DataFrame:
        return per_market(self.strategy, self.cases[case], self.results[case], self.capital)

    def flagged(self, case: str = CASES[0]) -> pd.DataFrame:
        return flagged_costs(self.cases[case], self.capital)

    def conventions(self, case: str = CASES[1]) -> pd.DataFrame:
        """The same run with the peer's forecast timing and volatility blend swapped in."""
        return convention_swaps(self.strategy, self.cases[case])

    def annualised_as_peer(self) -> pd.DataFrame:
        """Net and gross Sharpe, return and volatility on business-day P&L x 256 (the peer's)."""
        rows = {}
        for case, result in self.results.items():
            daily = result.portfolio.pnl.groupby("trade_date")[["pnl", "cost"]].sum()
            daily.index = pd.DatetimeIndex(daily.index)
            bday = daily.resample("B").sum() / self.capital
            net, gross = bday["pnl"], bday["pnl"] + bday["cost"]
            rows[case] = {
                "gross_sharpe": gross.mean() / gross.std() * PEER_ROOT_DAYS,
                "net_sharpe": net.mean() / net.std() * PEER_ROOT_DAYS,
                "ann_return": net.mean() * PEER_ROOT_DAYS**2,
                "ann_vol": net.std() * PEER_ROOT_DAYS,
            }
        return pd.DataFrame(rows).T.rename_axis("costs")


def run_study(
    markets: list[str],
    since: str = "1970-01-01",
    home: Path | None = None,
    rebuild: bool = False,
    start: str | None = None,
    end: str | None = None,
) -> PeerStudy:
    """Build (or reuse) the peer home, then simulate every cost case on the same positions."""
    clock = time.perf_counter()
    home = peer_home(markets, since, home, rebuild)
    seconds = {"home": time.perf_counter() - clock}
    strategy = Strategy(peer_definition(markets))
    with using_home(home):
        clock = time.perf_counter()
        history = load_history(strategy, start, end)
        seconds["history"] = time.perf_counter() - clock
    config = instrument_config()
    cases = cost_cases(history, config)
    clock = time.perf_counter()
    results = {case: Simulation(strategy, path="vectorised").run(h) for case, h in cases.items()}
    seconds["simulate"] = (time.perf_counter() - clock) / len(cases)
    return PeerStudy(
        strategy, history, cases, results, metadata_differences(history.meta, config), seconds
    )


HEADLINE_FORMATS = {
    "gross_sharpe": "{:.3f}",
    "net_sharpe": "{:.3f}",
    "ann_return": "{:.2%}",
    "ann_vol": "{:.2%}",
    "cost_ann": "{:.2%}",
    "max_drawdown": "{:.2%}",
    "turnover": "{:.1f}",
}
MARKET_FORMATS = {
    "years": "{:.1f}",
    "gross_sr": "{:.2f}",
    "net_sr": "{:.2f}",
    "cost_usd_ann": "{:,.0f}",
    "cost_sr_round_trip": "{:.4f}",
    "cost_sr_realised": "{:.3f}",
}
CHECK_FORMATS = {
    "cost_per_contract": "{:,.0f}",
    "notional": "{:,.0f}",
    "cost_pct_notional": "{:.1%}",
    "vol_ann_pct": "{:.2%}",
    "sr_round_trip": "{:.1f}",
}


def render(study: PeerStudy) -> str:
    """The study's tables as Markdown, with a line on the calendar and the forecasts."""
    h = study.history
    years = (h.dates[-1] - h.dates[0]).days / 365.25
    forecast = np.abs(h.forecast[np.isfinite(h.forecast)])
    flagged = study.flagged()
    parts = [
        f"{len(h.markets)} markets, {h.dates[0].date()} to {h.dates[-1].date()}: {len(h)} rows "
        f"({len(h) / years:.1f} a year; metrics count {TRADING_DAYS_PER_YEAR}); seconds: "
        + ", ".join(f"{k} {v:.1f}" for k, v in study.seconds.items()),
        f"mean |forecast| {forecast.mean():.2f} ({(forecast == 20).mean():.1%} at the cap); "
        f"the scalar that would make it 10: about {PEER_SCALAR * 10 / forecast.mean():.2f}",
        markdown(study.headline(), HEADLINE_FORMATS),
        "the same P&L summed per business day (weekend rows into Friday) and annualised with "
        "256 days, as the peer does:",
        markdown(study.annualised_as_peer(), HEADLINE_FORMATS),
        f"the peer's conventions swapped in ({CASES[1]}):",
        markdown(study.conventions(), HEADLINE_FORMATS),
        f"per market ({CASES[1]}):",
        markdown(
            study.per_market().sort_values("cost_sr_realised", ascending=False), MARKET_FORMATS
        ),
        "cost check on the peer's file as shipped (each market's last day), flagged:",
        markdown(flagged[flagged["is_implausible"]], CHECK_FORMATS),
        "tecton's futures.markets against the peer's instrumentconfig:",
        markdown(study.differences),
    ]
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> PeerStudy:
    return run_from_command_line(__doc__, run_study, render, argv)


if __name__ == "__main__":
    main()
