"""The volatility and correlation marts, built by dbt on a small synthetic lake, against pandas
and against the Python models that must agree with them (one owner per formula).

The reference is written here in plain pandas from ``futures_returns_daily`` (each market's own
rows: ``dropna``, ``ewm().std()``, ``rolling().quantile()``; ``resample("W-FRI")``,
``ewm().corr()``), independently of ``tecton.stats``. JGB trades on the Japanese exchange's
calendar, so the shared panel has days it is shut and the CME markets trade: there the old
shared-calendar volatility of the alpha rules differed from the risk model's.
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

MARKETS = ["SP500", "US10", "GOLD", "CRUDE", "EUR", "JGB"]
SPANS = (16, 35, 64)
RTOL = 1e-9

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """Generate, ingest and ``dbt build`` once: the data home."""
    home = tmp_path_factory.mktemp("vol-corr-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TECTON_HOME", str(home))
        env.delenv("TECTON_LAKE", raising=False)
        source = home / "vendor"
        generate(source, MARKETS, dt.date(2016, 1, 1), dt.date(2019, 12, 31), seed=3)
        ingest_now(source)
        run = dbt_build(home)
    assert run.returncode == 0, run.stdout[-5000:]
    return home


@pytest.fixture(scope="module")
def warehouse(home) -> dict[str, pd.DataFrame]:
    """The tables these tests read, as pandas frames."""
    tables = ("futures_returns_daily", "futures_vol_daily", "futures_corr", "int_contracts_chained")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {name: con.execute(f"select * from {name}").fetch_df() for name in tables}


def assert_close(actual: pd.Series, expected: pd.Series) -> None:
    actual, expected = actual.to_numpy(dtype=float), expected.to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=0)


def floored(vol: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``max(vol, floor)`` (``vol`` until the floor exists) and the trailing-500-day 5th percentile floor."""
    floor = vol.rolling(500, min_periods=100).quantile(0.05)
    return vol.where(floor.isna() | (vol >= floor), floor), floor


def own_day_std(returns: pd.Series, span: int) -> pd.Series:
    """EWMA std over the rows that have a return, carried over the rows that do not."""
    own = returns.dropna()
    return own.ewm(span=span, adjust=True, min_periods=10).std().reindex(returns.index).ffill()


