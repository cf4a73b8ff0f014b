"""Portfolios: holdings over time, their fills and P&L, and the analytics of their returns.

* :class:`Portfolio` what a strategy held and earned; :meth:`Portfolio.analytics` its
  :class:`Analytics`, the one interface to the figures below;
* :mod:`metrics` pure functions of a daily return series (Sharpe, drawdowns, rolling...);
* :mod:`attribution` pure functions of a portfolio's frames (P&L by market, asset class and
  rule, exposures, turnover, costs);
* :mod:`trials` the probabilistic and deflated Sharpe ratios (Bailey and Lopez de Prado).
"""

from tecton.portfolio import attribution, metrics, trials
from tecton.portfolio.analytics import HEADLINE, Analytics
from tecton.portfolio.portfolio import Portfolio
from tecton.portfolio.trials import (
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probabilistic_sharpe_ratio,
)

__all__ = [
    "HEADLINE",
    "Analytics",
    "Portfolio",
    "attribution",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "metrics",
    "probabilistic_sharpe_ratio",
    "trials",
]
