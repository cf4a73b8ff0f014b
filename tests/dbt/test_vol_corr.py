"""The volatility and correlation marts, built by dbt on a small synthetic lake, against pandas.

The reference is written here in plain pandas from ``futures_returns_daily`` (``ewm().std()``,
``rolling().quantile()``, ``resample("W-FRI")``, ``ewm().corr()``), independently of the
numpy kernels the marts run on.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from tecton.data.synthetic import generate
from tests.support.dbt import dbt_build
from tests.support.lake import ingest_now

MARKETS = ["SP500", "US10", "GOLD", "CRUDE", "EUR"]
SPANS = (16, 35, 64)
RTOL = 1e-9

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Generate, ingest and ``dbt build`` once; the three tables as pandas frames."""
    home = tmp_path_factory.mktemp("vol-corr-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TECTON_HOME", str(home))
        env.delenv("TECTON_LAKE", raising=False)
        source = home / "vendor"
        generate(source, MARKETS, dt.date(2016, 1, 1), dt.date(2019, 12, 31), seed=3)
        ingest_now(source)
        run = dbt_build(home)
    assert run.returncode == 0, run.stdout[-5000:]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {
            name: con.execute(f"select * from {name}").fetch_df()
            for name in ("futures_returns_daily", "futures_vol_daily", "futures_corr")
        }


def assert_close(actual: pd.Series, expected: pd.Series) -> None:
    actual, expected = actual.to_numpy(dtype=float), expected.to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=0)


def floored(vol: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``max(vol, floor)`` (``vol`` until the floor exists) and the trailing-500-day 5th percentile floor."""
    floor = vol.rolling(500, min_periods=100).quantile(0.05)
    return vol.where(floor.isna() | (vol >= floor), floor), floor


def expected_vol(returns: pd.DataFrame) -> pd.DataFrame:
    """Per market over its own rows: EWMA std, annualised, floored."""
    frames = []
    for _, rows in returns.sort_values("trade_date").groupby("market_id"):
        out = rows[["market_id", "trade_date"]].copy()
        out["n_returns"] = rows["ret_pct"].notna().cumsum()
        for span in SPANS:
            vol = rows["ret_pct"].ewm(span=span, adjust=True, min_periods=10).std()
            out[f"vol_pct_{span}"] = vol
            out[f"vol_pct_ann_{span}"], out[f"vol_floor_ann_{span}"] = floored(vol * np.sqrt(252))
        vol_pts = rows["ret_pts"].ewm(span=35, adjust=True, min_periods=10).std()
        out["vol_pts_35"], out["vol_pts_floor_35"] = floored(vol_pts)
        frames.append(out)
    return pd.concat(frames).sort_values(["market_id", "trade_date"]).reset_index(drop=True)


def test_vol_mart_is_pandas_ewm_std_with_the_floor(warehouse):
    returns = warehouse["futures_returns_daily"]
    mart = (
        warehouse["futures_vol_daily"]
        .sort_values(["market_id", "trade_date"])
        .reset_index(drop=True)
    )
    expected = expected_vol(returns)
    assert len(mart) == len(returns)
    assert list(mart.columns) == list(expected.columns)
    assert (mart["market_id"] == expected["market_id"]).all()
    assert (pd.to_datetime(mart["trade_date"]) == pd.to_datetime(expected["trade_date"])).all()
    for column in expected.columns[2:]:
        assert_close(mart[column], expected[column])
    # the comparison covered a floor that binds and a full 500-day window
    assert (mart["vol_pct_ann_35"] > mart["vol_pct_35"] * np.sqrt(252) * (1 + 1e-6)).any()
    assert mart.groupby("market_id").size().min() > 600


def expected_corr(returns: pd.DataFrame, span: int = 26, min_weeks: int = 10) -> pd.DataFrame:
    """Weekly (Saturday to Friday) sums of ret_pct, then pandas ewm corr per pair over common weeks."""
    daily = returns.assign(trade_date=pd.to_datetime(returns["trade_date"]))
    weekly = {
        market: rows.set_index("trade_date")["ret_pct"].resample("W-FRI").sum(min_count=1)
        for market, rows in daily.groupby("market_id")
    }
    frames = []
    markets = sorted(weekly)
    for i, a in enumerate(markets):
        for b in markets[i + 1 :]:
            pair = pd.concat({"a": weekly[a], "b": weekly[b]}, axis=1).dropna()
            corr = (
                pair["a"]
                .ewm(span=span, adjust=True, min_periods=min_weeks)
                .corr(pair["b"])
                .dropna()
            )
            frames.append(
                pd.DataFrame(
                    {
                        "week_end": corr.index,
                        "market_a": a,
                        "market_b": b,
                        "corr_26": corr.to_numpy(),
                    }
                )
            )
    return (
        pd.concat(frames).sort_values(["market_a", "market_b", "week_end"]).reset_index(drop=True)
    )


def test_corr_mart_is_pandas_ewm_corr_of_weekly_returns(warehouse):
    mart = warehouse["futures_corr"]
    mart = mart.assign(week_end=pd.to_datetime(mart["week_end"]))
    mart = mart.sort_values(["market_a", "market_b", "week_end"]).reset_index(drop=True)
    expected = expected_corr(warehouse["futures_returns_daily"])
    assert len(expected) > 0 and expected[["market_a", "market_b"]].drop_duplicates().shape[0] == 10
    assert list(mart.columns) == list(expected.columns)
    for key in ("market_a", "market_b", "week_end"):
        assert (mart[key].to_numpy() == expected[key].to_numpy()).all(), key
    assert (mart["week_end"].dt.weekday == 4).all()
    assert_close(mart["corr_26"], expected["corr_26"])
