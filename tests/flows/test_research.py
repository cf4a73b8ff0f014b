"""Flow ``research`` in-process on the real pipeline: synthetic vendor files -> lake -> marts ->
a backtest of a small strategy -> the lake's backtest tables -> ``Mantle.Tables.backtests``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from flows import in_process
from flows.research import research
from tecton.dal import Mantle, warehouse
from tecton.data.synthetic import generate
from tecton.portfolio.portfolio import PNL_COLUMNS
from tecton.simulation import Simulation
from tecton.simulation.store import list_runs, load_run
from tecton.strategy import Strategy
from tests.support.lake import ingest_now

pytestmark = [pytest.mark.slow, pytest.mark.minutes(0.7)]
MARKETS = ["CRUDE", "GOLD", "DAX"]  # DAX quoted in EUR: the run books FX too
REPO = Path(__file__).resolve().parents[2]
START, END = "2019-01-02", "2020-12-31"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A data home with marts built from four years of three synthetic markets (fx/EURUSD.csv for DAX)."""
    home = tmp_path_factory.mktemp("research-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TECTON_HOME", str(home))
        env.delenv("TECTON_LAKE", raising=False)
        generate(home / "raw", MARKETS, dt.date(2017, 1, 1), dt.date(2020, 12, 31), seed=7)
        ingest_now(home / "raw", checked=True)
        report = warehouse.build()
        assert report.ok, report.failures
    return home


@pytest.fixture
def home(built, monkeypatch):
    monkeypatch.setenv("TECTON_HOME", str(built))
    yield built
    Mantle.close()


@pytest.fixture(scope="module")
def strategy_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("strategy") / "small.yaml"
    model = {
        "name": "small",
        "universe": {"markets": MARKETS},
        "alpha": "trend_carry",
        "risk": "default",
    }
    spec = {"name": "small", "model": model, "capital": 2_000_000, "vol_target": 0.25, "idm": 1.0}
    path.write_text(yaml.safe_dump(spec))
    return path


def test_prefect_yaml_declares_the_research_deployment_unscheduled():
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    (research_spec,) = [d for d in spec["deployments"] if d["name"] == "research"]
    assert research_spec["entrypoint"] == "flows/research.py:research"
    assert research_spec["parameters"]["strategy"] == "futures_trend_carry"
    assert not research_spec.get("schedules")
    assert research_spec["work_pool"]["name"] == "tecton"


def test_the_research_flow_stores_a_run_served_by_mantle(home, strategy_file):
    with in_process():
        run_id = research(str(strategy_file), start=START, end=END, capital=1_500_000)

    (listed,) = list_runs().itertuples()
    assert listed.run_id == run_id and listed.strategy == "small"
    assert listed.start >= pd.Timestamp(START) and listed.end <= pd.Timestamp(END)
    assert "bars@" in listed.data_version

    # an independent run of the same strategy on the same marts says the same
    again = Simulation(
        Strategy.from_yaml(strategy_file), start=START, end=END, capital=1_500_000
    ).run()
    expected = again.portfolio.pnl.sort_values(["trade_date", "market_id"], ignore_index=True)
    assert expected["pnl"].abs().sum() > 0, "the strategy traded"
    served = Mantle.select(Mantle.Tables.backtests.pnl, where={"run_id": run_id})
    served = served.loc[:, list(PNL_COLUMNS)].sort_values(
        ["trade_date", "market_id"], ignore_index=True
    )
    pd.testing.assert_frame_equal(served, expected, check_dtype=False)

    runs = Mantle.select(Mantle.Tables.backtests.runs, where={"run_id": run_id})
    assert runs.loc[0, "capital"] == 1_500_000
    read = {k: v for k, v in again.lake_versions.items() if not k.startswith("backtest_")}
    assert json.loads(runs.loc[0, "lake_versions"]) == read, "the tables the run read, only"
    np.testing.assert_allclose(runs.loc[0, "sharpe"], again.summary["sharpe"], rtol=1e-12)
    stored = load_run(run_id)
    assert stored.strategy == again.strategy
    capital = Mantle.select("backtests.capital", where={"run_id": run_id})
    np.testing.assert_allclose(capital["capital"], again.portfolio.capital.to_numpy())
