"""Time-series momentum as Moskowitz, Ooi and Pedersen (2012) define it, on the peer's data.

    uv run python -m studies.tsmom [--markets SP500 GOLD ...] [--since 1970-01-01]

At each month's end ``t``, for each market ``s`` (the paper's equation 5)::

    r_tsmom[s, t+1] = sign(r[s, t-12..t]) x 40% / sigma[s, t] x r[s, t+1]

* ``r`` is the market's excess return: the held contract's daily percentage return from
  tecton's ``futures.returns`` mart (a roll day is the new contract's own move, never the gap
  between contracts; a future is an excess return, so no cash rate is taken off), compounded
  over calendar months; ``r[s, t-12..t]`` over the 12 months up to ``t`` (all 12 present).
* ``sigma`` is the ex-ante annualised volatility: ``sqrt(261 x sum_i (1 - d) d^i (r_i - m)^2)``
  over the market's daily returns, ``m`` their EWMA mean, ``d / (1 - d) = 60`` days (centre of
  mass 60: pandas ``ewm(com=60).var(bias=True)``), at least 60 returns; as of the month's last
  trading day (the paper's ``r[t-1-i]`` ends the day before; one day, at a monthly rebalance).
* The portfolio is the equal-weighted average of the markets with a position that month, as
  the paper's diversified TSMOM factor.

It prints, per market, the monthly TSMOM returns' annual mean, volatility, Sharpe ratio and
t-statistic (mean over its standard error), and the portfolio's. No costs: the paper's figures
are gross too. Recorded run and the paper's result side by side: ``studies/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from studies.peer_data import peer_home, using_home
from studies.report import markdown, run_from_command_line
from tecton.portfolio import metrics

LEVERAGE = 0.40  # the paper's ex-ante volatility of every position, a year
CENTRE_OF_MASS = 60  # days
MIN_RETURNS = 60  # daily returns before a volatility is given
ANNUAL_DAYS = 261  # the paper's annualisation of the daily variance
LOOKBACK_MONTHS = 12
MONTHS_PER_YEAR = 12
PAPER_END, AFTER_PAPER = pd.Period("2009-12", "M"), pd.Period("2010-01", "M")


def read_returns(markets: list[str]) -> pd.DataFrame:
    """Daily percentage returns of the held contracts, trade dates x markets (Mantle)."""
    from tecton.dal.mantle import Mantle

    long = Mantle.select("futures.returns", columns=["ret_pct"], markets=markets)
    wide = long.pivot(index="trade_date", columns="market_id", values="ret_pct")
    wide.index = pd.DatetimeIndex(wide.index, name="trade_date")
    return wide.reindex(columns=markets).astype(float)


def monthly_returns(daily: pd.DataFrame) -> pd.DataFrame:
    """Compounded calendar-month returns (months x markets); NaN for a month without a return."""
    grouped = (1.0 + daily).groupby(daily.index.to_period("M"))
    compounded = grouped.prod(min_count=1) - 1.0
    return compounded.where(daily.notna().groupby(daily.index.to_period("M")).any())


def ex_ante_vol(daily: pd.DataFrame) -> pd.DataFrame:
    """Annualised EWMA volatility (centre of mass 60 days) at each month's last return.

    Each market on its own return days: a day without a return is no observation.
    """
    out = {}
    for market, series in daily.items():
        own = series.dropna()
        variance = own.ewm(com=CENTRE_OF_MASS, min_periods=MIN_RETURNS).var(bias=True)
        vol = np.sqrt(ANNUAL_DAYS * variance)
        out[market] = vol.groupby(vol.index.to_period("M")).last()
    return pd.DataFrame(out).reindex(columns=daily.columns)


def tsmom_returns(daily: pd.DataFrame) -> pd.DataFrame:
    """Each market's monthly TSMOM return (months x markets), labelled by the month earned."""
    monthly = monthly_returns(daily)
    trailing = (1.0 + monthly).rolling(LOOKBACK_MONTHS, min_periods=LOOKBACK_MONTHS).apply(
        np.prod, raw=True
    ) - 1.0
    vol = ex_ante_vol(daily).reindex(monthly.index)
    position = np.sign(trailing) * LEVERAGE / vol  # decided at the end of month t
    return position.shift(1) * monthly  # earned over month t + 1


