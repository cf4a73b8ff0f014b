"""Strategy YAML: every shipped file loads, writes back the same, and a mistake is one line."""

from __future__ import annotations

import pytest
import yaml

from tecton.errors import TectonError
from tecton.strategy import STRATEGIES, Strategy
from tecton.strategy.holdings import holdings_vector, read_holdings


@pytest.mark.parametrize("name", sorted(STRATEGIES.names()))
def test_each_shipped_strategy_reads_and_writes_back_the_same(name, tmp_path):
    strategy = Strategy.from_yaml(name)
    path = strategy.to_yaml(tmp_path / f"{name}.yaml")
    assert Strategy.from_yaml(path).definition == strategy.definition


def _write(tmp_path, **changes):
    raw = yaml.safe_load(STRATEGIES.get("futures_trend_carry").read_text())
    raw.update(changes)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"vol_targett": 0.2}, "vol_targett"),
        ({"capital": -1}, "capital"),
        ({"capital": float("nan")}, "capital"),
        ({"idm": 3.0}, "idm"),
        ({"sizing": "kelly"}, "sizing"),
        ({"model": "no_such_model"}, "no_such_model"),
        ({"instrument_weights": {"CRUDE": -1}}, "instrument_weights"),
        (
            {"optimizer": {"constraints": {"vol_ceiling": -0.1}}},
            "optimizer.constraints.vol_ceiling",
        ),
        ({"costs": {"commision": True}}, "costs.commision"),
    ],
)
def test_a_mistake_is_one_line_naming_the_file_and_the_key(tmp_path, changes, says):
    with pytest.raises(TectonError) as error:
        Strategy.from_yaml(_write(tmp_path, **changes))
    message = str(error.value)
    assert "mine.yaml" in message and says in message, message
    assert "\n" not in message


def test_a_platform_in_another_base_currency_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TECTON_BASE_CURRENCY", "EUR")
    strategy = Strategy.from_yaml(_write(tmp_path, base_currency="USD"))
    with pytest.raises(TectonError, match="TECTON_BASE_CURRENCY=USD"):
        strategy.rebalance({}, as_of="2024-06-28")


def test_holdings_are_refused_by_name_and_read_from_csv(tmp_path):
    markets = ["CRUDE", "GOLD"]
    assert list(holdings_vector({"GOLD": -2}, markets, "s")) == [0.0, -2.0]
    with pytest.raises(TectonError, match="holdings name FOO"):
        holdings_vector({"FOO": 1}, markets, "s")
    with pytest.raises(TectonError, match="whole numbers"):
        holdings_vector({"GOLD": float("nan")}, markets, "s")
    path = tmp_path / "h.csv"
    path.write_text("market_id,contracts\ncrude, 3\nGOLD,-1\n")
    assert read_holdings(path).to_dict() == {"CRUDE": 3.0, "GOLD": -1.0}
