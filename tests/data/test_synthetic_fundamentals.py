"""Synthetic fundamentals: layout and schedule, determinism over windows, and the planted signal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tecton.data.readers import fundamentals_csv
from tecton.data.readers.base import RawFile
from tecton.data.synthetic import generate
from tecton.data.synthetic.fundamentals import INVENTORY_CLASSES
from tecton.markets import market_specs, trading_days

HEADER = "release_date,period_end,series,value"
COMMODITIES = ["CRUDE", "COPPER", "CORN", "GOLD"]
FINANCIALS = ["SP500", "US10", "SOFR"]


@pytest.fixture(scope="module")
def long_run(tmp_path_factory) -> Path:
    """25 years of a few markets (the default seed): enough weeks to see a modest signal."""
    out = tmp_path_factory.mktemp("long")
    generate(out, COMMODITIES + FINANCIALS, dt.date(2000, 1, 1), dt.date(2024, 12, 31))
    return out


def releases(folder: Path, market: str) -> pd.DataFrame:
    return pd.read_csv(
        folder / "fundamentals" / f"{market}.csv", parse_dates=["release_date", "period_end"]
    )


def test_layout_series_and_weekly_schedule(long_run):
    specs = market_specs()
    for market in COMMODITIES + FINANCIALS:
        path = long_run / "fundamentals" / f"{market}.csv"
        assert path.read_text().splitlines()[0] == HEADER
        f = releases(long_run, market)
        want = (
            {"inventory", "positioning"}
            if specs[market].asset_class in INVENTORY_CLASSES
            else {"positioning"}
        )
        assert set(f.series) == want, market
        assert f.release_date.min() >= pd.Timestamp(
            "2000-01-01"
        ) and f.release_date.max() <= pd.Timestamp("2024-12-31")
        assert list(f.sort_values(["release_date", "series"]).index) == list(f.index)  # file order
        open_days = pd.DatetimeIndex(trading_days(specs[market].calendar))
        for series, (period_day, delay) in {"inventory": (4, 5), "positioning": (1, 3)}.items():
            g = f[f.series == series]
            if g.empty:
                continue
            assert (g.period_end.dt.dayofweek == period_day).all(), (market, series)
            # released `delay` days after the period end, or on the exchange's next open day
            due = g.period_end + pd.Timedelta(days=delay)
            assert (g.release_date >= due).all() and (g.release_date - due).max() <= pd.Timedelta(
                days=4
            )
            assert g.release_date.isin(open_days).all()
            assert ((g.release_date - due) > pd.Timedelta(0)).sum() == (~due.isin(open_days)).sum()
            assert g.release_date.is_monotonic_increasing and g.release_date.is_unique
            assert 50 <= g.groupby(g.release_date.dt.year).size().median() <= 53  # weekly
        assert np.isfinite(f.value).all()
        inv = f[f.series == "inventory"].value
        assert (inv > 0).all() and (f[f.series == "positioning"].value.abs() <= 60).all()


def test_generated_files_read_through_the_reader(long_run):
    for path in sorted((long_run / "fundamentals").glob("*.csv")):
        table = fundamentals_csv.read(RawFile(path, path.name, "fundamentals"))
        assert table.num_rows == len(path.read_text().splitlines()) - 1
        assert set(table["market_id"].to_pylist()) == {path.stem}


def test_one_more_day_only_adds_that_days_releases(tmp_path):
    """A run through D-1 equals the run through D minus the rows released on D."""
    day = dt.date(2021, 3, 10)  # a Wednesday: inventory day
    generate(
        tmp_path / "before", ["CRUDE", "SP500"], dt.date(2020, 1, 1), day - dt.timedelta(days=1)
    )
    generate(tmp_path / "after", ["CRUDE", "SP500"], dt.date(2020, 1, 1), day)
    before = (tmp_path / "before" / "fundamentals" / "CRUDE.csv").read_text().splitlines()
    after = (tmp_path / "after" / "fundamentals" / "CRUDE.csv").read_text().splitlines()
    assert after[: len(before)] == before
    assert [line.split(",")[0] for line in after[len(before) :]] == [day.isoformat()]
    sp_before = (tmp_path / "before" / "fundamentals" / "SP500.csv").read_bytes()
    assert (
        tmp_path / "after" / "fundamentals" / "SP500.csv"
    ).read_bytes() == sp_before  # not a Friday


def test_a_window_without_releases_writes_no_fundamentals_file(tmp_path):
    summary = generate(tmp_path, ["SP500"], dt.date(2021, 3, 8), dt.date(2021, 3, 11))  # Mon-Thu
    assert summary.fundamentals == 0 and not (tmp_path / "fundamentals").exists()


def front_returns(folder: Path, market: str) -> pd.Series:
    """Daily log returns inside the contract with the most open interest (no roll jumps)."""
    frames = []
    for path in folder.glob(f"{market}_*.csv"):
        bars = pd.read_csv(path, usecols=["date", "close", "open_interest"], parse_dates=["date"])
        bars["ret"] = np.log(bars.close.where(bars.close > 0)).diff()  # crude printed -37.63
        frames.append(bars)
    bars = pd.concat(frames)
    bars = bars[bars.open_interest == bars.groupby("date").open_interest.transform("max")]
    return bars.drop_duplicates("date").set_index("date").sort_index().ret.fillna(0.0)


def moves(cum: pd.Series, dates: pd.DatetimeIndex, days: int) -> np.ndarray:
    """The cumulative return from each date over ``days`` trading days (back when negative)."""
    at = cum.index.searchsorted(dates)
    other = at + days
    ok = (other >= 0) & (other < len(cum))
    values = cum.to_numpy()
    out = np.full(len(at), np.nan)
    out[ok] = (values[other[ok]] - values[at[ok]]) * np.sign(days)
    return out


def test_a_trend_on_inventory_predicts_returns_with_sign_minus_one(long_run):
    corrs = {}
    for market in COMMODITIES:
        cum = front_returns(long_run, market).cumsum()
        f = releases(long_run, market)
        inv = np.log(f[f.series == "inventory"].set_index("release_date").value)
        trend = inv.ewm(span=4).mean() - inv.ewm(span=16).mean()  # known at each release
        ahead = pd.Series(moves(cum, inv.index, 20), inv.index)
        corrs[market] = trend.corr(ahead)
    assert all(c < 0 for c in corrs.values()), corrs
    assert -0.4 < np.mean(list(corrs.values())) < -0.05, corrs  # real, but modest


def test_positioning_follows_the_price_trend(long_run):
    for market in COMMODITIES + FINANCIALS:
        cum = front_returns(long_run, market).cumsum()
        f = releases(long_run, market)
        pos = f[f.series == "positioning"].set_index("period_end").value
        past = pd.Series(moves(cum, pos.index, -60), pos.index)
        assert pos.corr(past) > 0.4, market
