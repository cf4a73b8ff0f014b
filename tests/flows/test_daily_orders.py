"""The daily run ends with tomorrow's orders: written for a strategy whose data passed, refused
(no file, the run Failed with the reason) for one that trades a market quarantined today."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import yaml

from flows import in_process
from flows.daily import daily
from tecton import config
from tecton.data.synthetic import generate
from tecton.strategy import Strategy
from tests.quality.test_quality import _spike, rows_of, write_rows

pytestmark = [pytest.mark.slow, pytest.mark.minutes(1.5)]


def strategy_file(folder, name, markets):
    path = folder / f"{name}.yaml"
    model = {
        "name": name,
        "universe": {"markets": markets},
        "alpha": "trend_carry",
        "risk": "default",
    }
    path.write_text(
        yaml.safe_dump(
            {"name": name, "model": model, "capital": 500_000, "vol_target": 0.2, "idm": 1.5}
        )
    )
    return path


def test_daily_writes_orders_for_clean_markets_and_none_for_a_quarantined_one(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, ["CRUDE", "GOLD", "SP500"], dt.date(2016, 1, 1), dt.date(2020, 12, 31), seed=5)
    # a spike in GOLD's last year: that partition is quarantined, the years before still build
    target = sorted(raw.glob("GOLD_2021*.csv"))[0]
    rows = rows_of(target)
    late = [i for i, r in enumerate(rows) if r[0].startswith("2020-1")]
    assert late, "the chosen contract trades in late 2020"
    write_rows(target, rows[: late[0]] + _spike(rows[late[0] :]))
    clean = strategy_file(tmp_path, "clean", ["CRUDE", "SP500"])
    exposed = strategy_file(tmp_path, "exposed", ["CRUDE", "GOLD"])
    holdings = config.home() / "holdings"
    holdings.mkdir(parents=True)
    (holdings / "clean.csv").write_text("market_id,contracts\nCRUDE,2\n")

    with in_process():
        state = daily(str(raw), strategies=[str(clean), str(exposed)], return_state=True)

    assert state.is_failed()
    assert "exposed: no orders: partitions of GOLD were quarantined today" in state.message
    orders_dir = config.home() / "orders"
    assert not (orders_dir / "exposed").exists()
    (written,) = sorted((orders_dir / "clean").glob("*.csv"))
    orders = pd.read_csv(written)
    # the same rebalance, run again from a notebook on the same warehouse, gives the same orders
    decision = Strategy.from_yaml(clean).rebalance({"CRUDE": 2})
    assert written.stem == str(decision.as_of.date())
    expected = decision.trades[decision.trades != 0]
    assert list(orders["market_id"]) == list(expected.index)
    signed = orders["contracts"].where(orders["side"] == "BUY", -orders["contracts"])
    assert list(signed) == list(expected)
    assert "clean: orders for the session after" in written.with_suffix(".md").read_text()
