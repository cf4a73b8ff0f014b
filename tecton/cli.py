"""The ``tecton`` command line."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tecton import config
from tecton.progress import displayed

app = typer.Typer(
    help="tecton: checked market data, marts, models and backtests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
lake_app = typer.Typer(help="Inspect and maintain the lake.", no_args_is_help=True)
app.add_typer(lake_app, name="lake")
quality_app = typer.Typer(
    help="Partition checks: recent results, quarantine, manual release.",
    invoke_without_command=True,
)
app.add_typer(quality_app, name="quality")
console = Console()
err = Console(stderr=True)

# Errors a user can cause and fix: shown as one line, never a traceback.
USER_ERRORS = (ValueError, FileNotFoundError, KeyError, PermissionError)


def _quiet_prefect() -> None:
    """Keep Prefect's run chatter and its shutdown noise off the terminal (progress bars say it).

    A failed run is the command's to report, in its own lines: Prefect's run loggers would print
    the same failure again with a traceback (they are configured when Prefect sets up logging,
    so through its settings, not here).
    """
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "CRITICAL")
    for name in (
        "prefect.server",
        "prefect.server.services.task_run_recorder",
        "prefect._internal",
    ):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _markets(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [m.strip().upper() for v in values for m in v.split(",") if m.strip()]


MarketsOpt = Annotated[
    list[str] | None,
    typer.Option("--markets", "-m", help="Market ids (repeat or comma-separate); default: all."),
]
StartOpt = Annotated[str, typer.Option(help="First date, YYYY-MM-DD.")]
EndOpt = Annotated[str, typer.Option(help="Last date, YYYY-MM-DD.")]
SeedOpt = Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")]


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the vendor CSVs into.")],
    markets: MarketsOpt = None,
    start: StartOpt = "2000-01-01",
    end: EndOpt = "2024-12-31",
    seed: SeedOpt = 42,
    defects: Annotated[
        int,
        typer.Option(
            help="Inject this many defects of each kind (spikes, gaps, duplicates, stale, bad OHLC)."
        ),
    ] = 0,
) -> None:
    """Write a deterministic synthetic futures universe as vendor CSVs (one file per contract, fundamentals per market)."""
    summary = _generate(out, _markets(markets), _date(start), _date(end), seed, defects)
    console.print(
        f"wrote {summary.files:,} files ({summary.contracts:,} contracts, {summary.rows:,} bars, {summary.fundamentals:,} fundamentals releases) to {out}"
    )


def _generate(out, markets, start, end, seed, defects):
    from tecton.data.synthetic import generate as gen
    from tecton.markets.metadata import market_specs

    total = len(markets or market_specs())
    try:
        with displayed(console) as progress:
            task = progress.add_task("generating markets", total=total)
            return gen(
                out,
                markets,
                start,
                end,
                seed=seed,
                defects=defects,
                progress=lambda done: progress.update(task, completed=done),
            )
    except USER_ERRORS as e:
        _fail(str(e))


@app.command()
def ingest(
    source: Annotated[Path, typer.Argument(help="A raw file or a folder of them.")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="vendor-csv (with its fundamentals/ and fx/ subfolders), pysystemtrade, fundamentals-csv or fx-csv.",
        ),
    ] = "vendor-csv",
    lake: Annotated[
        str | None,
        typer.Option(
            help="Lake root: a path or s3:// URL (default $TECTON_LAKE or $TECTON_HOME/lake)."
        ),
    ] = None,
    replace_source: Annotated[
        bool,
        typer.Option(
            "--replace-source",
            help="Switch the markets another source feeds to this one (their old rows leave the current version; time travel keeps them). Without it such files are refused.",
        ),
    ] = False,
) -> None:
    """Land new and revised raw files in the lake; bad files are set aside with a reason."""
    report = _ingest(source, format, lake, replace_source)
    _print_report(report)
    if report.rejected:
        raise typer.Exit(1)


def _ingest(source: Path, fmt: str, lake: str | None, replace_source: bool = False):
    from tecton.data.readers import reader

    try:
        reader(fmt)
        if not source.exists():
            raise FileNotFoundError(f"{source} does not exist")
    except USER_ERRORS as e:
        _fail(str(e))
    _quiet_prefect()
    from flows import in_process
    from flows.ingest import ingest as ingest_flow

    with displayed(console), in_process():
        return ingest_flow(str(source), fmt, lake, replace_source=replace_source)


def _print_report(report) -> None:
    table = Table(title=f"ingest into {report.lake}", title_justify="left")
    for col in ("files landed", "unchanged", "rejected", "rows", "table versions"):
        table.add_column(col, justify="right" if col != "table versions" else "left")
    versions = ", ".join(f"{k} v{v}" for k, v in report.versions.items()) or "-"
    table.add_row(
        f"{len(report.landed):,}",
        f"{len(report.unchanged):,}",
        f"{len(report.rejected):,}",
        f"{report.rows:,}",
        versions,
    )
    console.print(table)
    from tecton.lake.sources import SourceRefused, refusal_lines

    # files refused for their source are summed up in one line per feeder, not one per file
    for outcome in report.rejected:
        if not isinstance(outcome.error, SourceRefused):
            err.print(
                f"[yellow]set aside[/yellow] {escape(str(outcome.error))}",
                highlight=False,
                soft_wrap=True,
            )
    for line in refusal_lines(report.rejected):
        err.print(f"[yellow]{escape(line)}[/yellow]", highlight=False, soft_wrap=True)


@app.command()
def build(
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Rebuild every model from scratch.")
    ] = False,
    lake_version: Annotated[
        int | None, typer.Option(help="Build from this lake (Delta) version.")
    ] = None,
    lake_as_of: Annotated[
        str | None, typer.Option(help="Build from the lake as it was at this ISO time.")
    ] = None,
) -> None:
    """Build the marts (dbt on DuckDB) from the lake; every dbt test runs too."""
    report = _build(full_refresh, lake_version, lake_as_of)
    console.print(
        f"built {report.nodes} models and tests into {report.warehouse} ({report.seconds:.1f} s of dbt)"
    )


def _build(
    full_refresh: bool = False, lake_version: int | None = None, lake_as_of: str | None = None
):
    _quiet_prefect()
    from flows import in_process
    from flows.build import build as build_flow
    from tecton.dal.warehouse import BuildFailed

    try:
        with displayed(console), in_process():
            return build_flow(full_refresh, lake_version, lake_as_of)
    except BuildFailed as failed:
        for failure in failed.report.failures:
            err.print(f"[red]failed[/red] {escape(str(failure))}", highlight=False, soft_wrap=True)
        _fail(
            f"{len(failed.report.failures)} model(s) or test(s) failed; the marts above them were not rebuilt"
        )
    except USER_ERRORS as e:
        _fail(str(e))


@app.command()
def signals(
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            help="A registered model name or a model YAML path (repeat); default: futures_trend_carry and futures_fundamental.",
        ),
    ] = None,
    markets: Annotated[
        list[str] | None,
        typer.Option(
            "--markets",
            "-m",
            help="Run the models on these markets instead of their own universes (repeat or comma-separate).",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            help="First date fitted, YYYY-MM-DD (earlier bars warm the rules up); default: all."
        ),
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Last date fitted, YYYY-MM-DD; default: all.")
    ] = None,
) -> None:
    """Fit factor models on the marts and store their forecasts (Mantle.Tables.signals.forecasts)."""
    names = _signals(model, _markets(markets), _date(start), _date(end))
    for name in names:
        _print_forecasts(name)


def _signals(
    models: list[str] | None,
    markets: list[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[str]:
    from tecton.factor_model import DEFAULT_MODELS, FactorModel

    try:  # a bad model file is the user's to fix: say so before any work starts
        names = [FactorModel.from_yaml(m).name for m in models or DEFAULT_MODELS]
    except USER_ERRORS as e:
        _fail(str(e))
    _quiet_prefect()
    from flows import in_process
    from flows.signals import signals as signals_flow
    from tecton.dal.warehouse import BuildFailed

    try:
        with displayed(console), in_process():
            signals_flow(models, markets, start and start.isoformat(), end and end.isoformat())
    except BuildFailed as failed:
        _fail(
            f"forecasts stored, but serving them failed: {'; '.join(map(str, failed.report.failures))}"
        )
    except USER_ERRORS as e:
        _fail(str(e))
    return names


def _print_forecasts(model: str, shown: int = 8) -> None:
    """The latest combined forecast of each market, read back through Mantle as a notebook would."""
    from tecton.dal.mantle import Mantle

    forecasts = Mantle.Tables.signals.forecasts
    rows = Mantle.select(
        forecasts, columns=["rule", "forecast"], where={"model": model, "rule": "combined"}
    )
    Mantle.close()
    last = rows.sort_values("trade_date").groupby("market_id").tail(1)
    last = last.reindex(last.forecast.abs().sort_values(ascending=False).index)
    table = Table(
        title=f"{model}: latest combined forecasts",
        title_justify="left",
        caption="strongest first; all in Mantle.Tables.signals.forecasts",
        caption_justify="left",
        min_width=56,
    )
    for col in ("market", "trade date", "forecast"):
        table.add_column(col, justify="right" if col == "forecast" else "left")
    for r in last.head(shown).itertuples():
        table.add_row(r.market_id, str(r.trade_date.date()), f"{r.forecast:+.2f}")
    console.print(table)
    if len(last) > shown:
        console.print(f"... and {len(last) - shown} more markets")


@app.command()
def demo(
    markets: MarketsOpt = None,
    start: StartOpt = "2000-01-01",
    end: EndOpt = "2024-12-31",
    seed: SeedOpt = 42,
) -> None:
    """Run the whole platform on the embedded synthetic market (no download, no service)."""
    home = config.home()
    console.print(f"[bold]tecton demo[/bold]  data home: {home}  (set TECTON_HOME to move it)")
    raw = home / "incoming" / "synthetic"
    _generate(raw, _markets(markets), _date(start), _date(end), seed, 0)
    report = _ingest(raw, "vendor-csv", None)
    _print_report(report)
    _print_lake(report.lake)
    _print_quality(report.lake, runs=1)
    built = _build()
    console.print(f"built {built.nodes} models and tests into {built.warehouse}")
    _print_continuous(_markets(markets))
    for name in _signals(None, _markets(markets)):
        _print_forecasts(name)
    _demo_backtest(_markets(markets))


def _demo_backtest(markets: list[str] | None, strategy: str = "futures_trend_carry") -> None:
    """The default strategy over the whole synthetic history, stored and served like any run."""
    _quiet_prefect()
    from flows import in_process
    from flows.research import research

    with displayed(console), in_process():
        run_id = research(strategy, markets=markets)
    _print_runs(f"backtest of {strategy} (tecton backtest {strategy})", run_id=run_id)
    console.print(f"tear sheet: {_tear_sheet(run_id)}  (tecton report {run_id})", highlight=False)


def _print_continuous(markets: list[str] | None, rows: int = 4) -> None:
    """The last few days of a few continuous series, read as a notebook would (through Mantle)."""
    from tecton.dal.mantle import Mantle

    cont = Mantle.Tables.futures.cont
    shown = markets or ["CRUDE", "SP500", "US10", "GOLD"]
    last = Mantle.select(
        cont, "1900-01-01", "2100-01-01", columns=["trade_date"], markets=shown
    ).trade_date.max()
    df = Mantle.select(
        cont,
        last,
        last,
        columns=["contract_id", "price", "price_adj", "price_adj_ratio", "is_roll"],
        markets=shown,
        lookback=rows - 1,
    )
    Mantle.close()
    table = Table(
        title="continuous contracts (futures.cont, Panama and ratio back-adjusted)",
        title_justify="left",
    )
    for col in df.columns:
        table.add_column(col, justify="right" if df[col].dtype.kind == "f" else "left")
    for row in df.itertuples(index=False):
        table.add_row(
            *[
                f"{v:,.4f}"
                if isinstance(v, float)
                else str(v)[:10]
                if col == "trade_date"
                else str(v)
                for col, v in zip(df.columns, row, strict=True)
            ]
        )
    console.print(table)


def _print_quality(root: str, runs: int = 5) -> None:
    from tecton.lake import Lake
    from tecton.quality.report import open_quarantine, recent, write_html

    lake = Lake(root)
    rows, held = recent(lake, runs), open_quarantine(lake)
    table = Table(title=f"partitions checked in the last {runs} run(s)", title_justify="left")
    for col in ("run", "partition", "status", "rows", "failing", "failed rules"):
        table.add_column(col, justify="right" if col in ("rows", "failing") else "left")
    passed = [r for r in rows if r["status"] == "promoted"]
    shown = [r for r in rows if r["status"] != "promoted"] + passed[
        : max(0, 20 - len(rows) + len(passed))
    ]
    for r in shown:
        colour = {"quarantined": "red", "rejected": "red", "accepted": "yellow"}.get(
            r["status"], "green"
        )
        table.add_row(
            r["run_id"],
            r["partition"] or "",
            f"[{colour}]{r['status']}[/{colour}]",
            f"{r['rows'] or 0:,}",
            f"{r['failing'] or 0:,}",
            escape(r["rules"]),
        )
    console.print(table)
    if len(shown) < len(rows):
        console.print(
            f"... and {len(rows) - len(shown):,} more promoted partitions (all in the report)"
        )
    bad = sum(r["status"] in ("quarantined", "rejected") for r in rows)
    console.print(
        f"quality: {len(passed):,} partitions promoted, {bad:,} quarantined or rejected, {len(held):,} partition(s) held in quarantine"
    )
    console.print(
        f"quality report: {write_html(lake, rows, held)}", highlight=False, soft_wrap=True
    )


@quality_app.callback()
def quality(
    ctx: typer.Context,
    runs: Annotated[int, typer.Option(help="How many recent runs to show.")] = 5,
    lake: Annotated[
        str | None, typer.Option(help="Lake root (default $TECTON_LAKE or $TECTON_HOME/lake).")
    ] = None,
) -> None:
    """Partitions checked in recent runs (pass/fail, failed rules, counts) and the HTML report."""
    if ctx.invoked_subcommand is None:
        _print_quality(lake or config.lake_uri(), runs)


@quality_app.command("accept")
def quality_accept(
    partition: Annotated[
        str, typer.Argument(help="A quarantined partition, MARKET/YEAR (e.g. CRUDE/2020).")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the odd prints are real (kept in the audit log).")
    ],
    lake: Annotated[str | None, typer.Option(help="Lake root.")] = None,
) -> None:
    """Release a quarantined partition into bars (one commit), recording who, why and when."""
    from tecton.lake import Lake
    from tecton.quality import accept

    try:
        record = accept(Lake(lake), partition, reason)
    except USER_ERRORS as e:
        _fail(str(e))
    console.print(
        f"accepted {record['partition']}: {record['message']} (by {record['actor']}: {record['reason']})"
    )


@app.command()
def rebalance(
    strategy: Annotated[
        str,
        typer.Argument(
            help="A registered strategy name (tecton/strategy/*.yaml) or a strategy YAML path."
        ),
    ],
    holdings: Annotated[
        Path | None,
        typer.Option(help="CSV of current holdings: market_id,contracts (default: none held)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Rebalance date, YYYY-MM-DD (default: the last day with prices)."
        ),
    ] = None,
    orders: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the orders CSV (default: $TECTON_HOME/orders/STRATEGY/DATE.csv; a .md report beside it)."
        ),
    ] = None,
) -> None:
    """Size a strategy's forecasts into whole contracts: print targets and trades, write orders."""
    from tecton.strategy import Strategy, read_holdings

    try:
        chosen = Strategy.from_yaml(strategy)
        held = read_holdings(holdings) if holdings is not None else None
        with console.status(f"rebalancing {chosen.name} (fitting its model on the marts)"):
            decision = chosen.rebalance(held, _date(as_of))
    except USER_ERRORS as e:
        _fail(str(e))
    _print_decision(decision)
    from tecton.strategy.orders import write_orders

    path = write_orders(decision, orders)
    console.print(
        f"{len(decision.orders())} order(s) written to {path} (report beside it)", highlight=False
    )


