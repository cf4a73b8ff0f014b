"""The headless-browser helper the report tests rely on, checked on pages whose truth is known.

A check that never fails proves nothing: each test here builds a page with a known defect (a
console error, a throw, a missing file, a blank picture) and the helper must see exactly it.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from tests.support.browser import open_page, requires_chromium

pytestmark = [requires_chromium, pytest.mark.slow]


def png_uri(pixels: np.ndarray) -> str:
    """An RGB array as a PNG data URI (Pillow writes it, the browser must decode it)."""
    buf = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def write(tmp_path, body: str):
    path = tmp_path / "page.html"
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    )
    return path


def test_console_errors_throws_and_missing_files_are_reported(tmp_path):
    path = write(
        tmp_path,
        "<script>console.log('fine'); console.error('boom', 42);</script>"
        "<script>null.missing;</script>"
        "<img src='nowhere.png' alt='missing'>",
    )
    with open_page(path) as page:
        errors = page.errors
    assert any(e.startswith("console.error: boom 42") for e in errors), errors
    assert any(e.startswith("uncaught: TypeError") for e in errors), errors
    assert any("nowhere.png" in e for e in errors), errors
    assert not any("fine" in e for e in errors), "console.log is not an error"


def test_a_clean_page_has_no_errors_and_requests_only_itself(tmp_path):
    path = write(tmp_path, f"<p>hello</p><img src='{png_uri(np.zeros((4, 4, 3)))}' alt='x'>")
    with open_page(path) as page:
        assert page.errors == []
        assert page.requests[0] == path.resolve().as_uri()
        assert all(u.startswith("data:image/png") for u in page.requests[1:])


def test_blank_and_drawn_pictures_are_told_apart(tmp_path):
    rng = np.random.default_rng(0)
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1, 2], [0, 2, 1])
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    svg_plot = buf.getvalue().split("?>", 1)[-1]  # inline: no XML declaration inside HTML
    pictures = {
        "uniform": f"<img alt='uniform' src='{png_uri(np.full((20, 30, 3), 200))}'>",
        "noise": f"<img alt='noise' src='{png_uri(rng.integers(0, 256, (20, 30, 3)))}'>",
        "hidden": f"<img alt='hidden' style='display:none' src='{png_uri(rng.integers(0, 256, (20, 30, 3)))}'>",
        "empty-svg": "<svg id='empty-svg' width='50' height='50'></svg>",
        "canvas": "<canvas id='canvas' width='40' height='40'></canvas>"
        "<script>var g = document.getElementById('canvas').getContext('2d');"
        "g.fillStyle = 'red'; g.fillRect(5, 5, 10, 10);</script>",
    }
    path = write(tmp_path, "".join(pictures.values()) + f"<div id='mpl'>{svg_plot}</div>")
    with open_page(path) as page:
        plots = {p.name or p.kind: p for p in page.plots()}
        assert page.errors == []
    drawn = {name: p.drawn for name, p in plots.items()}
    assert drawn["uniform"] is False and drawn["noise"] is True and drawn["hidden"] is False
    assert drawn["empty-svg"] is False and drawn["canvas"] is True
    assert plots["uniform"].colours == 1
    (mpl,) = [p for p in plots.values() if p.kind == "svg" and p.name != "empty-svg"]
    assert mpl.drawn and mpl.shapes >= 1


def test_dom_is_the_document_after_its_scripts_ran_and_screenshot_is_the_page(tmp_path):
    path = write(
        tmp_path,
        "<div id='a' style='height:2000px;background:#08f'></div>"
        "<script>var p = document.createElement('p'); p.id = 'added'; p.textContent = 'late';"
        "document.body.appendChild(p);</script>",
    )
    with open_page(path, width=640, height=480) as page:
        dom = page.dom()
        shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
        assert page.evaluate("document.getElementById('added').textContent") == "late"
    assert 'id="added"' in dom and "late" not in path.read_text().split("<script>")[0]
    assert shot.width == 640 and shot.height >= 2000, "the whole page, not the window"
    assert (0, 136, 255) in {shot.getpixel((320, y)) for y in (100, 1000, 1900)}
