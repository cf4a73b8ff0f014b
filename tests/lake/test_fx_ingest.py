"""Landing FX spot: a generated vendor folder lands its fx/ files into fx_prices beside the bars;
a malformed FX file is set aside with one line while the rest lands; a bad revision changes
nothing stored; fx-csv is a format of its own, from the command line too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tecton.data.synthetic import generate
from tecton.lake import Lake
from tests.data.test_fx_reader import BAD, GOOD, write
from tests.support.cli import tecton
from tests.support.lake import ingest_now


def drop(folder: Path, files: dict[str, str]) -> Path:
    write(folder, files)
    return folder


def fx_table(lake: Lake) -> pd.DataFrame:
    df = lake.read("fx_prices").to_pandas()
    df["trade_date"] = pd.to_datetime(df["trade_date"])
    return df.sort_values(["pair", "trade_date"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("vendor")
    generate(out, ["DAX", "JPY"], dt.date(2020, 1, 1), dt.date(2020, 6, 30))
    return out


def test_a_vendor_folder_lands_its_fx_beside_the_bars(generated, tecton_home):
    report = ingest_now(generated)
    assert report.ok and set(report.versions) == {"bars", "contracts", "fundamentals", "fx_prices"}
    got = fx_table(Lake())
    for pair in ("EURUSD", "JPYUSD"):
        want = pd.read_csv(generated / "fx" / f"{pair}.csv", parse_dates=["date"])
        rows = got[got.pair == pair]
        assert rows.price.tolist() == want.price.tolist() and len(want) > 120
        assert rows.trade_date.tolist() == want.date.tolist()
        assert set(rows.source_file) == {f"vendor-csv/fx/{pair}.csv"}
        assert set(rows.currency) == {pair[:3]} and set(rows.quote_currency) == {"USD"}
    parts = {p.name for p in (tecton_home / "lake" / "tables" / "fx_prices").glob("pair=*")}
    assert parts == {"pair=EURUSD", "pair=JPYUSD"}
    assert ingest_now(generated).landed == []  # again: nothing new


def test_a_malformed_fx_file_is_set_aside_and_the_rest_lands(generated, tmp_path):
    folder = tmp_path / "vendor"
    folder.mkdir()
    for path in generated.rglob("*.csv"):
        (folder / path.relative_to(generated)).parent.mkdir(exist_ok=True)
        (folder / path.relative_to(generated)).write_bytes(path.read_bytes())
    # the yen file with one day written as yen per dollar
    jpy = folder / "fx" / "JPYUSD.csv"
    lines = jpy.read_text().splitlines()
    date, price = lines[40].split(",")
    lines[40] = f"{date},{1 / float(price):.2f}"
    jpy.write_text("\n".join(lines) + "\n")
    report = ingest_now(folder)
    assert [str(o.error) for o in report.rejected] == [
        f"fx/JPYUSD.csv:41: [jump] price {1 / float(price):.2f} on {date} moved more than x2 "
        "from the row before (a unit or decimal slip?)"
    ]
    got = fx_table(Lake())
    assert set(got.pair) == {"EURUSD"}
    assert {o.table_name for o in report.landed} == {
        "bars",
        "contracts",
        "fundamentals",
        "fx_prices",
    }


def test_a_bad_revision_changes_nothing_stored(tmp_path):
    folder = drop(tmp_path / "drop", {"EURUSD.csv": GOOD["EURUSD.csv"]})
    ingest_now(folder, fmt="fx-csv")
    lake = Lake()
    before, version = fx_table(lake), lake.table("fx_prices").version()
    (folder / "EURUSD.csv").write_text(GOOD["EURUSD.csv"] + "2020-01-07,0\n")
    report = ingest_now(folder, fmt="fx-csv")
    assert [(o.error.rule, o.error.line) for o in report.rejected] == [("positive", 5)]
    assert lake.table("fx_prices").version() == version
    pd.testing.assert_frame_equal(fx_table(lake), before)


def test_own_format_sets_bad_files_aside_and_lands_the_rest(tmp_path, tecton_home):
    folder = drop(tmp_path / "drop", {**GOOD, **{n: c for n, (c, _, _) in BAD.items()}})
    report = ingest_now(folder, fmt="fx-csv")
    got = {o.source_file.removeprefix("fx-csv/"): o.error for o in report.rejected}
    assert {n: (e.rule, e.line) for n, e in got.items()} == {
        n: (r, ln) for n, (_, r, ln) in BAD.items()
    }
    assert sorted(o.source_file for o in report.landed) == [
        "fx-csv/EURUSD.csv",
        "fx-csv/JPYUSD.csv",
    ]
    assert len(fx_table(Lake())) == 5


@pytest.mark.slow
def test_cli_ingests_the_format_with_one_line_per_bad_file(tmp_path, tecton_home):
    folder = drop(tmp_path / "drop", {**GOOD, **{n: c for n, (c, _, _) in BAD.items()}})
    run = tecton("ingest", str(folder), "--format", "fx-csv", home=tecton_home, timeout=300)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith("set aside")]
    assert len(lines) == len(BAD), run.stderr
    for name, (_, rule, line) in BAD.items():
        where = f"{name}:{line}:" if line else f"{name}:"
        assert sum(f" {where} [{rule}]" in ln for ln in lines) == 1, (name, run.stderr)
    assert "fx_prices v0" in run.stdout
