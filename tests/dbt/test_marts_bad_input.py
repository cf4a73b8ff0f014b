"""Bad vendor input makes ``dbt build`` fail, and the output names the market and the date."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tecton.data.synthetic import generate
from tests.support.dbt import dbt_build
from tests.support.lake import ingest_now

pytestmark = pytest.mark.slow  # real dbt builds

CONTRACT = "CRUDE_201906"


@pytest.fixture(scope="module")
def clean_files(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("vendor") / "files"
    generate(out, ["CRUDE"], dt.date(2018, 1, 1), dt.date(2019, 12, 31))
    return out


@pytest.fixture
def files(clean_files, tmp_path) -> Path:
    copy = tmp_path / "files"
    shutil.copytree(clean_files, copy)
    return copy


def expiry(files: Path, contract: str) -> str:
    contracts = pd.read_csv(files / "contracts.csv", dtype=str).set_index("contract_id")
    return contracts.loc[contract, "expiry_date"]


def build_fails_naming(files: Path, home: Path, *expected: str) -> None:
    ingest_now(files)
    run = dbt_build(home, "--exclude", "futures_vol_daily", "futures_corr")
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-3000:]
    for text in expected:
        assert text in output, f"{text!r} not in the dbt output:\n{output[-3000:]}"


def test_a_missing_contract_in_the_chain_fails_the_build(files, tecton_home):
    (files / f"{CONTRACT}.csv").unlink()  # still listed in contracts.csv; its neighbours trade
    build_fails_naming(
        files,
        tecton_home,
        "assert_chain_has_no_missing_contract",
        "market CRUDE",
        CONTRACT,
        expiry(files, CONTRACT),
    )


def test_a_contract_whose_data_ends_before_its_roll_fails_the_build(files, tecton_home):
    path = files / f"{CONTRACT}.csv"
    bars = pd.read_csv(path, dtype=str)
    cut = (dt.date.fromisoformat(expiry(files, CONTRACT)) - dt.timedelta(days=30)).isoformat()
    kept = bars[bars["date"] < cut]
    kept.to_csv(path, index=False)
    build_fails_naming(
        files,
        tecton_home,
        "assert_contract_data_reaches_roll",
        "market CRUDE",
        CONTRACT,
        f"data ends {kept['date'].iloc[-1]}",
    )


def test_overlapping_duplicate_bars_fail_the_build(files, tecton_home):
    (files / "fix").mkdir()
    shutil.copy(
        files / f"{CONTRACT}.csv", files / "fix" / f"{CONTRACT}.csv"
    )  # a second source file
    first_day = pd.read_csv(files / f"{CONTRACT}.csv", dtype=str)["date"].iloc[0]
    build_fails_naming(
        files,
        tecton_home,
        "assert_no_overlapping_duplicate_bars",
        "market CRUDE",
        first_day,
        CONTRACT,
    )
