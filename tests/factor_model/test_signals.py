"""A factor model on the real pipeline: synthetic vendor files -> lake -> dbt marts -> Mantle ->
FactorModel -> the `signals` flow -> the lake's forecasts table -> `Mantle.Tables.signals.forecasts`."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from flows import in_process
from flows.signals import signals
from tecton.dal import Mantle, warehouse
from tecton.data.synthetic import generate
from tecton.factor_model import FactorModel, load_panels
from tecton.factor_model.alpha import COMBINED
from tests.support.cli import tecton
from tests.support.lake import ingest_now

pytestmark = [pytest.mark.slow, pytest.mark.minutes(3.3)]
MARKETS = ["CRUDE", "GOLD", "SP500", "CORN"]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A data home with marts built from seven years of four synthetic markets."""
    home = tmp_path_factory.mktemp("signals-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TECTON_HOME", str(home))
        env.delenv("TECTON_LAKE", raising=False)
        generate(home / "raw", MARKETS, dt.date(2014, 1, 1), dt.date(2020, 12, 31), seed=11)
        ingest_now(home / "raw")
        report = warehouse.build()
        assert report.ok, report.failures
    return home


@pytest.fixture
def home(built, monkeypatch):
    monkeypatch.setenv("TECTON_HOME", str(built))
    yield built
    Mantle.close()


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "small",
                "universe": {"markets": MARKETS},
                "alpha": "trend_carry",
                "risk": "default",
            }
        )
    )
    return path


def test_a_model_reads_its_universe_through_mantle(home, model_file):
    model = FactorModel.from_yaml(model_file).fit()
    cont = Mantle.select(Mantle.Tables.futures.returns, columns=["price_adj"], markets=MARKETS)
    expected = cont.pivot(index="trade_date", columns="market_id", values="price_adj")
    pd.testing.assert_frame_equal(
        model.panels_.price_adj, expected[MARKETS], check_names=False, check_freq=False
    )
    forecast = model.forecast_
    assert list(forecast.columns) == MARKETS
    live = forecast.dropna(how="all")
    assert len(live) > 250, "seven years leave years of forecasts after the scalars' 500 days"
    assert (live.abs() <= 20).all().all()
    assert (live.abs().mean().mean()) > 3, "forecasts carry real size, not zeros"
    estimate = model.risk_estimate()
    assert estimate.as_of == forecast.index[-1]
    assert np.linalg.eigvalsh(estimate.cov.to_numpy()).min() >= -1e-12


def test_the_fundamental_model_trends_on_the_fundamentals_mart(home):
    model = FactorModel.from_yaml("futures_fundamental").on(MARKETS).fit()
    long = Mantle.select(Mantle.Tables.futures.fundamentals, columns=["value"], markets=MARKETS,
                         where={"series": "inventory"})  # fmt: skip
    inventory = long.pivot(index="trade_date", columns="market_id", values="value")
    fed = model.panels_.fundamentals["inventory"]
    pd.testing.assert_frame_equal(
        fed[inventory.columns].dropna(how="all"), inventory, check_names=False, check_freq=False
    )
    raw = model.alpha_.raw_
    commodities = ["CRUDE", "GOLD", "CORN"]
    assert raw["inventory8_32"]["SP500"].isna().all(), "an equity index has no inventory"
    assert (raw["inventory8_32"][commodities].notna().sum() > 1000).all()
    assert (raw["positioning8_32"][MARKETS].notna().sum() > 1000).all()
    combined = model.forecast_.dropna(how="all")
    assert combined["SP500"].notna().sum() > 250, "the other rules still forecast SP500"


def test_the_signals_flow_stores_forecasts_served_by_mantle(home, model_file):
    with in_process():
        first = signals(models=[str(model_file)])
    assert set(first) == {"small"}

    stored = Mantle.select(
        Mantle.Tables.signals.forecasts,
        columns=["rule", "forecast", "fitted_at"],
        where={"model": "small"},
    )
    # an independent fit of the same model on the same marts says the same
    expected = FactorModel.from_yaml(model_file).fit().forecasts()
    got = stored.sort_values(["market_id", "trade_date", "rule"], ignore_index=True)
    assert len(got) == len(expected)
    assert (
        got[["market_id", "rule"]].to_numpy() == expected[["market_id", "rule"]].to_numpy()
    ).all()
    assert (got["trade_date"].to_numpy() == expected["trade_date"].to_numpy()).all()
    np.testing.assert_allclose(got["forecast"], expected["forecast"], rtol=0, atol=1e-12)
    combined = got[got.rule == COMBINED]
    assert combined.forecast.abs().max() <= 20
    assert set(combined.market_id) == set(MARKETS)

    # a second run replaces the model's rows (no duplicates) in a new lake version
    with in_process():
        second = signals(models=[str(model_file)])
    assert second["small"] == first["small"] + 1
    again = Mantle.select(
        Mantle.Tables.signals.forecasts, columns=["fitted_at"], where={"model": "small"}
    )
    assert len(again) == len(stored)
    assert again.fitted_at.min() > stored.fitted_at.max()


