"""The tear sheet's sections: which plots it draws and the HTML around them, from a TearSheet."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tecton.portfolio import attribution
from tecton.portfolio.analytics import HEADLINE
from tecton.portfolio.report import page, plots
from tecton.portfolio.report.page import esc

if TYPE_CHECKING:
    from tecton.portfolio.report.sheet import TearSheet

TRIAL_FIGURES = ("psr", "dsr", "trials", "trials_sharpe_var", "expected_max_sharpe")
TOP_DRAWDOWNS = 5


class Parts:
    """What several sections share, each computed once: figures, the split by rule."""

    def __init__(self, sheet: TearSheet):
        self.sheet, self.a = sheet, sheet.analytics

    @cached_property
    def figures(self) -> dict[str, float]:
        """The headline figures and the trials' (what the page prints with ``data-figure``)."""
        a, t = self.a, self.sheet.trials
        out = a.summary()
        # a run without a finite Sharpe ratio (it never traded: a window shorter than the warm-up)
        # has no deflated one either: the page shows n/a
        finite = [s for s in t.sharpes if np.isfinite(s)]
        out["dsr"] = a.deflated_sharpe(finite) if finite and np.isfinite(a.sharpe) else float("nan")
        out["trials"] = float(t.n)
        out["trials_sharpe_var"] = t.variance
        out["expected_max_sharpe"] = t.expected_max_sharpe(a.days)
        return out

    @cached_property
    def has_exposure(self) -> bool:
        p = self.a.portfolio
        return p.exposure is not None and not p.exposure.isna().all().all()

    @cached_property
    def rule_weights(self) -> dict[str, float]:
        # the forecasts carry their (dated) weights already
        return dict.fromkeys(self.sheet.rule_forecasts or {}, 1.0)

    @cached_property
    def rule_daily(self) -> pd.DataFrame:
        """Dates x rules: each rule's share of the daily return."""
        returns = self.a.market_returns()
        return attribution.rule_attribution(returns, self.sheet.rule_forecasts, self.rule_weights)

    @cached_property
    def rule_table(self) -> pd.DataFrame:
        return self.a.pnl_by_rule(self.sheet.rule_forecasts, self.rule_weights)


def plots_of(parts: Parts) -> list[tuple[str, str, Callable[[], Figure]]]:
    """``(file name, caption, draw)`` of every plot the sheet can draw, in page order."""
    a, sheet = parts.a, parts.sheet
    out = [
        ("equity", "Cumulative return; the deepest drawdowns shaded.", lambda: plots.equity(a)),
        ("rolling", "126-day Sharpe ratio, 63-day volatility.", lambda: plots.rolling(a)),
        ("monthly", "Monthly returns.", lambda: plots.monthly(a)),
    ]
    if parts.has_exposure:
        out.append(
            (
                "exposures",
                "Gross exposure by asset class (stacked) and net exposure.",
                lambda: plots.exposures(a.exposures_by_asset_class(), a.exposures()["net"]),
            )
        )
    out.append(
        (
            "attribution_market",
            "Each market's mean daily contribution x days a year (they add up to the annual return).",
            lambda: plots.attribution_by_market(a.pnl_by_market(), a.asset_classes or {}),
        )
    )
    if sheet.rule_forecasts:
        out.append(
            (
                "attribution_rule",
                "Each day's P&L of a market split by the rules' shares of its combined forecast "
                "the day before (an approximation: caps, rounding and buffering are ignored); "
                "on days the rules cancel out (their forecasts sum to under 1 of an average "
                "10) it is left unattributed.",
                lambda: plots.attribution_by_rule(parts.rule_daily),
            )
        )
    out.append(
        ("costs", "Trading and roll costs over capital.", lambda: plots.costs(a.costs(), a.days))
    )
    return out


def render(parts: Parts, pictures: dict[str, tuple[str, str]], notes: list[str], path: Path) -> str:
    """The whole page (``pictures``: name -> (data URI, caption), in order)."""
    sheet, a = parts.sheet, parts.a
    body = [
        header(sheet, path),
        page.cards(parts.figures),
        "<h2>Figures</h2><div class='cols'>",
        f"<div><h3>Headline</h3>{page.figures_table(parts.figures, HEADLINE)}</div>",
        f"<div>{trials(parts)}</div></div>",
        "<h2>Plots</h2>",
    ]
    for name, (uri, caption) in pictures.items():
        body.append(page.plot(name, uri, caption))
        body.append(_after_plot(name, parts))
    body += [drawdowns(a), lineage(sheet), "<h2>Strategy definition</h2>"]
    body.append(f"<pre>{esc(sheet.definition_yaml)}</pre>")
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        body.append(f"<h2>Notes</h2><ul class='notes'>{items}</ul>")
    return page.page(f"{sheet.title} {sheet.run_id}: tear sheet", "".join(body))


