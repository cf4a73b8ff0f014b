"""Analytics of a portfolio: attribution adds up, exposures and costs are the plain formulas."""

from __future__ import annotations

import time

import empyrical as ep
import numpy as np
import pandas as pd
import pytest

from tecton.errors import TectonError
from tecton.portfolio import HEADLINE, Analytics, Portfolio, attribution, metrics

CLASSES = {"SP500": "equity", "DAX": "equity", "BUND": "bond", "GOLD": "metal", "EURUSD": "fx"}


def make_portfolio(
    n_days: int = 600, markets=tuple(CLASSES), compounding: bool = False, seed: int = 0
) -> Portfolio:
    """A random but self-consistent portfolio: P&L, fills and costs that agree day by day."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", periods=n_days, name="trade_date")
    cols = pd.Index(list(markets), name="market_id")
    positions = pd.DataFrame(rng.integers(-8, 9, (n_days, len(cols))), index=dates, columns=cols)
    exposure = positions * rng.uniform(5e4, 2e5, (n_days, len(cols)))
    filled = rng.random((n_days, len(cols))) < 0.3
    filled[0] = False  # as in a backtest: the first day starts flat and earns nothing
    t, c = np.nonzero(filled)
    qty = rng.integers(1, 4, len(t)) * rng.choice([-1.0, 1.0], len(t))
    trades = pd.DataFrame(
        {
            "trade_date": dates[t],
            "market_id": cols[c],
            "contract_id": "C1",
            "quantity": qty,
            "price": 100.0,
            "notional": np.abs(qty) * 1e5,
            "cost": np.abs(qty) * 25.0,
            "reason": np.where(rng.random(len(t)) < 0.2, "roll", "signal"),
        }
    )
    cost = trades.groupby(["trade_date", "market_id"])["cost"].sum()
    t, c = np.nonzero(np.ones((n_days, len(cols))))
    pnl = pd.DataFrame(
        {
            "trade_date": dates[t],
            "market_id": cols[c],
            "pnl_price": rng.normal(150.0, 4000.0, len(t)),
            "pnl_fx": rng.normal(0.0, 300.0, len(t)),
        }
    )
    pnl = pnl[(rng.random(len(pnl)) < 0.9) & (pnl["trade_date"] > dates[0])]  # flat: no row
    pnl = pnl.merge(cost.rename("cost").reset_index(), how="outer", on=["trade_date", "market_id"])
    pnl = pnl.fillna(0.0).sort_values(["trade_date", "market_id"]).reset_index(drop=True)
    pnl["pnl"] = pnl["pnl_price"] + pnl["pnl_fx"] - pnl["cost"]
    start = 1e6
    earned = pnl.groupby("trade_date")["pnl"].sum().reindex(dates, fill_value=0.0).cumsum()
    capital = start + earned if compounding else pd.Series(start, index=dates)
    return Portfolio(
        positions, trades, pnl, capital.rename("capital"), "USD", exposure.astype(float)
    )


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return make_portfolio()


def test_summary_keeps_the_stored_figures_as_they_were_defined(portfolio):
    # the figures a stored run records, recomputed in plain pandas from the long P&L frame
    daily = portfolio.pnl.groupby("trade_date")[["pnl", "cost"]].sum()
    daily = daily.reindex(portfolio.capital.index, fill_value=0.0)
    r = daily["pnl"] / 1e6
    years = len(r) / 252
    signal = portfolio.trades.loc[portfolio.trades["reason"] == "signal", "notional"]
    gross = r + daily["cost"] / 1e6
    wealth = np.concatenate([[0.0], r.cumsum()])
    expected = {
        "ann_return": r.mean() * 252,
        "ann_vol": r.std() * np.sqrt(252),
        "sharpe": r.mean() / r.std() * np.sqrt(252),
        "max_drawdown": (wealth - np.maximum.accumulate(wealth)).min(),
        "turnover": signal.sum() / 1e6 / years,
        "cost_ann": daily["cost"].sum() / 1e6 / years,
        "gross_sharpe": gross.mean() / gross.std() * np.sqrt(252),
    }
    summary = metrics.summary(portfolio)
    assert list(summary)[: len(expected)] == list(expected)
    assert list(summary) == list(HEADLINE)
    for key, value in expected.items():
        assert summary[key] == pytest.approx(value, rel=1e-10), key
    table = portfolio.analytics().table()
    assert table.to_dict() == pytest.approx(summary, nan_ok=True)
    assert summary["cost_sharpe"] == pytest.approx(expected["cost_ann"] / expected["ann_vol"])


def test_attribution_by_market_and_asset_class_adds_up_to_the_portfolio(portfolio):
    a = portfolio.analytics(asset_classes=CLASSES)
    by_day = a.market_returns()
    np.testing.assert_allclose(by_day.sum(axis=1), a.returns, rtol=1e-12, atol=1e-15)
    markets, classes = a.pnl_by_market(), a.pnl_by_asset_class()
    total = portfolio.pnl["pnl"].sum()
    for table in (markets, classes):
        assert table["pnl"].sum() == pytest.approx(total, rel=1e-10)
        assert table["ann_return"].sum() == pytest.approx(a.ann_return, rel=1e-10)
        assert table["share"].sum() == pytest.approx(1.0, rel=1e-10)
        assert table["pnl"].is_monotonic_decreasing
    bund = portfolio.pnl.loc[portfolio.pnl["market_id"] == "BUND", "pnl"].sum()
    assert markets.loc["BUND", "pnl"] == pytest.approx(bund, rel=1e-12)
    assert classes.loc["bond", "pnl"] == pytest.approx(bund, rel=1e-12)
    equity = portfolio.pnl.loc[portfolio.pnl["market_id"].isin(["SP500", "DAX"]), "pnl"].sum()
    assert classes.loc["equity", "pnl"] == pytest.approx(equity, rel=1e-12)


def test_exposures_are_sums_of_the_signed_notional_over_capital(portfolio):
    a = portfolio.analytics(asset_classes=CLASSES)
    e = portfolio.exposure.to_numpy()
    cap = portfolio.capital.to_numpy()[:, None]
    out = a.exposures()
    np.testing.assert_allclose(out["gross"], np.abs(e).sum(axis=1) / cap[:, 0], rtol=1e-12)
    np.testing.assert_allclose(out["net"], e.sum(axis=1) / cap[:, 0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out["long"] + out["short"], out["net"], rtol=1e-12, atol=1e-15)
    gross, net = a.exposures_by_asset_class(), a.exposures_by_asset_class(gross=False)
    assert sorted(gross.columns) == ["bond", "equity", "fx", "metal"]
    np.testing.assert_allclose(gross.sum(axis=1), out["gross"], rtol=1e-12)
    np.testing.assert_allclose(net.sum(axis=1), out["net"], rtol=1e-12, atol=1e-15)
    equity = (e[:, 0] + e[:, 1]) / cap[:, 0]
    np.testing.assert_allclose(net["equity"], equity, rtol=1e-12, atol=1e-15)


def test_costs_turnover_and_the_returns_before_costs(portfolio):
    a = portfolio.analytics()
    trades = portfolio.trades
    by_day = trades.groupby("trade_date")["cost"].sum().reindex(a.returns.index, fill_value=0.0)
    np.testing.assert_allclose(a.gross_returns() - a.returns, by_day / 1e6, rtol=1e-12, atol=1e-18)
    costs = a.costs()
    np.testing.assert_allclose(costs.sum(axis=1), by_day / 1e6, rtol=1e-12, atol=1e-18)
    roll = trades.loc[trades["reason"] == "roll", "cost"].sum()
    assert costs["roll"].sum() == pytest.approx(roll / 1e6, rel=1e-12)
    everything = attribution.turnover(trades, portfolio.capital, reason=None)
    rolls = attribution.turnover(trades, portfolio.capital, reason="roll")
    assert everything == pytest.approx(a.turnover + rolls, rel=1e-12)
    assert a.gross_sharpe > a.sharpe and a.cost_sharpe > 0


def _rule_shares_by_loop(pnl, forecasts, weights):
    """The brief's formula written out cell by cell."""
    rules = list(forecasts)
    out = pd.DataFrame(0.0, index=pnl.index, columns=[*rules, "unattributed"])
    for t in range(len(pnl.index)):
        for m in pnl.columns:
            f = {r: (0.0 if t == 0 else forecasts[r][m].iloc[t - 1]) * weights[r] for r in rules}
            f = {r: 0.0 if np.isnan(v) else v for r, v in f.items()}
            total = sum(f.values())
            for r in rules:
                out.iloc[t, rules.index(r)] += pnl[m].iloc[t] * f[r] / total if total else 0.0
            if not total:
                out.iloc[t, -1] += pnl[m].iloc[t]
    return out


