"""The tear sheet: analytics and the page of a 20-year, 50-market backtest (target < 5 s).

A seeded synthetic portfolio shaped like a trend follower's (``--markets`` markets, ``--years``
years of weekdays): per market a random-walk price, a forecast that is a slow AR(1) of it, whole
contracts held in proportion to the forecast with a 10% buffer, fills on the changes with a cost
per contract, a roll every quarter (two legs), P&L of yesterday's contracts on today's move, the
exposure at each close; ten rules' forecasts (the AR(1) plus noise each) for the attribution by
rule. Assets classes cycle through the reference file's.

(a) in memory: ``Analytics`` built afresh, every figure and frame the sheet shows, each plot
drawn and encoded, the page written (:func:`render_tear_sheet`), by stage;
(b) from the lake: the run stored in a fresh data home, then :func:`write_tear_sheet` (read the
run, count the trials, draw, write) without attribution by rule, which needs a warehouse;
(c) ``--home DIR --run RUN``: :func:`write_tear_sheet` of a stored run on a real warehouse with
the alpha model refitted (the refit timed on its own).

Run: ``uv run python -m benchmarks.report [--markets 50] [--years 20] [--repeats 3]
[--home DIR --run RUN]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._common import machine

CLASSES = ("equity", "bond", "stir", "fx", "energy", "metals", "ags", "livestock", "vol")
RULES = tuple(f"rule{i}" for i in range(10))


def synthetic(markets: int, years: int, seed: int = 1):
    """A self-consistent portfolio (see the module doc) and ten rules' forecasts."""
    from tecton.portfolio import Portfolio

    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2005-01-03", periods=years * 252, name="trade_date")
    ids = pd.Index([f"M{i:02d}" for i in range(markets)], name="market_id")
    n, k = len(dates), len(ids)
    price = 100 * np.exp(np.cumsum(rng.normal(0.0, 0.01, (n, k)), axis=0))
    point = rng.choice([10.0, 25.0, 50.0, 1000.0], k)
    signal = np.zeros((n, k))
    shocks = rng.normal(0, 1, (n, k))
    for t in range(1, n):  # AR(1) with a 60-day half-life: a trend forecast's persistence
        signal[t] = 0.988 * signal[t - 1] + 0.155 * shocks[t]
    forecast = np.clip(10 * signal, -20, 20)
    target = forecast / 10 * 2e6 / (price * point * 0.16)  # 2m of notional a market at 10
    held = np.zeros((n, k))
    for t in range(1, n):  # a 10% buffer: trade only when the target leaves it
        move = np.abs(target[t] - held[t - 1]) > 0.1 * np.abs(target[t]) + 0.5
        held[t] = np.where(move, np.round(target[t]), held[t - 1])
    dates_i, markets_i = np.nonzero(np.diff(held, axis=0, prepend=0.0))
    qty = np.diff(held, axis=0, prepend=0.0)[dates_i, markets_i]
    rolls_t, rolls_m = np.nonzero((np.arange(n)[:, None] % 63 == 62) & (held != 0))
    legs = np.concatenate([-held[rolls_t, rolls_m], held[rolls_t, rolls_m]])
    t_all = np.concatenate([dates_i, rolls_t, rolls_t])
    m_all = np.concatenate([markets_i, rolls_m, rolls_m])
    q_all = np.concatenate([qty, legs])
    notional = np.abs(q_all) * price[t_all, m_all] * point[m_all]
    trades = pd.DataFrame(
        {
            "trade_date": dates[t_all],
            "market_id": ids[m_all],
            "contract_id": "C",
            "quantity": q_all,
            "price": price[t_all, m_all],
            "notional": notional,
            "cost": np.abs(q_all) * 4.0 + notional * 2e-5,
            "reason": ["signal"] * len(qty) + ["roll"] * len(legs),
        }
    )
    cost = np.zeros((n, k))
    np.add.at(cost, (t_all, m_all), trades["cost"].to_numpy())
    pnl_price = np.vstack([np.zeros(k), held[:-1] * np.diff(price, axis=0) * point])
    live = (pnl_price != 0) | (cost != 0)
    tt, mm = np.nonzero(live)
    pnl = pd.DataFrame(
        {
            "trade_date": dates[tt],
            "market_id": ids[mm],
            "pnl_price": pnl_price[tt, mm],
            "pnl_fx": 0.0,
            "cost": cost[tt, mm],
        }
    )
    pnl["pnl"] = pnl["pnl_price"] - pnl["cost"]
    positions = pd.DataFrame(held, dates, ids)
    exposure = pd.DataFrame(held * price * point, dates, ids)
    capital = pd.Series(50e6, dates, name="capital")
    portfolio = Portfolio(positions, trades, pnl, capital, "USD", exposure)
    forecasts = {
        r: pd.DataFrame(forecast + rng.normal(0, 4, (n, k)), dates, ids) / len(RULES) for r in RULES
    }
    classes = {m: CLASSES[i % len(CLASSES)] for i, m in enumerate(ids)}
    return portfolio, forecasts, classes