def own_day_floored(vol: pd.Series, own: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`floored` over the rows ``own`` (a return that day), carried over the others."""
    return tuple(part.reindex(vol.index).ffill() for part in floored(vol[own]))


def expected_vol(returns: pd.DataFrame) -> pd.DataFrame:
    """Per market over its own days (rows with a return): EWMA std, floored, annualised."""
    frames = []
    for _, rows in returns.sort_values("trade_date").groupby("market_id"):
        out = rows[["market_id", "trade_date"]].copy()
        out["n_returns"] = rows["ret_pct"].notna().cumsum()
        own = rows["ret_pct"].notna()
        for span in SPANS:
            vol = own_day_std(rows["ret_pct"], span)
            out[f"vol_pct_{span}"] = vol
            vol_ann, floor_ann = own_day_floored(vol * np.sqrt(252), own)
            out[f"vol_pct_ann_{span}"], out[f"vol_floor_ann_{span}"] = vol_ann, floor_ann
        vol_pts = own_day_std(rows["ret_pts"], 35)
        out["vol_pts_35"], out["vol_pts_floor_35"] = own_day_floored(
            vol_pts, rows["ret_pts"].notna()
        )
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
    pairs = len(MARKETS) * (len(MARKETS) - 1) // 2
    assert (
        len(expected) > 0 and expected[["market_a", "market_b"]].drop_duplicates().shape[0] == pairs
    )
    assert list(mart.columns) == list(expected.columns)
    for key in ("market_a", "market_b", "week_end"):
        assert (mart[key].to_numpy() == expected[key].to_numpy()).all(), key
    assert (mart["week_end"].dt.weekday == 4).all()
    assert_close(mart["corr_26"], expected["corr_26"])


# ---------------------------------------------------------------------------------------------
# one owner per formula: the mart, the risk model and the alpha rules give the same number


@pytest.fixture(scope="module")
def panels(home):
    """The universe's panels as the models read them: through Mantle, from the built marts."""
    from tecton.dal.mantle import Mantle
    from tecton.factor_model import load_panels

    with pytest.MonkeyPatch.context() as env:
        env.setenv("TECTON_HOME", str(home))
        env.delenv("TECTON_LAKE", raising=False)
        try:
            yield load_panels(MARKETS)
        finally:
            Mantle.close()


def mart_wide(warehouse, column: str, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """A mart column on the models' panel: each market's latest value on every panel date."""
    mart = warehouse["futures_vol_daily"].assign(
        trade_date=lambda f: pd.to_datetime(f["trade_date"])
    )
    wide = mart.pivot(index="trade_date", columns="market_id", values=column)
    return wide.reindex(columns=MARKETS).reindex(dates).ffill()


def assert_equal_where_defined(python: pd.DataFrame, mart: pd.DataFrame) -> None:
    a, m = python.to_numpy(dtype=float), mart.to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(m))
    np.testing.assert_allclose(a, m, rtol=1e-12, atol=0)
    assert np.isfinite(a).mean() > 0.9


def jgb_holidays(panels) -> pd.DatetimeIndex:
    """Panel dates on which JGB has no return but a CME market has one."""
    ret = panels.ret_pts
    shut = ret["JGB"].isna() & ret["SP500"].notna() & (ret.index > ret["JGB"].first_valid_index())
    return ret.index[shut]


def test_the_panel_has_days_jgb_is_shut_and_cme_trades(panels):
    assert len(jgb_holidays(panels)) >= 20  # four years of Japanese holidays


def test_risk_model_vol_is_the_mart_vol(warehouse, panels):
    from tecton.factor_model import RiskModel

    risk = RiskModel().fit(panels.ret_pct)
    mart = mart_wide(warehouse, "vol_pct_ann_35", panels.dates)
    assert_equal_where_defined(risk.vol_ann_, mart)


def test_alpha_rule_vol_is_the_mart_vol_even_after_another_exchanges_holiday(warehouse, panels):
    from tecton.factor_model.alpha.rules import RuleInputs

    inputs = RuleInputs(panels.price_adj, ret_pts=panels.ret_pts)
    mart = mart_wide(warehouse, "vol_pts_35", panels.dates)
    assert_equal_where_defined(inputs.daily_vol, mart.where(mart > 0))
    # the day after each JGB holiday, the volatility the rules divide by is still the mart's;
    # the old shared-calendar EWMA (holidays age the weights) would differ there
    following = panels.dates.searchsorted(jgb_holidays(panels)) + 1
    after = panels.dates[following[following < len(panels.dates)]]
    after = after[panels.ret_pts.loc[after, "JGB"].notna().to_numpy()]
    jgb = inputs.daily_vol.loc[after, "JGB"]
    np.testing.assert_allclose(jgb, mart.loc[after, "JGB"], rtol=1e-12)
    shared = panels.ret_pts["JGB"].ewm(span=35, min_periods=10).std().loc[after]
    floor = mart_wide(warehouse, "vol_pts_floor_35", panels.dates).loc[after, "JGB"]
    moved = (shared - jgb).abs() / jgb
    assert moved[jgb > floor].max() > 1e-4


def test_risk_and_rules_read_the_returns_mart(warehouse, panels):
    """Returns have one owner, futures_returns_daily: the panels are its rows, not re-derived."""
    returns = warehouse["futures_returns_daily"].assign(
        trade_date=lambda f: pd.to_datetime(f["trade_date"])
    )
    for column in ("ret_pct", "ret_pts"):
        wide = returns.pivot(index="trade_date", columns="market_id", values=column)
        expected = wide.reindex(index=panels.dates, columns=MARKETS)
        np.testing.assert_array_equal(getattr(panels, column).to_numpy(), expected.to_numpy())


def test_contract_expiry_in_dbt_is_the_calendar_rule_python_uses(warehouse):
    """Expiry: dbt rolls on the vendor's contracts file; Python's Contract.expiry comes from the
    exchange calendar rules. For the synthetic vendor the two must be the same dates."""
    from tecton.markets.universe import Contract, Market

    contracts = warehouse["int_contracts_chained"]
    assert set(contracts["market_id"]) == set(MARKETS)
    python = [
        Contract.parse(Market(row.market_id), row.contract_id).expiry
        for row in contracts.itertuples(index=False)
    ]
    dbt_dates = pd.to_datetime(contracts["expiry_date"]).dt.date.tolist()
    assert dbt_dates == python


def test_risk_model_correlation_on_weekly_returns_is_the_corr_mart(warehouse):
    """One correlation kernel: the risk model's estimator, fed the mart's weekly returns with the
    mart's span, gives the mart's numbers on every week the pair has a row."""
    from tecton.factor_model.risk import EwmaCorrelation

    returns = warehouse["futures_returns_daily"]
    daily = returns.assign(trade_date=pd.to_datetime(returns["trade_date"]))
    weekly = {m: r.set_index("trade_date")["ret_pct"] for m, r in daily.groupby("market_id")}
    weekly = pd.DataFrame(
        {m: s.resample("W-FRI").sum(min_count=1) for m, s in sorted(weekly.items())}
    )
    path = EwmaCorrelation(span=26, min_periods=10).pair_path(weekly.to_numpy())
    left, right = np.triu_indices(weekly.shape[1], 1)
    column = {
        (weekly.columns[a], weekly.columns[b]): k
        for k, (a, b) in enumerate(zip(left, right, strict=True))
    }
    mart = warehouse["futures_corr"]
    rows = weekly.index.get_indexer(pd.to_datetime(mart["week_end"]))
    pairs = [column[(a, b)] for a, b in zip(mart["market_a"], mart["market_b"], strict=True)]
    np.testing.assert_allclose(path[rows, pairs], mart["corr_26"].to_numpy(), rtol=0, atol=1e-12)
    assert (rows >= 0).all() and len(mart) > 1000
