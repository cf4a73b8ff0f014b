"""Backtests: tecton's event loop with the optimiser against cvxportfolio, the vol-target paths, memory.

All three parts run on one seeded synthetic :class:`~tecton.simulation.History` (``--markets``
markets, ``--years`` years of weekdays after a year of warm-up): each market a random walk in
percent with three common factors, rolled every 21 or 63 days into a contract priced a little
apart (the held contract's own change never shows the roll), quoted in one of four currencies
with a random-walk FX; EWMAC 16/64 forecasts scaled to an average absolute 10, capped at 20 and
lagged a day; the default :class:`~tecton.factor_model.RiskModel` fitted on the returns.

(a) ``sizing: optimizer`` every day: ``Simulation(strategy, path="events")`` against
cvxportfolio's ``MarketSimulator`` with a ``SinglePeriodOptimization`` policy on the same returns
(in the base currency), expected returns (``forecast / 10 x forecast_sharpe x vol_ann``), daily
covariance (tecton's estimate of each day, handed to cvxportfolio precomputed and untimed), linear
costs (commission + half spread as a fraction of the traded value; rolls as a holding fee) and
constraints (gross leverage, per-market weight, volatility ceiling), compounding capital and whole
contracts. cvxportfolio trades at the time it decides; tecton fills a close later, so cvxportfolio
is handed each day's inputs a day late: both hold the same decision over the same days.
(b) the ``vol_target`` strategy, the vectorised path and the event loop, positions checked equal.
(c) peak resident memory (``VmHWM``) of a full-universe backtest, each in a fresh process: the
imports alone, the synthetic history at 32 markets x 25 years, and ``--strategy`` (the default
one) on ``--home``'s warehouse when given (``TECTON_HOME=DIR uv run tecton demo`` builds one).

Run: ``OPENBLAS_NUM_THREADS=1 uv run --group bench python -m benchmarks.backtest [--markets 50]
[--years 20] [--optimizer-years 20] [--repeats 3] [--profile] [--home DIR]`` (targets: (a)
tecton >= 5x faster, (b) vectorised < 1 s, (c) < 2 GB). OpenBLAS's default threads slow every
small ``eigh`` on a shared 2-core machine by 10x or more: run both ways (the README does).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager

import numpy as np
import pandas as pd

from benchmarks._common import print_table

DAYS = 252
CURRENCIES = ("USD", "EUR", "JPY", "GBP")
OPTIMIZER = {
    "risk_aversion": 5.0,
    "tcost_aversion": 1.0,
    "risk": "full",
    "constraints": {"gross_leverage": 4.0, "max_weight": 0.5, "vol_ceiling": 0.2},
}
CAPITAL = 50_000_000.0


# the data ---------------------------------------------------------------------------------
def synthetic_history(n_markets: int, years: float, seed: int = 11):
    """A seeded :class:`History` of ``years`` of weekdays (after one year of warm-up)."""
    from tecton.factor_model.risk import RiskModel
    from tecton.simulation import History

    rng = np.random.default_rng(seed)
    warmup = DAYS + 10
    dates = pd.bdate_range("2000-01-03", periods=warmup + int(years * 261), name="trade_date")
    T, N = len(dates), n_markets
    markets = [f"M{i:02d}" for i in range(N)]
    vol = rng.uniform(0.006, 0.025, N)
    loadings = rng.normal(0.0, 0.6, (N, 3))
    shocks = rng.standard_normal((T, 3)) @ loadings.T + rng.standard_normal((T, N))
    drift = np.zeros((T, N))  # a slow drift (half-life ~140 days): trends to follow
    kicks = rng.normal(0.0, 0.05 * np.sqrt(1.0 - 0.995**2), (T, N))
    for t in range(1, T):
        drift[t] = 0.995 * drift[t - 1] + kicks[t]
    ret_pct = (shocks / np.sqrt(1.0 + (loadings**2).sum(axis=1)) + drift) * vol
    cont = rng.uniform(50.0, 5000.0, N) * np.exp(np.cumsum(ret_pct, axis=0))  # adjusted
    roll_days = rng.choice([21, 63], N)
    phase = rng.integers(0, 63, N)
    contract = (np.arange(T)[:, None] + phase) // roll_days  # contract number held each day
    gaps = np.exp(np.cumsum(rng.normal(0.0, 0.01, (contract.max() + 1, N)), axis=0))
    scale = np.take_along_axis(gaps, contract, axis=0)  # each contract its own price level
    price = cont * scale
    ret_pts = np.vstack([np.full(N, np.nan), (cont[1:] - cont[:-1]) * scale[1:]])
    ids = np.char.add(np.char.add(np.array(markets)[None, :], "_"), contract.astype(str))
    currency = rng.choice(CURRENCIES, N)
    fx_paths = {"USD": np.ones(T)}
    for c, level in zip(CURRENCIES[1:], (1.1, 0.009, 1.3), strict=True):
        fx_paths[c] = level * np.exp(np.cumsum(rng.normal(0.0, 0.005, T)))
    fx = np.column_stack([fx_paths[c] for c in currency])
    point_value = rng.uniform(2e4, 2e5, N) / (price[0] * fx[0])  # a contract: 20k-200k USD
    meta = pd.DataFrame(
        {
            "currency": currency,
            "point_value": point_value,
            "commission_per_contract": rng.uniform(1.0, 5.0, N) / fx[0],
            "commission_pct": 0.0,
            "spread_pts": price[0] * rng.uniform(1e-4, 6e-4, N),
            "asset_class": rng.choice(["equity", "rates", "commodity", "fx"], N),
        },
        index=pd.Index(markets, name="market_id"),
    )
    returns = pd.DataFrame(ret_pts / (price - ret_pts), index=dates, columns=markets)
    risk = RiskModel().fit(returns)
    days = slice(warmup, None)
    return History(
        dates=dates[days],
        markets=tuple(markets),
        price=price[days],
        ret_pts=ret_pts[days],
        contract_id=ids[days].astype(object),
        fx=fx[days],
        forecast=ewmac_forecast(pd.DataFrame(cont, index=dates)).to_numpy()[days],
        vol_daily_pct=(risk.vol_ann_ / np.sqrt(DAYS)).to_numpy()[days],
        meta=meta,
        rolls_per_year=DAYS / roll_days.astype(float),
        risk=risk,
    )


def ewmac_forecast(adjusted: pd.DataFrame) -> pd.DataFrame:
    """EWMAC 16/64 over the price volatility, scaled to an average absolute 10, capped, lagged."""
    raw = adjusted.ewm(span=16).mean() - adjusted.ewm(span=64).mean()
    raw = raw / adjusted.diff().ewm(span=35, min_periods=10).std()
    scaled = raw * 10.0 / raw.abs().stack().mean()
    return scaled.clip(-20.0, 20.0).shift(1)


# the strategies ---------------------------------------------------------------------------
def strategy(sizing: str):
    from tecton.strategy import Strategy, StrategyDefinition

    return Strategy(
        StrategyDefinition(
            name=f"bench_{sizing}",
            model="futures_trend_carry",  # not read: the history is given
            capital=CAPITAL,
            vol_target=0.2,
            instrument_weights="equal",
            idm=1.0 if sizing == "optimizer" else "estimated",
            sizing=sizing,
            forecast_sharpe=0.3,
            costs={"commission": True, "spread": True, "roll": True, "funding": False},
            optimizer=OPTIMIZER,
        )
    )


def run_tecton(history, sizing: str, path: str, compounding: bool = False):
    from tecton.simulation import Simulation

    sim = Simulation(strategy(sizing), capital=CAPITAL, compounding=compounding, path=path)
    return sim.run(history).portfolio


# cvxportfolio -----------------------------------------------------------------------------
def cvxportfolio_inputs(history) -> dict[str, pd.DataFrame]:
    """The history in cvxportfolio's terms (base-currency returns, daily units, weights).

    ``returns`` row ``t`` is the move from ``t`` to ``t + 1`` (its convention); the forecasts,
    covariance and cost rates of day ``t`` are indexed ``t + 1``, the day tecton fills them.
    """
    h, markets = history, list(history.markets)
    dates = h.dates
    previous = h.price - h.ret_pts  # the held contract's previous close
    move = h.ret_pts / previous * h.fx / np.vstack([np.full(len(markets), np.nan), h.fx[:-1]])
    returns = pd.DataFrame(move[1:], index=dates[:-1], columns=markets)
    returns["cash"] = 0.0
    notional = h.price * h.point_value * h.fx
    meta = h.meta
    per_contract = (
        meta["commission_per_contract"].to_numpy() * h.fx
        + meta["spread_pts"].to_numpy() / 2.0 * h.point_value * h.fx
    )
    rate = per_contract / np.abs(notional) + meta["commission_pct"].fillna(0.0).to_numpy()
    vol_ann = h.vol_daily_pct * np.sqrt(DAYS)
    mu = h.forecast / 10.0 * 0.3 * vol_ann
    late = dates[1:]  # day t's numbers, used at t + 1

    def frame(values):
        return pd.DataFrame(values[:-1], index=late, columns=markets)

    covs = [h.risk.estimate(d).cov.loc[markets, markets].to_numpy() / DAYS for d in dates[:-1]]
    sigma = pd.DataFrame(
        np.vstack(covs),
        index=pd.MultiIndex.from_product([late, markets]),
        columns=markets,
    )
    return {
        "returns": returns,
        "prices": pd.DataFrame(notional[:-1], index=dates[:-1], columns=markets),
        "mu": frame(mu / DAYS),
        "rate": frame(rate),
        "hold_pct": frame(100.0 * h.rolls_per_year * 2.0 * rate),
        "sigma": sigma,
    }


def run_cvxportfolio(data: dict[str, pd.DataFrame], base: str):
    """The same optimisation as :data:`OPTIMIZER`, in cvxportfolio's daily units."""
    import cvxportfolio as cvx

    c = OPTIMIZER["constraints"]
    risk = cvx.FullCovariance(data["sigma"])
    tcost = cvx.TransactionCost(a=data["rate"], b=None)
    hold = cvx.HoldingCost(
        long_fees=data["hold_pct"], short_fees=data["hold_pct"], periods_per_year=DAYS
    )
    objective = (
        cvx.ReturnsForecast(data["mu"])
        - OPTIMIZER["risk_aversion"] / 2.0 * risk
        - OPTIMIZER["tcost_aversion"] / DAYS * tcost
        - hold
    )
    policy = cvx.SinglePeriodOptimization(
        objective,
        [
            cvx.LeverageLimit(c["gross_leverage"]),
            cvx.MaxWeights(c["max_weight"]),
            cvx.MinWeights(-c["max_weight"]),
            risk <= c["vol_ceiling"] ** 2 / DAYS,
        ],
        include_cash_return=False,
        solver="CLARABEL",
    )
    simulator = cvx.MarketSimulator(
        returns=data["returns"],
        prices=data["prices"],
        cash_key="cash",
        min_history=pd.Timedelta(0),
        costs=[
            cvx.TransactionCost(a=data["rate"], b=None),
            cvx.HoldingCost(long_fees=data["hold_pct"], short_fees=data["hold_pct"]),
        ],
        round_trades=True,
        base_location=base,
    )
    dates = data["mu"].index
    return simulator.backtest(
        policy, start_time=dates[0], end_time=dates[-1], initial_value=CAPITAL
    )


