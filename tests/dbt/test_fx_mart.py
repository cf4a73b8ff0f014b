"""fx_rates_daily end to end: synthetic files with EUR and JPY markets landed and built by real
dbt, checked against the files (pandas); the peer's FX files feeding the same mart, one source
per currency; and a EUR base giving crosses through USD. Read through Mantle and tecton.fx."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tecton import fx
from tecton.dal import warehouse
from tecton.dal.catalog import TectonError
from tecton.dal.mantle import Mantle
from tecton.data.synthetic import generate
from tecton.lake import Lake
from tests.support.dbt import dbt_build
from tests.support.lake import ingest_now

pytestmark = pytest.mark.slow  # real dbt builds

MARKETS = ["DAX", "NIKKEI", "EUR", "JPY"]
# the mart and what it stands on, and the base check; tests of other marts stay out
SELECT = (
    "--select", "+fx_rates_daily", "assert_fx_base_currency_has_rates",
    "--indirect-selection", "cautious",
)  # fmt: skip


def mart(home: Path) -> pd.DataFrame:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        df = con.execute("select * from fx_rates_daily order by currency, trade_date").fetch_df()
    df["trade_date"] = pd.to_datetime(df["trade_date"])
    return df


def vendor_rates(files: Path) -> pd.DataFrame:
    """USD per unit from the generated files: one column per currency, by date."""
    return pd.DataFrame(
        {
            p.stem[:3]: pd.read_csv(p, parse_dates=["date"], index_col="date").price
            for p in sorted((files / "fx").glob("*.csv"))
        }
    )


def peer_rates(path: Path) -> pd.Series:
    """The peer's daily rate: the day's last observation, NaN dropped."""
    raw = pd.read_csv(io.BytesIO(gzip.decompress(path.read_bytes())), parse_dates=["DATETIME"])
    raw = raw.dropna(subset=["PRICE"])
    return raw.groupby(raw.DATETIME.dt.normalize()).PRICE.last()


def land(home: Path, *sources: tuple[Path, str]) -> None:
    lake = Lake(str(home / "lake"))
    for source, fmt in sources:
        report = ingest_now(source, fmt, lake=lake)
        assert report.ok, [str(o.error) for o in report.rejected]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fx-vendor")
    generate(out, MARKETS, dt.date(2019, 7, 1), dt.date(2020, 6, 30), seed=9)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory, files) -> Path:
    home = tmp_path_factory.mktemp("fx-home")
    land(home, (files, "vendor-csv"))
    run = dbt_build(home, *SELECT)
    assert run.returncode == 0, run.stdout[-5000:]
    return home


def test_rates_are_the_files_in_usd(built, files):
    got = mart(built)
    want = vendor_rates(files)
    assert sorted(want.columns) == ["EUR", "JPY"] and len(want) > 250
    assert set(got.base_currency) == {"USD"}
    for currency in want.columns:
        rows = got[got.currency == currency].set_index("trade_date")
        assert (rows.source == "vendor-csv").all()
        pd.testing.assert_series_equal(
            rows.rate, want[currency].rename("rate"), check_names=False, check_index_type=False
        )
    usd = got[got.currency == "USD"]
    assert (usd.rate == 1.0).all() and (usd.source == "identity").all()
    assert list(usd.trade_date) == list(want.index)


def test_mantle_and_tecton_fx_read_the_mart(built, files, monkeypatch):
    monkeypatch.setenv("TECTON_HOME", str(built))
    Mantle.close()
    try:
        assert Mantle.Tables.fx.rates.relation == "fx_rates_daily"
        df = Mantle.select("fx.rates", "2020-01-01", "2020-03-31", where={"currency": "JPY"})
        assert set(df.currency) == {"JPY"} and df.trade_date.min() >= pd.Timestamp("2020-01-01")
        wide = fx.rates(["JPY", "USD", "EUR"], "2020-01-01", "2020-03-31")
        assert list(wide.columns) == ["JPY", "USD", "EUR"]
        want = vendor_rates(files).loc["2020-01-01":"2020-03-31"]
        assert np.allclose(wide[["EUR", "JPY"]].to_numpy(), want[["EUR", "JPY"]].to_numpy(), rtol=0)
        assert (wide.USD == 1.0).all()
        with pytest.raises(TectonError, match=r"no FX rate for CHF.*currencies: EUR, JPY, USD"):
            fx.rates(["CHF"])
        monkeypatch.setenv("TECTON_BASE_CURRENCY", "EUR")
        with pytest.raises(TectonError, match="rates are in USD but TECTON_BASE_CURRENCY is EUR"):
            fx.rates(["JPY"])
    finally:
        Mantle.close()


def test_the_peers_files_feed_the_mart_one_source_per_currency(files, peer_data, tmp_path):
    peer = tmp_path / "peer" / "fx_prices_csv"
    peer.mkdir(parents=True)
    for pair in ("EURUSD", "GBPUSD"):
        shutil.copy(peer_data / "fx_prices_csv" / f"{pair}.csv.gz", peer)
    home = tmp_path / "home"
    land(home, (files, "vendor-csv"), (peer.parent, "pysystemtrade"))
    run = dbt_build(home, *SELECT)
    assert run.returncode == 0, run.stdout[-5000:]
    got = mart(home)
    # GBP: only the peer has it, every one of its days (its two rows of 2022-09-30: the later)
    gbp = got[got.currency == "GBP"].set_index("trade_date")
    want = peer_rates(peer / "GBPUSD.csv.gz")
    assert (gbp.source == "pysystemtrade").all() and len(gbp) == len(want) > 5000
    assert np.array_equal(gbp.rate.to_numpy(), want.to_numpy())
    assert list(gbp.index) == list(want.index)
    # EUR: both sources have it; the vendor's prices the EUR markets (DAX), the peer's never shows
    eur = got[got.currency == "EUR"].set_index("trade_date")
    assert (eur.source == "vendor-csv").all()
    assert eur.rate.equals(vendor_rates(files).EUR.rename("rate").rename_axis("trade_date"))
    # USD on every day some currency has a rate: the peer's long history included
    usd_days = set(got[got.currency == "USD"].trade_date)
    assert usd_days == set(gbp.index) | set(eur.index) | set(got[got.currency == "JPY"].trade_date)


def test_a_eur_base_gives_crosses_through_usd(built, files, tmp_path, monkeypatch):
    home = tmp_path / "eur-home"
    shutil.copytree(built / "lake", home / "lake")
    # the marts it stands on as built; tecton's own build (TECTON_BASE_CURRENCY -> dbt var) redoes it
    shutil.copy(built / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("TECTON_HOME", str(home))
    monkeypatch.setenv("TECTON_BASE_CURRENCY", "EUR")
    report = warehouse.build(select="fx_rates_daily assert_fx_base_currency_has_rates")
    assert report.ok, report.failures
    got = mart(home).pivot(index="trade_date", columns="currency", values="rate")
    usd = vendor_rates(files)
    assert set(mart(home).base_currency) == {"EUR"}
    assert (got.EUR == 1.0).all()
    assert np.allclose(got.JPY, usd.JPY / usd.EUR, rtol=1e-12)
    assert np.allclose(got.USD, 1.0 / usd.EUR, rtol=1e-12)
    Mantle.close()
    try:
        wide = fx.rates(["USD", "JPY"], "2020-01-01", "2020-01-31")
        want = (usd[["JPY"]].div(usd.EUR, axis=0)).loc["2020-01-01":"2020-01-31"]
        assert np.allclose(wide.JPY, want.JPY, rtol=1e-12) and len(wide) == len(want) > 15
        assert np.allclose(wide.USD * usd.EUR.loc["2020-01-01":"2020-01-31"].to_numpy(), 1.0)
    finally:
        Mantle.close()


def test_a_base_without_rates_fails_the_build_in_one_line(built, tmp_path):
    home = tmp_path / "chf-home"
    shutil.copytree(built / "lake", home / "lake")
    run = dbt_build(home, *SELECT, "--vars", "{base_currency: CHF}")
    assert run.returncode != 0
    assert (
        "base currency CHF has no USD rate in the lake (fx_prices); currencies with one: USD, EUR, JPY"
        in run.stdout
    )


def test_the_base_currency_setting(monkeypatch):
    from tecton.config import base_currency

    monkeypatch.delenv("TECTON_BASE_CURRENCY", raising=False)
    assert base_currency() == "USD"
    monkeypatch.setenv("TECTON_BASE_CURRENCY", " eur ")
    assert base_currency() == "EUR"
    monkeypatch.setenv("TECTON_BASE_CURRENCY", "EURO")
    with pytest.raises(ValueError, match="3-letter currency code such as USD, got 'EURO'"):
        base_currency()
