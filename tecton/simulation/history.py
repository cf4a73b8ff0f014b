"""History: every number a backtest reads, as dates x markets arrays, each known at its close.

:func:`load_history` reads it once through Mantle (the model fitted over the window, the held
contract's price and id, its in-contract price change, FX, metadata); the simulator then hands
the strategy one day at a time (:meth:`History.inputs`), a row of these arrays and nothing later.
Every array is causal by how it is made: forecasts are lagged a bar and scaled on expanding
windows, volatility and correlation are EWMAs of earlier returns (tests perturb the future and
check no earlier decision moves).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tecton import config
from tecton.errors import DateLike, TectonError
from tecton.factor_model import FactorModel, RiskEstimate
from tecton.snapshot import MarketSnapshot
from tecton.strategy.inputs import (
    MarketTable,
    RebalanceInputs,
    market_metadata,
    rolls_per_year,
)

FILLS = ("close", "open")

if TYPE_CHECKING:
    from tecton.factor_model.risk import RiskModel
    from tecton.strategy import Strategy


@dataclass(frozen=True, eq=False)
class History:
    """A backtest's inputs over ``dates`` (T) for ``markets`` (N); NaN where a market has none.

    Attributes
    ----------
    price : (T, N) close of the contract held that day (quote currency).
    ret_pts : (T, N) that contract's change since the previous close (a roll never shows here).
    contract_id : (T, N) the contract held (object; None where no price).
    fx : (T, N) base currency per unit of each market's quote currency.
    forecast : (T, N) the model's combined forecast usable at that close (already lagged).
    vol_daily_pct : (T, N) the risk model's daily % volatility.
    meta : DataFrame of the ``futures.markets`` rows, one per market.
    rolls_per_year : (N,) rolls a year, for the optimiser's holding cost.
    risk : the fitted RiskModel, for a day's full :class:`RiskEstimate` where a strategy needs it.
    open : (T, N) the held contract's open that day, where the bars have one (read for fills at
        the open; None when not read).
    """

    dates: pd.DatetimeIndex
    markets: tuple[str, ...]
    price: np.ndarray
    ret_pts: np.ndarray
    contract_id: np.ndarray
    fx: np.ndarray
    forecast: np.ndarray
    vol_daily_pct: np.ndarray
    meta: pd.DataFrame
    rolls_per_year: np.ndarray
    risk: RiskModel
    read_from: pd.Timestamp | None = None  # the first bar the model read (warm-up included)
    open: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.dates)

    @cached_property
    def point_value(self) -> np.ndarray:
        """(N,) point value per market (read once: the books use it every day)."""
        return self.market_table.point_value.astype(float)

    def is_roll(self) -> np.ndarray:
        """(T, N): the held contract differs from the previous day's."""
        held = self.contract_id
        rolled = np.zeros(held.shape, dtype=bool)
        rolled[1:] = (held[1:] != held[:-1]) & pd.notna(held[1:]) & pd.notna(held[:-1])
        return rolled

    def fill_prices(self, fill: str) -> np.ndarray:
        """(T, N) the price a fill on each day gets: the close (``fill="close"``), or the held
        contract's open where the bars have one and the close where they do not (``"open"``)."""
        if fill not in FILLS:
            raise TectonError(f"fill must be one of {', '.join(FILLS)}, got {fill!r}")
        if fill == "close" or self.open is None:
            return self.price
        return np.where(np.isfinite(self.open) & np.isfinite(self.price), self.open, self.price)

    def markets_without_open(self) -> list[str]:
        """Markets whose bars have no open on any day (a fill at the open is at the close)."""
        if self.open is None:
            return list(self.markets)
        has_open = np.isfinite(self.open).any(axis=0)
        return [m for m, has in zip(self.markets, has_open, strict=True) if not has]

    @cached_property
    def market_table(self) -> MarketTable:
        """The metadata's per-market numbers as arrays, read once (a snapshot a day takes them)."""
        return MarketTable.of(self.meta)

    def snapshot(
        self,
        t: int | np.ndarray,
        capital: float,
        columns: np.ndarray | None = None,
        price: np.ndarray | None = None,
    ) -> MarketSnapshot:
        """Day ``t``'s :class:`MarketSnapshot` (of the market ``columns``, all by default;
        ``price`` replaces the day's prices of those columns). ``t`` may also hold a day per
        column: the snapshot's entries are then (day, market) cells."""
        cols = np.arange(len(self.markets)) if columns is None else columns
        return self.market_table.take(cols).snapshot(
            capital,
            self.price[t, cols] if price is None else price,
            self.fx[t, cols],
            self.vol_daily_pct[t, cols],
            self.rolls_per_year[cols],
        )

    def tradable(self, t: int) -> np.ndarray:
        """Columns with every input a decision needs on day ``t``."""
        ok = (
            np.isfinite(self.price[t])
            & np.isfinite(self.fx[t])
            & np.isfinite(self.forecast[t])
            & (self.vol_daily_pct[t] > 0)
        )
        return np.flatnonzero(ok)

    def risk_on(self, t: int, columns: np.ndarray) -> RiskEstimate:
        """The risk model's estimate at the close of day ``t``, over ``columns``."""
        return self.risk.estimate(self.dates[t], [self.markets[c] for c in columns])

    def inputs(
        self, t: int, capital: float, columns: np.ndarray, risk: RiskEstimate | None
    ) -> RebalanceInputs:
        """What a strategy may know at the close of day ``t``: row ``t`` and nothing later."""
        return RebalanceInputs(
            as_of=self.dates[t],
            forecast=self.forecast[t, columns],
            risk=risk,
            snapshot=self.snapshot(t, capital, columns),
            contract_id=tuple(self.contract_id[t, columns]),
        )

    def with_arrays(self, **arrays: np.ndarray) -> History:
        """A copy with some arrays replaced (the look-ahead tests perturb the future this way)."""
        return replace(self, **arrays)


