"""The quality report's pictures: matplotlib figures embedded as base64 PNG (no file, no CDN).

Figures are built on :class:`matplotlib.figure.Figure` directly rather than through pyplot, so
no global figure state or GUI backend is involved and a report can be written from any thread.
"""

from __future__ import annotations

import base64
import io

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tecton.quality.report_data import HeldPartition

# one marker per rule, so two rules failing in one partition stay apart on the plot
MARKERS = ("o", "X", "s", "^", "D", "v", "P", "*")
FAILED = "#c62828"
HELD = "#7b8794"  # held, but no failing row: the contract came in with a failing one
CONTEXT = "#d3d8dd"


def png_data_uri(fig: Figure, dpi: int = 100) -> str:
    """``data:image/png;base64,...`` of ``fig``, for an ``<img src>`` in a single-file page."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def flagged_series(held: HeldPartition) -> tuple[str, int]:
    """The partition's closes, one line per contract, with its sampled failing rows marked.

    Contracts with a failing row are drawn in colour, the others in grey for context. Returns
    the PNG as a data URI and how many failing rows were marked (samples with a price).
    """
    fig = Figure(figsize=(9, 3.2))
    ax = fig.subplots()
    context = held.context.assign(trade_date=pd.to_datetime(held.context["trade_date"]))
    for i, (_, s) in enumerate(_series(context)):
        ax.plot(s["trade_date"], s["close"], lw=0.8, color=CONTEXT, zorder=1,
                label="in bars (promoted)" if i == 0 else None)  # fmt: skip
    rows = held.rows.assign(trade_date=pd.to_datetime(held.rows["trade_date"]))
    bad = set(held.failing["contract_id"]) if len(held.failing) else set()
    for (contract, role), s in _series(rows):
        label = f"{contract} {role}".strip()
        if contract in bad:
            ax.plot(s["trade_date"], s["close"], lw=1.3, label=label, zorder=2)
        else:
            ax.plot(s["trade_date"], s["close"], lw=0.9, color=HELD, zorder=1.5)
    marked = 0
    for i, (rule, pts) in enumerate(failing_points(held, rows).groupby("rule", sort=True)):
        ax.scatter(
            pts["trade_date"], pts["y"], s=70, marker=MARKERS[i % len(MARKERS)],
            facecolor="none", edgecolor=FAILED, linewidth=1.8, zorder=3,
            label=f"{rule}: {held.failing_by_rule.get(rule, len(pts)):,} failing",
        )  # fmt: skip
        marked += len(pts)
    ax.set_title(
        f"{held.partition}: close by contract, failing rows marked", loc="left", fontsize=10
    )
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(alpha=0.3)
    # beside the axes, so the legend never hides the very points the plot is there to show
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return png_data_uri(fig), marked


def _series(rows: pd.DataFrame):
    """One (contract, role) series at a time; sources without roles have a single series each."""
    return rows.groupby(["contract_id", rows["role"].fillna("")], sort=True)


def failing_points(held: HeldPartition, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where each sampled failing row is marked: ``rule``, ``trade_date`` and ``y``.

    ``y`` is the row's close, else the close of that contract's bar among ``rows`` (the held
    rows by default); rows with neither are left out (they stay in the sample table).
    """
    if rows is None:
        rows = held.rows.assign(trade_date=pd.to_datetime(held.rows["trade_date"]))
    f = held.failing
    if f.empty:
        return pd.DataFrame(columns=["rule", "trade_date", "y"])
    stored = rows.groupby(["contract_id", "trade_date"])["close"].first()
    key = pd.MultiIndex.from_arrays([f["contract_id"], f["trade_date"]])
    fallback = stored.reindex(key).to_numpy()
    close = f["close"] if "close" in f else pd.Series(np.nan, index=f.index)
    y = np.where(np.isfinite(close.astype(float)), close.astype(float), fallback)
    pts = pd.DataFrame({"rule": f["rule"], "trade_date": f["trade_date"], "y": y})
    return pts[np.isfinite(pts["y"].astype(float))]
