"""tecton's deployments end to end on a real Prefect server (loopback), no mocks.

prefect.yaml -> ``prefect deploy`` -> a process worker -> ``prefect deployment run --watch``:
``ingest`` lands exactly the rows of the vendor files in the Delta table; ``signals`` fits a
factor model on built marts and serves its forecasts through Mantle.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import yaml
from deltalake import DeltaTable

from tecton.dal import Mantle, warehouse
from tecton.data.synthetic import generate
from tests.support.lake import ingest_now
from tests.support.prefect_server import PrefectServer, prefect_server
from tests.support.vendor import bars, write_contract

REPO = Path(__file__).resolve().parents[2]
POOL = "tecton"
VALUES = ["open", "high", "low", "close", "volume", "open_interest"]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300), pytest.mark.minutes(2.3)]


def _spec() -> dict:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    return next(d for d in spec["deployments"] if d["name"] == "ingest")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> PrefectServer:
    with prefect_server(tmp_path_factory.mktemp("prefect")) as running:
        yield running


@pytest.fixture(scope="module")
def deployed(server: PrefectServer) -> dict:
    """The work pool, then every deployment registered from prefect.yaml as a user would."""
    server.create_pool(POOL)
    server.check("--no-prompt", "deploy", "--all", cwd=REPO)
    return server.deployment("ingest/ingest")


def test_prefect_yaml_declares_the_ingest_deployment():
    spec = _spec()
    assert spec["entrypoint"] == "flows/ingest.py:ingest"
    assert spec["work_pool"]["name"] == POOL
    assert spec["parameters"] == {"format": "vendor-csv"}  # source: the worker's data home


def test_build_deployment_is_registered(server: PrefectServer, deployed: dict):
    build = server.deployment("build/build")
    assert build["entrypoint"] == "flows/build.py:build"
    assert build["work_pool_name"] == POOL
    assert build["parameters"] == {"full_refresh": False}


def test_deployment_registers_the_schedule_and_the_checkout(deployed: dict):
    declared = _spec()["schedules"]
    registered = [s["schedule"] for s in deployed["schedules"]]
    assert [(s["cron"], s["timezone"]) for s in registered] == [
        (d["cron"], d["timezone"]) for d in declared
    ]
    assert all(s["active"] for s in deployed["schedules"])
    assert deployed["work_pool_name"] == POOL
    assert deployed["entrypoint"] == "flows/ingest.py:ingest"
    assert deployed["parameters"] == {"format": "vendor-csv"}
    # the pull step points the worker at this checkout
    assert deployed["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}
    ]


def test_scheduler_creates_the_daily_runs(server: PrefectServer, deployed: dict):
    """The server's scheduler turns the cron into upcoming runs: weekdays, 22:00 New York time."""
    deadline = time.monotonic() + 60
    runs: list = []
    while not runs and time.monotonic() < deadline:
        runs = server.api(
            "POST",
            "/flow_runs/filter",
            {
                "deployments": {"id": {"any_": [deployed["id"]]}},
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                "sort": "EXPECTED_START_TIME_ASC",
                "limit": 10,
            },
        )
        if not runs:
            time.sleep(1)
    log = server.log.read_text(errors="replace")
    hint = "prefect 3.8's scheduler needs sqlalchemy<2.1\n" if "bulk_dml" in log else ""
    assert runs, f"no scheduled run within 60 s\n{hint}" + server.diagnostics()
    new_york = ZoneInfo("America/New_York")
    for run in runs:
        start = dt.datetime.fromisoformat(run["expected_start_time"]).astimezone(new_york)
        assert (start.weekday() < 5, start.hour, start.minute) == (True, 22, 0), start
        assert run["parameters"] == {"format": "vendor-csv"}