def test_rule_attribution_follows_the_formula_and_adds_up():
    p = make_portfolio(n_days=60, seed=4)
    rng = np.random.default_rng(5)
    idx, cols = p.capital.index, p.positions.columns
    forecasts = {
        r: pd.DataFrame(rng.normal(0.0, 10.0, (len(idx), len(cols))), index=idx, columns=cols)
        for r in ("ewmac_16_64", "carry", "breakout_20")
    }
    forecasts["carry"].iloc[10:14, 2] = np.nan  # a rule not covering a market yet counts as 0
    forecasts["breakout_20"].iloc[20] = 0.0
    forecasts["ewmac_16_64"].iloc[20] = 0.0
    forecasts["carry"].iloc[20] = 0.0  # day 21's P&L has no signal behind it
    weights = {"ewmac_16_64": 0.5, "carry": 0.3, "breakout_20": 0.2}
    a = p.analytics()
    pnl = attribution.market_pnl(p.pnl, idx)
    daily = attribution.rule_attribution(pnl, forecasts, weights)
    ref = _rule_shares_by_loop(pnl, forecasts, weights)
    np.testing.assert_allclose(daily, ref[daily.columns], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(daily.sum(axis=1), pnl.sum(axis=1), rtol=1e-9, atol=1e-6)
    assert daily["unattributed"].iloc[21] == pytest.approx(pnl.iloc[21].sum())
    table = a.pnl_by_rule(forecasts, weights)
    assert table["pnl"].sum() == pytest.approx(p.pnl["pnl"].sum(), rel=1e-9)
    assert table["ann_return"].sum() == pytest.approx(a.ann_return, rel=1e-9)
    # weights per market and rule give the same answer when every market has the same ones
    frame = pd.DataFrame([weights] * len(cols), index=cols)
    same = attribution.rule_attribution(pnl, forecasts, frame)
    np.testing.assert_allclose(same, daily, rtol=1e-12)


def test_a_compounding_portfolio_compounds_its_path_figures():
    p = make_portfolio(compounding=True, seed=2)
    a = p.analytics()
    assert a.compound and not make_portfolio(seed=2).analytics().compound
    # equity = capital: compounded returns rebuild it exactly
    equity = p.capital.iloc[0] * (1 + a.cumulative_returns())
    np.testing.assert_allclose(equity, p.capital, rtol=1e-10)
    assert a.max_drawdown == pytest.approx(ep.max_drawdown(a.returns), rel=1e-10)
    assert a.ann_return == pytest.approx(ep.annual_return(a.returns), rel=1e-10)


def test_the_day_count_reaches_every_annualised_figure(portfolio):
    a252, a365 = portfolio.analytics(), portfolio.analytics(days_per_year=365)
    root = np.sqrt(365 / 252)
    assert a365.sharpe == pytest.approx(root * a252.sharpe, rel=1e-12)
    assert a365.ann_vol == pytest.approx(root * a252.ann_vol, rel=1e-12)
    assert a365.turnover == pytest.approx(365 / 252 * a252.turnover, rel=1e-12)
    assert a365.cost_ann == pytest.approx(365 / 252 * a252.cost_ann, rel=1e-12)
    assert a365.rolling_sharpe(63).dropna().to_numpy() == pytest.approx(
        root * a252.rolling_sharpe(63).dropna().to_numpy(), rel=1e-12
    )


def test_a_returns_series_answers_return_figures_and_refuses_portfolio_ones(portfolio):
    r = portfolio.returns()
    a = Analytics(r)
    assert a.sharpe == pytest.approx(portfolio.analytics().sharpe, rel=1e-12)
    summary = a.summary()
    assert np.isnan(summary["turnover"]) and np.isnan(summary["cost_ann"])
    with pytest.raises(TectonError, match="needs a Portfolio"):
        a.pnl_by_market()
    with pytest.raises(TectonError, match="asset_classes"):
        portfolio.analytics().exposures_by_asset_class()
    partial = {k: v for k, v in CLASSES.items() if k != "SP500"}
    with pytest.raises(TectonError, match=r"\['SP500'\]"):
        portfolio.analytics(asset_classes=partial).pnl_by_asset_class()
    with pytest.raises(TectonError, match="Portfolio or a Series"):
        Analytics([0.01, 0.02])
    with pytest.raises(TectonError, match="days_per_year"):
        Analytics(r, days_per_year=0)
    p = portfolio
    bare = Portfolio(p.positions, p.trades, p.pnl, p.capital, p.base_currency)
    with pytest.raises(TectonError, match="no exposure"):
        bare.analytics().exposures()


def test_twenty_years_of_fifty_markets_under_two_seconds():
    markets = [f"M{i:02d}" for i in range(50)]
    p = make_portfolio(n_days=20 * 252, markets=markets, seed=9)
    classes = {m: ("equity", "bond", "fx", "metal", "energy")[i % 5] for i, m in enumerate(markets)}
    rng = np.random.default_rng(10)
    forecasts = {
        rule: pd.DataFrame(rng.normal(0, 10, p.positions.shape), p.positions.index, markets)
        for rule in ("ewmac", "carry", "breakout")
    }
    started = time.perf_counter()
    a = p.analytics(asset_classes=classes)
    a.pnl_by_rule(forecasts, {"ewmac": 0.5, "carry": 0.3, "breakout": 0.2})
    a.table(), a.drawdown_periods(5), a.rolling_sharpe(), a.rolling_volatility()
    a.monthly_returns(), a.yearly_returns(), a.exposures(), a.exposures_by_asset_class()
    a.pnl_by_market(), a.pnl_by_asset_class(), a.costs(), a.cumulative_returns(), a.drawdown()
    elapsed = time.perf_counter() - started
    print(f"analytics of 20 years x 50 markets: {elapsed:.2f} s")
    assert elapsed < 2.0
