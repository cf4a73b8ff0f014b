"""The backtest tear sheet: one self-contained HTML page of a run, and PNG copies of its plots.

    from tecton.portfolio.report import write_tear_sheet
    write_tear_sheet("3f2a9c1b7d4e")   # $TECTON_HOME/reports/3f2a9c1b7d4e/tearsheet.html

:func:`write_tear_sheet` reads a stored run (:func:`tecton.simulation.store.load_run`), gathers
what the page needs (:func:`tear_sheet_of`: asset classes, the trials on the same data, the
rules' forecasts of its alpha model refitted) and :func:`render_tear_sheet` draws it. The page holds
its plots inline (base64 PNG) and loads nothing: it opens the same offline, mailed or archived.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tecton.config import home
from tecton.errors import TectonError
from tecton.portfolio.analytics import Analytics
from tecton.portfolio.report import plots, sections
from tecton.portfolio.report.sources import (
    Trials,
    asset_classes,
    days_for,
    quality_report_path,
    refit_alpha,
    rule_forecasts,
    trials_on_same_data,
)
from tecton.simulation.lineage import Manifest

PAGE = "tearsheet.html"


@dataclass(frozen=True)
class TearSheet:
    """Everything on a tear sheet (see :func:`tear_sheet_of` for a stored run's).

    Attributes
    ----------
    run_id, title : str
        The run and the strategy's name.
    analytics : Analytics
        The run's figures; with ``asset_classes`` for the exposures and attribution by class.
    definition_yaml : str
        The strategy definition as it was run.
    trials : Trials
        The runs on the same data (this one included), for the deflated Sharpe ratio.
    manifest : Manifest, optional
        What the run read and ran with; its overrides are shown first.
    rule_forecasts : mapping of rule to DataFrame, optional
        Each rule's weighted forecast as used (:func:`sources.rule_forecasts`); no attribution
        by rule without it.
    notes : tuple of str
        What the page could not show and why, how the model was refitted.
    quality_report : Path, optional
        The data-quality page to link (none when it was never written).
    created_at : Timestamp, optional
    """

    run_id: str
    title: str
    analytics: Analytics
    definition_yaml: str
    trials: Trials
    manifest: Manifest | None = None
    rule_forecasts: Mapping[str, pd.DataFrame] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    quality_report: Path | None = None
    created_at: pd.Timestamp | None = None


def write_tear_sheet(run_id: str, out: Path | None = None, *, by_rule: bool = True) -> Path:
    """Write the tear sheet of stored run ``run_id``; return the page's path.

    Parameters
    ----------
    run_id : str
        A stored run (``tecton runs`` lists them).
    out : Path, optional
        A folder: the page is written to ``<out>/<run_id>/tearsheet.html`` (default
        ``$TECTON_HOME/reports``); or a path ending in ``.html``: the page itself. The PNG
        copies of the plots go beside the page.
    by_rule : bool
        Refit the run's alpha model for the attribution by rule (reads the warehouse; see
        :func:`sources.refit_alpha`). Without it, or when the data cannot be read, the page
        says so instead.

    Raises
    ------
    TectonError
        No run ``run_id`` is stored.
    """
    from tecton.simulation.store import load_run

    sheet = tear_sheet_of(load_run(run_id), by_rule=by_rule)
    if out is not None and Path(out).suffix.lower() == ".html":
        path = Path(out)
    else:
        path = Path(out if out is not None else home() / "reports") / run_id / PAGE
    return render_tear_sheet(sheet, path)


def tear_sheet_of(stored, by_rule: bool = True) -> TearSheet:
    """The :class:`TearSheet` of a stored run: its analytics, trials, rule forecasts, links.

    Parameters
    ----------
    stored : StoredRun
        A run read back by :func:`tecton.simulation.store.load_run`.
    by_rule : bool
        Refit the alpha model for the attribution by rule (see :func:`write_tear_sheet`).
    """
    p = stored.portfolio
    classes = asset_classes(list(p.positions.columns))
    analytics = Analytics(p, days_for(classes), classes)
    notes = []
    if p.exposure is None or p.exposure.isna().all().all():
        notes.append("exposures: this run was stored before exposures were kept")
    forecasts = None
    if not by_rule:
        notes.append("attribution by rule: not computed (by_rule=False)")
    else:
        try:
            started = time.perf_counter()
            alpha, start, how = refit_alpha(stored)
            forecasts = rule_forecasts(alpha, start)
            notes.append(
                f"attribution by rule: the alpha model refitted on {how} "
                f"in {time.perf_counter() - started:.1f} s"
            )
        except TectonError as e:
            notes.append(f"attribution by rule: not available: {e}")
    quality = quality_report_path()
    return TearSheet(
        run_id=stored.run_id,
        title=stored.strategy_name,
        analytics=analytics,
        definition_yaml=stored.definition_yaml,
        trials=trials_on_same_data(stored, analytics.sharpe, analytics.days),
        manifest=stored.manifest,
        rule_forecasts=forecasts,
        notes=tuple(notes),
        quality_report=quality if quality.exists() else None,
        created_at=stored.created_at,
    )


def render_tear_sheet(sheet: TearSheet, path: Path) -> Path:
    """Draw ``sheet`` into the page ``path`` and its plots beside it as PNG files; return ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = sections.Parts(sheet)
    pictures = {}
    for name, caption, draw in sections.plots_of(parts):
        data = plots.png(draw())
        (path.parent / f"{name}.png").write_bytes(data)
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        pictures[name] = (uri, caption)
    path.write_text(sections.render(parts, pictures, list(sheet.notes), path), encoding="utf-8")
    return path
