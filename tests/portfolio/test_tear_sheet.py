"""The tear sheet of a stored run: rendered in headless chromium, figures against the analytics,
trials counted from the runs table and deflated by the paper's formula (written here with scipy),
lineage and overrides shown, the rules' forecasts splitting the combined forecast.

Runs are hand-made portfolios (``make_portfolio``) stored with hand-made manifests in a lake of
their own; the rule forecasts come from a factor model fitted on hand-made panels.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import math
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hs
from PIL import Image

from tecton.errors import TectonError
from tecton.factor_model import FactorModel, Panels
from tecton.markets.metadata import markets_csv
from tecton.portfolio import Analytics, Portfolio, attribution
from tecton.portfolio.analytics import HEADLINE
from tecton.portfolio.report import (
    TearSheet,
    Trials,
    asset_classes,
    refit_alpha,
    render_tear_sheet,
    rule_forecasts,
    unchanged_since,
    write_tear_sheet,
)
from tecton.simulation.lineage import Manifest
from tecton.simulation.store import load_run, store_run
from tecton.strategy import StrategyDefinition
from tests.portfolio.test_analytics import make_portfolio
from tests.support.browser import open_page, requires_chromium

pytestmark = [pytest.mark.slow, pytest.mark.minutes(1.2)]

MARKETS = ("SP500", "DAX", "BUND", "GOLD", "EUR")
OVERRIDE = "ran on data that did not pass the checks: GOLD/2020 (quarantined)"
GAMMA = 0.5772156649015329


def definition(name: str) -> StrategyDefinition:
    model = {
        "name": name,
        "universe": {"markets": list(MARKETS)},
        "alpha": "trend_carry",
        "risk": "default",
    }
    return StrategyDefinition(name=name, model=model, capital=1e6, vol_target=0.2, idm=1.0)


def manifest(fingerprint: str, overrides=(), quarantined: tuple = ()) -> Manifest:
    """A manifest reading every market 2019-2021; ``fingerprint`` sets which data that was."""
    partitions = [
        {
            "market_id": m,
            "year": y,
            "status": "quarantined" if (m, y) in quarantined else "promoted",
            "files": 2,
            "fingerprint": f"{fingerprint}-{m}-{y}",
        }
        for m in MARKETS
        for y in (2019, 2020, 2021)
    ]
    return Manifest(
        strategy={"name": "hand_made"},
        strategy_sha256="a" * 64,
        model_sha256="b" * 64,
        parameters={"start": "2019-01-01", "end": "2021-04-19", "lake_as_of": None},
        lake_root="/somewhere/lake",
        lake_versions={"bars": 7, "fx_prices": 2},
        as_of=None,
        partitions=partitions,
        overrides=list(overrides),
        package_version="0.1.0",
        code_commit="0123456789abcdef",
        versions={"numpy": "2.1.0", "cvxpy": "1.9.3"},
        result_sha256="c" * 64,
    )


@dataclass
class Result:
    """What ``store_run`` reads of a SimulationResult."""

    run_id: str
    portfolio: Portfolio
    manifest: Manifest | None
    strategy: StrategyDefinition = field(default_factory=lambda: definition("hand_made"))
    lake_versions: dict = field(default_factory=lambda: {"bars": 7})
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def summary(self) -> dict:
        return Analytics(self.portfolio).summary()

    @property
    def start(self):
        return self.portfolio.capital.index[0]

    @property
    def end(self):
        return self.portfolio.capital.index[-1]


# run id -> (seed, data, stored with a manifest); "main" is the sheet's run
RUNS = {
    "main": (0, "same", True),
    "other1": (1, "same", True),
    "other2": (2, "same", True),
    "elsewhere": (3, "different", True),
    "old": (4, "same", False),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("report-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TECTON_HOME", str(home))
        env.delenv("TECTON_LAKE", raising=False)
        for i, (run_id, (seed, data, kept)) in enumerate(RUNS.items()):
            overrides = [OVERRIDE] if run_id == "main" else []
            m = manifest(data, overrides, {("GOLD", 2020)}) if kept else None
            p = make_portfolio(n_days=600, markets=MARKETS, seed=seed)
            when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i)
            store_run(Result(run_id, p, m, created_at=when))
        page = write_tear_sheet("main")
    return home, page


@pytest.fixture
def home(built, monkeypatch):
    monkeypatch.setenv("TECTON_HOME", str(built[0]))
    return built[0]


@pytest.fixture
def page(built, home) -> Path:
    return built[1]


class Figures(HTMLParser):
    """Every ``data-figure`` element's exact value and printed text; every image's source."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, list[tuple[float, str]]] = {}
        self.images: dict[str, str] = {}
        self._open: tuple[str, float] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-figure" in a:
            self._open = (a["data-figure"], float(a["data-value"]))
        if tag == "img":
            self.images[a["alt"]] = a["src"]

    def handle_data(self, data):
        if self._open:
            key, value = self._open
            self.figures.setdefault(key, []).append((value, data.strip()))
            self._open = None


