"""What ``tecton quality`` shows: partitions checked in recent runs, and a single-file HTML page
beside the GX Data Docs (``$TECTON_HOME/quality/report.html``) that links to them.

The page puts first what a person checking data wants: a summary of the runs shown (partitions
checked, promoted, quarantined, accepted, rejected files; the rules that failed most), a markets
x years grid coloured by each partition's latest status, and for each partition held in
quarantine a plot of its closes with the failing rows marked and the sampled rows. The long
table of every partition comes last, styled and filterable by a small inline script. Plots are
inline PNG and nothing is fetched at view time: the file can be mailed or archived as is.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc

from tecton.lake.tables import Lake
from tecton.quality import gate, manifest, validate
from tecton.quality import report_data as data
from tecton.quality import report_page as pg
from tecton.quality import report_plots as plots
from tecton.quality import thresholds as th


def recent(lake: Lake, runs: int = 5) -> list[dict]:
    """One row per partition (or rejected file, or manual release) of the last ``runs`` runs."""
    if not lake.exists(manifest.QUALITY_LOG.name):
        return []
    t = lake.read(manifest.QUALITY_LOG.name)
    t = t.filter(pc.field("status") != "pass").filter(pc.field("status") != "fail") .sort_by([("checked_at", "descending")])  # fmt: skip
    fails = lake.read(manifest.QUALITY_LOG.name).filter(pc.field("status") == "fail")
    ids = list(dict.fromkeys(t["run_id"].to_pylist()))[:runs]
    t = t.filter(pc.is_in(t["run_id"], value_set=__import__("pyarrow").array(ids, "string")))
    failed: dict[tuple, list[str]] = {}
    for r in fails.select(["run_id", "partition", "rule", "failing"]).to_pylist():
        failed.setdefault((r["run_id"], r["partition"]), []).append(f"{r['rule']} ({r['failing']})")
    out = []
    for r in t.to_pylist():
        rules = failed.get((r["run_id"], r["partition"]), [])
        if r["status"] == "rejected":
            rules = [f"{r['rule']}: {r['message']}"]
        elif r["status"] == "accepted":
            rules = [f"accepted by {r['actor']}: {r['reason']}"]
        out.append(
            {
                "run_id": r["run_id"],
                "checked_at": r["checked_at"],
                "partition": r["partition"] or r["source_file"],
                "status": r["status"],
                "rows": r["rows"],
                "failing": r["failing"],
                "rules": "; ".join(rules),
            }
        )
    return out


def open_quarantine(lake: Lake) -> list[dict]:
    """One row per partition held in ``bars_quarantine``: its rows, contracts and latest run."""
    if not lake.exists(manifest.BARS_QUARANTINE.name):
        return []
    columns = ["market_id", "year", "contract_id", "run_id"]
    q = lake.table(manifest.BARS_QUARANTINE.name).to_pyarrow_dataset().to_table(columns=columns)
    if q.num_rows == 0:
        return []
    g = q.group_by(["market_id", "year"]).aggregate(
        [("contract_id", "count_distinct"), ("run_id", "max"), ("contract_id", "count")]
    )
    return [
        {
            "partition": f"{r['market_id']}/{r['year']}",
            "rows": r["contract_id_count"],
            "contracts": r["contract_id_count_distinct"],
            "run_id": r["run_id_max"],
        }
        for r in g.to_pylist()
    ]


# A page of hundreds of plots helps no one (and each costs ~0.15 s to draw): the first ones by
# name are plotted, the rest listed by name.
MAX_PLOTS = 24
MAX_LISTED = 10  # rejected files named in the summary


def write_html(lake: Lake, rows: list[dict], held: list[dict]) -> Path:
    """Write ``$TECTON_HOME/quality/report.html`` for ``rows`` (``recent``) and ``held``.

    Parameters
    ----------
    lake : Lake
        The lake whose ``quality_log``, ``ingest_log`` and ``bars_quarantine`` are read.
    rows : list of dict
        The partitions of the runs shown, as :func:`recent` returns them.
    held : list of dict
        The partitions held in quarantine, as :func:`open_quarantine` returns them.

    Returns
    -------
    Path
        The written page (one self-contained file).
    """
    path = validate.project_dir() / "report.html"
    path.write_text(render(lake, rows, held, docs_href=_docs_href(path)), encoding="utf-8")
    return path


def build(lake: Lake, runs: int = 5) -> Path:
    """The report of the last ``runs`` runs, as ``tecton quality --runs`` writes it."""
    return write_html(lake, recent(lake, runs), open_quarantine(lake))


def render(lake: Lake, rows: list[dict], held: list[dict], docs_href: str | None = None) -> str:
    """The report page as one HTML string (see :func:`write_html`)."""
    log = data.quality_log(lake)
    facts = data.summary(log, rows, held)
    cells = data.grid(log, data.ingest_log(lake))
    partitions = data.held_partitions(lake, log, held, limit=MAX_PLOTS)
    body = (
        _header(lake, facts, docs_href)
        + _summary(facts, rows)
        + _grid(cells, {h.partition for h in partitions})
        + _held(partitions, [h["partition"] for h in held])
        + _long_table(rows)
    )
    return pg.page("tecton data quality", body)


def _docs_href(path: Path) -> str | None:
    docs = validate.docs_index()
    return docs.relative_to(path.parent).as_posix() if docs.exists() else None


def _when(t) -> str:
    return "" if t is None else f"{t:%Y-%m-%d %H:%M} UTC"


def _header(lake: Lake, s: data.Summary, docs_href: str | None) -> str:
    span = f"{_when(s.first_at)} to {_when(s.last_at)}" if s.runs else "no run yet"
    docs = (
        f'<a href="{html.escape(docs_href)}">Great Expectations Data Docs</a> (expectation-level detail)'
        if docs_href
        else "No Data Docs yet (no checked run)."
    )
    return (
        "<h1>tecton data quality</h1>"
        f'<p class="muted">lake {html.escape(lake.storage.root)} · last {s.runs:,} run(s), '
        f"checked {span} · {docs}</p>"
    )


CARDS = (
    ("checked", "partitions checked", ""),
    ("promoted", "promoted", "promoted"),
    ("quarantined", "quarantined", "quarantined"),
    ("accepted", "accepted by hand", "accepted"),
    ("rejected", "files rejected", "rejected"),
    ("held", "held in quarantine now", "quarantined"),
)


def _summary(s: data.Summary, rows: list[dict]) -> str:
    cards = "".join(
        f'<div class="card {css}"><div class="n" data-count="{key}">{getattr(s, key):,}</div>'
        f'<div class="k">{label}</div></div>'
        for key, label, css in CARDS
    )
    if s.top_rules:
        rules = pg.table(
            ("rule", "partitions", "failing rows", "what it means"),
            ((r.rule, r.partitions, r.rows, r.message) for r in s.top_rules),
            numeric=("partitions", "failing rows"),
            attrs='id="top-rules"',
        )
        rules = f"<h3>Rules that failed most</h3>{rules}"
    else:
        rules = "<p>No rule failed in these runs.</p>"
    rejected = [r for r in rows if r["status"] == "rejected"]
    if rejected:
        rules += "<h3>Files rejected at ingest</h3>" + pg.table(
            ("file", "run", "why"),
            ((r["partition"], r["run_id"], r["rules"]) for r in rejected[:MAX_LISTED]),
            attrs='id="rejected-files"',
        )
    if len(rejected) > MAX_LISTED:  # the grid comes next: a long list would bury it
        rules += (
            f"<p>And {len(rejected) - MAX_LISTED:,} more: choose status <em>rejected</em> in the "
            "table below.</p>"
        )
    return f'<h2>Summary</h2><div class="cards" id="summary">{cards}</div>{rules}'


def _grid(cells: list[data.Cell], held: set[str]) -> str:
    if not cells:
        return "<h2>Markets x years</h2><p>No partition checked yet.</p>"
    years = range(min(c.year for c in cells), max(c.year for c in cells) + 1)
    by = {(c.market, c.year): c for c in cells}
    counts = {s: sum(c.status == s for c in cells) for s in data.STATUSES}
    legend = "".join(
        f'<span><i style="background:{pg.STATUS_COLOURS[s]}"></i>{s} ({counts[s]:,})</span>'
        for s in data.STATUSES
    )
    head = "<th></th>" + "".join(f'<th class="year">{y}</th>' for y in years)
    body = "".join(
        f'<tr><th class="market">{html.escape(m)}</th>'
        + "".join(_cell(by.get((m, y)), held) for y in years)
        + "</tr>"
        for m in sorted({c.market for c in cells})
    )
    return (
        "<h2>Markets x years</h2>"
        '<p class="muted">Each partition\'s latest status over every run (a rejected file marks '
        "the market-years it fed when it last landed); a held partition links to its plot, any "
        "other cell filters the table below.</p>"
        f'<p class="legend">{legend}</p>'
        f'<table class="grid" id="grid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def _cell(c: data.Cell | None, held: set[str]) -> str:
    if c is None:
        return "<td></td>"
    p = f"{c.market}/{c.year}"
    inner = f'<a href="#{_anchor(p)}" aria-label="{html.escape(p)}"></a>' if p in held else ""
    return (
        f'<td class="cell {c.status}" data-partition="{html.escape(p)}" '
        f'data-status="{c.status}" title="{html.escape(c.note)}">{inner}</td>'
    )


def _anchor(partition: str) -> str:
    return "held-" + partition.replace("/", "-")


def _held(partitions: list[data.HeldPartition], names: list[str]) -> str:
    if not partitions:
        return "<h2>Held in quarantine</h2><p>Nothing is held in quarantine.</p>"
    parts = [_held_one(h) for h in partitions]
    shown = {h.partition for h in partitions}
    rest = sorted(p for p in names if p not in shown)
    more = f"<p>And {len(rest):,} more: {html.escape(', '.join(rest))}.</p>" if rest else ""
    return (
        "<h2>Held in quarantine</h2>"
        '<p class="muted">Release one with <code>tecton quality accept MARKET/YEAR --reason ...</code> '
        "once it is confirmed; a corrected file re-ingested replaces it.</p>"
        + "".join(parts)
        + more
    )


def _held_one(h: data.HeldPartition) -> str:
    uri, marked = plots.flagged_series(h)
    total = sum(h.failing_by_rule.values())
    rules = ", ".join(f"{r} ({_rows(n)})" for r, n in sorted(h.failing_by_rule.items()))
    sample = h.failing.copy()
    cols = [c for c in ("rule", *gate.SAMPLE_COLUMNS) if c in sample]
    extra = [c for c in sample.columns if c not in cols and c != "market_id"]
    cols = [c for c in cols if c != "market_id"] + extra
    sample["trade_date"] = pd.to_datetime(sample["trade_date"]).dt.strftime("%Y-%m-%d")
    return (
        f'<section class="held" id="{_anchor(h.partition)}"><h3>{html.escape(h.partition)}</h3>'
        f"<p>run {html.escape(h.run_id)} · {len(h.rows):,} rows held · failing: {html.escape(rules)}"
        f" · {marked:,} of {_rows(total)} marked (the log samples up to {th.SAMPLE_ROWS} per rule)</p>"
        f'<img src="{uri}" alt="{html.escape(h.partition)} closes with failing rows marked">'
        + pg.table(cols, sample[cols].itertuples(index=False), attrs='class="sample"')
        + "</section>"
    )


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


LONG_COLUMNS = ("run", "checked at", "partition", "status", "rows", "failing", "failed rules")


def _long_table(rows: list[dict]) -> str:
    options = "".join(f'<option value="{s}">{s}</option>' for s in data.STATUSES)
    table = pg.table(
        LONG_COLUMNS,
        (
            (
                r["run_id"],
                _when(r["checked_at"]),
                r["partition"],
                r["status"],
                r["rows"],
                r["failing"],
                r["rules"],
            )
            for r in rows
        ),
        numeric=("rows", "failing"),
        attrs='id="log"',
        row_attrs=(
            f'class="{html.escape(r["status"])}" data-status="{html.escape(r["status"])}"'
            for r in rows
        ),
    )
    return (
        '<h2 id="log-section">Every partition of these runs</h2>'
        '<div class="filters"><input id="filter" type="search" placeholder="filter: market, rule, run, file">'
        f'<select id="status"><option value="">any status</option>{options}</select>'
        f'<span class="muted"><span id="shown">{len(rows):,}</span> of {len(rows):,} rows</span></div>'
        f'<div class="scroll">{table}</div>'
    )
