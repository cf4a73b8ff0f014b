"""The fx-csv reader: a good file reads exactly; each bad file is one line naming its file, line
and rule; a batch keeps the good files' rows whatever the bad ones hold; the value rules
(positive, finite, no absurd jump) hold for the peer's FX files too."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from tecton.data.readers import READERS, fx_csv, pysystemtrade, vendor_csv
from tecton.data.readers.base import RawFile
from tecton.data.schema import FX_PRICES, RawFileError

GOOD = {
    "EURUSD.csv": "date,price\n2020-01-02,1.1215\n2020-01-03,1.1160\n2020-01-06,1.1195\n",
    # another column order, a blank line, CRLF
    "JPYUSD.csv": "price,date\r\n0.0092,2020-01-02\r\n\r\n0.00925,2020-01-03\r\n",
}

# file -> (content, rule, line): line None where the fault is the file as a whole
BAD = {
    "EURO.csv": ("date,price\n2020-01-02,1.1\n", "file_name", None),
    "USDUSD.csv": ("date,price\n2020-01-02,1\n", "file_name", None),
    "GBPUSD.csv": ("day,price\n2020-01-02,1.3\n", "columns", 1),
    "AUDUSD.csv": ("date,price\n2020-01-02,0.7\n2020-13-01,0.7\n", "date", 3),
    "CADUSD.csv": ("date,price\n2020-01-02,0.7\n2020-01-03,high\n", "number", 3),
    "CHFUSD.csv": ("date,price\n2020-01-02,1.03\n2020-01-03,\n", "not_null", 3),
    "NZDUSD.csv": ("date,price\n2020-01-02,0.66\n2020-01-03,0\n", "positive", 3),
    "SEKUSD.csv": ("date,price\n2020-01-02,-0.1\n", "positive", 2),
    "NOKUSD.csv": ("date,price\n2020-01-02,0.11\n2020-01-03,inf\n", "finite", 3),
    "HKDUSD.csv": (
        "date,price\n2020-01-02,0.128\n2020-01-03,0.129\n2020-01-02,0.13\n",
        "unique_key",
        4,
    ),
    "SGDUSD.csv": ("date,price\n2020-01-03,0.74\n2020-01-02,0.74\n", "date_order", 3),
    # yen per dollar written into a dollars-per-yen file: a unit slip, not a market move
    "KRWUSD.csv": (
        "date,price\n2020-01-02,0.00086\n2020-01-03,0.00086\n2020-01-06,1158\n",
        "jump",
        4,
    ),
    "CNHUSD.csv": ("", "not_empty", None),
}


def write(folder: Path, files: dict[str, str]) -> list[RawFile]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(text.encode())
    return fx_csv.discover(folder)


def test_registered_as_a_format():
    assert READERS["fx-csv"] is fx_csv


def test_good_files_read_exactly(tmp_path):
    eur, jpy = write(tmp_path, GOOD)
    table = fx_csv.read(eur)
    assert table.schema == FX_PRICES
    rows = table.to_pylist()
    assert [r["price"] for r in rows] == [1.1215, 1.1160, 1.1195]
    assert [r["trade_date"] for r in rows] == [
        dt.date(2020, 1, 2),
        dt.date(2020, 1, 3),
        dt.date(2020, 1, 6),
    ]
    assert {(r["pair"], r["currency"], r["quote_currency"], r["source_file"]) for r in rows} == {
        ("EURUSD", "EUR", "USD", "fx-csv/EURUSD.csv")
    }
    assert [r["observed_at"] for r in rows] == [
        dt.datetime(2020, 1, 2),
        dt.datetime(2020, 1, 3),
        dt.datetime(2020, 1, 6),
    ]
    assert fx_csv.read(jpy)["price"].to_pylist() == [0.0092, 0.00925]


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_file_is_one_line_naming_file_line_and_rule(tmp_path, name):
    content, rule, line = BAD[name]
    (raw,) = write(tmp_path, {name: content})
    with pytest.raises(RawFileError) as err:
        fx_csv.read(raw)
    assert (err.value.rule, err.value.line) == (rule, line)
    where = f"{name}:{line}" if line else name
    assert str(err.value).startswith(f"{where}: [{rule}] ") and "\n" not in str(err.value)


def test_a_batch_keeps_the_good_files_rows(tmp_path):
    raws = write(tmp_path, {**GOOD, **{n: c for n, (c, _, _) in BAD.items()}})
    batch = fx_csv.read_batch([(r, r.path.read_bytes()) for r in raws])
    bad = {raws[i].name: e.rule for i, e in batch.errors.items()}
    assert bad == {n: rule for n, (_, rule, _) in BAD.items()}
    assert sorted(set(batch.tables["fx_prices"]["pair"].to_pylist())) == ["EURUSD", "JPYUSD"]
    assert batch.tables["fx_prices"].num_rows == 5


def test_a_vendor_folder_reads_its_fx_subfolder(tmp_path):
    (tmp_path / "fx").mkdir()
    write(tmp_path / "fx", GOOD)
    found = {r.name: r.table for r in vendor_csv.discover(tmp_path)}
    assert found == {"fx/EURUSD.csv": "fx_prices", "fx/JPYUSD.csv": "fx_prices"}
    # the subfolder given on its own lands under the same names
    assert {r.name for r in vendor_csv.discover(tmp_path / "fx")} == set(found)
    raw = next(r for r in vendor_csv.discover(tmp_path) if r.name == "fx/EURUSD.csv")
    assert vendor_csv.read(raw)["source_file"].unique().to_pylist() == ["vendor-csv/fx/EURUSD.csv"]


def test_the_peer_files_meet_the_value_rules(peer_data):
    raws = pysystemtrade.discover(peer_data / "fx_prices_csv")
    assert len(raws) >= 10
    for raw in raws:
        assert pysystemtrade.read(raw).num_rows > 1000, (
            raw.name
        )  # its NaN (KRW) is a gap, not a fault


def test_a_peer_file_with_a_unit_slip_is_rejected(peer_data, tmp_path):
    text = gzip.decompress((peer_data / "fx_prices_csv" / "JPYUSD.csv.gz").read_bytes()).decode()
    lines = text.splitlines()
    stamp, price = lines[100].split(",")
    lines[100] = f"{stamp},{1 / float(price):.4f}"  # yen per dollar on one day
    folder = tmp_path / "fx_prices_csv"
    folder.mkdir()
    (folder / "JPYUSD.csv").write_text("\n".join(lines) + "\n")
    (raw,) = pysystemtrade.discover(folder)
    with pytest.raises(RawFileError) as err:
        pysystemtrade.read(raw)
    assert (err.value.rule, err.value.line) == ("jump", 101)