def _print_decision(decision) -> None:
    explained = decision.explain()
    ccy = decision.base_currency
    table = Table(
        title=f"{decision.strategy} on {decision.as_of.date()}",
        title_justify="left",
        caption=f"costs in {ccy}; buffer = the no-trade zone in whole contracts",
        caption_justify="left",
    )
    for col in (
        "market",
        "forecast",
        "price",
        "unrounded",
        "buffer",
        "held",
        "target",
        "trade",
        f"cost {ccy}",
        "cost SR",
        "why",
    ):
        table.add_column(col, justify="left" if col in ("market", "why") else "right")
    for market, r in explained.iterrows():
        table.add_row(
            market,
            f"{r.forecast:+.1f}",
            f"{r.price:,.4g}",
            f"{r.unrounded:+.2f}",
            f"{r.buffer_lower:+.0f}..{r.buffer_upper:+.0f}"
            if r.buffer_lower == r.buffer_lower
            else "",
            f"{r.current:+d}",
            f"{r.target:+d}",
            f"{r.trade:+d}" if r.trade else "",
            f"{r.cost:,.2f}" if r.cost else "",
            f"{r.cost_sr_round_trip:.4f}",
            r.reason,
        )
    console.print(table)
    for warning in decision.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False, soft_wrap=True)
    if decision.fallback:
        err.print(
            f"[yellow]warning:[/yellow] optimiser not used, holdings kept: {escape(decision.fallback)}",
            highlight=False,
        )
    console.print(
        f"expected cost {decision.costs.sum():,.2f} {ccy} for {int((decision.trades != 0).sum())} market(s) trading",
        highlight=False,
    )