def test_forecasts_do_not_look_ahead_through_the_whole_model(home, model_file):
    """Fitting on data through day t gives, through t, exactly the forecasts of a full fit."""
    model = FactorModel.from_yaml(model_file)
    panels = load_panels(model.markets())
    full = FactorModel(model.definition).fit(panels)
    for cut in panels.dates[[700, 1200, -40]]:
        early = FactorModel(model.definition).fit(panels.until(cut))
        pd.testing.assert_frame_equal(early.forecast_, full.forecast_.loc[:cut])
        pd.testing.assert_series_equal(
            early.risk_estimate(cut).vol, full.risk_estimate(cut).vol, rtol=1e-12
        )


def test_the_signals_command_prints_the_latest_forecasts(home, model_file, tmp_path):
    done = tecton("signals", "--model", str(model_file), home=home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "small: latest combined forecasts" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    shown = [m for m in MARKETS if m in done.stdout]
    assert shown == MARKETS, done.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text(model_file.read_text().replace("trend_carry", "trend_cary"))
    failed = tecton("signals", "--model", str(bad), home=home)
    assert failed.returncode == 2
    lines = failed.stderr.strip().splitlines()
    assert lines == [
        f"error: {bad}: alpha: unknown alpha model 'trend_cary'; alpha models: trend_carry, trend_carry_fundamentals"
    ], lines


def test_a_model_fitted_as_of_a_time_ignores_later_revisions(tecton_home):
    """A vendor revision landed after T changes a plain fit but not a fit as of T."""
    markets = ["GOLD", "CORN"]
    raw = tecton_home / "raw"
    generate(raw, markets, dt.date(2018, 1, 1), dt.date(2020, 12, 31), seed=2)
    ingest_now(raw)
    assert warehouse.build().ok
    model = FactorModel.from_yaml("futures_trend_carry").on(markets)
    before = FactorModel(model.definition).fit()

    time.sleep(0.05)
    t = pd.Timestamp.now(tz="UTC")
    time.sleep(0.05)
    held = Mantle.select(Mantle.Tables.futures.cont, "2020-06-15", "2020-06-15", markets=["GOLD"])
    path = raw / f"{held.contract_id.item()}.csv"
    bars = pd.read_csv(path)
    for column in ("open", "high", "low", "close"):
        bars[column] = (bars[column] * 1.01).round(4)
    bars.to_csv(path, index=False)
    assert len(ingest_now(raw).landed) == 1
    assert warehouse.build(full_refresh=True).ok

    now = FactorModel(model.definition).fit()
    assert not now.panels_.price_adj.equals(before.panels_.price_adj)
    then = FactorModel(model.definition).fit(as_of=t)
    pd.testing.assert_frame_equal(then.panels_.price_adj, before.panels_.price_adj)
    pd.testing.assert_frame_equal(then.forecast_, before.forecast_)
    Mantle.close()


def test_the_factor_model_notebook_runs(home, tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient", reason="dev dependencies nbclient + ipykernel")
    nbformat = pytest.importorskip("nbformat")
    figure = tmp_path / "forecast.png"
    monkeypatch.setenv("TECTON_NOTEBOOK_MARKETS", ",".join(MARKETS))
    monkeypatch.setenv("TECTON_NOTEBOOK_FIGURE", str(figure))
    nb = nbformat.read(REPO / "notebooks" / "factor_model.ipynb", as_version=4)
    nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )  # fmt: skip
    assert f"futures_trend_carry: 10 rules on {len(MARKETS)} markets" in text
    assert "ewmac16_64" in text and "RiskEstimate(as_of=2020-12-31" in text
    assert figure.stat().st_size > 10_000


def test_a_fit_from_a_start_date_forecasts_from_that_day(home, model_file):
    """The bars before start warm the scalars and rules up; forecasts begin on start itself."""
    model = FactorModel.from_yaml(model_file).fit(start="2020-06-01")
    assert model.panels_.dates[0] < pd.Timestamp("2018-06-01")  # 800 bars read before start
    assert model.forecast_.index[0] == pd.Timestamp("2020-06-01")
    assert model.forecast_.iloc[0].notna().all()
    full = FactorModel.from_yaml(model_file).fit()
    assert model.forecasts().trade_date.min() == pd.Timestamp("2020-06-01")
    # a warm start says what a fit over all the history says, up to the scalars, whose
    # expanding window starts later: the same direction every day, nearly the same size
    both = full.forecast_.loc["2020-06-01":]
    assert (np.sign(model.forecast_) == np.sign(both)).to_numpy().mean() > 0.97
    assert model.forecast_.corrwith(both).min() > 0.95
