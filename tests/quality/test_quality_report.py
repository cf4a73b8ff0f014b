"""The quality report, built on a lake with a quarantine, an acceptance and a rejected file, and
opened in real headless chromium: no console error, nothing fetched, every plot drawn, and the
figures on the page equal to those counted here from the quality log and from what was injected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow.compute as pc
import pytest

from tecton.lake import Lake
from tecton.quality import QUALITY_LOG, Verdict, accept, report
from tecton.quality import report_data as data
from tecton.quality import report_plots as plots
from tecton.quality.manifest import quarantined
from tecton.quality.report_page import STATUS_COLOURS
from tests.quality.test_quality import _spike, _stale, checked, copy, rows_of, write_rows
from tests.support.browser import open_page, requires_chromium
from tests.support.cli import tecton

pytestmark = [pytest.mark.slow, pytest.mark.minutes(0.8)]


@dataclass(frozen=True)
class Scene:
    home: Path
    lake: Lake
    path: Path
    first: Verdict
    second: Verdict
    accepted: str
    spike: tuple[str, dt.date, float]  # contract, date, close as injected
    rejected_years: set[str]  # market-years the rejected file held when it first landed


@pytest.fixture(scope="module")
def scene(tmp_path_factory, clean_raw) -> Scene:
    """Run 1 lands clean files; run 2 re-delivers three: a GOLD spike, a stale SP500 run (then
    accepted by hand) and a CRUDE file with a duplicate row (rejected at ingest)."""
    home = tmp_path_factory.mktemp("report-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TECTON_HOME", str(home))
        mp.delenv("TECTON_LAKE", raising=False)
        raw = copy(clean_raw, home / "raw")
        lake = Lake()
        first = checked(raw, lake).quality
        gold = sorted(raw.glob("GOLD_2020*.csv"))[2]
        rows = _spike(rows_of(gold))
        i = len(rows) // 3
        spike = (gold.stem, dt.date.fromisoformat(rows[i][0]), float(rows[i][4]))
        write_rows(gold, rows)
        sp = sorted(raw.glob("SP500_2020*.csv"))[2]
        write_rows(sp, _stale(rows_of(sp)))
        crude = sorted(raw.glob("CRUDE_2020*.csv"))[2]
        rows = rows_of(crude)
        years = {f"CRUDE/{r[0][:4]}" for r in rows}
        write_rows(crude, [*rows[:10], rows[9], *rows[10:]])
        second = checked(raw, lake).quality
        (stale,) = [p.partition for p in second.failures if p.partition.startswith("SP500/")]
        accept(lake, stale, "flat settlements confirmed with the exchange", actor="tester")
        path = report.build(lake, runs=5)
    return Scene(home, lake, path, first, second, stale, spike, years)


@pytest.fixture(scope="module")
def page(scene):
    """One browser on the report for the module (the filter test leaves its filter set last)."""
    with open_page(scene.path) as page:
        yield page


def log_of(scene: Scene):
    return scene.lake.read(QUALITY_LOG.name).to_pandas()


def count(page, key: str) -> int:
    return int(
        page.evaluate(f"document.querySelector('[data-count={key}]').textContent").replace(",", "")
    )


def visible_rows(page) -> int:
    return page.evaluate(
        "[...document.querySelectorAll('#log tbody tr')].filter(r => !r.hidden).length"
    )


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@requires_chromium
def test_page_renders_without_errors_and_fetches_nothing(scene, page):
    assert page.errors == []
    assert page.requests[0] == scene.path.resolve().as_uri()
    assert all(u.startswith("data:") for u in page.requests[1:]), page.requests
    outside = page.evaluate(
        "[...document.querySelectorAll('[src],[href]')].map(e => e.getAttribute('src') || e.getAttribute('href'))"
        ".filter(u => /^[a-z]+:/.test(u) && !u.startsWith('data:'))"
    )
    assert outside == [], "a single file: nothing to download"


@requires_chromium
def test_headline_counts_equal_the_quality_log(scene, page):
    log = log_of(scene)
    assert log["run_id"].nunique() == 3, "the report covers every run of this lake (runs=5)"
    part = log[log["rule"] == "partition"]
    held = quarantined(scene.lake).to_pandas()[["market_id", "year"]].drop_duplicates()
    expected = {
        "checked": len(part),
        "promoted": int((part["status"] == "promoted").sum()),
        "quarantined": int((part["status"] == "quarantined").sum()),
        "accepted": int((log["rule"] == "manual_accept").sum()),
        "rejected": int((log["status"] == "rejected").sum()),
        "held": len(held),
    }
    assert {k: count(page, k) for k in expected} == expected
    # and the verdicts the ingest returned agree with the log
    assert expected["checked"] == len(scene.first.partitions) + len(scene.second.partitions)
    assert expected["quarantined"] == len(scene.second.failures) == 2
    assert expected["rejected"] == len(scene.second.rejected) == 1 and expected["held"] == 1


@requires_chromium
def test_rules_that_failed_most_are_counted_from_the_log(scene, page):
    fails = log_of(scene).query("status == 'fail'")
    expected = fails.groupby("rule")["partition"].nunique().to_dict()
    shown = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#top-rules tbody tr')]"
        ".map(r => [r.cells[0].textContent, +r.cells[1].textContent]))"
    )
    assert shown == expected == {"spike": 1, "stale": 1}


@requires_chromium
def test_grid_colours_each_market_year_by_its_latest_status(scene, page):
    expected = {p.partition: "promoted" for p in scene.first.partitions}
    expected |= {
        p.partition: "promoted" if p.ok else "quarantined" for p in scene.second.partitions
    }
    expected[scene.accepted] = "accepted"
    expected |= dict.fromkeys(scene.rejected_years, "rejected")
    cells = page.evaluate(
        "[...document.querySelectorAll('#grid td.cell')]"
        ".map(c => [c.dataset.partition, c.dataset.status, getComputedStyle(c).backgroundColor])"
    )
    assert {p: s for p, s, _ in cells} == expected
    assert all(colour == rgb(STATUS_COLOURS[s]) for _, s, colour in cells), cells


@requires_chromium
def test_every_plot_is_drawn_one_per_held_partition(scene, page):
    held = quarantined(scene.lake).to_pandas()
    partitions = sorted(set(held["market_id"] + "/" + held["year"].astype(str)))
    pictures = page.plots()
    assert len(pictures) == len(partitions) >= 1
    assert all(p.drawn for p in pictures), pictures
    anchors = page.evaluate(
        "[...document.querySelectorAll('section.held')].map(s => s.querySelector('h3').textContent)"
    )
    assert anchors == partitions


@requires_chromium
def test_held_partition_shows_the_injected_spike_in_its_sample_rows(scene, page):
    contract, day, close = scene.spike
    rows = page.evaluate(
        "[...document.querySelectorAll('section.held table.sample tbody tr')]"
        ".map(r => [...r.cells].map(c => c.textContent))"
    )
    assert any(contract in r and day.isoformat() in r and f"{close:,.8g}" in r for r in rows), rows


def test_the_plot_marks_the_injected_spike(scene):
    contract, day, close = scene.spike
    log = log_of(scene)
    held = report.open_quarantine(scene.lake)
    (h,) = data.held_partitions(scene.lake, log, held)
    points = plots.failing_points(h)
    assert points["rule"].tolist() == ["spike"]
    assert points["trade_date"].dt.date.tolist() == [day]
    assert points["y"].tolist() == pytest.approx([close], rel=1e-12)
    assert h.failing["contract_id"].tolist() == [contract]
    uri, marked = plots.flagged_series(h)
    assert marked == 1 and uri.startswith("data:image/png;base64,")


@requires_chromium
def test_filter_narrows_the_table_to_the_rows_that_match(scene, page):
    log = log_of(scene)
    listed = log[~log["status"].isin(["pass", "fail"])]
    (spiked,) = [p.partition for p in scene.second.failures if p.partition.startswith("GOLD/")]
    assert visible_rows(page) == len(listed)
    page.evaluate(
        f"(() => {{ const f = document.getElementById('filter'); f.value = '{spiked}';"
        "f.dispatchEvent(new Event('input')); })()"
    )
    assert visible_rows(page) == int((listed["partition"] == spiked).sum())
    page.evaluate(
        "(() => { const f = document.getElementById('filter'); f.value = '';"
        "f.dispatchEvent(new Event('input')); const s = document.getElementById('status');"
        "s.value = 'quarantined'; s.dispatchEvent(new Event('change')); })()"
    )
    assert visible_rows(page) == int((listed["status"] == "quarantined").sum())
    assert page.evaluate("document.getElementById('shown').textContent") == str(visible_rows(page))
    # a grid cell that is not held filters the table to its partition
    page.evaluate(
        f"document.querySelector('#grid td.cell[data-partition=\"{scene.accepted}\"]').click()"
    )
    assert page.evaluate("document.getElementById('filter').value") == scene.accepted
    assert visible_rows(page) == int((listed["partition"] == scene.accepted).sum())
    assert page.errors == []


@requires_chromium
def test_a_lake_without_runs_renders_an_empty_report(tecton_home, tmp_path):
    path = report.build(Lake(str(tmp_path / "empty-lake")))
    with open_page(path) as page:
        assert page.errors == [] and page.plots() == []
        assert count(page, "checked") == 0 and visible_rows(page) == 0


def test_tecton_quality_prints_the_report_path(scene, tmp_path):
    out = tecton("quality", "--lake", scene.lake.storage.root, home=tmp_path, shared_server=False)
    assert out.returncode == 0, out.stderr
    (line,) = [s for s in out.stdout.splitlines() if s.startswith("quality report: ")]
    path = Path(line.removeprefix("quality report: ").strip())
    assert path == tmp_path / "quality" / "report.html" and path.is_file()
    text = path.read_text()
    assert 'data-count="held">1<' in text and '<img src="data:image/png;base64,' in text
    q = scene.lake.read(QUALITY_LOG.name).filter(pc.field("status") == "quarantined")
    assert f'data-count="quarantined">{q.num_rows}<' in text
