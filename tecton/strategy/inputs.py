"""What a rebalance reads on its day: forecasts, risk, prices, FX and costs, through Mantle.

Everything is known at the close of the rebalance date: the model is fitted on data up to it
(its forecasts are already lagged a bar), the price is the held contract's last close on or
before it, the FX rate the last one on or before it. A market the strategy trades that has no
price, volatility or forecast on the day is refused by name rather than sized as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tecton.errors import TectonError
from tecton.factor_model import FactorModel, RiskEstimate
from tecton.snapshot import MarketSnapshot
from tecton.stats import days_per_year

STALE_PRICE_DAYS = 10  # a last price older than this (calendar days) is no price on the day
DEFAULT_ROLLS_PER_YEAR = 4.0  # for a market whose roll schedule shows no roll in the last year


@dataclass(frozen=True)
class RebalanceInputs:
    """One day's inputs, aligned on ``snapshot.markets``."""

    as_of: pd.Timestamp
    forecast: np.ndarray
    risk: RiskEstimate
    snapshot: MarketSnapshot
    contract_id: tuple[str, ...]


def read_inputs(
    model: FactorModel,
    as_of: pd.Timestamp,
    capital: float,
    estimation_years: float,
    lake_as_of=None,
) -> RebalanceInputs:
    """Fit ``model`` on the years before ``as_of`` and read the day's market numbers."""
    markets = model.markets()
    prices = _prices_on(markets, as_of, lake_as_of)  # first: a day without data fails fast
    start = as_of - pd.DateOffset(days=round(365.25 * estimation_years))
    model.fit(start=start, end=as_of, as_of=lake_as_of)
    forecast = _forecasts_on(model, as_of, markets)
    risk = model.risk_estimate(as_of)
    _require(markets, set(risk.markets), "volatility on", as_of)
    risk_days = model.definition.risk.annualisation_days
    vol_daily = risk.vol.reindex(markets).to_numpy() / np.sqrt(risk_days)
    meta = market_metadata(markets, lake_as_of)
    fx = _fx_on(meta["currency"].tolist(), as_of, lake_as_of)
    snapshot = MarketTable.of(meta).snapshot(
        capital,
        prices["price"].to_numpy(),
        fx,
        vol_daily,
        rolls_per_year(markets, as_of, lake_as_of),
    )
    return RebalanceInputs(
        as_of,
        forecast,
        risk.__class__(**risk_subset(risk, markets)),
        snapshot,
        tuple(prices["contract_id"]),
    )


@dataclass(frozen=True, eq=False)
class MarketTable:
    """What a :class:`MarketSnapshot` takes from ``futures.markets``, as arrays: read from the
    metadata once, then taken for each day's markets (a backtest's snapshot a day)."""

    markets: tuple[str, ...]
    point_value: np.ndarray
    commission: np.ndarray
    commission_pct: np.ndarray
    spread_pts: np.ndarray
    days_per_year: np.ndarray
    asset_class: tuple[str, ...]

    @classmethod
    def of(cls, meta: pd.DataFrame) -> MarketTable:
        """The table of the metadata rows ``meta`` (index ``market_id``)."""
        return cls(
            markets=tuple(meta.index),
            point_value=meta["point_value"].to_numpy(),
            commission=meta["commission_per_contract"].to_numpy(),
            commission_pct=meta["commission_pct"].fillna(0.0).to_numpy(),
            spread_pts=meta["spread_pts"].to_numpy(),
            days_per_year=np.array([days_per_year(c) for c in meta["asset_class"]], dtype=float),
            asset_class=tuple(meta["asset_class"]),
        )

    def take(self, columns: np.ndarray) -> MarketTable:
        """The rows at positions ``columns``, in that order."""
        return MarketTable(
            markets=tuple(self.markets[c] for c in columns),
            point_value=self.point_value[columns],
            commission=self.commission[columns],
            commission_pct=self.commission_pct[columns],
            spread_pts=self.spread_pts[columns],
            days_per_year=self.days_per_year[columns],
            asset_class=tuple(self.asset_class[c] for c in columns),
        )

    def snapshot(
        self,
        capital: float,
        price: np.ndarray,
        fx: np.ndarray,
        vol_daily: np.ndarray,
        rolls_per_year: np.ndarray | None = None,
    ) -> MarketSnapshot:
        """The day's :class:`MarketSnapshot` of these markets, from the day's numbers."""
        return MarketSnapshot(
            markets=self.markets,
            capital=capital,
            price=price,
            point_value=self.point_value,
            fx=fx,
            vol_daily_pct=vol_daily,
            commission=self.commission,
            commission_pct=self.commission_pct,
            spread_pts=self.spread_pts,
            days_per_year=self.days_per_year,
            asset_class=self.asset_class,
            rolls_per_year=rolls_per_year,
        )


