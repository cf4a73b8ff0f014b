"""Metrics of a daily return series: stateless functions, empyrical style.

Every function takes a ``pd.Series`` of daily returns (P&L over the capital it was earned on)
and, where it annualises, ``days`` per year (:func:`tecton.stats.days_per_year`: 252, or 365
for markets that trade every day). Missing returns count as zero, as in empyrical.

Simple or compounded
--------------------
A backtest on fixed capital (tecton's default) earns P&L that *adds up*: its equity is
``capital x (1 + cumsum(r))``. A compounding backtest reinvests: ``capital x cumprod(1 + r)``.
The path-dependent metrics (cumulative returns, drawdowns, Calmar, the annual return) take
``compound``; :class:`tecton.portfolio.Analytics` picks it from the portfolio's capital.

* ``compound=False`` (default): annual return is the arithmetic mean x ``days`` (the numerator
  of the Sharpe ratio), drawdowns are falls of summed returns, in fractions of capital.
* ``compound=True``: empyrical's definitions exactly: annual return is the CAGR, drawdowns are
  falls of compounded wealth over its peak.

Volatility (ddof 1), Sharpe, Sortino (downside deviation over all days, ddof 0), tail ratio and
rolling Sharpe and volatility are empyrical's definitions; tests hold them to 1e-10.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tecton.stats import TRADING_DAYS_PER_YEAR


def _clean(returns: pd.Series) -> np.ndarray:
    return np.nan_to_num(np.asarray(returns, dtype=float), nan=0.0)


AT_HIGH = 1e-12  # equity per unit of capital this close to its high counts as at the high


def _wealth(returns: pd.Series, compound: bool) -> np.ndarray:
    """Equity per unit of starting capital, with the start as element 0 (``n + 1`` values)."""
    r = _clean(returns)
    if compound:
        return np.concatenate([[1.0], np.cumprod(1.0 + r)])
    return np.concatenate([[1.0], 1.0 + np.cumsum(r)])


def annual_return(
    returns: pd.Series, days: int = TRADING_DAYS_PER_YEAR, compound: bool = False
) -> float:
    """Annual return: mean daily return x ``days``, or the CAGR when ``compound``.

    The CAGR is ``prod(1 + r) ** (days / n) - 1`` (empyrical's ``annual_return``).
    """
    if not len(returns):
        return float("nan")
    if compound:
        return float(_wealth(returns, True)[-1] ** (days / len(returns)) - 1.0)
    return float(np.nanmean(np.asarray(returns, dtype=float)) * days)


def annual_volatility(returns: pd.Series, days: int = TRADING_DAYS_PER_YEAR) -> float:
    """Standard deviation of daily returns (ddof 1) x sqrt(days per year)."""
    return float(returns.std(ddof=1) * np.sqrt(days)) if len(returns) > 1 else float("nan")


def sharpe_ratio(returns: pd.Series, days: int = TRADING_DAYS_PER_YEAR) -> float:
    """Annualised mean over annualised volatility (no risk-free rate: futures are excess returns)."""
    vol = annual_volatility(returns, days)
    return annual_return(returns, days) / vol if vol and np.isfinite(vol) else float("nan")


def downside_risk(returns: pd.Series, days: int = TRADING_DAYS_PER_YEAR) -> float:
    """Root mean square of the negative daily returns, over all days, x sqrt(days per year)."""
    if not len(returns):
        return float("nan")
    r = np.asarray(returns, dtype=float)
    return float(np.sqrt(np.nanmean(np.minimum(r, 0.0) ** 2)) * np.sqrt(days))


def sortino_ratio(returns: pd.Series, days: int = TRADING_DAYS_PER_YEAR) -> float:
    """Annualised mean over :func:`downside_risk` (infinite when no day lost money)."""
    if len(returns) < 2:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(annual_return(returns, days)) / downside_risk(returns, days))


def cumulative_returns(returns: pd.Series, compound: bool = False) -> pd.Series:
    """Return since the start at each date: ``cumsum(r)``, or ``cumprod(1 + r) - 1`` when ``compound``."""
    return pd.Series(_wealth(returns, compound)[1:] - 1.0, index=returns.index, name="cumulative")


def drawdown(returns: pd.Series, compound: bool = False) -> pd.Series:
    """Distance below the running peak at each date (``<= 0``), the start counting as a peak.

    Fractions of starting capital when simple; of the peak's wealth when ``compound``
    (empyrical's ``drawdown_series``).
    """
    wealth = _wealth(returns, compound)
    peak = np.maximum.accumulate(wealth)
    under = wealth / peak - 1.0 if compound else wealth - peak
    return pd.Series(under[1:], index=returns.index, name="drawdown")


def max_drawdown(returns: pd.Series, compound: bool = False) -> float:
    """The deepest :func:`drawdown`, a negative fraction (0 if the series never fell)."""
    return float(drawdown(returns, compound).min()) if len(returns) else float("nan")


def drawdown_periods(returns: pd.Series, compound: bool = False) -> pd.DataFrame:
    """Every spell below a peak, deepest first.

    Returns
    -------
    DataFrame
        ``peak`` (the last date at the high; NaT when the high is the starting capital),
        ``trough``, ``recovery`` (the first date back at the high; NaT while still under),
        ``depth`` (the :func:`drawdown` at the trough) and ``days``: return observations from
        the peak to the recovery, or to the last date if not recovered (the start counts as
        the observation before the first).
    """
    wealth = _wealth(returns, compound)
    peak = np.maximum.accumulate(wealth)
    depth = wealth / peak - 1.0 if compound else wealth - peak
    pos = np.arange(len(wealth))
    # back at the high within AT_HIGH: sums of the same returns in another order differ by 1e-16
    under = wealth < peak - AT_HIGH
    # each underwater point belongs to the spell of the last point that was at its peak
    last_high = np.maximum.accumulate(np.where(under, 0, pos))
    columns = ["peak", "trough", "recovery", "depth", "days"]
    if not under.any():
        return pd.DataFrame(columns=columns).astype({"depth": float, "days": int})
    frame = pd.DataFrame({"high": last_high[under], "pos": pos[under], "depth": depth[under]})
    spells = frame.groupby("high", sort=True)
    trough = frame.loc[spells["depth"].idxmin(), "pos"].to_numpy()
    high = spells["high"].first().to_numpy()
    end = spells["pos"].last().to_numpy() + 1  # the recovery point, or one past the last
    recovered = end < len(wealth)
    dates = pd.Series(returns.index)
    label = np.concatenate([[pd.NaT], dates.to_numpy()])  # wealth position k is date k - 1
    return (
        pd.DataFrame(
            {
                "peak": label[high],
                "trough": label[trough],
                "recovery": np.where(recovered, label[np.minimum(end, len(wealth) - 1)], pd.NaT),
                "depth": spells["depth"].min().to_numpy(),
                "days": np.where(recovered, end, len(wealth) - 1) - high,
            }
        )
        .sort_values(["depth", "days"], ascending=[True, False], kind="stable")
        .reset_index(drop=True)
    )


def max_drawdown_duration(returns: pd.Series, compound: bool = False) -> int:
    """The longest spell below a peak in return observations (to the end if not recovered)."""
    periods = drawdown_periods(returns, compound)
    return int(periods["days"].max()) if len(periods) else 0


def calmar_ratio(
    returns: pd.Series, days: int = TRADING_DAYS_PER_YEAR, compound: bool = False
) -> float:
    """:func:`annual_return` over the depth of :func:`max_drawdown` (NaN without a drawdown).

    With ``compound`` this is empyrical's ``calmar_ratio`` (CAGR over the compounded drawdown).
    """
    worst = max_drawdown(returns, compound)
    if not worst < 0:
        return float("nan")
    ratio = annual_return(returns, days, compound) / -worst
    return float(ratio) if np.isfinite(ratio) else float("nan")


def _moments(returns: pd.Series) -> tuple[float, float, float]:
    r = np.asarray(returns, dtype=float)
    r = r[~np.isnan(r)]
    d = r - r.mean()
    return float(np.mean(d**2)), float(np.mean(d**3)), float(np.mean(d**4))


def skew(returns: pd.Series) -> float:
    """Sample skewness ``m3 / m2 ** 1.5`` (population moments: scipy's ``skew(bias=True)``)."""
    if len(returns) < 2:
        return float("nan")
    m2, m3, _ = _moments(returns)
    return m3 / m2**1.5 if m2 > 0 else float("nan")


def kurtosis(returns: pd.Series) -> float:
    """Sample kurtosis ``m4 / m2 ** 2``, 3 for a normal (not excess: what the PSR formula takes)."""
    if len(returns) < 2:
        return float("nan")
    m2, _, m4 = _moments(returns)
    return m4 / m2**2 if m2 > 0 else float("nan")


def tail_ratio(returns: pd.Series) -> float:
    """``|95th percentile| / |5th percentile|`` of daily returns (linear interpolation)."""
    r = np.asarray(returns, dtype=float)
    r = r[~np.isnan(r)]
    if not len(r):
        return float("nan")
    low, high = np.percentile(r, [5, 95])
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.abs(high) / np.abs(low))


def hit_rate(returns: pd.Series) -> float:
    """Share of the days that made or lost money which made money.

    Flat days (a return of exactly zero: nothing held) are left out, so a strategy is not
    marked down for the days it stood aside.
    """
    r = np.asarray(returns, dtype=float)
    moved = r[np.isfinite(r) & (r != 0)]
    return float((moved > 0).mean()) if len(moved) else float("nan")


def rolling_volatility(
    returns: pd.Series, window: int = 63, days: int = TRADING_DAYS_PER_YEAR
) -> pd.Series:
    """:func:`annual_volatility` over each trailing ``window`` of days (NaN until the first)."""
    vol = returns.astype(float).rolling(window, min_periods=window).std(ddof=1)
    return (vol * np.sqrt(days)).rename("rolling_volatility")


def rolling_sharpe(
    returns: pd.Series, window: int = 126, days: int = TRADING_DAYS_PER_YEAR
) -> pd.Series:
    """:func:`sharpe_ratio` over each trailing ``window`` of days (NaN until the first)."""
    rolling = returns.astype(float).rolling(window, min_periods=window)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = rolling.mean() / rolling.std(ddof=1) * np.sqrt(days)
    return ratio.replace([np.inf, -np.inf], np.nan).rename("rolling_sharpe")


def period_returns(returns: pd.Series, freq: str = "ME", compound: bool = False) -> pd.Series:
    """Return of each calendar period (``"ME"`` months, ``"YE"`` years): sum or compounded."""
    r = returns.astype(float).fillna(0.0)
    grouped = r.groupby(pd.Grouper(freq=freq))
    out = grouped.apply(lambda x: np.prod(1.0 + x) - 1.0) if compound else grouped.sum()
    return out[grouped.size() > 0].rename("return")


def monthly_returns(returns: pd.Series, compound: bool = False) -> pd.DataFrame:
    """:func:`period_returns` by month as a table: one row a year, columns 1-12 (a heat map's data)."""
    monthly = period_returns(returns, "ME", compound)
    table = (
        pd.DataFrame({"year": monthly.index.year, "month": monthly.index.month, "r": monthly})
        .pivot(index="year", columns="month", values="r")
        .reindex(columns=range(1, 13))
    )
    table.columns.name = "month"
    return table


def summary(portfolio) -> dict[str, float]:
    """Headline figures of a :class:`Portfolio` (its :meth:`Analytics.summary`).

    ``turnover``: notional traded on signals a year over the average capital; ``cost_ann``:
    costs a year as a fraction of capital; ``gross_sharpe``: the Sharpe ratio before costs.
    """
    from tecton.portfolio.analytics import Analytics

    return Analytics(portfolio).summary()
