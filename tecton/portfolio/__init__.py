"""Portfolios: holdings over time, their fills and P&L, and the metrics of their returns."""

from tecton.portfolio import metrics
from tecton.portfolio.portfolio import Portfolio

__all__ = ["Portfolio", "metrics"]