def run_deployment(
    server: PrefectServer, name: str, params: list[str], home: Path, cwd: Path, timeout: int
) -> tuple[dict, str]:
    """``prefect deployment run NAME --param ... --watch`` on a worker whose data home is
    ``home``; the run must complete. Returns the flow run and the server's diagnostics."""
    with server.worker(POOL, env={"TECTON_HOME": str(home)}, cwd=cwd):
        args = [arg for param in params for arg in ("--param", param)]
        run = server.cli(
            "deployment", "run", name, *args,
            "--watch", "--watch-timeout", str(timeout - 30),
            timeout=timeout,
        )  # fmt: skip
    report = server.diagnostics(run)
    assert run.returncode == 0, report
    match = re.search(r"UUID: ([0-9a-f-]{36})", run.stdout)
    assert match, report
    flow_run = server.flow_run(match.group(1))
    assert flow_run["state"]["type"] == "COMPLETED", report
    return flow_run, report


def test_deployment_run_lands_the_files(server: PrefectServer, deployed: dict, tmp_path: Path):
    source = tmp_path / "incoming"
    write_contract(source, "CRUDE_202005", bars(dt.date(2020, 1, 2), 12))
    write_contract(source, "CRUDE_202006", bars(dt.date(2020, 1, 2), 8, price=60))
    write_contract(source, "SP500_202003", bars(dt.date(2019, 12, 2), 15, price=3100, step=2))
    lake = tmp_path / "lake"
    home = tmp_path / "worker-home"  # the worker's data home: nothing may land there

    params = [f"source={source}", f"lake={lake}"]
    flow_run, report = run_deployment(server, "ingest/ingest", params, home, tmp_path, 180)
    assert flow_run["deployment_id"] == deployed["id"]
    assert flow_run["parameters"]["source"] == str(source)

    got = DeltaTable(str(lake / "tables" / "bars")).to_pyarrow_table().to_pandas()
    files = sorted(source.glob("*.csv"))
    assert len(got) == sum(len(pd.read_csv(f)) for f in files), report
    assert set(got["source_file"]) == {f"vendor-csv/{f.name}" for f in files}
    for path in files:
        want = pd.read_csv(path, parse_dates=["date"]).sort_values("date").reset_index(drop=True)
        rows = got[got["source_file"] == f"vendor-csv/{path.name}"]
        rows = rows.sort_values("trade_date").reset_index(drop=True)
        assert (rows["contract_id"] == path.stem).all()
        assert list(pd.to_datetime(rows["trade_date"])) == list(want["date"]), path.name
        pd.testing.assert_frame_equal(
            rows[VALUES].astype(float), want[VALUES].astype(float), check_dtype=False
        )
    assert not (home / "lake").exists()


def test_signals_deployment_is_scheduled_after_the_daily_build(
    server: PrefectServer, deployed: dict
):
    signals = server.deployment("signals/signals")
    assert signals["entrypoint"] == "flows/signals.py:signals"
    assert signals["parameters"] == {
        "models": ["futures_trend_carry", "futures_fundamental"],
        "build": True,
    }
    schedules = [s["schedule"] for s in signals["schedules"]]
    assert [(s["cron"], s["timezone"]) for s in schedules] == [("0 23 * * 1-5", "America/New_York")]


def test_signals_deployment_run_serves_forecasts(
    server: PrefectServer, deployed: dict, tmp_path: Path, monkeypatch
):
    home = tmp_path / "worker-home"  # the worker's data home, with marts built in it
    monkeypatch.setenv("TECTON_HOME", str(home))
    markets = ["CRUDE", "GOLD"]
    generate(home / "raw", markets, dt.date(2016, 1, 1), dt.date(2020, 12, 31), seed=4)
    ingest_now(home / "raw")
    assert warehouse.build().ok
    model = tmp_path / "two.yaml"
    model.write_text(yaml.safe_dump({"name": "two", "universe": {"markets": markets},
                                     "alpha": "trend_carry", "risk": "default"}))  # fmt: skip

    flow_run, report = run_deployment(
        server, "signals/signals", [f'models=["{model}"]'], home, tmp_path, 240
    )
    assert flow_run["parameters"]["models"] == [str(model)]

    stored = Mantle.select(
        Mantle.Tables.signals.forecasts, columns=["rule", "forecast"], where={"model": "two"}
    )
    Mantle.close()
    combined = stored[stored.rule == "combined"]
    assert set(combined.market_id) == set(markets), report
    assert combined.forecast.abs().max() <= 20