def parsed(page: Path) -> Figures:
    parser = Figures()
    parser.feed(page.read_text())
    return parser


def reference_classes() -> dict[str, str]:
    with open(markets_csv(), newline="") as f:
        rows = {r["market_id"]: r["asset_class"] for r in csv.DictReader(f)}
    return {m: rows[m] for m in MARKETS}


def plain_sharpe(p: Portfolio) -> float:
    daily = p.pnl.groupby("trade_date")["pnl"].sum().reindex(p.capital.index, fill_value=0.0)
    r = daily / p.capital.shift(1).fillna(p.capital.iloc[0])
    return r.mean() / r.std(ddof=1) * math.sqrt(252)


def printed(value: float, key: str) -> str:
    """How the page should print each headline figure, written out here."""
    if not math.isfinite(value):
        return "n/a"
    if key in ("ann_return", "ann_vol", "max_drawdown", "hit_rate"):
        return f"{100 * value:.2f}%"
    if key == "cost_ann":
        return f"{100 * value:.3f}%"
    if key in ("max_drawdown_days", "trials"):
        return f"{value:,.0f}"
    return f"{value:.3f}"


@requires_chromium
def test_the_page_renders_in_chromium_every_plot_drawn_nothing_fetched(page):
    pngs = sorted(p.stem for p in page.parent.glob("*.png"))
    assert {"equity", "rolling", "monthly", "exposures", "attribution_market", "costs"} <= set(pngs)
    with open_page(page) as loaded:
        assert loaded.errors == []
        outside = [u for u in loaded.requests if not u.startswith(("data:", page.as_uri()))]
        assert outside == []  # self-contained: no CDN, no font, no file beside it
        drawn = {p.name: p for p in loaded.plots() if p.kind == "img"}
        assert sorted(drawn) == pngs
        assert all(p.drawn and p.colours > 16 for p in drawn.values()), drawn
        text = loaded.evaluate("document.body.innerText")
    assert "Overrides" in text and OVERRIDE in text


def test_every_image_decodes_is_not_blank_and_equals_its_png_copy(page):
    images = parsed(page).images
    assert len(images) >= 6
    for name, src in images.items():
        head, data = src.split(",", 1)
        assert head == "data:image/png;base64"
        raw = base64.b64decode(data)
        assert raw == (page.parent / f"{name}.png").read_bytes(), name
        pixels = np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))
        assert pixels.shape[0] > 100 and pixels.shape[1] > 500
        assert pixels.reshape(-1, 3).std(axis=0).max() > 5, f"{name} is blank"
        share_white = (pixels == 255).all(axis=2).mean()
        assert share_white < 0.97, f"{name}: {share_white:.1%} white"


def test_the_headline_figures_on_the_page_equal_the_analytics(page, home):
    stored = load_run("main")
    a = Analytics(stored.portfolio, 252, reference_classes())
    expected = a.summary()
    assert expected["sharpe"] == pytest.approx(plain_sharpe(stored.portfolio), rel=1e-12)
    shown = parsed(page).figures
    for key in HEADLINE:
        for value, text in shown[key]:
            assert value == pytest.approx(expected[key], rel=1e-12, nan_ok=True), key
            assert text == printed(expected[key], key), key
    assert len(shown["sharpe"]) == 2  # a card and the table, the same number