def market_table(tsmom: pd.DataFrame) -> pd.DataFrame:
    """Per market: months, annual mean, volatility and Sharpe ratio, and the t-statistic."""
    rows = {}
    for market, series in tsmom.items():
        r = series.dropna()
        rows[market] = _stats(r)
    return pd.DataFrame(rows).T.rename_axis("market").sort_values("t_stat", ascending=False)


def _stats(r: pd.Series) -> dict[str, float]:
    sharpe = metrics.sharpe_ratio(r, MONTHS_PER_YEAR)
    return {
        "months": float(len(r)),
        "ann_return": metrics.annual_return(r, MONTHS_PER_YEAR),
        "ann_vol": metrics.annual_volatility(r, MONTHS_PER_YEAR),
        "sharpe": sharpe,
        # mean / (std / sqrt(n)) = annual Sharpe / sqrt(12) x sqrt(n)
        "t_stat": sharpe / np.sqrt(MONTHS_PER_YEAR) * np.sqrt(len(r)),
    }


@dataclass(frozen=True)
class TsmomStudy:
    """Daily returns read, each market's monthly TSMOM returns, and the portfolio's."""

    daily: pd.DataFrame
    tsmom: pd.DataFrame

    @property
    def portfolio(self) -> pd.Series:
        """The equal-weighted average over the markets with a position each month."""
        return self.tsmom.mean(axis=1, skipna=True).dropna().rename("TSMOM")

    def markets(self) -> pd.DataFrame:
        return market_table(self.tsmom)

    def summary(self) -> pd.DataFrame:
        """The portfolio's figures and how many markets are positive (and t > 1.96), over the
        whole sample, the paper's (to December 2009) and the months since."""
        windows = {
            "all months": (None, None),
            "to 2009-12 (the paper's sample ends)": (None, PAPER_END),
            "2010-01 on": (AFTER_PAPER, None),
        }
        rows = {}
        for name, (first, last) in windows.items():
            tsmom = self.tsmom.loc[first:last]
            table = market_table(tsmom.loc[:, tsmom.notna().any()])
            row = _stats(tsmom.mean(axis=1, skipna=True).dropna())
            row["positive"] = float((table["t_stat"] > 0).sum())
            row["significant"] = float((table["t_stat"] > 1.96).sum())
            row["markets"] = float(len(table))
            rows[name] = row
        return pd.DataFrame(rows).T.rename_axis("TSMOM portfolio")


def run_study(
    markets: list[str], since: str = "1970-01-01", home: Path | None = None, rebuild: bool = False
) -> TsmomStudy:
    """Build (or reuse) the peer home and compute every market's TSMOM returns."""
    home = peer_home(markets, since, home, rebuild)
    with using_home(home):
        daily = read_returns(markets)
    return TsmomStudy(daily, tsmom_returns(daily))


FORMATS = {
    "months": "{:.0f}",
    "ann_return": "{:.2%}",
    "ann_vol": "{:.2%}",
    "sharpe": "{:.2f}",
    "t_stat": "{:.2f}",
    "positive": "{:.0f}",
    "significant": "{:.0f}",
    "markets": "{:.0f}",
}


def render(study: TsmomStudy) -> str:
    months = study.portfolio.index
    return "\n\n".join(
        [
            f"{study.tsmom.shape[1]} markets, TSMOM months {months[0]} to {months[-1]}",
            markdown(study.summary(), FORMATS),
            markdown(study.markets(), FORMATS),
        ]
    )


def main(argv: list[str] | None = None) -> TsmomStudy:
    return run_from_command_line(__doc__, run_study, render, argv)


if __name__ == "__main__":
    main()