def header(sheet: TearSheet, path: Path) -> str:
    a = sheet.analytics
    r = a.returns
    window = f"{r.index[0]:%Y-%m-%d} to {r.index[-1]:%Y-%m-%d}" if len(r) else "no days"
    facts = [
        f"run <code>{esc(sheet.run_id)}</code>",
        window,
        f"{len(r):,} days, {a.days} a year",
        "compounding" if a.compound else "fixed capital",
    ]
    if a.portfolio is not None:
        facts.append(f"{a.portfolio.capital.iloc[0]:,.0f} {esc(a.portfolio.base_currency)}")
    if sheet.created_at is not None:
        facts.append(f"stored {sheet.created_at:%Y-%m-%d %H:%M} UTC")
    out = [f"<h1>{esc(sheet.title)}</h1><div class='muted'>{' · '.join(facts)}</div>"]
    overrides = sheet.manifest.overrides if sheet.manifest else []
    if overrides:
        items = "".join(f"<li>{esc(o)}</li>" for o in overrides)
        out.append(
            f"<div class='override' id='overrides'><strong>Overrides: this run was allowed to "
            f"read data that did not pass the checks.</strong><ul>{items}</ul></div>"
        )
    if sheet.quality_report is not None:
        href = Path(os.path.relpath(sheet.quality_report, path.parent)).as_posix()
        out.append(
            f"<p>Data quality: <a id='quality-report' href='{esc(href)}'>the quality report"
            "</a> of the lake this run read.</p>"
        )
    else:
        out.append("<p class='muted'>Data quality: no quality report written yet "
                   "(<code>tecton quality</code> writes it).</p>")  # fmt: skip
    return "".join(out)


def trials(parts: Parts) -> str:
    t = parts.sheet.trials
    runs = t.runs.assign(created_at=t.runs["created_at"].map(_when)).set_index("run_id")
    runs = runs.rename(columns={"created_at": "stored (UTC)", "sharpe": "Sharpe"})
    table = page.frame_table(runs, {"Sharpe": "num"}, index="run")
    this = esc(parts.sheet.run_id)
    table = table.replace(f"<tr><td>{this}</td>", f"<tr class='this'><td>{this}</td>", 1)
    return (
        "<h3>Trials (Bailey and Lopez de Prado)</h3>"
        + page.figures_table(parts.figures, TRIAL_FIGURES)
        + f"<p class='muted'>{esc(t.note)}. The deflated Sharpe ratio is the probability that the "
        "true Sharpe ratio beats the best that many worthless strategies would show.</p>" + table
    )


def _when(value) -> str:
    return "" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def _after_plot(name: str, parts: Parts) -> str:
    """The table that goes with a plot, if any."""
    a = parts.a
    share = {"pnl": "int", "ann_return": "pct", "share": "pct"}
    if name == "attribution_market" and a.asset_classes:
        return "<h3>By asset class</h3>" + page.frame_table(
            a.pnl_by_asset_class(), share, index="asset class"
        )
    if name == "attribution_rule":
        return "<h3>By rule</h3>" + page.frame_table(parts.rule_table, share, index="rule")
    return ""


def drawdowns(a) -> str:
    periods = plots.drawdown_spells(a, TOP_DRAWDOWNS)
    for c in ("peak", "trough", "recovery"):
        periods[c] = periods[c].map(lambda d: "" if pd.isna(d) else f"{d:%Y-%m-%d}")
    periods.index = range(1, len(periods) + 1)
    table = page.frame_table(periods, {"depth": "pct", "days": "int"}, index="#")
    return f"<h2>Deepest drawdowns</h2>{table}"


def lineage(sheet: TearSheet) -> str:
    m = sheet.manifest
    if m is None:
        return "<h2>Lineage</h2><p>This run was stored without a manifest.</p>"
    statuses = Counter(p["status"] for p in m.partitions)
    facts = {
        "partitions read": ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) or "none",
        "overrides": "; ".join(m.overrides) or "none",
        "as of": m.as_of or "the lake as it stood when run",
        "lake": m.lake_root,
        "lake versions": " ".join(f"{k}@{v}" for k, v in sorted(m.lake_versions.items())),
        "tecton": m.package_version,
        "code commit": m.code_commit or "unknown",
        **{f"{k} version": v for k, v in sorted(m.versions.items())},
        "strategy sha256": m.strategy_sha256,
        "model sha256": m.model_sha256,
        "result sha256": m.result_sha256,
        **{f"parameter {k}": v for k, v in sorted(m.parameters.items())},
        "manifest written": m.created_at,
    }
    return (
        "<h2>Lineage</h2>"
        + page.mapping_table(facts)
        + "<h3>Partitions read</h3>"
        + partitions(m.partitions)
    )


def partitions(rows: list[dict]) -> str:
    """One row per market: the years read and any that did not pass the checks."""
    if not rows:
        return "<p class='muted'>none</p>"
    frame = pd.DataFrame(rows)
    out = []
    for market, g in frame.groupby("market_id", sort=True):
        bad = g[~g["status"].isin(("promoted", "accepted"))]
        flagged = ", ".join(f"{y} ({s})" for y, s in zip(bad["year"], bad["status"], strict=True))
        counts = ", ".join(f"{n} {s}" for s, n in sorted(Counter(g["status"]).items()))
        out.append((market, f"{g['year'].min()}-{g['year'].max()}", counts, flagged))
    table = pd.DataFrame(out, columns=["market", "years", "statuses", "not passed"])
    return page.frame_table(table.set_index("market"), {}, index="market")
