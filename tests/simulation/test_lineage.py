"""Backtests you can trust: a manifest of what a run read, a refusal of unchecked data, a rerun
that reproduces bit for bit and names what changed since."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from tecton.dal import Mantle, warehouse
from tecton.data.synthetic import generate
from tecton.errors import TectonError
from tecton.simulation import Simulation
from tecton.simulation.lineage import PartitionState, check_partitions
from tecton.simulation.rerun import rerun
from tecton.simulation.store import load_run, store_run
from tecton.strategy import Strategy, StrategyDefinition
from tests.quality.test_quality import _spike, rows_of, write_rows
from tests.support.cli import tecton
from tests.support.lake import ingest_now

pytestmark = [pytest.mark.slow, pytest.mark.minutes(2.0)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Five years of CRUDE, GOLD and SP500 through the quality gate; GOLD's 2020 held back."""
    home = tmp_path_factory.mktemp("lineage-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TECTON_HOME", str(home))
        env.delenv("TECTON_LAKE", raising=False)
        generate(
            home / "raw",
            ["CRUDE", "GOLD", "SP500"],
            dt.date(2016, 1, 1),
            dt.date(2020, 12, 31),
            seed=8,
        )
        target = sorted((home / "raw").glob("GOLD_2021*.csv"))[0]
        rows = rows_of(target)
        late = [i for i, r in enumerate(rows) if r[0].startswith("2020-1")]
        write_rows(target, rows[: late[0]] + _spike(rows[late[0] :]))
        report = ingest_now(home / "raw", checked=True)
        assert not report.quality.ok  # the spike was quarantined
        assert warehouse.build().ok
        Mantle.close()
    return home


@pytest.fixture
def home(built, monkeypatch):
    monkeypatch.setenv("TECTON_HOME", str(built))
    yield built
    Mantle.close()


def strategy(markets, name="lineage") -> Strategy:
    model = {
        "name": name,
        "universe": {"markets": markets},
        "alpha": "trend_carry",
        "risk": "default",
    }
    return Strategy(
        StrategyDefinition(name=name, model=model, capital=1e6, vol_target=0.2, idm=1.5)
    )


def test_a_run_records_what_it_read_and_a_rerun_reproduces_it_bit_for_bit(home):
    result = Simulation(strategy(["CRUDE", "SP500"]), "2019-01-01", "2020-12-31").run()
    manifest = result.manifest
    read = {(p["market_id"], p["year"]) for p in manifest.partitions}
    assert {("CRUDE", 2020), ("SP500", 2019)} <= read and not any(m == "GOLD" for m, _ in read)
    assert {p["status"] for p in manifest.partitions} == {"promoted"}
    assert all(len(p["fingerprint"]) == 64 and p["files"] > 0 for p in manifest.partitions)
    assert manifest.strategy["name"] == "lineage" and len(manifest.strategy_sha256) == 64
    assert manifest.versions["cvxpy"] and manifest.overrides == []
    run_id = store_run(result)
    assert load_run(run_id).manifest == manifest

    again = rerun(run_id)
    assert again.reproduced, again.describe()
    assert again.result.manifest.result_sha256 == manifest.result_sha256
    assert "reproduced bit for bit" in again.describe()


def test_fills_at_the_open_are_at_the_held_contracts_open_in_the_vendor_file(home):
    result = Simulation(
        strategy(["CRUDE", "SP500"], "at_open"), "2019-01-01", "2020-12-31", fill="open"
    ).run()
    signals = result.portfolio.trades.query("reason == 'signal'")
    assert len(signals) > 20 and set(signals["market_id"]) == {"CRUDE", "SP500"}
    opens = {
        contract: pd.read_csv(home / "raw" / f"{contract}.csv", index_col="date")["open"]
        for contract in set(signals["contract_id"])
    }
    expected = [
        opens[c][str(pd.Timestamp(d).date())]
        for c, d in zip(signals["contract_id"], signals["trade_date"], strict=True)
    ]
    np.testing.assert_allclose(signals["price"].to_numpy(), expected, rtol=1e-12)
    assert result.manifest.parameters["fill"] == "open"
    again = rerun(store_run(result))
    assert again.reproduced, again.describe()

    refused = tecton("backtest", "futures_trend_carry", "--fill", "vwap", home=home)
    assert refused.returncode == 2 and "--fill must be close or open" in refused.stderr


def test_quarantined_data_is_refused_by_name_unless_overridden_and_the_override_is_recorded(home):
    exposed = strategy(["CRUDE", "GOLD"], "exposed")
    with pytest.raises(TectonError, match=r"GOLD/2020 \(quarantined\)"):
        Simulation(exposed, "2019-01-01", "2020-12-31").run()
    result = Simulation(exposed, "2019-01-01", "2020-12-31", allow_unchecked=True).run()
    assert any("GOLD/2020 (quarantined)" in note for note in result.manifest.overrides)

    path = home / "exposed.yaml"
    path.write_text(yaml.safe_dump(exposed.definition.model_dump(mode="json")))
    refused = tecton("backtest", str(path), "--start", "2019-01-01", home=home)
    assert refused.returncode == 2 and "GOLD/2020 (quarantined)" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr


def test_unchecked_partitions_are_refused_too():
    states = [
        PartitionState("CRUDE", 2020, "promoted", 3, "a" * 64),
        PartitionState("CRUDE", 2021, "unchecked", 1, "b" * 64),
        PartitionState("GOLD", 2021, "accepted", 2, "c" * 64),
    ]
    with pytest.raises(TectonError, match=r"CRUDE/2021 \(unchecked\)") as refused:
        check_partitions(states, allow_unchecked=False)
    assert "GOLD" not in str(refused.value)  # an audited accept passes
    assert check_partitions(states, allow_unchecked=True) == [
        "ran on data that did not pass the checks: CRUDE/2021 (unchecked)"
    ]


def test_a_rerun_after_new_data_still_reproduces_and_names_what_changed(home):
    result = Simulation(strategy(["CRUDE", "SP500"], "before"), "2019-01-01", "2020-12-31").run()
    run_id = store_run(result)
    # a vendor revises one CRUDE file: new data lands and is built
    revised = sorted((home / "raw").glob("CRUDE_2021*.csv"))[0]
    rows = rows_of(revised)
    rows[-1][4] = f"{float(rows[-1][4]) + 0.01:.2f}"
    rows[-1][2] = f"{max(float(rows[-1][2]), float(rows[-1][4])):.2f}"
    write_rows(revised, rows)
    ingest_now(home / "raw", checked=True)
    assert warehouse.build().ok
    Mantle.close()

    again = rerun(run_id)
    assert again.reproduced, again.describe()  # it read the data as the lake stood then
    changed = [n for n in again.differences if n.startswith("data: partitions changed:")]
    assert changed and "CRUDE/2020" in changed[0] and "SP500" not in changed[0], again.differences
    shown = tecton("backtest", "--rerun", run_id, home=home)
    assert shown.returncode == 0, shown.stderr
    assert "reproduced bit for bit" in shown.stdout and "CRUDE/2020" in shown.stdout
