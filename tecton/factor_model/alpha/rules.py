"""Trading rules: wide frames of prices in, wide frames of raw (unscaled) forecasts out.

Every rule has one signature, ``rule(inputs: RuleInputs, **params) -> DataFrame``, and is
registered by name in :data:`RULES` so a model definition names it (``ewmac``, ``breakout``,
``carry``, ``fundamental_trend``, ``indicator``, ``filtered``). A raw forecast is
volatility-normalised (unit-free, comparable across markets) but not yet scaled: scaling to an
average absolute value of 10, capping, combining and the one-bar lag are in
:mod:`tecton.factor_model.alpha.scaling`.

Time: the forecast on row ``t`` uses data through row ``t`` only (every kernel is causal: EWMAs,
trailing windows, ta-lib's recursions, the trailing volatility floor). Where a market has no
price on a date, its EWMAs carry their last value (pandas ``ewm`` with ``ignore_na=False``), so
a forecast on a date is the latest one as of that date; a forecast is NaN only before a market
has enough history.

Volatility: daily price volatility in price points, :func:`tecton.stats.daily_vol` of
``ret_pts`` (EWMA span 35 on each market's own trading days, floored at its 5th percentile
over the last 500 of them), the same function and value as the risk model's and the
``futures_vol_daily`` mart's ``vol_pts_35``: another exchange's holiday never ages a market's
weights. See :func:`price_vol`. Annual figures use :data:`tecton.stats.TRADING_DAYS_PER_YEAR`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np
import pandas as pd

from tecton.factor_model.alpha.indicators import (
    indicator_forecast,
    indicator_spec,
    indicator_values,
)
from tecton.factor_model.registry import ModelDefinitionError, Registry
from tecton.stats import (
    FLOOR,
    MIN_PERIODS,
    SPAN,
    TRADING_DAYS_PER_YEAR,
    Floor,
    annualise_vol,
    daily_vol,
)

Rule = Callable[..., pd.DataFrame]
RULES: Registry[Rule] = Registry("rule")

TREND_SPEEDS = ((2, 8), (4, 16), (8, 32), (16, 64), (32, 128), (64, 256))
BREAKOUT_WINDOWS = (10, 20, 40, 80, 160, 320)


def price_vol(
    ret_pts: pd.DataFrame,
    span: float = SPAN,
    min_periods: int = MIN_PERIODS,
    floor_window: int = FLOOR.window,
    floor_quantile: float = FLOOR.quantile,
    floor_min_periods: int = FLOOR.min_periods,
) -> pd.DataFrame:
    """Daily price volatility: :func:`tecton.stats.daily_vol` of daily price changes.

    Each market on its own trading days (the dates it has a ``ret_pts``), then carried over the
    panel's other dates: the same value as the risk model's volatility and the mart's.

    Parameters
    ----------
    ret_pts : DataFrame
        Daily price changes in price points, dates by markets; NaN where a market has none.
    span, min_periods : float, int
        Of the EWMA standard deviation, in own trading days.
    floor_window, floor_quantile, floor_min_periods
        The floor: the volatility's trailing ``floor_quantile`` over ``floor_window`` own days,
        none until ``floor_min_periods`` values exist (:class:`tecton.stats.Floor`).

    Returns
    -------
    DataFrame
        ``max(vol, floor)``, NaN where it would be zero (a constant price says nothing).
    """
    floor = Floor(floor_window, floor_quantile, floor_min_periods)
    vol = daily_vol(ret_pts, span, min_periods, floor)
    return vol.where(vol > 0)


@dataclass(frozen=True, eq=False)
class RuleInputs:
    """What rules read: wide frames (``trade_date`` rows, ``market_id`` columns) of one panel.

    Parameters
    ----------
    price_adj : DataFrame
        Panama back-adjusted price; its index (sorted, unique) and columns define the panel.
    ret_pts : DataFrame, optional
        Daily price-point return inside the held contract; ``price_adj.diff()`` when not given
        (then a change across a date without a price is lost: pass the mart's returns).
    carry_ann : DataFrame, optional
        Annualised carry in price points per year (backwardation positive); needed by ``carry``.
    fundamentals : mapping of str to DataFrame
        Fundamental series by name (e.g. ``"inventory"``), forward-filled on trading dates.
    high, low : DataFrame, optional
        Back-adjusted highs and lows for ta-lib functions that use them (else the close).
    vol_pts : DataFrame, optional
        Daily price volatility in price points (e.g. from the vol mart); computed from
        ``ret_pts`` with :func:`price_vol` when not given.
    vol_span : float
        EWMA span of the computed volatilities (price and fundamental changes).

    Every other frame is aligned to ``price_adj``'s dates and markets (missing ones are NaN).
    """

    price_adj: pd.DataFrame
    ret_pts: pd.DataFrame | None = None
    carry_ann: pd.DataFrame | None = None
    fundamentals: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    high: pd.DataFrame | None = None
    low: pd.DataFrame | None = None
    vol_pts: pd.DataFrame | None = None
    vol_span: float = SPAN

    def __post_init__(self) -> None:
        index = self.price_adj.index
        if not (index.is_unique and index.is_monotonic_increasing):
            raise ValueError("price_adj's index must be sorted dates without duplicates")

        def align(frame: pd.DataFrame | None) -> pd.DataFrame | None:
            if frame is None:
                return None
            return frame.reindex(index=index, columns=self.price_adj.columns).astype(float)

        set_ = object.__setattr__  # frozen: fields are set once, here
        set_(self, "price_adj", self.price_adj.astype(float))
        if self.ret_pts is None:
            set_(self, "ret_pts", self.price_adj.diff())
        for name in ("ret_pts", "carry_ann", "high", "low", "vol_pts"):
            set_(self, name, align(getattr(self, name)))
        set_(
            self,
            "fundamentals",
            MappingProxyType({k: align(v) for k, v in self.fundamentals.items()}),
        )

    @cached_property
    def daily_vol(self) -> pd.DataFrame:
        """Daily price volatility in price points: ``vol_pts`` or :func:`price_vol` of ``ret_pts``."""
        if self.vol_pts is not None:
            return self.vol_pts
        return price_vol(self.ret_pts, span=self.vol_span)


def run_rule(name: str, inputs: RuleInputs, params: Mapping | None = None) -> pd.DataFrame:
    """Call the rule registered as ``name`` with ``params``; a one-line error for a bad call.

    Raises
    ------
    ModelDefinitionError
        An unknown rule, a parameter it does not take, a missing one, or a bad value.
    """
    rule = RULES.get(name)
    params = dict(params or {})
    try:
        inspect.signature(rule).bind(inputs, **params)
    except TypeError as exc:
        accepted = [
            p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
            for p in list(inspect.signature(rule).parameters.values())[1:]
            if p.kind is not inspect.Parameter.VAR_KEYWORD
        ]
        raise ModelDefinitionError(
            f"rule {name}: {exc}; parameters: {', '.join(accepted)}"
        ) from None
    return rule(inputs, **params)


def run_rules(
    inputs: RuleInputs, rules: Mapping[str, tuple[str, Mapping]]
) -> dict[str, pd.DataFrame]:
    """Raw forecasts of named rule variations: ``{"ewmac16_64": ("ewmac", {"fast": 16})}``."""
    return {label: run_rule(name, inputs, params) for label, (name, params) in rules.items()}


def default_rules() -> dict[str, tuple[str, dict]]:
    """The issue's rule set: EWMAC 2/8 to 64/256, breakouts over 10 to 320 days, carry."""
    rules: dict[str, tuple[str, dict]] = {
        f"ewmac{fast}_{slow}": ("ewmac", {"fast": fast, "slow": slow})
        for fast, slow in TREND_SPEEDS
    }
    rules |= {f"breakout{n}": ("breakout", {"window": n}) for n in BREAKOUT_WINDOWS}
    rules["carry"] = ("carry", {"smooth": 90})
    return rules


# ---------------------------------------------------------------------------------------------
# validation helpers: a bad parameter is a user's model definition error, said in one line


def _number(rule: str, key: str, value: object, low: float | None = None) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (low is not None and value < low):
        where = "" if low is None else f" >= {low:g}"
        raise ModelDefinitionError(f"rule {rule}: {key} must be a number{where}, got {value!r}")
    return float(value)


def _speeds(rule: str, fast: object, slow: object) -> tuple[float, float]:
    fast = _number(rule, "fast", fast, 1)
    slow = 4.0 * fast if slow is None else _number(rule, "slow", slow, 1)
    if not slow > fast:
        raise ModelDefinitionError(
            f"rule {rule}: slow must be greater than fast, got fast={fast:g}, slow={slow:g}"
        )
    return fast, slow


def _ewmac(series: pd.DataFrame, vol: pd.DataFrame, fast: float, slow: float) -> pd.DataFrame:
    """(EWMA_fast - EWMA_slow) / vol; pandas' adjusted EWMA, missing rows age the weights."""
    fast_ma = series.ewm(span=fast, min_periods=1).mean()
    slow_ma = series.ewm(span=slow, min_periods=1).mean()
    return (fast_ma - slow_ma) / vol


# ---------------------------------------------------------------------------------------------
# the rules


@RULES.register("ewmac")
def ewmac(inputs: RuleInputs, *, fast: float, slow: float | None = None) -> pd.DataFrame:
    """Trend: the fast EWMA of the price minus the slow one, over daily price volatility.

    Parameters
    ----------
    inputs : RuleInputs
    fast : float
        Span of the fast EWMA, ``>= 1``.
    slow : float, optional
        Span of the slow EWMA, ``> fast``; ``4 * fast`` by default.

    Returns
    -------
    DataFrame
        ``(price_adj.ewm(fast).mean() - price_adj.ewm(slow).mean()) / daily_vol``.
    """
    fast, slow = _speeds("ewmac", fast, slow)
    return _ewmac(inputs.price_adj, inputs.daily_vol, fast, slow)


@RULES.register("breakout")
def breakout(inputs: RuleInputs, *, window: int, smooth: float | None = None) -> pd.DataFrame:
    """Breakout: where the price sits in its ``window``-day range, smoothed.

    ``40 * (price - mid) / (max - min)`` over the trailing ``window`` rows (at least half of them
    priced), in [-20, 20], then an EWMA of span ``smooth`` (``max(window // 4, 1)`` by default),
    as the peer system does.

    Why the range is the volatility normaliser: for a random walk the expected range of
    ``window`` days is about ``1.6 * sigma * sqrt(window)``, so dividing by the range *is*
    dividing by price volatility, measured over the horizon the rule trades, in the same units
    as the numerator and from the same prices (no separate volatility to lag or floor). It also
    keeps the raw forecast bounded, where ``(price - mid) / (vol * sqrt(window))`` is not. A
    range of zero (a constant price) gives 0.
    """
    window = int(_number("breakout", "window", window, 2))
    span = max(window // 4, 1) if smooth is None else _number("breakout", "smooth", smooth, 1)
    price = inputs.price_adj
    rolling = price.rolling(window, min_periods=math.ceil(window / 2))
    high, low = rolling.max(), rolling.min()
    width = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        position = 40.0 * (price - (high + low) / 2.0) / width
    position = position.mask(width == 0, 0.0)
    return position.ewm(span=span, min_periods=math.ceil(span / 2)).mean()


@RULES.register("carry")
def carry(inputs: RuleInputs, *, smooth: float = 90) -> pd.DataFrame:
    """Carry: the EWMA-smoothed annualised carry over annualised price volatility.

    ``carry_ann.ewm(span=smooth).mean() / (daily_vol * sqrt(252))``: both in price points per
    year (:data:`tecton.stats.TRADING_DAYS_PER_YEAR`), so the ratio is carry's Sharpe-like yield. The carry is smoothed before dividing (the issue:
    "smoothed, divided by volatility"); the peer smooths the ratio instead, which differs only
    while volatility moves.
    """
    smooth = _number("carry", "smooth", smooth, 1)
    if inputs.carry_ann is None:
        raise ModelDefinitionError("rule carry needs carry_ann, which the inputs lack")
    smoothed = inputs.carry_ann.ewm(span=smooth, min_periods=1).mean()
    return smoothed / annualise_vol(inputs.daily_vol, TRADING_DAYS_PER_YEAR)


@RULES.register("fundamental_trend")
def fundamental_trend(
    inputs: RuleInputs,
    *,
    series: str,
    fast: float,
    slow: float | None = None,
    sign: float = 1.0,
) -> pd.DataFrame:
    """Trend on a fundamental series: EWMAC of the series over the volatility of its changes.

    ``sign * (x.ewm(fast).mean() - x.ewm(slow).mean()) / price_vol(x.diff())`` where ``x`` is
    ``inputs.fundamentals[series]``; ``sign=-1`` where a rising series is bearish (inventory).
    The volatility is the same floored EWMA as the price's, on the daily changes of the
    forward-filled series (zero on days without a release).
    """
    if not isinstance(series, str) or series not in inputs.fundamentals:
        raise ModelDefinitionError(
            f"rule fundamental_trend: unknown series {series!r}; "
            f"series: {', '.join(sorted(inputs.fundamentals)) or '(none given)'}"
        )
    if sign not in (1, -1):
        raise ModelDefinitionError(f"rule fundamental_trend: sign must be 1 or -1, got {sign!r}")
    fast, slow = _speeds("fundamental_trend", fast, slow)
    x = inputs.fundamentals[series]
    return float(sign) * _ewmac(x, price_vol(x.diff(), span=inputs.vol_span), fast, slow)


@RULES.register("indicator")
def indicator(
    inputs: RuleInputs, *, function: str, output: str | None = None, **params
) -> pd.DataFrame:
    """A registered ta-lib function on the price, turned into a forecast by its kind.

    See :mod:`tecton.factor_model.alpha.indicators`: an oscillator is centred (RSI - 50), a
    difference of prices (MOM, MACD) is divided by daily price volatility, a price level (SMA,
    KAMA) gives ``(price - level) / daily_vol``. ``params`` are ta-lib's (``timeperiod=14``).
    """
    spec = indicator_spec(function)
    vol = inputs.daily_vol if spec.kind in ("difference", "level") else None
    return indicator_forecast(
        function, inputs.price_adj, vol, inputs.high, inputs.low, output, **params
    )


@RULES.register("filtered")
def filtered(
    inputs: RuleInputs,
    *,
    base: str,
    indicator: str,
    threshold: float,
    keep: str = "above",
    base_params: Mapping | None = None,
    indicator_params: Mapping | None = None,
    output: str | None = None,
) -> pd.DataFrame:
    """Another rule's forecast, zeroed where a ta-lib indicator is on the wrong side of a threshold.

    For example ``base="ewmac", base_params={"fast": 16}, indicator="ADX", threshold=20``: the
    trend forecast where ADX (close-only fallback, see the indicators module) is at least 20, 0
    where the trend is weaker. ``keep="below"`` keeps the forecast where the indicator is at or
    below the threshold instead. NaN while the indicator warms up.
    """
    threshold = _number("filtered", "threshold", threshold)
    if keep not in ("above", "below"):
        raise ModelDefinitionError(f"rule filtered: keep must be 'above' or 'below', got {keep!r}")
    forecast = run_rule(base, inputs, base_params)
    strength = indicator_values(
        indicator, inputs.price_adj, inputs.high, inputs.low, output, **dict(indicator_params or {})
    )
    passes = strength >= threshold if keep == "above" else strength <= threshold
    return forecast.where(passes | forecast.isna(), 0.0).where(strength.notna())
