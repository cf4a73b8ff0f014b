"""Portfolio metrics: stateless functions of a daily return or P&L series (empyrical style)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tecton.stats import TRADING_DAYS_PER_YEAR


def annual_return(returns: pd.Series, days: int = TRADING_DAYS_PER_YEAR) -> float:
    """Arithmetic mean daily return x days per year."""
    return float(returns.mean() * days) if len(returns) else float("nan")


def annual_volatility(returns: pd.Series, days: int = TRADING_DAYS_PER_YEAR) -> float:
    """Standard deviation of daily returns (ddof 1) x sqrt(days per year)."""
    return float(returns.std(ddof=1) * np.sqrt(days)) if len(returns) > 1 else float("nan")


def sharpe_ratio(returns: pd.Series, days: int = TRADING_DAYS_PER_YEAR) -> float:
    """Annualised mean over annualised volatility (no risk-free rate: futures are excess returns)."""
    vol = annual_volatility(returns, days)
    return annual_return(returns, days) / vol if vol and np.isfinite(vol) else float("nan")


def max_drawdown(returns: pd.Series) -> float:
    """Largest fall of cumulative (summed) returns from a previous peak, as a negative fraction."""
    if not len(returns):
        return float("nan")
    wealth = returns.cumsum()
    peak = np.maximum.accumulate(np.concatenate([[0.0], wealth.to_numpy()]))[1:]
    return float((wealth.to_numpy() - peak).min())


def summary(portfolio) -> dict[str, float]:
    """Headline figures of a :class:`Portfolio`.

    ``turnover``: notional traded on signals a year over the average capital; ``cost_ann``:
    costs a year as a fraction of capital; ``gross_sharpe``: the Sharpe ratio before costs.
    """
    returns = portfolio.returns()
    capital = portfolio.capital.reindex(returns.index)
    cost = portfolio.pnl.groupby("trade_date")["cost"].sum().reindex(returns.index, fill_value=0.0)
    traded = portfolio.trades[portfolio.trades["reason"] == "signal"]
    years = max(len(returns) / TRADING_DAYS_PER_YEAR, 1e-9)
    return {
        "ann_return": annual_return(returns),
        "ann_vol": annual_volatility(returns),
        "sharpe": sharpe_ratio(returns),
        "max_drawdown": max_drawdown(returns),
        "turnover": float((traded["notional"] / capital.mean()).sum() / years),
        "cost_ann": float((cost / capital).sum() / years),
        "gross_sharpe": sharpe_ratio(returns + cost / capital),
    }