# (a) the optimiser every day --------------------------------------------------------------
def head(history, days: int):
    """The first ``days`` days of ``history`` (the risk model still fitted on all of it)."""
    n = min(days, len(history))
    arrays = ("price", "ret_pts", "contract_id", "fx", "forecast", "vol_daily_pct")
    return history.with_arrays(
        dates=history.dates[:n], **{a: getattr(history, a)[:n] for a in arrays}
    )


class Meter:
    """Wall time spent inside chosen functions over one run, cvxpy's and CLARABEL's always.

    Each chosen function is wrapped for the run (a ``perf_counter`` pair per call: about a
    microsecond, on seven calls a day), so the timed run is also the measured one. The solver's
    time is the wall time of cvxpy's call into CLARABEL (``solve_via_data``: the data update, or
    the setup, and the solve), not ``solver_stats.solve_time``: after a data update CLARABEL
    0.11 reports more than the wall time of the whole ``Problem.solve`` on most days.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def on(self, targets: dict[str, tuple[object, str]]):
        import cvxpy as cp
        from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import CLARABEL

        targets = {  # a caller may name its own "cvxpy" and "solver"
            "cvxpy": (cp.Problem, "solve"),
            "solver": (CLARABEL, "solve_via_data"),
            **targets,
        }
        saved = [(owner, attr, getattr(owner, attr)) for owner, attr in targets.values()]
        for name, (owner, attr) in targets.items():
            setattr(owner, attr, self._wrap(name, getattr(owner, attr)))
        try:
            yield self
        finally:
            for owner, attr, original in saved:
                setattr(owner, attr, original)

    def _wrap(self, name: str, function):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return timed


def tecton_meter():
    from tecton.optimizer import Optimizer
    from tecton.optimizer.compiled import CompiledClarabel
    from tecton.simulation import History, simulator
    from tecton.simulation.ledger import Ledger
    from tecton.strategy import Strategy

    return Meter(), {
        "risk": (History, "risk_on"),
        "inputs": (History, "inputs"),
        "decide": (Strategy, "decide"),
        "optimizer": (Optimizer, "solve"),
        # tecton applies cvxpy's compiled maps itself: its "cvxpy" part is CompiledClarabel's
        "cvxpy": (CompiledClarabel, "solve"),
        "solver": (CompiledClarabel, "_clarabel"),
        "book": (Ledger, "book"),
        "loop": (simulator, "run_events"),
    }


def breakdown(ours: dict[str, float], theirs: dict[str, float], days: int) -> list[dict]:
    """Milliseconds a day by part; each part excludes the ones inside it."""
    cvx_policy = theirs["policy"]
    parts = [
        ("whole backtest", ours["total"], theirs["total"]),
        ("CLARABEL: data update (or setup) and solve", ours["solver"], theirs["solver"]),
        (
            "cvxpy around it (Parameters applied, problem data, solution unpacked; tecton: "
            "cvxpy's compiled maps applied by CompiledClarabel)",
            ours["cvxpy"] - ours["solver"],
            theirs["cvxpy"] - theirs["solver"],
        ),
        (
            "the policy around cvxpy (tecton: Optimizer.solve's checks and Parameters; "
            "cvxportfolio: each term's day of data, Σ factorised)",
            ours["optimizer"] - ours["cvxpy"],
            cvx_policy - theirs["cvxpy"],
        ),
        (
            "Strategy.decide outside the optimiser (sizing, costs; its table built only when asked)",
            ours["decide"] - ours["optimizer"],
            0.0,
        ),
        (
            "the day's risk estimate (tecton: History.risk_on; cvxportfolio: handed precomputed)",
            ours["risk"],
            0.0,
        ),
        (
            "the books (tecton: Ledger.book; cvxportfolio: its simulator, total - policy)",
            ours["book"],
            theirs["total"] - cvx_policy,
        ),
        ("History.inputs (the day's snapshot and inputs)", ours["inputs"], 0.0),
        (
            "the rest of the loop (positions, fills, the frames at the end)",
            ours["loop"] - ours["decide"] - ours["risk"] - ours["book"] - ours["inputs"],
            0.0,
        ),
        (
            "outside the loop (Strategy built, lake versions looked up)",
            ours["total"] - ours["loop"],
            0.0,
        ),
    ]
    return [
        {"ms per day": name, "tecton": a / days * 1e3, "cvxportfolio": b / days * 1e3}
        for name, a, b in parts
    ]


def agreement(history, portfolio, result) -> dict[str, float]:
    """How alike the two runs are: daily returns aligned on the day each P&L lands."""
    ours = portfolio.returns()
    theirs = result.returns.copy()
    # cvxportfolio's return at t is the move t -> t+1: tecton books it on t+1
    where = history.dates.get_indexer(theirs.index)
    theirs.index = history.dates[where + 1]
    both = pd.concat([ours, theirs], axis=1, join="inner").iloc[1:]
    notional = portfolio.positions.to_numpy() * history.price * history.point_value * history.fx
    gross = np.nansum(np.abs(notional), axis=1) / portfolio.capital.to_numpy()
    return {
        "corr": float(both.corr().iloc[0, 1]),
        "ret_tecton": float(both.iloc[:, 0].mean() * DAYS),
        "ret_cvx": float(both.iloc[:, 1].mean() * DAYS),
        "vol_tecton": float(both.iloc[:, 0].std() * np.sqrt(DAYS)),
        "vol_cvx": float(both.iloc[:, 1].std() * np.sqrt(DAYS)),
        "lev_tecton": float(gross[1:].mean()),
        "lev_cvx": float(result.leverage.mean()),
    }


@contextmanager
def clocks(into: dict[str, list[float]], name: str):
    """Wall and CPU seconds of the block (CPU time moves less when others load the machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into[name].append(time.perf_counter() - wall)
    into[f"{name}_cpu"].append(time.process_time() - cpu)


def compare_optimizer(history, repeats: int) -> tuple[list[dict], list[dict], dict]:
    """tecton's event loop vs cvxportfolio, interleaved, ``repeats`` times each (median)."""
    import cvxportfolio  # noqa: F401  (both sides import cvxpy before any timing)

    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeats):
        meter, targets = tecton_meter()
        with meter.on(targets), clocks(times, "tecton"):
            portfolio = run_tecton(history, "optimizer", "events", compounding=True)
        ours = {**meter.seconds, "total": times["tecton"][-1]}
        with clocks(times, "inputs"):
            data = cvxportfolio_inputs(history)
        meter = Meter()
        with tempfile.TemporaryDirectory() as base, meter.on({}), clocks(times, "cvx"):
            result = run_cvxportfolio(data, base)
        theirs = {
            **meter.seconds,
            "total": times["cvx"][-1],
            "policy": float(np.sum(result.policy_times)),
        }
    med = {k: statistics.median(v) for k, v in times.items()}

    def row(name, *keys):
        wall, cpu = (sum(med[k + suffix] for k in keys) for suffix in ("", "_cpu"))
        return {
            "run": name,
            "seconds": wall,
            "x tecton": wall / med["tecton"],
            "cpu seconds": cpu,
            "x tecton (cpu)": cpu / med["tecton_cpu"],
        }

    rows = [
        row("tecton Simulation, event loop (its risk estimate inside)", "tecton"),
        row("cvxportfolio MarketSimulator + SinglePeriodOptimization", "cvx"),
        row("cvxportfolio + its inputs (tecton's daily risk estimates)", "cvx", "inputs"),
    ]
    return rows, breakdown(ours, theirs, len(history)), agreement(history, portfolio, result)


