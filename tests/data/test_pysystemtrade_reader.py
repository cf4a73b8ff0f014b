"""The pysystemtrade reader, on the real peer folder and on small hand-made files.

The real-data tests compare the reader with an independent pandas reading of the same CSV (contract
ids built by string slicing, not by the reader's arithmetic).
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tecton.data.readers import pysystemtrade as reader
from tecton.data.readers.base import RawFile
from tecton.data.schema import TABLES, RawFileError

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pysystemtrade"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pysystemtrade"
GOOD, BAD = FIXTURES / "good", FIXTURES / "bad" / "multiple_prices_csv"
ROLES = ("PRICE", "FORWARD", "CARRY")
CODES = {
    *[
        "SP500",
        "NASDAQ",
        "DAX",
        "EUROSTX",
        "NIKKEI",
        "VIX",
        "US2",
        "US10",
        "US20",
        "OAT",
        "JGB",
        "EDOLLAR",
        "EURIBOR",
        "EUR",
        "JPY",
    ],
    *[
        "GBP",
        "AUD",
        "MXP",
        "CRUDE_W",
        "GAS_US",
        "HEATOIL",
        "GOLD",
        "COPPER",
        "CORN",
        "WHEAT",
        "SOYBEAN",
        "LEANHOG",
        "LIVECOW",
    ],
    "BITCOIN",
}
FX = {f"{c}USD" for c in ["AUD", "CAD", "CHF", "CNH", "EUR", "GBP", "HKD", "JPY", "KRW", "SGD"]}

real = pytest.mark.skipif(
    not REAL.is_dir(), reason=f"pysystemtrade data folder not found at {REAL} (see DESIGN.md)"
)


def _raw(path: Path, table: str = "bars") -> RawFile:
    return RawFile(path, f"{path.parent.name}/{path.name}", table)


def _by_table(files: list[RawFile]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in files:
        out.setdefault(f.table, []).append(f.name)
    return out


# --- the real folder ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_files() -> dict[str, RawFile]:
    if not REAL.is_dir():
        pytest.skip(f"pysystemtrade data folder not found at {REAL}")
    return {f.name: f for f in reader.discover(REAL)}


@real
def test_discover_finds_the_layout_and_skips_the_rest(real_files):
    tables = _by_table(list(real_files.values()))
    assert sorted(tables) == ["bars", "fx_prices", "instruments", "roll_calendars", "roll_configs"]
    assert sorted(tables["bars"]) == sorted(f"multiple_prices_csv/{c}.csv.gz" for c in CODES)
    assert sorted(tables["roll_calendars"]) == sorted(f"roll_calendars_csv/{c}.csv" for c in CODES)
    assert sorted(tables["fx_prices"]) == sorted(f"fx_prices_csv/{p}.csv.gz" for p in FX)
    assert tables["instruments"] == ["csvconfig/instrumentconfig.csv"]
    assert tables["roll_configs"] == ["csvconfig/rollconfig.csv"]
    assert all(real_files[n].path == REAL / n for n in real_files)


def _expected(path: Path, code: str) -> pd.DataFrame:
    """Independent reading: one row per (timestamp, role) whose contract field is non-empty."""
    src = pd.read_csv(path, dtype=str, keep_default_na=False)
    frames = []
    for role in ROLES:
        rows = src[src[f"{role}_CONTRACT"] != ""]
        frames.append(
            pd.DataFrame(
                {
                    "observed_at": pd.to_datetime(rows["DATETIME"], format="%Y-%m-%d %H:%M:%S"),
                    "role": role,
                    "contract_id": code + "_" + rows[f"{role}_CONTRACT"].str[:6],
                    "delivery_month": rows[f"{role}_CONTRACT"].str[:6].astype("int32"),
                    "close": pd.to_numeric(rows[role].replace("", np.nan)),
                }
            )
        )
    return pd.concat(frames).sort_values(["role", "observed_at"]).reset_index(drop=True)


@real
@pytest.mark.parametrize("code", ["AUD", "CRUDE_W"])
def test_multiple_prices_match_an_independent_reading(real_files, code):
    path = REAL / "multiple_prices_csv" / f"{code}.csv.gz"
    table = reader.read(real_files[f"multiple_prices_csv/{code}.csv.gz"])
    assert table.schema == TABLES["bars"].schema
    got = table.to_pandas()
    expected = _expected(path, code)
    src = pd.read_csv(path, dtype=str, keep_default_na=False)

    # row counts per role = non-empty contract counts in the CSV
    for role in ROLES:
        assert (got["role"] == role).sum() == (src[f"{role}_CONTRACT"] != "").sum()
    # every price and contract at every timestamp, NaN in the same places
    cols = list(expected.columns)
    actual = got[cols].sort_values(["role", "observed_at"]).reset_index(drop=True)
    actual["observed_at"] = actual["observed_at"].astype(expected["observed_at"].dtype)
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)
    assert got.loc[got["role"] == "PRICE", "close"].isna().sum() == (src["PRICE"] == "").sum() > 0

    # trade_date is the timestamp's calendar date; the year partition its year
    assert (got["trade_date"] == got["observed_at"].dt.date).all()
    assert (got["year"] == got["observed_at"].dt.year).all()
    assert set(got["market_id"]) == {code}
    assert set(got["source_file"]) == {f"pysystemtrade/multiple_prices_csv/{code}.csv.gz"}
    assert got[["open", "high", "low", "volume", "open_interest"]].isna().all().all()

    # intraday timestamps survive, seconds and all
    times = got["observed_at"].dt.time
    assert (times != dt.time(23)).any()
    assert (got["observed_at"].dt.second != 0).any()
    # the roll rows 1 s after the previous row survive as their own observations
    stamps = pd.to_datetime(src["DATETIME"])
    one_second = stamps[stamps.diff() == pd.Timedelta(seconds=1)]
    assert len(one_second) > 0
    prices = got[got["role"] == "PRICE"].set_index("observed_at")
    for stamp in one_second:
        assert stamp in prices.index and stamp - pd.Timedelta(seconds=1) in prices.index


@real
def test_the_aud_roll_of_december_2020(real_files):
    got = reader.read(real_files["multiple_prices_csv/AUD.csv.gz"]).to_pandas()
    at = got[got["observed_at"].between("2020-12-09 23:00:00", "2020-12-09 23:00:01")]
    held = at[at["role"] == "PRICE"].set_index("observed_at")["contract_id"]
    assert held.to_dict() == {
        pd.Timestamp("2020-12-09 23:00:00"): "AUD_202012",
        pd.Timestamp("2020-12-09 23:00:01"): "AUD_202103",
    }
    assert set(at["trade_date"]) == {dt.date(2020, 12, 9)}


@real
def test_all_29_files_keep_every_source_row(real_files):
    manifest = pd.read_csv(REAL / "MANIFEST.csv").set_index("file")["data_rows"]
    for name, raw in real_files.items():
        if raw.table == "bars":
            # no contract field is empty in the upstream files, so each row gives three bars
            assert reader.read(raw).num_rows == 3 * manifest[name], name


@real
def test_roll_calendar_config_and_fx(real_files):
    cal = reader.read(real_files["roll_calendars_csv/AUD.csv"]).to_pandas()
    src = pd.read_csv(REAL / "roll_calendars_csv" / "AUD.csv", dtype=str)
    assert len(cal) == len(src)
    assert list(cal["roll_at"]) == list(pd.to_datetime(src["DATE_TIME"]))
    for col in ("current_contract", "next_contract", "carry_contract"):
        assert list(cal[col]) == list("AUD_" + src[col].str[:6])

    instruments = reader.read(real_files["csvconfig/instrumentconfig.csv"]).to_pandas()
    assert len(instruments) == len(pd.read_csv(REAL / "csvconfig" / "instrumentconfig.csv"))
    aud = instruments.set_index("market_id").loc["AUD"]
    assert (aud["point_value"], aud["currency"], aud["asset_class"]) == (100000.0, "USD", "FX")
    assert (aud["slippage"], aud["commission_per_block"]) == (3.3e-05, 2.47)

    rolls = reader.read(real_files["csvconfig/rollconfig.csv"]).to_pandas().set_index("market_id")
    assert rolls.loc["CRUDE_W"].to_dict() == {
        "hold_cycle": "Z",
        "priced_cycle": "FGHJKMNQUVXZ",
        "roll_offset_days": -40,
        "carry_offset": -1,
        "expiry_offset": -11,
        "source_file": "pysystemtrade/csvconfig/rollconfig.csv",
    }

    krw = reader.read(real_files["fx_prices_csv/KRWUSD.csv.gz"]).to_pandas()
    src = pd.read_csv(REAL / "fx_prices_csv" / "KRWUSD.csv.gz")
    assert len(krw) == len(src)
    assert krw["price"].isna().sum() == src["PRICE"].isna().sum() == 1  # kept, not judged here
    assert set(krw["currency"]) == {"KRW"} and set(krw["quote_currency"]) == {"USD"}


# --- a user's copy of the layout (small fixture) ------------------------------------------------


def test_discover_a_copy_a_folder_and_a_single_file(tmp_path):
    files = reader.discover(GOOD)
    assert [(f.name, f.table) for f in files] == [
        ("csvconfig/instrumentconfig.csv", "instruments"),
        ("csvconfig/rollconfig.csv", "roll_configs"),
        ("fx_prices_csv/AUDUSD.csv", "fx_prices"),
        ("multiple_prices_csv/TINY.csv", "bars"),
        ("multiple_prices_csv/TINYGZ.csv.gz", "bars"),
        ("roll_calendars_csv/TINY.csv", "roll_calendars"),
    ]
    one = reader.discover(GOOD / "multiple_prices_csv" / "TINY.csv")
    assert [(f.name, f.table) for f in one] == [("multiple_prices_csv/TINY.csv", "bars")]
    folder = reader.discover(GOOD / "multiple_prices_csv")
    assert [f.name for f in folder] == [
        "multiple_prices_csv/TINY.csv",
        "multiple_prices_csv/TINYGZ.csv.gz",
    ]
    with pytest.raises(RawFileError, match="layout"):
        reader.discover(GOOD / "adjusted_prices_csv" / "TINY.csv")
    with pytest.raises(RawFileError, match="layout"):
        reader.discover(tmp_path)  # not the layout: say so rather than ingest nothing


def test_tiny_file_explodes_roles_keeps_nan_prices_and_drops_empty_contracts():
    for name in ("TINY.csv", "TINYGZ.csv.gz"):
        raw = _raw(GOOD / "multiple_prices_csv" / name)
        rows = reader.read(raw).to_pylist()
        code = name.split(".")[0]
        got = {
            (r["observed_at"].isoformat(" "), r["role"]): (r["contract_id"], r["close"])
            for r in rows
        }
        assert got == {
            ("2020-12-08 23:00:00", "PRICE"): (f"{code}_202012", 0.7430),
            ("2020-12-08 23:00:00", "FORWARD"): (f"{code}_202103", 0.7437),
            ("2020-12-08 23:00:00", "CARRY"): (f"{code}_202103", 0.7437),
            ("2020-12-09 23:00:00", "PRICE"): (f"{code}_202012", None),  # NaN price, kept
            ("2020-12-09 23:00:00", "FORWARD"): (f"{code}_202103", 0.74445),
            ("2020-12-09 23:00:00", "CARRY"): (f"{code}_202103", 0.74445),
            ("2020-12-09 23:00:01", "PRICE"): (f"{code}_202103", 0.74445),
            ("2020-12-09 23:00:01", "FORWARD"): (f"{code}_202106", 0.7448),
            ("2020-12-09 23:00:01", "CARRY"): (f"{code}_202106", 0.7448),
            ("2020-12-10 14:49:35", "PRICE"): (f"{code}_202103", 0.7451),
            ("2020-12-10 14:49:35", "FORWARD"): (f"{code}_202106", None),
            # no CARRY on 2020-12-10: its contract field is empty
        }
        assert {r["source_file"] for r in rows} == {f"pysystemtrade/multiple_prices_csv/{name}"}
        assert {r["delivery_month"] for r in rows} == {202012, 202103, 202106}


def test_tiny_roll_calendar_fx_and_configs():
    cal = reader.read(_raw(GOOD / "roll_calendars_csv" / "TINY.csv", "roll_calendars"))
    assert cal.to_pydict()["carry_contract"] == ["TINY_202103", None]
    fx = reader.read(_raw(GOOD / "fx_prices_csv" / "AUDUSD.csv", "fx_prices")).to_pydict()
    assert fx["price"] == [0.65, None] and fx["trade_date"] == [
        dt.date(2022, 9, 29),
        dt.date(2022, 9, 30),
    ]
    inst = reader.read(_raw(GOOD / "csvconfig" / "instrumentconfig.csv", "instruments"))
    assert inst.to_pylist()[0]["description"] == "Tiny, a test market"
    assert inst.schema == TABLES["instruments"].schema
    rc = reader.read(_raw(GOOD / "csvconfig" / "rollconfig.csv", "roll_configs"))
    assert rc.schema == TABLES["roll_configs"].schema
    assert rc.to_pylist()[0]["roll_offset_days"] == -5


def test_a_contract_with_a_day_keeps_it_and_a_float_contract_reads(tmp_path):
    path = tmp_path / "multiple_prices_csv" / "VX.csv"
    path.parent.mkdir()
    header = "DATETIME,CARRY,CARRY_CONTRACT,PRICE,PRICE_CONTRACT,FORWARD,FORWARD_CONTRACT\n"
    path.write_text(header + "2022-09-01 23:00:00,1,20221019,2,20221012.0,3,20221200\n")
    rows = {r["role"]: r for r in reader.read(_raw(path)).to_pylist()}
    assert {k: (v["contract_id"], v["delivery_month"]) for k, v in rows.items()} == {
        "PRICE": ("VX_20221012", 202210),
        "FORWARD": ("VX_202212", 202212),
        "CARRY": ("VX_20221019", 202210),
    }


# --- bad input: one line naming file, line and rule ---------------------------------------------

CASES = [  # file, rule, line, a word of the message
    ("MISSING_COLUMN.csv", "columns", 1, "FORWARD_CONTRACT"),
    ("BAD_DATETIME.csv", "date", 4, "DATETIME"),
    ("BAD_PRICE.csv", "number", 3, "PRICE"),
    ("DUP_TIME.csv", "unique_key", 5, "also line 3"),
    ("DUP_TIME_BLANK_LINE.csv", "unique_key", 6, "also line 4"),
    ("NULL_DATETIME.csv", "not_null", 3, "DATETIME"),
    ("BAD_CONTRACT.csv", "contract", 3, "CARRY_CONTRACT 20211300 is not"),
    ("NOT_UTF8.csv", "utf8", 3, "0xff"),
    ("HEADER_ONLY.csv", "not_empty", None, "no data rows"),
    ("EMPTY.csv", "not_empty", None, "empty"),
    ("BAD_GZIP.csv.gz", "gzip", None, "gzip"),
]


def _assert_error(raw: RawFile, rule: str, line: int | None, word: str) -> None:
    with pytest.raises(RawFileError) as info:
        reader.read(raw)
    err = info.value
    assert (err.file, err.rule, err.line) == (raw.name, rule, line)
    text = str(err)
    where = raw.name if line is None else f"{raw.name}:{line}"
    assert text.startswith(f"{where}: [{rule}] ") and "\n" not in text
    assert word in text


@pytest.mark.parametrize(("name", "rule", "line", "word"), CASES)
def test_bad_file_raises_one_line_naming_file_line_and_rule(name, rule, line, word):
    _assert_error(_raw(BAD / name), rule, line, word)


@pytest.mark.parametrize(("name", "rule", "line", "word"), [c for c in CASES if c[1] != "gzip"])
def test_bad_file_gzipped_names_the_same_line(tmp_path, name, rule, line, word):
    path = tmp_path / "multiple_prices_csv" / f"{name}.gz"
    path.parent.mkdir()
    with gzip.open(path, "wb") as out, (BAD / name).open("rb") as src:
        shutil.copyfileobj(src, out)
    _assert_error(_raw(path), rule, line, word)
    # the bytes may also come from the caller (the ingest flow passes what it archived)
    with pytest.raises(RawFileError) as info:
        reader.read(RawFile(tmp_path / "gone.csv.gz", _raw(path).name, "bars"), path.read_bytes())
    assert (info.value.rule, info.value.line) == (rule, line)


def test_roll_calendar_bad_contract_names_its_line(tmp_path):
    path = tmp_path / "roll_calendars_csv" / "TINY.csv"
    path.parent.mkdir()
    text = (GOOD / "roll_calendars_csv" / "TINY.csv").read_text()
    path.write_text(text + "2021-06-09 23:00:00,20210600,2021090,20210900\n")
    _assert_error(_raw(path, "roll_calendars"), "contract", 4, "next_contract 2021090 is not")


def test_fx_duplicate_and_bad_name(tmp_path):
    path = tmp_path / "fx_prices_csv" / "AUDUSD.csv"
    path.parent.mkdir()
    path.write_text("DATETIME,PRICE\n2022-09-29 00:00:00,0.65\n2022-09-29 00:00:00,0.66\n")
    _assert_error(_raw(path, "fx_prices"), "unique_key", 3, "also line 2")
    bad_name = path.with_name("AUD.csv")
    path.rename(bad_name)
    _assert_error(_raw(bad_name, "fx_prices"), "file_name", None, "AUDUSD")


def test_schema_tables_are_registered():
    assert TABLES["roll_configs"].key == ("market_id",)
    assert TABLES["fx_prices"].key == ("pair", "observed_at")
    assert "hold_cycle" not in TABLES["instruments"].schema.names
