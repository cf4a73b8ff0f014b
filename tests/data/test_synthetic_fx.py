"""The generator's FX spot files: which currencies, every weekday, deterministic, and consistent
with its FX futures by covered interest parity (checked from the files alone)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tecton.data.synthetic import generate
from tecton.markets import market_specs

MARKETS = ["EUR", "JPY", "DAX", "NIKKEI", "CRUDE"]
START, END = dt.date(2019, 1, 1), dt.date(2020, 12, 31)


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fx")
    generate(out, MARKETS, START, END, seed=5)
    return out


def spot(folder: Path, currency: str) -> pd.Series:
    df = pd.read_csv(folder / "fx" / f"{currency}USD.csv", parse_dates=["date"])
    assert list(df.columns) == ["date", "price"]
    return df.set_index("date").price


def futures(folder: Path, market: str) -> pd.DataFrame:
    """Every contract's close with its years to expiry (Act/365.25, from contracts.csv)."""
    expiry = pd.read_csv(folder / "contracts.csv", parse_dates=["expiry_date"])
    expiry = expiry[expiry.market_id == market].set_index("contract_id").expiry_date
    frames = [
        pd.read_csv(folder / f"{cid}.csv", parse_dates=["date"]).assign(contract_id=cid)
        for cid in expiry.index
    ]
    df = pd.concat(frames)
    df["tau"] = (df.contract_id.map(expiry) - df.date).dt.days / 365.25
    return df[["date", "contract_id", "close", "tau"]]


def test_one_file_per_non_usd_currency_every_weekday(raw):
    assert sorted(p.name for p in (raw / "fx").iterdir()) == ["EURUSD.csv", "JPYUSD.csv"]
    for currency in ("EUR", "JPY"):
        s = spot(raw, currency)
        weekdays = pd.bdate_range(START, END)
        assert s.index.equals(pd.DatetimeIndex(weekdays, name="date"))
        assert (s > 0).all() and np.isfinite(s).all()
        assert np.abs(np.log(s).diff().dropna()).max() < 0.05  # a currency, not a penny stock
    assert 0.5 < spot(raw, "EUR").median() < 2 and 0.003 < spot(raw, "JPY").median() < 0.02


@pytest.mark.parametrize("market", ["EUR", "JPY"])
def test_futures_obey_covered_interest_parity_with_the_spot_file(raw, market):
    """F = S * exp(-d * tau), d = r_CCY - r_USD: one d per day explains every contract's close.

    d is fitted per day by least squares across the day's contracts (two or three of them); what
    is left must be the close's rounding to the tick, nothing more.
    """
    tick = market_specs()[market].tick_size
    df = futures(raw, market).merge(
        spot(raw, market).rename("spot"), left_on="date", right_index=True
    )
    assert len(df) > 1000 and df.groupby("date").size().min() >= 2
    df["y"] = np.log(df.close / df.spot)  # = -d * tau
    fit = df.assign(ty=df.tau * df.y, tt=df.tau**2).groupby("date")[["ty", "tt"]].sum()
    d = -(fit.ty / fit.tt)
    residual = df.y + df.date.map(d) * df.tau
    # half a tick on the close, plus the spot's 8 significant digits, plus what the fit spreads
    bound = 1.5 * tick / df.close + 1e-7
    assert (residual.abs() <= bound).all(), df[residual.abs() > bound].head()
    # the differential is a rate: a few percent, moving over time
    assert d.abs().max() < 0.15 and d.std() > 0.001


def test_a_subset_writes_the_same_spot(raw, tmp_path):
    summary = generate(tmp_path, ["DAX"], START, END, seed=5)
    assert summary.currencies == ("EUR",)
    assert [p.name for p in (tmp_path / "fx").iterdir()] == ["EURUSD.csv"]
    assert (tmp_path / "fx" / "EURUSD.csv").read_bytes() == (raw / "fx" / "EURUSD.csv").read_bytes()


def test_usd_markets_write_no_fx(tmp_path):
    summary = generate(tmp_path, ["CRUDE"], dt.date(2020, 1, 1), dt.date(2020, 3, 31))
    assert summary.currencies == () and not (tmp_path / "fx").exists()


def test_an_fx_market_with_a_non_iso_code_writes_the_iso_pair(tmp_path):
    summary = generate(tmp_path, ["MXP"], dt.date(2020, 1, 1), dt.date(2020, 3, 31))
    assert summary.currencies == ("MXN",)
    s = spot(tmp_path, "MXN")
    assert 0.02 < s.median() < 0.5  # USD per peso