def profile_events(history, top: int = 15) -> list[dict]:
    """cProfile of tecton's event loop: the functions with the most time of their own."""
    profiler = cProfile.Profile()
    profiler.enable()
    run_tecton(history, "optimizer", "events", compounding=True)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO()).stats
    total = sum(v[2] for v in stats.values())
    ranked = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    return [
        {
            "function (own time)": f"{os.path.basename(f)}:{line} {name}"[:70],
            "calls": v[1],
            "ms/day": v[2] / len(history) * 1e3,
            "share %": 100 * v[2] / total,
        }
        for (f, line, name), v in ranked
    ]


# (b) vol_target ---------------------------------------------------------------------------
def compare_vol_target(history, repeats: int) -> list[dict]:
    times: dict[str, list[float]] = {"vectorised": [], "events": []}
    runs = {}
    for i in range(repeats):
        for path in ("vectorised", "events"):
            if path == "events" and i > 0:
                continue  # one event loop is enough: it takes seconds
            start = time.perf_counter()
            runs[path] = run_tecton(history, "vol_target", path)
            times[path].append(time.perf_counter() - start)
    same = {
        part: getattr(runs["events"], part).equals(getattr(runs["vectorised"], part))
        for part in ("positions", "pnl", "trades")
    }
    if not all(same.values()):
        raise SystemExit(f"the two paths disagree: {same}")
    med = {k: statistics.median(v) for k, v in times.items()}
    return [
        {
            "path": f"{path} ({len(times[path])} run{'s' if len(times[path]) > 1 else ''})",
            "seconds": med[path],
            "x vectorised": med[path] / med["vectorised"],
        }
        for path in ("vectorised", "events")
    ]


