"""Where a portfolio's P&L, exposure, turnover and costs came from: pure functions of its frames.

Every fraction is of capital: a day's P&L over the capital it was earned on (the previous day's,
as :meth:`Portfolio.returns` divides), a day's exposure over that day's capital. So the columns
of :func:`market_returns` add up to the portfolio's returns, and any grouping of them (by asset
class, by rule) adds up to the same.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tecton.errors import TectonError
from tecton.stats import TRADING_DAYS_PER_YEAR

UNATTRIBUTED = "unattributed"


def capital_before(capital: pd.Series) -> pd.Series:
    """The capital each day's P&L was earned on: the previous day's (the first day's own)."""
    return capital.shift(1).fillna(capital.iloc[0]) if len(capital) else capital


def market_pnl(pnl: pd.DataFrame, dates: pd.Index, column: str = "pnl") -> pd.DataFrame:
    """Dates x markets of one column of the long P&L frame (base currency), zeros where flat."""
    wide = pnl.pivot_table(
        index="trade_date", columns="market_id", values=column, aggfunc="sum", fill_value=0.0
    )
    return wide.reindex(dates, fill_value=0.0).rename_axis(index="trade_date", columns="market_id")


def market_returns(pnl: pd.DataFrame, capital: pd.Series, column: str = "pnl") -> pd.DataFrame:
    """Dates x markets: each market's P&L over the capital it was earned on.

    Rows add up to :meth:`Portfolio.returns` (``column="pnl"``).
    """
    wide = market_pnl(pnl, capital.index, column)
    return wide.div(capital_before(capital), axis=0)


def group_columns(frame: pd.DataFrame, groups: Mapping[str, str]) -> pd.DataFrame:
    """Sum the market columns of ``frame`` into groups (``{market_id: group}``, e.g. asset class).

    Raises
    ------
    TectonError
        If a market of ``frame`` has no group.
    """
    missing = sorted(set(frame.columns) - set(groups))
    if missing:
        raise TectonError(f"no asset class given for markets {missing}: pass one for every market")
    labels = pd.Index([groups[m] for m in frame.columns], name="group")
    return frame.T.groupby(labels, sort=True).sum().T


def exposures(exposure: pd.DataFrame, capital: pd.Series) -> pd.DataFrame:
    """Gross, net, long and short exposure at each close, fractions of that day's capital.

    ``exposure`` is :attr:`Portfolio.exposure` (dates x markets, signed notional, base currency).
    """
    e = exposure.reindex(capital.index).fillna(0.0)
    long, short = e.clip(lower=0.0).sum(axis=1), e.clip(upper=0.0).sum(axis=1)
    out = pd.DataFrame({"gross": long - short, "net": long + short, "long": long, "short": short})
    return out.div(capital, axis=0)


def exposures_by_group(
    exposure: pd.DataFrame, capital: pd.Series, groups: Mapping[str, str], gross: bool = True
) -> pd.DataFrame:
    """Dates x groups: the gross (sum of absolute) or net exposure of each group over capital."""
    e = exposure.reindex(capital.index).fillna(0.0)
    return group_columns(e.abs() if gross else e, groups).div(capital, axis=0)


def turnover(
    trades: pd.DataFrame,
    capital: pd.Series,
    days: int = TRADING_DAYS_PER_YEAR,
    reason: str | None = "signal",
) -> float:
    """Notional traded a year over the average capital (``reason``: ``signal``, ``roll`` or all).

    Rolls are left out by default: they are the cost of holding futures, not of trading.
    """
    if not len(capital):
        return float("nan")
    traded = trades if reason is None else trades[trades["reason"] == reason]
    years = len(capital) / days
    return float(traded["notional"].sum() / capital.mean() / years)


def costs(trades: pd.DataFrame, capital: pd.Series) -> pd.DataFrame:
    """Dates x reason (``signal``, ``roll``): what the day's fills cost over the capital before."""
    by_reason = trades.pivot_table(
        index="trade_date", columns="reason", values="cost", aggfunc="sum", fill_value=0.0
    )
    by_reason = by_reason.reindex(
        index=capital.index, columns=["signal", "roll"], fill_value=0.0
    ).fillna(0.0)
    return by_reason.div(capital_before(capital), axis=0).rename_axis(columns="reason")


def attribution_table(returns: pd.DataFrame, pnl: pd.DataFrame, days: int) -> pd.DataFrame:
    """One row per column of ``returns`` (markets, groups or rules), largest P&L first.

    ``pnl`` the same columns in the base currency. Columns: ``pnl`` (total, base currency),
    ``ann_return`` (the column's mean daily return x ``days``: these add up to the portfolio's
    annual return), ``share`` (of the total P&L).
    """
    total = pnl.sum()
    out = pd.DataFrame(
        {
            "pnl": total,
            "ann_return": returns.mean() * days,
            "share": total / total.sum() if total.sum() else np.nan,
        }
    )
    return out.sort_values("pnl", ascending=False)


def rule_attribution(
    pnl: pd.DataFrame,
    forecasts: Mapping[str, pd.DataFrame],
    weights: Mapping[str, float] | pd.DataFrame,
) -> pd.DataFrame:
    """Split each market's daily P&L among the rules of its alpha model (an approximation).

    For market ``m`` on day ``t`` rule ``r`` gets the share
    ``w_r f_{r,m,t-1} / sum_q w_q f_{q,m,t-1}`` of the day's P&L: its part of the combined
    forecast behind the position held over the day (yesterday's forecasts).

    The approximation: it treats the position as proportional to the combined forecast. Capping
    the combined forecast, rounding to whole contracts, buffering and the optimiser break that,
    so a rule's figure is its share of the *signal*, not the P&L of trading it alone. Rules that
    disagree give shares above 1 and below 0 that still add up to 1. A missing forecast (a rule
    that does not cover the market yet) counts as zero; on a day when the weighted forecasts sum
    to zero the market's P&L goes to ``unattributed``.
    Each day's row adds up to the P&L of the markets given.

    Parameters
    ----------
    pnl : DataFrame
        Dates x markets, the P&L (or the returns) to split.
    forecasts : mapping of rule name to DataFrame
        Each rule's forecast, dates x markets, as of each close.
    weights : mapping of rule name to float, or DataFrame
        The forecast weights: one per rule, or markets x rules.

    Returns
    -------
    DataFrame
        Dates x rules, plus ``unattributed``.
    """
    rules = list(forecasts)
    if not rules:
        raise TectonError("rule attribution needs at least one rule's forecasts")
    w = _rule_weights(weights, rules, pnl.columns)
    # yesterday's forecasts drove the position that earned today's P&L
    parts = np.stack(
        [
            forecasts[r].reindex(index=pnl.index, columns=pnl.columns).shift(1).to_numpy(float)
            * w[r].to_numpy()
            for r in rules
        ]
    )
    parts = np.nan_to_num(parts, nan=0.0)
    combined = parts.sum(axis=0)
    known = combined != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(known, parts / combined, 0.0)
    p = pnl.to_numpy(float)
    out = pd.DataFrame((shares * p).sum(axis=2).T, index=pnl.index, columns=rules)
    out[UNATTRIBUTED] = np.where(known, 0.0, p).sum(axis=1)
    return out.rename_axis(columns="rule")


def _rule_weights(weights, rules: list[str], markets: pd.Index) -> pd.DataFrame:
    """Markets x rules weights, from one weight per rule or a markets x rules frame."""
    if isinstance(weights, pd.DataFrame):
        frame = weights
    else:
        frame = pd.DataFrame({r: [weights[r]] * len(markets) for r in weights}, index=markets)
    missing = sorted(set(rules) - set(frame.columns))
    if missing:
        raise TectonError(f"no forecast weight given for rules {missing}")
    unknown = sorted(set(markets) - set(frame.index))
    if unknown:
        raise TectonError(f"no forecast weights given for markets {unknown}")
    return frame.loc[markets, rules].astype(float)