def _forecasts_on(model: FactorModel, as_of: pd.Timestamp, markets: list[str]) -> np.ndarray:
    forecast = model.forecast_.loc[:as_of]
    if forecast.empty:
        raise TectonError(f"no forecast on or before {as_of.date()}: the marts start later")
    row = forecast.iloc[-1].reindex(markets)
    _require(markets, set(row.dropna().index), "forecast on", as_of)
    return row.to_numpy(dtype=float)


def _prices_on(markets: list[str], as_of: pd.Timestamp, lake_as_of) -> pd.DataFrame:
    from tecton.dal.mantle import Mantle

    since = as_of - pd.Timedelta(days=STALE_PRICE_DAYS)
    rows = Mantle.select(
        "futures.cont", since, as_of, ["contract_id", "price"], markets=markets, as_of=lake_as_of
    )
    rows = rows[np.isfinite(rows["price"])]
    last = rows.sort_values("trade_date").groupby("market_id").tail(1).set_index("market_id")
    _require(markets, set(last.index), f"price in the {STALE_PRICE_DAYS} days to", as_of)
    return last.reindex(markets)


def market_metadata(markets: list[str], lake_as_of=None) -> pd.DataFrame:
    """The ``futures.markets`` rows of ``markets``, in that order (refused by name if absent)."""
    from tecton.dal.mantle import Mantle

    rows = Mantle.select("futures.markets", as_of=lake_as_of).set_index("market_id")
    missing = sorted(set(markets) - set(rows.index))
    if missing:
        raise TectonError(f"no metadata (futures.markets) for {', '.join(missing)}")
    return rows.reindex(markets)


def _fx_on(currencies: list[str], as_of: pd.Timestamp, lake_as_of) -> np.ndarray:
    from tecton import fx
    from tecton.config import base_currency

    base = base_currency()
    foreign = sorted(set(currencies) - {base})
    rates = fx.rates(foreign, end=as_of, as_of=lake_as_of) if foreign else pd.DataFrame()
    last = rates.ffill().iloc[-1] if len(rates) else pd.Series(dtype=float)
    last[base] = 1.0
    missing = sorted(c for c in set(currencies) if not np.isfinite(last.get(c, np.nan)))
    if missing:
        raise TectonError(f"no FX rate for {', '.join(missing)} on or before {as_of.date()}")
    return np.array([last[c] for c in currencies], dtype=float)


def rolls_per_year(markets: list[str], as_of: pd.Timestamp, lake_as_of) -> np.ndarray:
    """Rolls in the year to ``as_of`` per market (DEFAULT_ROLLS_PER_YEAR where none shows)."""
    from tecton.dal.mantle import Mantle

    year_ago = as_of - pd.DateOffset(years=1)
    rolls = Mantle.select(
        "futures.roll_schedule", columns=["roll_at"], markets=markets, as_of=lake_as_of
    )
    at = pd.to_datetime(rolls["roll_at"])
    counts = rolls[(at > year_ago) & (at <= as_of)].groupby("market_id").size()
    return (
        counts.reindex(markets)
        .fillna(DEFAULT_ROLLS_PER_YEAR)
        .replace(0, DEFAULT_ROLLS_PER_YEAR)
        .to_numpy(float)
    )


def _require(markets: list[str], have: set[str], what: str, as_of: pd.Timestamp) -> None:
    missing = [m for m in markets if m not in have]
    if missing:
        raise TectonError(
            f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no {what} "
            f"{as_of.date()}: drop {'it' if len(missing) == 1 else 'them'} from the universe or "
            "pick another date"
        )


def risk_subset(risk: RiskEstimate, markets: list[str]) -> dict:
    """The fields of a RiskEstimate over ``markets`` only, in that order."""
    factor = risk.factor_loadings is not None
    return dict(
        as_of=risk.as_of,
        markets=tuple(markets),
        vol=risk.vol.reindex(markets),
        corr=risk.corr.reindex(index=markets, columns=markets),
        cov=risk.cov.reindex(index=markets, columns=markets),
        factor_loadings=risk.factor_loadings.reindex(markets) if factor else None,
        factor_cov=risk.factor_cov if factor else None,
        specific_var=risk.specific_var.reindex(markets) if factor else None,
    )