@dataclass
class Result:
    """What ``store_run`` reads of a SimulationResult, for the synthetic run."""

    run_id: str
    portfolio: object
    strategy: object
    summary: dict
    manifest: object = None
    lake_versions: dict = field(default_factory=lambda: {"bars": 1})

    @property
    def start(self):
        return self.portfolio.capital.index[0]

    @property
    def end(self):
        return self.portfolio.capital.index[-1]


def in_memory(portfolio, forecasts, classes, folder: Path) -> dict[str, float]:
    """(a): seconds per stage of the sheet of an in-memory portfolio."""
    from tecton.portfolio import Analytics
    from tecton.portfolio.report import TearSheet, Trials, plots, sections

    times = {}
    start = time.perf_counter()
    a = Analytics(portfolio, 252, classes)
    runs = pd.DataFrame({"run_id": ["bench"], "strategy": ["bench"], "created_at": [pd.NaT]})
    sheet = TearSheet(
        "bench", "bench", a, "name: bench\n", Trials(runs.assign(sharpe=[a.sharpe])),
        rule_forecasts=forecasts,
    )  # fmt: skip
    parts = sections.Parts(sheet)
    t = time.perf_counter()
    parts.figures, parts.rule_table  # noqa: B018 - computed once, cached for the page
    times["figures, trials, rule table"] = time.perf_counter() - t
    pictures = {}
    for name, caption, draw in sections.plots_of(parts):
        t = time.perf_counter()
        fig = draw()
        drawn = time.perf_counter()
        data = plots.png(fig)
        (folder / f"{name}.png").write_bytes(data)
        times[f"plot {name}: build"] = drawn - t
        times[f"plot {name}: PNG"] = time.perf_counter() - drawn
        import base64

        pictures[name] = ("data:image/png;base64," + base64.b64encode(data).decode(), caption)
    t = time.perf_counter()
    html = sections.render(parts, pictures, [], folder / "tearsheet.html")
    (folder / "tearsheet.html").write_text(html)
    times["page (tables, HTML)"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - start
    return times


def from_lake(portfolio, repeats: int) -> tuple[list[float], float]:
    """(b): the run stored in a fresh home; seconds of ``write_tear_sheet`` and of ``load_run``."""
    from tecton.portfolio import Analytics
    from tecton.portfolio.report import write_tear_sheet
    from tecton.simulation.store import load_run, store_run
    from tecton.strategy import StrategyDefinition

    os.environ["TECTON_HOME"] = tempfile.mkdtemp(prefix="tecton-bench-report-")
    os.environ.pop("TECTON_LAKE", None)
    definition = StrategyDefinition(
        name="bench", model="futures_trend_carry", capital=50e6, vol_target=0.2, idm=1.0
    )
    summary = Analytics(portfolio).summary()
    run_id = store_run(Result("bench", portfolio, definition, summary))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        write_tear_sheet(run_id, by_rule=False)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    load_run(run_id)
    return times, time.perf_counter() - t


def real(home: Path, run_id: str) -> None:
    """(c): a stored run on a real warehouse, with the alpha model refitted."""
    os.environ["TECTON_HOME"] = str(home)
    from tecton.portfolio.report import refit_alpha, write_tear_sheet
    from tecton.simulation.store import load_run

    stored = load_run(run_id)
    shape = stored.portfolio.positions.shape
    t = time.perf_counter()
    _, _, how = refit_alpha(stored)
    refit = time.perf_counter() - t
    t = time.perf_counter()
    path = write_tear_sheet(run_id)
    total = time.perf_counter() - t
    print(f"(c) run {run_id}: {shape[0]:,} days x {shape[1]} markets, {stored.start.date()} to "
          f"{stored.end.date()}: refit of the alpha model {refit:.2f} s ({how}); "
          f"write_tear_sheet with attribution by rule {total:.2f} s -> {path}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markets", type=int, default=50)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--home", type=Path, default=None, help="a data home with a warehouse")
    parser.add_argument("--run", default=None, help="a run stored in --home")
    args = parser.parse_args()
    if args.home is not None:
        real(args.home, args.run)
        return
    portfolio, forecasts, classes = synthetic(args.markets, args.years)
    days, fills = len(portfolio.capital), len(portfolio.trades)
    print(f"synthetic: {days:,} days x {args.markets} markets, {fills:,} fills, "
          f"{len(portfolio.pnl):,} P&L rows, {len(forecasts)} rules")  # fmt: skip
    runs = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(in_memory(portfolio, forecasts, classes, Path(folder)))
    print("(a) in memory, median of", args.repeats, "(s):")
    for stage in runs[0]:
        print(f"  {stage:<38} {statistics.median(r[stage] for r in runs):6.2f}")
    totals = sorted(r["total"] for r in runs)
    print(f"  total: best {totals[0]:.2f}, median {statistics.median(totals):.2f} (target < 5 s)")
    lake, load = from_lake(portfolio, args.repeats)
    print(f"(b) write_tear_sheet from the lake (no attribution by rule): best {min(lake):.2f} s, "
          f"median {statistics.median(lake):.2f} s; of which load_run {load:.2f} s")  # fmt: skip
    print(f"machine: {machine()}; load {os.getloadavg()[0]:.1f}; {dt.date.today()}")


if __name__ == "__main__":
    sys.exit(main())
