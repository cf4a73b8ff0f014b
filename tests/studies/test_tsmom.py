"""The TSMOM study's monthly returns against the paper's formula computed here from the peer's
own multiple-price files (numpy weights for the EWMA variance, no tecton table read)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studies.tsmom import run_study
from tests.support.peer import SHARED_DATA

pytestmark = [pytest.mark.slow, pytest.mark.minutes(0.5)]

MARKETS = ["CRUDE_W", "EUR", "GOLD", "NIKKEI"]  # USD and JPY, a Z-only hold cycle (CRUDE_W)
SINCE = "2008-01-01"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"peer data not found at {SHARED_DATA} (it ships beside the repo in ../shared)")
    return run_study(MARKETS, SINCE, home=tmp_path_factory.mktemp("tsmom-home"))


def peer_daily_returns(market: str) -> pd.Series:
    """The held contract's return from the peer's file: each day's last row against the previous
    day's last price of the same contract (its FORWARD or CARRY price there after a roll)."""
    raw = pd.read_csv(
        SHARED_DATA / "multiple_prices_csv" / f"{market}.csv.gz", parse_dates=["DATETIME"]
    )
    raw = raw[raw["DATETIME"] >= SINCE]
    last = raw.groupby(raw["DATETIME"].dt.normalize()).tail(1)
    last = last.set_index(last["DATETIME"].dt.normalize())
    before = last.shift(1)
    held = last["PRICE_CONTRACT"]
    previous = np.select(
        [
            c == held
            for c in (
                before["PRICE_CONTRACT"],
                before["FORWARD_CONTRACT"],
                before["CARRY_CONTRACT"],
            )
        ],
        [before["PRICE"], before["FORWARD"], before["CARRY"]],
        np.nan,
    )
    return (last["PRICE"] / previous - 1.0).dropna()


def paper_tsmom(daily: pd.Series) -> pd.Series:
    """sign(12-month return) x 40% / sigma x next month's return, sigma^2 = 261 x the EWMA
    variance with weights (1 - d) d^i, d = 60/61, normalised over the returns so far."""
    month_end = daily.index.to_period("M")
    monthly = daily.groupby(month_end).apply(lambda r: np.prod(1.0 + r) - 1.0)
    log_sum = np.log1p(monthly).rolling(12).sum()  # 12 months present
    trailing = np.expm1(log_sum)
    delta = 60.0 / 61.0
    values = daily.to_numpy()
    sigma = {}
    for month in monthly.index:
        upto = values[month_end <= month]
        if len(upto) < 60:
            continue
        w = delta ** np.arange(len(upto))[::-1]
        w /= w.sum()
        mean = w @ upto
        sigma[month] = np.sqrt(261 * (w @ (upto - mean) ** 2))
    sigma = pd.Series(sigma).reindex(monthly.index)
    position = np.sign(trailing) * 0.40 / sigma
    months = pd.period_range(monthly.index[0], monthly.index[-1], freq="M")
    return (position.reindex(months).shift(1) * monthly.reindex(months)).dropna()


@pytest.mark.parametrize("market", MARKETS)
def test_monthly_tsmom_returns_are_the_papers_formula_on_the_peers_prices(study, market):
    ours = study.tsmom[market].dropna()
    theirs = paper_tsmom(peer_daily_returns(market))
    assert len(theirs) > 100  # years of months compared
    pd.testing.assert_index_equal(ours.index, theirs.index, check_names=False)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=1e-12)


def test_the_portfolio_averages_the_markets_with_a_position_and_the_t_stats_follow(study):
    expected = study.tsmom.mean(axis=1).dropna()
    pd.testing.assert_series_equal(study.portfolio, expected, check_names=False)
    table = study.markets()
    for market, row in table.iterrows():
        r = study.tsmom[market].dropna()
        assert row["t_stat"] == pytest.approx(r.mean() / (r.std(ddof=1) / np.sqrt(len(r))))
        assert row["sharpe"] == pytest.approx(r.mean() / r.std(ddof=1) * np.sqrt(12))
    summary = study.summary()
    assert summary.iloc[0]["positive"] == (table["t_stat"] > 0).sum()
    assert summary.iloc[0]["markets"] == len(MARKETS)
    after = study.tsmom.loc["2010-01":].mean(axis=1).dropna()
    assert summary.iloc[2]["sharpe"] == pytest.approx(after.mean() / after.std() * np.sqrt(12))
    assert summary.iloc[1]["months"] + summary.iloc[2]["months"] == summary.iloc[0]["months"]