def test_trials_are_the_runs_on_the_same_data_deflated_by_the_papers_formula(page, home):
    portfolios = {r: load_run(r).portfolio for r in ("main", "other1", "other2")}
    sharpes = np.array([plain_sharpe(p) for p in portfolios.values()])
    shown = {k: v[0][0] for k, v in parsed(page).figures.items()}
    # "elsewhere" read other data, "old" has no manifest: three trials
    assert shown["trials"] == 3
    assert shown["trials_sharpe_var"] == pytest.approx(sharpes.var(ddof=1), rel=1e-9)
    # Bailey and Lopez de Prado (2014), eq. 2 and the PSR, per observation
    r = portfolios["main"].returns()
    n, var = 3, sharpes.var(ddof=1) / 252
    sr0 = math.sqrt(var) * (
        (1 - GAMMA) * st.norm.ppf(1 - 1 / n) + GAMMA * st.norm.ppf(1 - 1 / (n * math.e))
    )
    sr = r.mean() / r.std(ddof=1)
    g3, g4 = st.skew(r), st.kurtosis(r, fisher=False)
    dsr = st.norm.cdf(
        (sr - sr0) * math.sqrt(len(r) - 1) / math.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2)
    )
    assert shown["dsr"] == pytest.approx(dsr, rel=1e-9)
    assert shown["expected_max_sharpe"] == pytest.approx(sr0 * math.sqrt(252), rel=1e-9)
    psr = st.norm.cdf(sr * math.sqrt(len(r) - 1) / math.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2))
    assert shown["psr"] == pytest.approx(psr, rel=1e-9)
    listed = re.findall(r"<tr(?: class='this')?><td>(\w+)</td><td>hand_made", page.read_text())
    assert sorted(listed) == ["main", "other1", "other2"]


def test_the_lineage_shows_partitions_overrides_versions_and_the_definition(page, home):
    text = page.read_text()
    assert text.index("id='overrides'") < text.index("<h2>Figures</h2>")  # shown first
    assert "14 promoted" in text and "1 quarantined" in text
    gold = re.search(r"<tr><td>GOLD</td>(.*?)</tr>", text).group(1)
    assert "2019-2021" in gold and "2020 (quarantined)" in gold
    for fact in ("0123456789abcdef", "bars@7 fx_prices@2", "1.9.3", "c" * 64):
        assert fact in text, fact
    shown = html.unescape(re.search(r"<pre>(.*?)</pre>", text, re.S).group(1))
    assert shown == load_run("main").definition_yaml  # the definition as it was run
    assert "ewmac16_64" in shown and "vol_target: 0.2" in shown
    # no bars in this lake: no model to refit, and the page says so
    assert "attribution by rule: not available" in text and "no bars" in text


def test_asset_classes_come_from_the_reference_file_and_unknown_markets_are_other():
    assert asset_classes(list(MARKETS)) == reference_classes()
    assert asset_classes(["SP500", "MY_OWN"]) == {"SP500": "equity", "MY_OWN": "other"}


def test_a_run_without_a_manifest_is_its_only_trial_and_the_page_links_the_quality_report(
    home, tmp_path
):
    report = home / "quality" / "report.html"
    report.parent.mkdir(exist_ok=True)
    report.write_text("<html></html>")
    page = write_tear_sheet("old", tmp_path / "sheets", by_rule=False)
    assert page == tmp_path / "sheets" / "old" / "tearsheet.html"
    text = page.read_text()
    href = re.search(r"id='quality-report' href='([^']+)'", text).group(1)
    assert (page.parent / href).resolve() == report.resolve()
    shown = parsed(page).figures
    assert shown["trials"][0][0] == 1 and shown["trials_sharpe_var"][0][0] == 0
    assert shown["dsr"][0][0] == pytest.approx(shown["psr"][0][0], rel=1e-12)  # nothing to deflate
    assert "stored without a manifest" in text and "id='overrides'" not in text
    named = write_tear_sheet("old", tmp_path / "mine.html", by_rule=False)
    assert named == tmp_path / "mine.html" and (tmp_path / "equity.png").exists()
    with pytest.raises(TectonError, match="no stored run 'missing'"):
        write_tear_sheet("missing")


