"""The tear sheet's HTML: style sheet, figure formats, tables and sections (no script, no CDN).

Every figure printed is also carried exactly: ``<td data-figure="sharpe" data-value="0.8123...">``
holds the float's ``repr`` beside its rounded text, so a reader (or a test) can check the page
against the analytics without parsing rounded text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping

import pandas as pd

# figure -> (label, format); formats: pct, pct2 (two decimals of a percent), num, int
FIGURES: dict[str, tuple[str, str]] = {
    "ann_return": ("Annual return", "pct"),
    "ann_vol": ("Annual volatility", "pct"),
    "sharpe": ("Sharpe ratio", "num"),
    "max_drawdown": ("Maximum drawdown", "pct"),
    "turnover": ("Turnover (capital traded a year)", "num"),
    "cost_ann": ("Costs a year (over capital)", "pct2"),
    "gross_sharpe": ("Sharpe ratio before costs", "num"),
    "sortino": ("Sortino ratio", "num"),
    "calmar": ("Calmar ratio", "num"),
    "max_drawdown_days": ("Longest drawdown (trading days)", "int"),
    "skew": ("Skew", "num"),
    "kurtosis": ("Kurtosis (3 for a normal)", "num"),
    "tail_ratio": ("Tail ratio", "num"),
    "hit_rate": ("Hit rate (days up)", "pct"),
    "cost_sharpe": ("Cost drag (Sharpe units)", "num"),
    "psr": ("Probabilistic Sharpe ratio (vs 0)", "num"),
    "dsr": ("Deflated Sharpe ratio", "num"),
    "trials": ("Trials on the same data", "int"),
    "trials_sharpe_var": ("Variance of the trials' Sharpe ratios", "num"),
    "expected_max_sharpe": ("Expected best Sharpe of that many worthless trials", "num"),
}
CARDS = ("sharpe", "ann_return", "ann_vol", "max_drawdown", "psr", "dsr")

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;
 padding:0 16px;color:#1d2328;background:#fff}
h1{margin-bottom:2px}h2{margin-top:36px;border-bottom:1px solid #dde2e6;padding-bottom:4px}
h3{margin:18px 0 6px}
.muted{color:#5f6b76;font-size:0.9em}
.override{border:2px solid #c62828;background:#fdecea;border-radius:8px;padding:10px 16px;margin:16px 0}
.override strong{color:#b71c1c}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #dde2e6;border-radius:8px;padding:10px 16px;min-width:130px}
.card .n{font-size:1.7em;font-weight:600;font-variant-numeric:tabular-nums}
.card .k{color:#5f6b76;font-size:0.85em}
.card.bad{border-left:6px solid #e57373}.card.good{border-left:6px solid #81c784}
.cols{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}.cols>div{max-width:600px}
table{border-collapse:collapse;font-size:0.88em;margin:6px 0}
th,td{padding:3px 10px;text-align:left;border-bottom:1px solid #eef1f3}
th{background:#f5f7f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.this td{font-weight:600;background:#f3f8fc}
figure{margin:16px 0}figure img{max-width:100%;display:block}
figcaption{color:#5f6b76;font-size:0.85em}
pre{background:#f5f7f8;padding:10px 14px;border-radius:6px;overflow:auto;font-size:0.85em}
.notes li{margin:4px 0}
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: float, kind: str) -> str:
    """A figure as printed: percent, number or count; ``n/a`` where undefined."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if kind == "pct":
        return f"{value:.2%}"
    if kind == "pct2":
        return f"{value * 100:.3f}%"
    if kind == "int":
        return f"{value:,.0f}"
    return f"{value:.3f}"


def figure_cell(key: str, value: float, tag: str = "td") -> str:
    """One figure: its rounded text, its exact value in ``data-value``."""
    exact = repr(float(value)) if value is not None else "nan"
    text = fmt(value, FIGURES[key][1])
    return f'<{tag} class="num" data-figure="{key}" data-value="{exact}">{text}</{tag}>'


def figures_table(values: Mapping[str, float], keys: Iterable[str]) -> str:
    rows = "".join(
        f"<tr><th>{esc(FIGURES[k][0])}</th>{figure_cell(k, values[k])}</tr>" for k in keys
    )
    return f'<table class="figures">{rows}</table>'


def cards(values: Mapping[str, float]) -> str:
    out = []
    for k in CARDS:
        v = values.get(k, float("nan"))
        tone = (
            ""
            if k not in ("psr", "dsr") or not math.isfinite(v)
            else "good"
            if v >= 0.95
            else "bad"
        )
        cell = figure_cell(k, v, "div").replace('class="num"', 'class="n"')
        out.append(
            f'<div class="card {tone}">{cell}<div class="k">{esc(FIGURES[k][0])}</div></div>'
        )
    return f'<div class="cards">{"".join(out)}</div>'


def frame_table(frame: pd.DataFrame, formats: Mapping[str, str], index: str | None = None) -> str:
    """A DataFrame as a table, each column printed with its format (pct, num, int, text)."""
    head = ([f"<th>{esc(index)}</th>"] if index else []) + [f"<th>{esc(c)}</th>" for c in frame]
    rows = []
    for label, row in frame.iterrows():
        cells = [f"<td>{esc(label)}</td>"] if index else []
        for c in frame.columns:
            kind = formats.get(c, "text")
            v = row[c]
            if kind == "text":
                cells.append(f"<td>{'' if _missing(v) else esc(v)}</td>")
            else:
                cells.append(f'<td class="num">{fmt(float(v), kind)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _missing(v: object) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def mapping_table(items: Mapping[str, object]) -> str:
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in items.items())
    return f"<table>{rows}</table>"


def plot(name: str, data_uri: str, caption: str) -> str:
    """An inline image with its caption and a link to the PNG copy beside the page."""
    return (
        f'<figure id="plot-{esc(name)}"><img alt="{esc(name)}" src="{data_uri}">'
        f'<figcaption>{esc(caption)} <a href="{esc(name)}.png">PNG</a></figcaption></figure>'
    )


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>{body}</body></html>"
    )