@app.command()
def backtest(
    strategy: Annotated[
        str | None,
        typer.Argument(
            help="A registered strategy name (tecton/strategy/*.yaml) or a strategy YAML path."
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            help="First day traded, YYYY-MM-DD (default: as far back as the marts allow)."
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(help="Last day traded, YYYY-MM-DD (default: the last day with prices)."),
    ] = None,
    capital: Annotated[
        float | None,
        typer.Option(help="Starting capital in the base currency (default: the strategy's)."),
    ] = None,
    allow_unchecked: Annotated[
        bool,
        typer.Option(
            "--allow-unchecked",
            help="Run even on quarantined or unchecked partitions (recorded in the run's manifest).",
        ),
    ] = False,
    fill: Annotated[
        str,
        typer.Option(
            help="Fill each decision at the next 'close', or the next 'open' where the bars have one.",
        ),
    ] = "close",
    rerun: Annotated[
        str | None,
        typer.Option(
            "--rerun",
            help="Rerun a stored run on the data it read; say whether it reproduces bit for bit and what changed since.",
        ),
    ] = None,
) -> None:
    """Backtest a strategy over history (it sees only the past), store the run and serve it as marts."""
    if rerun is not None:
        return _rerun(rerun)
    if strategy is None:
        _fail("name a strategy (or --rerun RUN)")
    from tecton.strategy import Strategy

    try:  # a bad strategy file or window is the user's to fix: say so before any work starts
        name = Strategy.from_yaml(strategy).name
        first, last = _date(start), _date(end)
        if capital is not None and not (capital > 0 and capital != float("inf")):
            raise ValueError(f"--capital must be a positive number, got {capital}")
        if fill not in ("close", "open"):
            raise ValueError(f"--fill must be close or open, got {fill!r}")
    except USER_ERRORS as e:
        _fail(str(e))
    _quiet_prefect()
    from flows import in_process
    from flows.research import research
    from tecton.dal.warehouse import BuildFailed

    try:
        with displayed(console), in_process():
            run_id = research(
                strategy,
                first and first.isoformat(),
                last and last.isoformat(),
                capital,
                allow_unchecked=allow_unchecked,
                fill=fill,
            )
    except BuildFailed as failed:
        _fail(f"run stored, but serving it failed: {'; '.join(map(str, failed.report.failures))}")
    except USER_ERRORS as e:
        _fail(str(e))
    _print_runs(f"backtest of {name}", run_id=run_id)
    console.print(f"tear sheet: tecton report {run_id}", highlight=False)
    console.print(
        f"stored as run {run_id}: Mantle.select(Mantle.Tables.backtests.pnl, where={{'run_id': '{run_id}'}})",
        highlight=False,
    )


@app.command()
def report(
    run: Annotated[str, typer.Argument(help="A stored run id (tecton runs lists them).")],
    out: Annotated[
        Path | None,
        typer.Option(
            help="A folder, or an .html path (default: $TECTON_HOME/reports/RUN/tearsheet.html)."
        ),
    ] = None,
    by_rule: Annotated[
        bool,
        typer.Option(
            "--by-rule/--no-by-rule",
            help="Attribute P&L to the alpha model's rules (refits the alpha model: a few seconds).",
        ),
    ] = True,
) -> None:
    """Write a run's HTML tear sheet (plots, figures, PSR/DSR over the trials, lineage) and PNG copies."""
    path = _tear_sheet(run, out, by_rule)
    console.print(f"tear sheet of run {run}: {path}", highlight=False)


def _tear_sheet(run_id: str, out: Path | None = None, by_rule: bool = True) -> Path:
    from tecton.portfolio.report import write_tear_sheet

    try:
        with console.status(f"writing the tear sheet of run {run_id}"):
            return write_tear_sheet(run_id, out, by_rule=by_rule)
    except USER_ERRORS as e:
        _fail(str(e))


def _rerun(run_id: str) -> None:
    from tecton.simulation.rerun import rerun

    try:
        with displayed(console):
            outcome = rerun(run_id)
    except USER_ERRORS as e:
        _fail(str(e))
    console.print(outcome.describe(), highlight=False)
    if not outcome.reproduced:
        raise typer.Exit(1)


@app.command()
def runs(
    shown: Annotated[int, typer.Option("--last", help="How many of the newest runs to show.")] = 20,
) -> None:
    """Stored backtest runs, newest first: id, strategy, window, data version, headline figures."""
    _print_runs("backtest runs", shown=shown)


def _print_runs(title: str, run_id: str | None = None, shown: int = 20) -> None:
    from tecton.simulation.store import list_runs

    rows = list_runs()
    if run_id is not None:
        rows = rows[rows["run_id"] == run_id]
    if rows.empty:
        console.print("no stored runs: `tecton backtest STRATEGY` runs and stores one")
        return
    table = Table(
        title=title,
        title_justify="left",
        caption="return, vol and costs a year; turnover: notional traded a year / capital",
        caption_justify="left",
    )
    for col in (
        "run",
        "strategy",
        "window",
        "data",
        "return",
        "vol",
        "Sharpe",
        "max DD",
        "turnover",
        "costs",
    ):
        table.add_column(
            col, justify="left" if col in ("run", "strategy", "window", "data") else "right"
        )
    for r in rows.head(shown).itertuples():
        table.add_row(
            r.run_id,
            r.strategy,
            f"{_day(r.start)}..{_day(r.end)}",
            r.data_version,
            f"{r.ann_return:.1%}",
            f"{r.ann_vol:.1%}",
            f"{r.sharpe:.2f}",
            f"{r.max_drawdown:.1%}",
            f"{r.turnover:.1f}",
            f"{r.cost_ann:.2%}",
        )
    console.print(table)


def _day(value) -> str:
    return str(value)[:10]


def _print_lake(root: str) -> None:
    from tecton.lake import Lake
    from tecton.lake.summary import bars_by_market, tables

    lake = Lake(root)
    markets = Table(title="bars by market", title_justify="left")
    for col in ("market", "contracts", "bars", "first", "last"):
        markets.add_column(col, justify="left" if col == "market" else "right")
    for r in bars_by_market(lake):
        markets.add_row(
            r["market_id"], f"{r['contracts']:,}", f"{r['bars']:,}", str(r["first"]), str(r["last"])
        )
    console.print(markets)
    summary = Table(title=f"lake at {root}", title_justify="left")
    for col in ("table", "version", "rows", "files"):
        summary.add_column(col, justify="left" if col == "table" else "right")
    for r in tables(lake):
        summary.add_row(r["table"], str(r["version"]), f"{r['rows']:,}", f"{r['files']:,}")
    console.print(summary)


@lake_app.command("info")
def lake_info(
    lake: Annotated[
        str | None, typer.Option(help="Lake root (default $TECTON_LAKE or $TECTON_HOME/lake).")
    ] = None,
) -> None:
    """Tables, versions and bars per market."""
    _print_lake(lake or config.lake_uri())


@lake_app.command("vacuum")
def lake_vacuum(
    lake: Annotated[str | None, typer.Option(help="Lake root.")] = None,
    min_age_hours: Annotated[
        int, typer.Option(help="Only remove orphans older than this (protects writes in flight).")
    ] = 1,
) -> None:
    """Remove data files no table version refers to (left by a killed write); history is kept."""
    from tecton.lake import Lake

    removed = Lake(lake).remove_orphans(dt.timedelta(hours=min_age_hours))
    console.print(f"removed {len(removed)} orphaned file(s)")
    for path in removed:
        console.print(f"  {path}", highlight=False)


def main() -> None:  # pragma: no cover - console entry for `python -m tecton.cli`
    app()


if __name__ == "__main__":
    sys.exit(main())
