"""Partition checks end to end: real GX, real Delta tables, no mocks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.compute as pc
import pytest

from tecton.lake import Lake, commit, plan, stage
from tecton.quality import QUALITY_GATE, QUALITY_LOG, accept, suites
from tecton.quality.manifest import quarantined
from tests.support.vendor import bars, write_contract


def checked(source: Path, lake: Lake | None = None, fmt: str = "vendor-csv"):
    lake = lake or Lake()
    p = plan(source, fmt, lake)
    return commit(p, [stage(b, fmt, lake) for b in p.batches(500)], lake, gate=QUALITY_GATE)


def rows_of(path: Path) -> list[list[str]]:
    lines = path.read_text().splitlines()
    return [line.split(",") for line in lines[1:]]


def write_rows(path: Path, rows) -> None:
    path.write_text(
        "date,open,high,low,close,volume,open_interest\n"
        + "\n".join(",".join(r) for r in rows)
        + "\n"
    )


def copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file():  # the price files (the generator's fundamentals/ subfolder stays out)
            (dst / f.name).write_bytes(f.read_bytes())
    return dst


def test_clean_synthetic_passes_including_the_negative_crude_print(clean_raw):
    report = checked(clean_raw)
    v = report.quality
    assert v.ok, v.summary()
    bars_t = Lake().read("bars")
    crude = bars_t.filter(pc.field("contract_id") == "CRUDE_202005")
    assert pc.min(crude["close"]).as_py() == pytest.approx(-37.63)  # real edge case promoted
    assert bars_t.num_rows == sum(p.rows for p in v.partitions)


# (file edit, rule expected) -- each a bad input the checks must name
def _spike(rows):
    i = len(rows) // 3
    rows[i][4] = f"{float(rows[i][4]) * 1.3:.2f}"
    rows[i][2] = f"{max(float(rows[i][2]), float(rows[i][4])):.2f}"
    return rows


def _gap(rows):
    i = len(rows) // 3
    return rows[:i] + rows[i + 8 :]


def _stale(rows):
    i = len(rows) // 3
    for r in rows[i : i + 7]:
        r[1] = r[2] = r[3] = r[4] = rows[i][4]
    return rows


def _ohlc(rows):
    i = len(rows) // 3
    rows[i][4] = f"{float(rows[i][2]) + 1:.2f}"
    return rows


def _negative(rows):
    i = len(rows) // 3
    rows[i][3] = "-1"
    return rows


def _volume(rows):
    rows[len(rows) // 3][5] = "-5"
    return rows


def _oi(rows):
    rows[len(rows) // 3][6] = "-5"
    return rows


def _weekend(rows):
    i = len(rows) // 3
    d = dt.date.fromisoformat(rows[i][0])
    sat = d + dt.timedelta(days=(5 - d.weekday()) % 7)
    rows.insert(i + 1, [sat.isoformat(), *rows[i][1:]])
    rows.sort(key=lambda r: r[0])
    return rows


def _order(rows):
    i = len(rows) // 3
    rows[i], rows[i + 1] = rows[i + 1], rows[i]
    return rows


CASES = {
    "spike": ("GOLD", _spike, "spike"),
    "gap": ("GOLD", _gap, "gap"),
    "stale": ("SP500", _stale, "stale"),
    "ohlc": ("SP500", _ohlc, "ohlc_order"),
    "negative_gold": ("GOLD", _negative, "positive_price"),
    "weekend": ("SP500", _weekend, "trading_day"),
    "order": ("GOLD", _order, "date_order"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_bad_input_is_quarantined_under_its_rule(case, clean_raw, tmp_path):
    market, edit, rule = CASES[case]
    raw = copy(clean_raw, tmp_path / "raw")
    target = sorted(raw.glob(f"{market}_2020*.csv"))[2]
    write_rows(target, edit(rows_of(target)))
    v = checked(raw).quality
    bad = v.failures
    assert bad, f"{case}: nothing quarantined"
    assert all(p.partition.startswith(market + "/") for p in bad), v.summary()
    assert {rule} == {r for p in bad for r in p.failed_rules}, v.summary()
    held = {p.partition for p in bad}
    promoted = Lake().read("bars")
    assert not any(
        f"{m}/{y}" in held
        for m, y in zip(
            promoted["market_id"].to_pylist(), promoted["year"].to_pylist(), strict=True
        )
    )
    log = (
        Lake()
        .read(QUALITY_LOG.name)
        .filter((pc.field("rule") == rule) & (pc.field("status") == "fail"))
    )
    assert log.num_rows and json.loads(log["sample"][0].as_py()), "failing rows are sampled"
    assert "\n" not in log["message"][0].as_py()


def test_limit_move_and_holidays_are_not_flagged(tmp_path):
    rows = bars(dt.date(2020, 1, 6), 60, price=1500)
    rows = [
        r for r in rows if r[0] not in (dt.date(2020, 1, 20), dt.date(2020, 2, 17))
    ]  # CME holidays
    jumped = [
        (d, o * 1.1, h * 1.1, lo * 1.1, c * 1.1, v, oi) if i >= 30 else (d, o, h, lo, c, v, oi)
        for i, (d, o, h, lo, c, v, oi) in enumerate(rows)
    ]
    write_contract(
        tmp_path,
        "GOLD_202006",
        [
            (d, round(o, 2), round(h, 2), round(lo, 2), round(c, 2), v, oi)
            for d, o, h, lo, c, v, oi in jumped
        ],
    )
    v = checked(tmp_path).quality
    assert v.ok, v.summary()


def test_quarantine_then_accept_promotes_in_one_commit(clean_raw, tmp_path):
    raw = copy(clean_raw, tmp_path / "raw")
    target = sorted(raw.glob("GOLD_2020*.csv"))[2]
    write_rows(target, _spike(rows_of(target)))
    lake = Lake()
    v = checked(raw, lake).quality
    (part,) = [p.partition for p in v.failures]
    assert quarantined(lake).num_rows > 0
    version = lake.table("bars").version()
    record = accept(lake, part, "real print, confirmed with the exchange", actor="tester")
    assert lake.table("bars").version() == version + 1
    market, year = part.split("/")
    in_bars = lake.read("bars").filter(
        (pc.field("market_id") == market) & (pc.field("year") == int(year))
    )
    assert in_bars.num_rows == record["rows"]
    audit = lake.read(QUALITY_LOG.name).filter(pc.field("status") == "accepted").to_pylist()
    assert audit[0]["actor"] == "tester" and audit[0]["reason"].startswith("real print")
    with pytest.raises(ValueError, match="no quarantined rows"):
        accept(lake, part, "again")


def test_duplicate_rows_are_reported_as_ingest_rejections(clean_raw, tmp_path):
    raw = copy(clean_raw, tmp_path / "raw")
    target = sorted(raw.glob("CRUDE_2020*.csv"))[2]
    rows = rows_of(target)
    write_rows(target, [*rows[:10], rows[9], *rows[10:]])
    v = checked(raw).quality
    assert [r["rule"] for r in v.rejected] == ["ingest:unique_key"]
    assert not v.ok and "unique_key" in v.summary()


@pytest.mark.parametrize("edit", [_volume, _oi], ids=["volume", "open_interest"])
def test_negative_volume_is_an_ingest_rejection_not_a_quarantine(edit, clean_raw, tmp_path):
    # a count below zero is no vendor's meaning: the file is set aside at read, and the rest of
    # its partition (other contracts of the market and year) is still checked and promoted
    raw = copy(clean_raw, tmp_path / "raw")
    target = sorted(raw.glob("SP500_2020*.csv"))[2]
    write_rows(target, edit(rows_of(target)))
    v = checked(raw).quality
    assert [r["rule"] for r in v.rejected] == ["ingest:non_negative"]
    assert not v.failures, v.summary()
    promoted = (
        Lake().read("bars").filter((pc.field("market_id") == "SP500") & (pc.field("year") == 2020))
    )
    files = set(promoted["source_file"].to_pylist())
    assert f"vendor-csv/{target.name}" not in files and "vendor-csv/SP500_202006.csv" in files


def test_stored_suite_json_matches_the_code():
    stored = json.loads(suites.STORED.read_text())
    assert stored == json.loads(json.dumps(suites.as_json(), default=str, sort_keys=True))


def test_data_docs_are_written_under_the_data_home(clean_raw, tecton_home):
    checked(clean_raw)
    from tecton.quality.validate import docs_index

    assert docs_index().is_file() and tecton_home in docs_index().parents


def test_peer_data_has_no_false_positives(peer_data, tmp_path):
    v = checked(peer_data, fmt="pysystemtrade").quality
    assert v.ok and len(v.partitions) > 100, v.summary()
