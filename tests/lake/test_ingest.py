"""Landing vendor files: contents, no-op re-ingest, revisions as versions, the archive and the log."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.compute as pc
import pytest

from tecton.lake import Lake
from tecton.lake.archive import sha256
from tests.support.lake import ingest_now
from tests.support.vendor import bars, write_contract


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "drop"
    write_contract(folder, "CRUDE_202005", bars(dt.date(2019, 12, 2), 60))
    write_contract(folder, "CRUDE_202006", bars(dt.date(2019, 12, 30), 40, price=60))
    write_contract(folder, "SP500_202003", bars(dt.date(2019, 6, 3), 150, price=2900, step=2))
    return folder


def test_landed_rows_equal_the_files(source):
    report = ingest_now(source)
    assert report.ok and len(report.landed) == 3
    got = Lake().read("bars").to_pandas()
    for path in source.glob("*.csv"):
        want = pd.read_csv(path, parse_dates=["date"])
        rows = got[got.contract_id == path.stem].sort_values("trade_date")
        assert len(rows) == len(want), path.name
        assert (rows.market_id == path.stem.rsplit("_", 1)[0]).all()
        assert (rows.delivery_month == int(path.stem[-6:])).all()
        assert list(pd.to_datetime(rows.trade_date)) == list(want.date)
        for col in ("open", "high", "low", "close", "volume", "open_interest"):
            assert rows[col].tolist() == pytest.approx(want[col].tolist(), abs=0), col


def test_partitioned_by_market_and_year(source, tecton_home):
    report = ingest_now(source)
    parts = {p for o in report.landed for p in o.partitions}
    assert parts == {"CRUDE/2019", "CRUDE/2020", "SP500/2019"}
    folders = {
        p.parent.relative_to(tecton_home / "lake/tables/bars").as_posix()
        for p in (tecton_home / "lake/tables/bars").rglob("*.parquet")
    }
    assert folders == {
        "market_id=CRUDE/year=2019",
        "market_id=CRUDE/year=2020",
        "market_id=SP500/year=2019",
    }


def test_reingesting_the_same_files_is_a_noop(source):
    first = ingest_now(source)
    again = ingest_now(source)
    assert again.landed == [] and again.versions == {}
    assert sorted(again.unchanged) == sorted(o.source_file for o in first.landed)
    lake = Lake()
    assert lake.table("bars").version() == first.versions["bars"]
    assert lake.read("ingest_log").num_rows == 3  # nothing logged for unchanged files


def test_revised_file_is_a_new_version_and_the_old_one_stays_readable(source):
    first = ingest_now(source)
    path = source / "CRUDE_202005.csv"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[4], "77.77", 1)  # a vendor correction
    lines.append("2020-02-25,1,2,0.5,1.5,10,10")  # and one more day
    path.write_text("\n".join(lines) + "\n")
    revised = ingest_now(source)

    lake = Lake()
    assert [o.source_file for o in revised.landed] == ["vendor-csv/CRUDE_202005.csv"]
    assert revised.versions["bars"] == first.versions["bars"] + 1
    now, before = lake.read("bars"), lake.read("bars", version=first.versions["bars"])
    assert now.num_rows == before.num_rows + 1
    crude_now = (
        now.filter(pc.equal(now["contract_id"], "CRUDE_202005"))
        .to_pandas()
        .sort_values("trade_date")
    )
    crude_before = (
        before.filter(pc.equal(before["contract_id"], "CRUDE_202005"))
        .to_pandas()
        .sort_values("trade_date")
    )
    assert 77.77 in crude_now.close.tolist() and 77.77 not in crude_before.close.tolist()

    # the other files' rows did not move
    def others(t):
        return (
            t.filter(pc.not_equal(t["contract_id"], "CRUDE_202005"))
            .sort_by("observed_at")
            .sort_by("contract_id")
        )

    assert others(now).equals(others(before))


def test_time_travel_by_timestamp(source):
    ingest_now(source)
    lake = Lake()
    stamp = dt.datetime.now(dt.UTC)
    (source / "SP500_202003.csv").write_text(
        (source / "SP500_202003.csv").read_text().replace(",2900.0,", ",2901.0,", 1)
    )
    ingest_now(source)
    as_of = lake.read("bars", as_of=stamp)
    assert as_of.num_rows == lake.read("bars", version=0).num_rows
    assert (
        as_of.sort_by("observed_at")
        .sort_by("contract_id")
        .equals(lake.read("bars", version=0).sort_by("observed_at").sort_by("contract_id"))
    )


def test_every_raw_file_is_archived_and_logged(source, tecton_home):
    ingest_now(source)
    log = Lake().read("ingest_log").to_pandas()
    for path in source.glob("*.csv"):
        row = log[log.source_file == f"vendor-csv/{path.name}"].iloc[0]
        assert row.sha256 == sha256(path.read_bytes())
        archived = tecton_home / "lake" / row.archived_as
        assert archived.read_bytes() == path.read_bytes()
        assert (
            row.status == "ingested"
            and row.table_version == 0
            and row.rows == len(path.read_text().splitlines()) - 1
        )
        assert row.partitions.tolist()
        assert row.ingested_at.tzinfo is not None


def test_contracts_file_lands_in_its_own_table(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "contracts.csv").write_text(
        "market_id,contract_id,delivery_month,first_trade_date,expiry_date,first_notice_date\n"
        "CRUDE,CRUDE_202005,202005,2019-05-01,2020-04-21,\nGOLD,GOLD_202006,202006,2019-06-01,2020-06-26,2020-05-29\n"
    )
    assert ingest_now(folder).ok
    contracts = Lake().read("contracts").to_pandas().sort_values("contract_id")
    assert contracts.expiry_date.astype(str).tolist() == ["2020-04-21", "2020-06-26"]
    assert contracts.first_notice_date.isna().tolist() == [True, False]


def test_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ingest_now(tmp_path / "nope")


def test_a_lake_is_opened_by_its_root(tmp_path, tecton_home):
    from tecton.dal.storage import Storage

    assert Lake(str(tmp_path / "elsewhere")).storage == Storage(str(tmp_path / "elsewhere"))
    assert Lake().storage == Lake(None).storage == Storage(str(tecton_home / "lake"))