def random_walk(n: int, warm: int, seed: int) -> pd.DataFrame:
    """Prices whose ``warm``-th day is 2019-01-01, where ``make_portfolio``'s days begin."""
    rng = np.random.default_rng(seed)
    first = pd.bdate_range(end="2019-01-01", periods=warm + 1)[0]
    dates = pd.bdate_range(first, periods=n, name="trade_date")
    steps = rng.normal(0.02, 1.0, (n, len(MARKETS)))
    return pd.DataFrame(100 + steps.cumsum(axis=0), dates, pd.Index(MARKETS, name="market_id"))


@pytest.fixture(scope="module")
def fitted() -> FactorModel:
    price = random_walk(1100, 600, seed=5)
    ret = price.diff()
    carry = price.pct_change().rolling(60).mean() * 252
    panels = Panels(price_adj=price, ret_pts=ret, ret_pct=ret / price.shift(1), carry_ann=carry)
    return FactorModel(definition("rules").model).fit(panels, start="2019-01-01")


def test_the_rules_weighted_forecasts_add_up_to_the_combined_forecast(fitted):
    alpha = fitted.alpha_
    parts = rule_forecasts(alpha, "2019-01-01")
    assert sorted(parts) == sorted(alpha.definition.rules)
    # each rule's scaled forecast times its weight that day, lagged a day, from the fit's start
    raw = {
        r: alpha.scaled_[r].mul(alpha.weights_[r], axis=0).shift(1).loc["2019-01-01":]
        for r in parts
    }
    total = sum(f.fillna(0.0) for f in raw.values())
    cancel = total.abs() < 1.0  # the rules cancel out: left unattributed
    assert 0 < cancel.to_numpy().mean() < 0.2
    for r, f in raw.items():
        pd.testing.assert_frame_equal(parts[r], f.where(~cancel), check_freq=False)
    # where they do not, they split the combined forecast: weights renormalised over the rules
    # present, times the diversification multiplier, below the cap
    weight = sum(f.notna().mul(alpha.weights_[r].shift(1).reindex(f.index), axis=0)
                 for r, f in raw.items())  # fmt: skip
    fdm = alpha.fdm_.shift(1).reindex(total.index)
    combined = total.div(weight).mul(fdm, axis=0)
    expected = fitted.forecast_
    kept = (expected.abs() < 20) & ~cancel
    assert kept.to_numpy().mean() > 0.5
    np.testing.assert_allclose(
        combined.where(kept).to_numpy(), expected.where(kept).to_numpy(), rtol=1e-9
    )


def test_attribution_by_rule_is_drawn_and_adds_up_to_the_portfolio(fitted, tmp_path):
    dates = fitted.forecast_.index
    p = make_portfolio(n_days=len(dates), markets=MARKETS, seed=7)
    assert p.capital.index.equals(dates)
    a = Analytics(p, 252, reference_classes())
    forecasts = rule_forecasts(fitted.alpha_, "2019-01-01")
    one = pd.DataFrame(
        {"run_id": ["r"], "strategy": ["s"], "created_at": [pd.NaT], "sharpe": [1.0]}
    )
    sheet = TearSheet("r", "rules", a, "name: rules\n", Trials(one), rule_forecasts=forecasts)
    page = render_tear_sheet(sheet, tmp_path / "sheet.html")
    assert (tmp_path / "attribution_rule.png").exists()
    table = a.pnl_by_rule(forecasts, dict.fromkeys(forecasts, 1.0))
    assert table["pnl"].sum() == pytest.approx(p.pnl["pnl"].sum(), rel=1e-9)
    # one rule's P&L by a loop over markets: its share of yesterday's summed forecasts
    pnl = attribution.market_pnl(p.pnl, dates)
    expected = 0.0
    for m in MARKETS:
        f = pd.DataFrame({r: forecasts[r][m] for r in forecasts}).reindex(dates)
        f = f.shift(1).fillna(0.0)
        total = f.sum(axis=1)
        expected += (f["carry"].div(total).where(total != 0, 0.0) * pnl[m]).sum()
    assert table.loc["carry", "pnl"] == pytest.approx(expected, rel=1e-9)
    assert "<td>carry</td>" in page.read_text()


