"""The quality report's page furniture: its style sheet, its one inline script, HTML helpers.

Everything is inline (no CDN, no font, no external file), so the page renders the same offline.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Iterable, Sequence

STATUS_COLOURS = {
    "promoted": "#81c784",
    "quarantined": "#e57373",
    "accepted": "#ffd54f",
    "rejected": "#9575cd",
}

# the status colours as CSS variables, so the grid, the cards and the legend share one palette
ROOT = ":root{" + "".join(f"--{k}:{v};" for k, v in STATUS_COLOURS.items()) + "}"

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1200px;
 padding:0 16px;color:#1d2328;background:#fff}
h1{margin-bottom:4px}h2{margin-top:32px;border-bottom:1px solid #dde2e6;padding-bottom:4px}
.muted{color:#5f6b76;font-size:0.9em}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #dde2e6;border-radius:8px;padding:10px 16px;min-width:130px}
.card .n{font-size:1.8em;font-weight:600}.card .k{color:#5f6b76;font-size:0.85em}
.card.quarantined{border-left:6px solid var(--quarantined)}.card.promoted{border-left:6px solid var(--promoted)}
.card.accepted{border-left:6px solid var(--accepted)}.card.rejected{border-left:6px solid var(--rejected)}
table{border-collapse:collapse;font-size:0.88em}
th,td{padding:3px 8px;text-align:left;border-bottom:1px solid #eef1f3}
th{background:#f5f7f8;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.checked-at,td.run{white-space:nowrap}
tr.quarantined td.status{color:#b71c1c;font-weight:600}tr.rejected td.status{color:#4527a0;font-weight:600}
tr.accepted td.status{color:#8d6e00;font-weight:600}tr.promoted td.status{color:#2e7d32}
.grid td,.grid th{padding:0;border:1px solid #fff;text-align:center}
.grid th.year{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:400;font-size:0.8em;padding:4px 0}
.grid th.market{text-align:right;padding-right:8px;font-weight:500;background:none;position:static}
.grid td.cell{width:18px;height:18px;cursor:pointer}.grid td.cell a{display:block;width:100%;height:100%}
.grid td.promoted{background:var(--promoted)}.grid td.quarantined{background:var(--quarantined)}
.grid td.accepted{background:var(--accepted)}.grid td.rejected{background:var(--rejected)}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;
 height:12px;margin-right:4px;vertical-align:middle}
.held{border:1px solid #dde2e6;border-radius:8px;padding:8px 16px;margin:16px 0}
.held img{max-width:100%;display:block;margin:8px 0}
.filters{margin:8px 0;display:flex;gap:8px;align-items:center}
.filters input{padding:4px 8px;min-width:280px}.filters select{padding:4px}
.scroll{max-height:70vh;overflow:auto;border:1px solid #eef1f3}
"""

# Filters the long table by text and status, and lets a grid cell filter it to its partition.
SCRIPT = """
(function () {
  var text = document.getElementById('filter'), status = document.getElementById('status');
  var shown = document.getElementById('shown');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#log tbody tr'));
  function apply() {
    var t = text.value.trim().toLowerCase(), s = status.value, n = 0;
    rows.forEach(function (r) {
      var ok = (!s || r.dataset.status === s) && (!t || r.textContent.toLowerCase().indexOf(t) >= 0);
      r.hidden = !ok; if (ok) { n += 1; }
    });
    shown.textContent = n.toLocaleString('en-US');
  }
  text.addEventListener('input', apply);
  status.addEventListener('change', apply);
  document.querySelectorAll('.grid td.cell').forEach(function (c) {
    c.addEventListener('click', function (e) {
      if (e.target.tagName === 'A') { return; }  // a held partition's cell jumps to its plot
      text.value = c.dataset.partition; status.value = ''; apply();
      document.getElementById('log-section').scrollIntoView();
    });
  });
  apply();
})();
"""


def esc(value: object) -> str:
    """Escaped text of a cell: empty for a missing value, thousands separators for counts."""
    if value is None or (isinstance(value, numbers.Real) and math.isnan(value)):
        return ""
    if isinstance(value, bool | str):
        return html.escape(str(value))
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):  # enough digits for any price, none for a whole count
        return f"{float(value):,.8g}"
    return html.escape(str(value))


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: Iterable[str] = (),
    attrs: str = "",
    row_attrs: Iterable[str] | None = None,
) -> str:
    """An HTML table; ``numeric`` columns right-aligned, ``row_attrs`` the attributes of each row."""
    num = set(numeric)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    cls = [' class="num"' if h in num else f' class="{_slug(h)}"' for h in headers]
    extra = iter(row_attrs) if row_attrs is not None else None
    body = "".join(
        f"<tr{' ' + next(extra) if extra else ''}>"
        + "".join(f"<td{c}>{esc(v)}</td>" for c, v in zip(cls, r, strict=True))
        + "</tr>"
        for r in rows
    )
    return f"<table{' ' + attrs if attrs else ''}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _slug(header: str) -> str:
    return html.escape(header.replace(" ", "-"))


def page(title: str, body: str) -> str:
    """The whole document: one file, its style and script inline."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{html.escape(title)}</title>"
        f"<style>{ROOT}{CSS}</style></head><body>{body}<script>{SCRIPT}</script></body></html>"
    )
