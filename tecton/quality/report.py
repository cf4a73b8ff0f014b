"""What ``tecton quality`` shows: partitions checked in recent runs, and an HTML page beside
the GX Data Docs (``$TECTON_HOME/quality/report.html``) that links to them."""

from __future__ import annotations

import html
from pathlib import Path

import pyarrow.compute as pc

from tecton.lake.tables import Lake
from tecton.quality import manifest, validate


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
    q = manifest.quarantined(lake)
    if q.num_rows == 0:
        return []
    g = q.group_by(["market_id", "year"]).aggregate(
        [("contract_id", "count_distinct"), ("run_id", "max"), ("close", "count")]
    )
    return [
        {
            "partition": f"{r['market_id']}/{r['year']}",
            "rows": r["close_count"],
            "contracts": r["contract_id_count_distinct"],
            "run_id": r["run_id_max"],
        }
        for r in g.to_pylist()
    ]


def write_html(lake: Lake, rows: list[dict], held: list[dict]) -> Path:
    """``$TECTON_HOME/quality/report.html``: the summary, linking to the GX Data Docs."""
    path = validate.project_dir() / "report.html"
    docs = validate.docs_index()
    link = (
        f'<p>Expectation-level detail: <a href="{docs.relative_to(path.parent).as_posix()}">Great Expectations Data Docs</a></p>'
        if docs.exists()
        else "<p>No Data Docs yet (no checked run).</p>"
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("run", "checked at", "partition", "status", "rows", "failing", "failed rules")
    )
    body = "".join(
        f'<tr class="{html.escape(r["status"])}">'
        + "".join(
            f"<td>{html.escape(str(r[k]))}</td>"
            for k in ("run_id", "checked_at", "partition", "status", "rows", "failing", "rules")
        )
        + "</tr>"
        for r in rows
    )
    qbody = "".join(
        f"<tr><td>{html.escape(q['partition'])}</td><td>{q['rows']}</td><td>{q['contracts']}</td><td>{q['run_id']}</td></tr>"
        for q in held
    )
    path.write_text(
        "<!doctype html><meta charset='utf-8'><title>tecton data quality</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}.quarantined,.rejected{background:#fdd}.accepted{background:#ffd}</style>"
        f"<h1>tecton data quality</h1><p>lake: {html.escape(lake.storage.root)}</p>{link}"
        f"<h2>Open quarantine</h2><table><tr><th>partition</th><th>rows</th><th>contracts</th><th>run</th></tr>{qbody}</table>"
        f"<h2>Recent runs</h2><table><tr>{head}</tr>{body}</table>",
        encoding="utf-8",
    )
    return path