@settings(max_examples=60, deadline=None)
@given(
    hs.lists(hs.floats(-3, 3, allow_nan=False), min_size=1, max_size=40),
    hs.sampled_from([252, 365]),
)
def test_the_expected_best_of_the_trials_is_the_closed_form_in_annual_units(sharpes, days):
    t = Trials(pd.DataFrame({"run_id": range(len(sharpes)), "sharpe": sharpes}))
    n, v = len(sharpes), (np.var(sharpes, ddof=1) if len(sharpes) > 1 else 0.0)
    z = (1 - GAMMA) * st.norm.ppf(1 - 1 / n) + GAMMA * st.norm.ppf(1 - 1 / (n * math.e))
    expected = math.sqrt(v) * z if n > 1 else 0.0
    # per observation and back: the day count must not matter
    assert t.expected_max_sharpe(days) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert t.variance == pytest.approx(v, rel=1e-9, abs=1e-15)


@pytest.fixture
def warehouse_home(tmp_path, monkeypatch):
    """Two markets through the quality gate and the warehouse build (about 25 s)."""
    from tecton.dal import Mantle, warehouse
    from tecton.data.synthetic import generate
    from tests.support.lake import ingest_now

    generate(
        tmp_path / "raw", ["CRUDE", "SP500"], dt.date(2017, 6, 1), dt.date(2020, 12, 31), seed=4
    )
    ingest_now(tmp_path / "raw", checked=True)
    assert warehouse.build().ok
    Mantle.close()
    yield
    Mantle.close()


def test_a_simulated_run_is_refitted_on_its_own_data_and_split_by_rule(warehouse_home):
    from tecton.simulation import Simulation
    from tecton.simulation.history import load_history
    from tecton.strategy import Strategy

    model = {"name": "e2e", "universe": {"markets": ["CRUDE", "SP500"]}, "alpha": "trend_carry",
             "risk": "default"}  # fmt: skip
    strategy = Strategy(
        StrategyDefinition(name="e2e", model=model, capital=1e6, vol_target=0.2, idm=1.2)
    )
    result = Simulation(strategy, "2019-06-01", "2020-12-31").run()
    run_id = store_run(result)
    page = write_tear_sheet(run_id)
    text = page.read_text()
    assert "the alpha model refitted on the current warehouse" in text
    assert (page.parent / "attribution_rule.png").exists()
    # the refit reads what the run read: its combined forecast is the one the run traded on
    stored = load_run(run_id)
    refit, start, how = refit_alpha(stored)
    assert how.startswith("the current warehouse")
    traded = load_history(strategy, "2019-06-01", "2020-12-31")
    np.testing.assert_array_equal(
        refit.forecast_.loc[start:].reindex(columns=list(traded.markets)).to_numpy(),
        traded.forecast,
    )
    parts = rule_forecasts(refit, start)
    # the data is unchanged by the lake's versions; else by the partitions' fingerprints
    m = stored.manifest
    assert unchanged_since(m)
    moved = replace(m, lake_versions={**m.lake_versions, "bars": m.lake_versions["bars"] + 1})
    assert unchanged_since(moved)
    first = {**moved.partitions[0], "fingerprint": "0" * 64}
    assert not unchanged_since(replace(moved, partitions=[first, *moved.partitions[1:]]))
    by_rule = Analytics(stored.portfolio).pnl_by_rule(parts, dict.fromkeys(parts, 1.0))
    assert by_rule["pnl"].sum() == pytest.approx(stored.portfolio.pnl["pnl"].sum(), rel=1e-9)
    for rule, value in by_rule["ann_return"].items():
        shown = re.search(
            rf"<tr><td>{rule}</td><td class=\"num\">[^<]*</td><td class=\"num\">([^<]*)</td>", text
        )
        assert shown.group(1) == f"{100 * value:.2f}%", rule