def load_history(
    strategy: Strategy,
    start: DateLike | None = None,
    end: DateLike | None = None,
    lake_as_of: DateLike | None = None,
    opens: bool = False,
) -> History:
    """Fit the strategy's model over ``start``..``end`` and read the window's market numbers
    (with ``opens``, also the held contract's open each day, from ``futures.bars``)."""
    from tecton import fx as fx_rates
    from tecton.dal.mantle import Mantle

    model = FactorModel(strategy.definition.model)
    markets = model.markets()
    cont = Mantle.select(
        "futures.cont", start, end, ["contract_id", "price"], markets=markets, as_of=lake_as_of
    )
    _refuse_empty(markets, set(cont["market_id"]), strategy.name, start, end)
    model.fit(start=start, end=end, as_of=lake_as_of)
    dates = _window(model, strategy.name, start, end)
    meta = market_metadata(markets, lake_as_of)
    currencies = sorted(set(meta["currency"]))
    rates = fx_rates.rates(currencies, end=dates[-1], as_of=lake_as_of)
    history = assemble_history(
        model, cont, rates, meta, rolls_per_year(markets, dates[0], lake_as_of)
    )
    if not opens:
        return history
    held = cont[cont["trade_date"].between(dates[0], dates[-1])]
    return replace(history, open=_held_opens(held, history, lake_as_of))


def _held_opens(held: pd.DataFrame, history: History, lake_as_of: DateLike | None) -> np.ndarray:
    """(T, N) each day's open of the contract held that day (its first observation's open)."""
    from tecton.dal.mantle import Mantle

    bars = Mantle.select(
        "futures.bars",
        history.dates[0],
        history.dates[-1],
        ["observed_at", "open", "role"],
        markets=list(history.markets),
        as_of=lake_as_of,
    )
    bars = bars[bars["role"].isna() | bars["role"].eq("PRICE")]  # the peer's own contract rows
    keys = ["market_id", "trade_date", "contract_id"]
    first = bars.sort_values([*keys, "observed_at"]).drop_duplicates(keys)[[*keys, "open"]]
    first["trade_date"] = pd.to_datetime(first["trade_date"]).astype("datetime64[ns]")
    held = held[keys].assign(trade_date=lambda f: pd.to_datetime(f["trade_date"]))
    merged = held.merge(first, on=keys, how="left")
    wide = merged.pivot(index="trade_date", columns="market_id", values="open")
    return wide.reindex(index=history.dates, columns=list(history.markets)).to_numpy(dtype=float)


def assemble_history(
    model: FactorModel,
    cont: pd.DataFrame,
    rates: pd.DataFrame,
    meta: pd.DataFrame,
    rolls: np.ndarray | None = None,
) -> History:
    """A :class:`History` from a fitted model and the window's rows (no I/O).

    ``cont``: long rows of ``futures.cont`` (market_id, trade_date, contract_id, price);
    ``rates``: FX per currency by date (base per unit); ``meta``: ``futures.markets`` rows.
    """
    markets = list(meta.index)
    dates = pd.DatetimeIndex(model.forecast_.index)
    wide = cont.pivot(index="trade_date", columns="market_id")
    wide.index = pd.DatetimeIndex(wide.index)
    days = model.definition.risk.annualisation_days
    vol = model.risk_.vol_ann_.reindex(index=dates, columns=markets) / np.sqrt(days)
    rates = rates.reindex(rates.index.union(dates)).ffill().reindex(dates)
    rates[config.base_currency()] = 1.0  # on every date, though the mart has no row for it
    return History(
        dates=dates,
        markets=tuple(markets),
        price=wide["price"].reindex(index=dates, columns=markets).to_numpy(dtype=float),
        ret_pts=model.panels_.ret_pts.reindex(index=dates, columns=markets).to_numpy(dtype=float),
        contract_id=wide["contract_id"]
        .reindex(index=dates, columns=markets)
        .to_numpy(dtype=object),
        fx=rates[meta["currency"].tolist()].to_numpy(dtype=float),
        forecast=model.forecast_.reindex(columns=markets).to_numpy(dtype=float),
        vol_daily_pct=vol.to_numpy(dtype=float),
        meta=meta,
        rolls_per_year=np.full(len(markets), 4.0) if rolls is None else rolls,
        risk=model.risk_,
        read_from=model.panels_.dates[0] if len(model.panels_.dates) else dates[0],
    )


def _window(model: FactorModel, strategy: str, start, end) -> pd.DatetimeIndex:
    if model.forecast_.empty:
        raise TectonError(
            f"no forecasts for {strategy} between {start or 'the start'} and {end or 'the end'}: "
            "the window is before any data"
        )
    return pd.DatetimeIndex(model.forecast_.index)


def _refuse_empty(markets: list[str], have: set[str], strategy: str, start, end) -> None:
    missing = [m for m in markets if m not in have]
    if not missing:
        return
    window = f"between {start or 'the start'} and {end or 'the end'}"
    if len(missing) == len(markets):
        raise TectonError(
            f"no prices for strategy {strategy}'s markets {window}: the window is before any data"
        )
    one = len(missing) == 1
    raise TectonError(
        f"{', '.join(missing)} {'has' if one else 'have'} no prices {window}: drop "
        f"{'it' if one else 'them'} from strategy {strategy}'s universe or pick another window"
    )