# (c) memory -------------------------------------------------------------------------------
def memory_child(source: str) -> None:
    """Run one backtest and print its peak resident memory (this process's, fresh)."""
    start = time.perf_counter()
    if source == "imports":  # the floor: the modules a backtest loads, no data
        from tecton.dal.mantle import Mantle  # noqa: F401
        from tecton.simulation import Simulation

        portfolio, markets, days = None, 0, 0
    elif source == "synthetic":
        history = synthetic_history(32, 25)
        portfolio = run_tecton(history, "vol_target", "auto")
        markets, days = len(history.markets), len(history)
    else:
        from tecton.simulation import Simulation
        from tecton.strategy import Strategy

        portfolio = Simulation(Strategy.from_yaml(source)).run().portfolio
        markets, days = portfolio.positions.shape[1], portfolio.positions.shape[0]
    peak = peak_mib()
    print(
        json.dumps(
            {
                "peak_mib": peak,
                "seconds": time.perf_counter() - start,
                "markets": markets,
                "days": days,
            }
        )
    )


def peak_mib() -> float:
    """This process's peak resident memory, MiB.

    ``VmHWM`` where Linux has it: ``ru_maxrss`` survives ``exec``, so a child started by a
    big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_memory(source: str, home: str | None) -> dict:
    env = dict(os.environ, **({"TECTON_HOME": home} if home else {}))
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.backtest", "--memory-child", source],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# the run ----------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markets", type=int, default=50)
    parser.add_argument("--years", type=float, default=20.0)
    parser.add_argument("--optimizer-years", type=float, default=20.0, help="window of (a)")
    parser.add_argument("--repeats", type=int, default=3, help="(b) vectorised runs (median)")
    parser.add_argument("--optimizer-repeats", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile tecton's loop in (a)")
    parser.add_argument("--profile-years", type=float, default=2.0)
    parser.add_argument("--home", help="a TECTON_HOME with a built warehouse, for (c)")
    parser.add_argument(
        "--strategy", nargs="*", default=["futures_trend_carry"], help="(c) on --home"
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["a", "b", "c"])
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        return memory_child(args.memory_child)

    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"OPENBLAS_NUM_THREADS={blas}")
    if {"a", "b"} - set(args.skip):
        start = time.perf_counter()
        history = synthetic_history(args.markets, args.years)
        print(
            f"synthetic history {len(history)} days x {len(history.markets)} markets: "
            f"{time.perf_counter() - start:.1f} s"
        )
    if "a" not in args.skip:
        window = head(history, int(args.optimizer_years * 261))
        rows, parts, agree = compare_optimizer(window, args.optimizer_repeats)
        print_table(
            f"(a) optimiser every day: {len(window.markets)} markets x {len(window)} days, "
            f"median of {args.optimizer_repeats}",
            rows,
            list(rows[0]),
        )
        print_table("(a) where the time goes", parts, list(parts[0]))
        print(
            "same run: daily returns correlate {corr:.3f}; annual return tecton {ret_tecton:.1%} "
            "/ cvxportfolio {ret_cvx:.1%}, volatility {vol_tecton:.1%} / {vol_cvx:.1%}, "
            "gross leverage {lev_tecton:.2f} / {lev_cvx:.2f}".format(**agree)
        )
        if args.profile:
            rows = profile_events(head(window, int(args.profile_years * 261)))
            print_table("(a) tecton's event loop under cProfile", rows, list(rows[0]))
    if "b" not in args.skip:
        rows = compare_vol_target(history, args.repeats)
        print_table(
            f"(b) vol_target: {len(history.markets)} markets x {len(history)} days "
            "(positions, P&L and trades identical)",
            rows,
            ["path", "seconds", "x vectorised"],
        )
    if "c" not in args.skip:
        sources = ["imports", "synthetic", *(args.strategy if args.home else [])]
        rows = []
        for source in sources:
            what = {"imports": "imports only (no backtest)", "synthetic": "synthetic, vol_target"}
            peak = measure_memory(source, args.home)
            rows.append({"backtest": what.get(source, f"{source} (warehouse)"), **peak})
        print_table(
            "(c) peak memory of a full-universe backtest (fresh process each, VmHWM)",
            rows,
            ["backtest", "markets", "days", "seconds", "peak_mib"],
        )


if __name__ == "__main__":
    main()
