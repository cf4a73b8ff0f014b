"""One interface to the analytics of a portfolio or of any daily return series.

>>> a = run.portfolio.analytics(asset_classes={"SP500": "equity", "BUND": "bond"})
>>> a.sharpe, a.max_drawdown, a.table()
>>> a.rolling_sharpe(126), a.exposures_by_asset_class(), a.pnl_by_market()

Every figure is a pure function of :mod:`tecton.portfolio.metrics` (of the returns) or
:mod:`tecton.portfolio.attribution` (of the portfolio's frames); this class only holds the
inputs, the day count and whether returns compound, and caches the returns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import cached_property

import numpy as np
import pandas as pd

from tecton.errors import TectonError
from tecton.portfolio import attribution, metrics, trials
from tecton.portfolio.portfolio import Portfolio
from tecton.stats import TRADING_DAYS_PER_YEAR

# the keys of summary() and rows of table(), in order; the first seven are the stored run's
HEADLINE = (
    "ann_return",
    "ann_vol",
    "sharpe",
    "max_drawdown",
    "turnover",
    "cost_ann",
    "gross_sharpe",
    "sortino",
    "calmar",
    "max_drawdown_days",
    "skew",
    "kurtosis",
    "tail_ratio",
    "hit_rate",
    "cost_sharpe",
    "psr",
)


class Analytics:
    """Metrics, attribution and exposures of a :class:`Portfolio` or a daily return series.

    Parameters
    ----------
    source : Portfolio or Series
        A portfolio, or daily returns (then only the return metrics answer).
    days_per_year : int
        Trading days a year (:func:`tecton.stats.days_per_year`: 252, 365 for crypto).
    asset_classes : mapping, optional
        ``{market_id: asset class}`` for the figures by asset class.
    compound : bool, optional
        Whether returns compound (see :mod:`tecton.portfolio.metrics`). Default: for a
        portfolio, whether its capital changed (a compounding backtest); for returns, False.
    """

    def __init__(
        self,
        source: Portfolio | pd.Series,
        days_per_year: int = TRADING_DAYS_PER_YEAR,
        asset_classes: Mapping[str, str] | None = None,
        compound: bool | None = None,
    ):
        if isinstance(source, Portfolio):
            self.portfolio: Portfolio | None = source
            capital = source.capital.to_numpy(dtype=float)
            changed = len(capital) > 0 and bool(np.ptp(capital) > 0)
            self.compound = changed if compound is None else compound
        elif isinstance(source, pd.Series):
            self.portfolio, self._returns = None, source.astype(float)
            self.compound = bool(compound)
        else:
            raise TectonError(
                f"analytics take a Portfolio or a Series of daily returns, not {type(source).__name__}"
            )
        if not (isinstance(days_per_year, int | np.integer) and days_per_year > 0):
            raise TectonError(f"days_per_year must be a positive whole number, got {days_per_year}")
        self.days = int(days_per_year)
        self.asset_classes = dict(asset_classes) if asset_classes is not None else None

    # -- returns and their metrics ------------------------------------------------------------

    @cached_property
    def returns(self) -> pd.Series:
        """Daily returns: P&L over the capital it was earned on."""
        return self.portfolio.returns() if self.portfolio is not None else self._returns

    @cached_property
    def ann_return(self) -> float:
        """Mean daily return x days a year (the CAGR when compounding)."""
        return metrics.annual_return(self.returns, self.days, self.compound)

    @cached_property
    def ann_vol(self) -> float:
        return metrics.annual_volatility(self.returns, self.days)

    @cached_property
    def sharpe(self) -> float:
        return metrics.sharpe_ratio(self.returns, self.days)

    @cached_property
    def sortino(self) -> float:
        return metrics.sortino_ratio(self.returns, self.days)

    @cached_property
    def calmar(self) -> float:
        return metrics.calmar_ratio(self.returns, self.days, self.compound)

    @cached_property
    def max_drawdown(self) -> float:
        return metrics.max_drawdown(self.returns, self.compound)

    @cached_property
    def max_drawdown_days(self) -> int:
        """Longest drawdown in trading days, peak to recovery (or to the end)."""
        return metrics.max_drawdown_duration(self.returns, self.compound)

    @cached_property
    def skew(self) -> float:
        return metrics.skew(self.returns)

    @cached_property
    def kurtosis(self) -> float:
        """Non-excess kurtosis (3 for a normal)."""
        return metrics.kurtosis(self.returns)

    @cached_property
    def tail_ratio(self) -> float:
        return metrics.tail_ratio(self.returns)

    @cached_property
    def hit_rate(self) -> float:
        return metrics.hit_rate(self.returns)

    def cumulative_returns(self) -> pd.Series:
        return metrics.cumulative_returns(self.returns, self.compound)

    def drawdown(self) -> pd.Series:
        return metrics.drawdown(self.returns, self.compound)

    def drawdown_periods(self, top: int | None = None) -> pd.DataFrame:
        """The ``top`` deepest drawdowns (all by default): peak, trough, recovery, depth, days."""
        periods = metrics.drawdown_periods(self.returns, self.compound)
        return periods if top is None else periods.head(top)

    def rolling_sharpe(self, window: int = 126) -> pd.Series:
        return metrics.rolling_sharpe(self.returns, window, self.days)

    def rolling_volatility(self, window: int = 63) -> pd.Series:
        return metrics.rolling_volatility(self.returns, window, self.days)

    def monthly_returns(self) -> pd.DataFrame:
        """Years x months table of monthly returns."""
        return metrics.monthly_returns(self.returns, self.compound)

    def yearly_returns(self) -> pd.Series:
        return metrics.period_returns(self.returns, "YE", self.compound)

    # -- trials ---------------------------------------------------------------------------------

    def probabilistic_sharpe(self, benchmark_sharpe: float = 0.0) -> float:
        """Probability the true Sharpe ratio beats ``benchmark_sharpe`` (annualised, like :attr:`sharpe`)."""
        root = math.sqrt(self.days)
        return trials.probabilistic_sharpe_ratio(
            self.sharpe / root, benchmark_sharpe / root, len(self.returns), self.skew, self.kurtosis
        )

    def deflated_sharpe(self, trial_sharpes: Iterable[float]) -> float:
        """The deflated Sharpe ratio given every trial's annualised Sharpe ratio (this one's too).

        The number of trials and the variance (ddof 1) of their Sharpe ratios set the expected
        best Sharpe ratio of worthless strategies; see :mod:`tecton.portfolio.trials`.
        """
        sharpes = [s for s in trial_sharpes if np.isfinite(s)]
        if not sharpes:
            raise TectonError(
                "the deflated Sharpe ratio needs the Sharpe ratio of at least one trial"
            )
        var_daily = trials.trials_variance(sharpes) / self.days
        return trials.deflated_sharpe_ratio(
            self.sharpe / math.sqrt(self.days),
            len(self.returns),
            len(sharpes),
            var_daily,
            self.skew,
            self.kurtosis,
        )

    # -- the portfolio's own figures ------------------------------------------------------------

    def _need_portfolio(self, what: str) -> Portfolio:
        if self.portfolio is None:
            raise TectonError(f"{what} needs a Portfolio, not a returns series")
        return self.portfolio

    def _need_classes(self) -> Mapping[str, str]:
        if self.asset_classes is None:
            raise TectonError("figures by asset class need asset_classes={market_id: class}")
        return self.asset_classes

    @cached_property
    def _costs(self) -> pd.DataFrame:
        p = self._need_portfolio("costs")
        return attribution.market_returns(p.pnl, p.capital, "cost").sum(axis=1)

    def costs(self) -> pd.DataFrame:
        """Dates x ``signal``/``roll``: each day's costs over capital."""
        p = self._need_portfolio("costs")
        return attribution.costs(p.trades, p.capital)

    def gross_returns(self) -> pd.Series:
        """Daily returns before costs."""
        return (self.returns + self._costs).rename("gross_return")

    @cached_property
    def turnover(self) -> float:
        """Notional traded on signals a year over the average capital."""
        p = self._need_portfolio("turnover")
        return attribution.turnover(p.trades, p.capital, self.days)

    @cached_property
    def cost_ann(self) -> float:
        """Costs a year over capital (the daily mean x days)."""
        return float(self._costs.mean() * self.days) if len(self._costs) else float("nan")

    @cached_property
    def cost_sharpe(self) -> float:
        """Cost drag in Sharpe units: annual costs over annual volatility."""
        return self.cost_ann / self.ann_vol if self.ann_vol else float("nan")

    @cached_property
    def gross_sharpe(self) -> float:
        return metrics.sharpe_ratio(self.gross_returns(), self.days)

    def exposures(self) -> pd.DataFrame:
        """Dates x ``gross``/``net``/``long``/``short`` exposure over capital."""
        return attribution.exposures(self._exposure(), self.portfolio.capital)

    def exposures_by_asset_class(self, gross: bool = True) -> pd.DataFrame:
        """Dates x asset classes: gross (or net) exposure over capital."""
        return attribution.exposures_by_group(
            self._exposure(), self.portfolio.capital, self._need_classes(), gross
        )

    def _exposure(self) -> pd.DataFrame:
        p = self._need_portfolio("exposures")
        if p.exposure is None:
            raise TectonError(
                "this portfolio carries no exposure (a run stored before it was kept)"
            )
        return p.exposure

    def market_returns(self) -> pd.DataFrame:
        """Dates x markets: each market's contribution to the daily return."""
        p = self._need_portfolio("attribution by market")
        return attribution.market_returns(p.pnl, p.capital)

    def pnl_by_market(self) -> pd.DataFrame:
        """Per market: total P&L (base currency), its annual return contribution and share."""
        p = self._need_portfolio("attribution by market")
        pnl = attribution.market_pnl(p.pnl, p.capital.index)
        return attribution.attribution_table(self.market_returns(), pnl, self.days)

    def pnl_by_asset_class(self) -> pd.DataFrame:
        """:meth:`pnl_by_market` summed by asset class."""
        p = self._need_portfolio("attribution by asset class")
        classes = self._need_classes()
        returns = attribution.group_columns(self.market_returns(), classes)
        pnl = attribution.group_columns(attribution.market_pnl(p.pnl, p.capital.index), classes)
        return attribution.attribution_table(returns, pnl, self.days)

    def pnl_by_rule(
        self,
        forecasts: Mapping[str, pd.DataFrame],
        weights: Mapping[str, float] | pd.DataFrame,
    ) -> pd.DataFrame:
        """Per rule of the alpha model (see :func:`attribution.rule_attribution`, an approximation)."""
        p = self._need_portfolio("attribution by rule")
        returns = attribution.rule_attribution(self.market_returns(), forecasts, weights)
        pnl = attribution.rule_attribution(
            attribution.market_pnl(p.pnl, p.capital.index), forecasts, weights
        )
        return attribution.attribution_table(returns, pnl, self.days)

    # -- headline figures -----------------------------------------------------------------------

    def summary(self) -> dict[str, float]:
        """The headline figures (:data:`HEADLINE`); portfolio-only ones are NaN for a series."""
        out = {}
        for key in HEADLINE:
            try:
                out[key] = float(
                    self.probabilistic_sharpe() if key == "psr" else getattr(self, key)
                )
            except TectonError:
                out[key] = float("nan")  # a returns series has no turnover or costs
        return out

    def table(self) -> pd.Series:
        """:meth:`summary` as a Series indexed by figure."""
        return pd.Series(self.summary(), name="value").rename_axis("figure")
