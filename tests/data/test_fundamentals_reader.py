"""The fundamentals-csv reader: good layouts read exactly; each bad file is one line naming its
file, line and rule; a batch keeps the good files' rows whatever the bad ones hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.compute as pc
import pytest

from tecton.data.readers import READERS, fundamentals_csv, reader, vendor_csv
from tecton.data.readers.base import RawFile
from tecton.data.schema import FUNDAMENTALS, TABLES, RawFileError

GOOD = {
    "CRUDE.csv": (
        "release_date,period_end,series,value\n"
        "2020-01-08,2020-01-03,inventory,431.1\n"
        "2020-01-10,2020-01-07,positioning,12.84\n"
        "2020-01-15,2020-01-10,inventory,428.7\n"
    ),
    # several markets in one file, no period_end, columns in another order, a blank line, CRLF
    "cot.csv": (
        "series,value,market_id,release_date\r\n"
        "positioning,-3.5,SP500,2020-01-10\r\n"
        "\r\n"
        "positioning,7,GOLD,2020-01-10\r\n"
        "positioning,-4.25,SP500,2020-01-17\r\n"
    ),
}

# file -> (content, rule, line): line None where the fault is the file as a whole
BAD = {
    "GOLD.csv": ("release_date,series\n2020-01-08,inventory\n", "columns", 1),  # no value
    "SILVER.csv": ("release_date,series,value,unit\n2020-01-08,inventory,1,t\n", "columns", 1),
    "COPPER.csv": (
        "release_date,series,value\n2020-01-08,inventory,1\n2020-13-01,inventory,2\n",
        "date",
        3,
    ),
    "CORN.csv": (
        "release_date,series,value\n2020-01-08,inventory,1\n2020-01-15,inventory,lots\n",
        "number",
        3,
    ),
    "WHEAT.csv": ("release_date,series,value\n2020-01-08,inventory,\n", "not_null", 2),
    "SOYBEAN.csv": (
        "release_date,series,value\n2020-01-08,inventory,1\n2020-01-15,inventory,inf\n",
        "finite",
        3,
    ),
    "SUGAR.csv": ("release_date,series,value\n,inventory,1\n", "not_null", 2),
    "BRENT.csv": (
        "release_date,series,value\n2020-01-08,inventory,1\n2020-01-10,positioning,2\n2020-01-08,inventory,3\n",
        "unique_key",
        4,
    ),
    "GAS_US.csv": (
        "release_date,series,value\n2020-01-15,inventory,1\n2020-01-10,positioning,2\n2020-01-08,inventory,3\n",
        "date_order",
        4,
    ),
    "HEATOIL.csv": (
        "release_date,period_end,series,value\n2020-01-08,2020-01-09,inventory,1\n",
        "period_before_release",
        2,
    ),
    "LEANHOG.csv": ("release_date,series,value\n2020-01-08,Inventory,1\n", "series_name", 2),
    "FOO.csv": ("release_date,series,value\n2020-01-08,inventory,1\n", "known_market", None),
    "crude oil.csv": ("release_date,series,value\n2020-01-08,inventory,1\n", "file_name", None),
    "many.csv": (
        "market_id,release_date,series,value\nCRUDE,2020-01-08,inventory,1\nFOO,2020-01-08,inventory,1\n",
        "known_market",
        3,
    ),
    "LIVECOW.csv": ("", "not_empty", None),
    "NASDAQ.csv": ("release_date,series,value\n", "not_empty", None),
    "DAX.csv": ("release_date,series,value\n2020-01-10,positioning,1,2\n", "field_count", 2),
    "NIKKEI.csv": (b"release_date,series,value\n2020-01-10,positioning,\xff\n", "utf8", 2),
}


def write(folder: Path, files: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content[0] if isinstance(content, tuple) else content
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return folder


def raw(path: Path) -> RawFile:
    return RawFile(path, path.name, "fundamentals")


def test_registered_as_a_format_and_a_table():
    assert reader("fundamentals-csv") is fundamentals_csv and "fundamentals-csv" in READERS
    spec = TABLES["fundamentals"]
    assert spec.schema == FUNDAMENTALS and spec.key == ("market_id", "series", "release_date")


def test_one_market_per_file(tmp_path):
    folder = write(tmp_path, GOOD)
    t = fundamentals_csv.read(raw(folder / "CRUDE.csv")).to_pylist()
    assert t[0] == {
        "market_id": "CRUDE",
        "series": "inventory",
        "release_date": dt.date(2020, 1, 8),
        "period_end": dt.date(2020, 1, 3),
        "value": 431.1,
        "source_file": "fundamentals-csv/CRUDE.csv",
    }
    assert [r["value"] for r in t] == [431.1, 12.84, 428.7]


def test_a_market_column_no_period_blank_lines_and_crlf(tmp_path):
    folder = write(tmp_path, GOOD)
    t = fundamentals_csv.read(raw(folder / "cot.csv"))
    assert t["market_id"].to_pylist() == ["SP500", "GOLD", "SP500"]
    assert t["value"].to_pylist() == [-3.5, 7.0, -4.25]
    assert t["period_end"].null_count == 3
    assert t.schema == FUNDAMENTALS


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_raises_one_line_naming_file_line_and_rule(tmp_path, name):
    _, rule, line = BAD[name]
    folder = write(tmp_path, {name: BAD[name]})
    with pytest.raises(RawFileError) as err:
        fundamentals_csv.read(raw(folder / name))
    assert (err.value.rule, err.value.line) == (rule, line), str(err.value)
    text = str(err.value)
    assert "\n" not in text and f"[{rule}]" in text
    assert text.startswith(f"{name}:{line}: " if line else f"{name}: ")


def test_a_batch_keeps_the_good_files_rows(tmp_path):
    folder = write(tmp_path, {**GOOD, **BAD})
    files = [(r, r.path.read_bytes()) for r in fundamentals_csv.discover(folder)]
    batch = fundamentals_csv.read_batch(files)
    names = [r.name for r, _ in files]
    assert {names[i]: e.rule for i, e in batch.errors.items()} == {
        n: rule for n, (_, rule, _) in BAD.items()
    }
    t = batch.tables["fundamentals"]
    assert sorted(set(t["source_file"].to_pylist())) == [
        "fundamentals-csv/CRUDE.csv",
        "fundamentals-csv/cot.csv",
    ]
    assert t.num_rows == 6


def test_a_vendor_folder_routes_its_fundamentals_subfolder(tmp_path):
    vendor = tmp_path / "vendor"
    write(vendor / "fundamentals", {"CRUDE.csv": GOOD["CRUDE.csv"]})
    write(
        vendor,
        {
            "CRUDE_202005.csv": "date,open,high,low,close,volume,open_interest\n2020-01-02,1,2,0.5,1.5,1,1\n"
        },
    )
    found = {r.name: r.table for r in vendor_csv.discover(vendor)}
    assert found == {"CRUDE_202005.csv": "bars", "fundamentals/CRUDE.csv": "fundamentals"}
    # the subfolder or one of its files alone lands under the same name as the whole folder
    assert [r.name for r in vendor_csv.discover(vendor / "fundamentals")] == [
        "fundamentals/CRUDE.csv"
    ]
    assert [r.name for r in vendor_csv.discover(vendor / "fundamentals" / "CRUDE.csv")] == [
        "fundamentals/CRUDE.csv"
    ]
    batch = vendor_csv.read_batch([(r, r.path.read_bytes()) for r in vendor_csv.discover(vendor)])
    assert not batch.errors and set(batch.tables) == {"bars", "fundamentals"}
    f = batch.tables["fundamentals"]
    assert pc.unique(f["source_file"]).to_pylist() == ["vendor-csv/fundamentals/CRUDE.csv"]
