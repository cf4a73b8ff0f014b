"""ta-lib indicators on wide price frames, and how each one becomes a forecast.

Only the ta-lib functions registered in :data:`INDICATORS` may be named in a model definition:
each has a *kind* that says how its value turns into a forecast (or that it is only a filter).

``oscillator``
    Bounded and unit-free (RSI, CMO, ...): forecast = value - centre (RSI: value - 50).
``difference``
    In price points, a difference of prices (MOM, APO, MACD, ...): forecast = (value - centre) /
    daily price volatility, so it is unit-free and comparable across markets.
``level``
    A price level, a smoothed price (SMA, EMA, KAMA, ...): forecast = (price - value) / daily
    price volatility (the price above its average is a long).
``strength``
    Trend strength without a direction (ADX, ADXR, DX, HT_TRENDMODE): not a forecast; use it as
    a filter on another rule (``filtered`` in :mod:`tecton.factor_model.alpha.rules`).

Any registered indicator can act as a filter. Percentage indicators (ROC, PPO, TRIX, NATR) are
left out on purpose: a Panama back-adjusted price can be negative and its level is not the
traded price, so ratios of it mean nothing. Volume- and open-based functions are left out too
(the marts carry settlement prices).

High/low fallback: functions that need high and low (ADX, WILLR, CCI, AROONOSC, ...) use the
``high``/``low`` frames when given, else the close for both. With ``high = low = close`` the true
range is ``|close - previous close|`` and the directional movements are the up and down closes,
so ADX becomes the smoothed ratio of net to gross close-to-close movement: still a trend-strength
measure in [0, 100], computed from what the marts hold.

Missing values: ta-lib cannot skip a NaN inside a series (one poisons every later value of a
recursive indicator), so each market's observed rows are passed to ta-lib without the gaps (time
runs in that market's trading days) and the results are put back on their dates; a date with no
price carries the market's last value forward, as the EWMA rules do. Each output row depends
only on rows at or before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import talib
import talib.abstract

from tecton.factor_model.registry import ModelDefinitionError, Registry

Kind = Literal["oscillator", "difference", "level", "strength"]


@dataclass(frozen=True)
class IndicatorSpec:
    """How a registered ta-lib function becomes a forecast: its kind and the value it centres on."""

    name: str
    kind: Kind
    centre: float = 0.0


INDICATORS: Registry[IndicatorSpec] = Registry("indicator")
_TALIB_FUNCTIONS = frozenset(talib.get_functions())


def _register(name: str, kind: Kind, centre: float = 0.0) -> None:
    if name not in _TALIB_FUNCTIONS:  # a ta-lib upgrade that drops a name fails at import
        raise ValueError(f"{name!r} is not a ta-lib function")
    INDICATORS.register(name)(IndicatorSpec(name, kind, centre))


for _name, _centre in [
    ("RSI", 50.0),
    ("CMO", 0.0),
    ("STOCHRSI", 50.0),
    ("AROONOSC", 0.0),
    ("WILLR", -50.0),
    ("CCI", 0.0),
    ("ULTOSC", 50.0),
]:
    _register(_name, "oscillator", _centre)
for _name in ["MOM", "APO", "MACD", "LINEARREG_SLOPE"]:
    _register(_name, "difference")
for _name in [
    "SMA",
    "EMA",
    "DEMA",
    "TEMA",
    "WMA",
    "TRIMA",
    "KAMA",
    "T3",
    "LINEARREG",
    "TSF",
    "MIDPOINT",
    "HT_TRENDLINE",
]:
    _register(_name, "level")
for _name in ["ADX", "ADXR", "DX", "HT_TRENDMODE"]:
    _register(_name, "strength")


def indicator_spec(function: str) -> IndicatorSpec:
    """The registered spec of a ta-lib function; a one-line error for any other name."""
    if not isinstance(function, str):
        raise ModelDefinitionError(f"indicator: expected a ta-lib function name, got {function!r}")
    if function not in INDICATORS and function in _TALIB_FUNCTIONS:
        raise ModelDefinitionError(
            f"ta-lib function {function!r} is not registered as a rule input "
            f"(percentage, volume or open based); indicators: {', '.join(INDICATORS.names())}"
        )
    return INDICATORS.get(function)


def _checked_call(function: str, output: str | None, params: dict) -> tuple[dict, int, list[str]]:
    """Validated parameters (cast to ta-lib's types), the output's position and the input names."""
    info = talib.abstract.Function(function).info
    defaults = dict(info["parameters"])
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ModelDefinitionError(
            f"indicator {function}: unknown parameter {unknown[0]!r}; "
            f"parameters: {', '.join(defaults) or '(none)'}"
        )
    cast = {}
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelDefinitionError(
                f"indicator {function}: {key} must be a number, got {value!r}"
            )
        if isinstance(defaults[key], int):
            if float(value) != int(value):
                raise ModelDefinitionError(
                    f"indicator {function}: {key} must be a whole number, got {value!r}"
                )
            value = int(value)
        cast[key] = value
    outputs = list(info["output_names"])
    if output is None:
        position = 0
    elif output in outputs:
        position = outputs.index(output)
    else:
        raise ModelDefinitionError(
            f"indicator {function}: unknown output {output!r}; outputs: {', '.join(outputs)}"
        )
    inputs: list[str] = []
    for names in info["input_names"].values():
        inputs.extend([names] if isinstance(names, str) else names)
    return cast, position, inputs


def indicator_values(
    function: str,
    close: pd.DataFrame,
    high: pd.DataFrame | None = None,
    low: pd.DataFrame | None = None,
    output: str | None = None,
    **params,
) -> pd.DataFrame:
    """A registered ta-lib indicator on every column of a wide price frame.

    Parameters
    ----------
    function : str
        A name in :data:`INDICATORS` (for example ``"RSI"``, ``"ADX"``).
    close : DataFrame
        Prices, dates by markets; NaN where a market has no price.
    high, low : DataFrame, optional
        Same shape as ``close``; the close stands in for both where not given (see the module
        docstring for what that does to ADX and friends).
    output : str, optional
        Which output of a multi-output function (``MACD``: ``macd``, ``macdsignal``,
        ``macdhist``); the first by default.
    **params
        The function's ta-lib parameters (``timeperiod=14``, ...).

    Returns
    -------
    DataFrame
        The indicator, shaped like ``close``: NaN during its warm-up (ta-lib's lookback, counted in
        the market's observed rows), the last value carried over dates without a price.

    Raises
    ------
    ModelDefinitionError
        An unregistered function, an unknown parameter or output, or a value ta-lib rejects.
    """
    indicator_spec(function)
    cast, position, inputs = _checked_call(function, output, params)
    try:
        lookback = int(talib.abstract.Function(function, **cast).lookback)
    except Exception as exc:  # ta-lib raises a bare Exception for a bad parameter value
        raise ModelDefinitionError(f"indicator {function}: {exc}") from None
    compute = getattr(talib, function)
    frames = {
        "close": close,
        "high": close if high is None else high.reindex_like(close),
        "low": close if low is None else low.reindex_like(close),
    }
    arrays = {key: frames[key].to_numpy(dtype=float) for key in set(inputs)}
    observed = np.logical_and.reduce([np.isfinite(a) for a in arrays.values()])
    out = np.full(close.shape, np.nan)
    for j in range(close.shape[1]):  # ta-lib works one series at a time
        rows = np.flatnonzero(observed[:, j])
        if len(rows) <= lookback:
            continue
        try:
            result = compute(*[np.ascontiguousarray(arrays[k][rows, j]) for k in inputs], **cast)
        except Exception as exc:  # ta-lib raises a bare Exception for a bad parameter value
            raise ModelDefinitionError(f"indicator {function}: {exc}") from None
        values = np.asarray(result[position] if isinstance(result, list | tuple) else result)
        values = values.astype(float)
        values[:lookback] = np.nan  # integer outputs hold 0, not NaN, during the warm-up
        out[rows, j] = values
    return pd.DataFrame(carry_last(out, observed), index=close.index, columns=close.columns)


def carry_last(values: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """``values`` at each column's last observed row at or before each row (NaN before the first).

    Unlike ``ffill`` this carries a NaN computed on an observed row as it is.
    """
    rows = np.arange(len(values))[:, None]
    last = np.maximum.accumulate(np.where(observed, rows, -1), axis=0)
    carried = np.take_along_axis(values, np.maximum(last, 0), axis=0)
    return np.where(last >= 0, carried, np.nan)


def indicator_forecast(
    function: str,
    close: pd.DataFrame,
    daily_vol: pd.DataFrame | None,
    high: pd.DataFrame | None = None,
    low: pd.DataFrame | None = None,
    output: str | None = None,
    **params,
) -> pd.DataFrame:
    """A registered indicator turned into a raw (unscaled) forecast by its kind.

    Parameters
    ----------
    function, close, high, low, output, **params
        As :func:`indicator_values`.
    daily_vol : DataFrame or None
        Daily price volatility in price points; needed by ``difference`` and ``level`` kinds.

    Returns
    -------
    DataFrame
        ``value - centre`` (oscillator), ``(value - centre) / daily_vol`` (difference) or
        ``(close - value) / daily_vol`` (level), shaped like ``close``. ``close`` is carried
        over dates without a price, like the indicator.

    Raises
    ------
    ModelDefinitionError
        For a ``strength`` indicator (it has no direction: use it as a filter), or as
        :func:`indicator_values`.
    """
    spec = indicator_spec(function)
    if spec.kind == "strength":
        raise ModelDefinitionError(
            f"indicator {function} measures trend strength without a direction: use it as a "
            "filter (rule 'filtered'), not as a forecast"
        )
    values = indicator_values(function, close, high, low, output, **params)
    if spec.kind == "oscillator":
        return values - spec.centre
    if daily_vol is None:
        raise ModelDefinitionError(f"indicator {function} needs the daily price volatility")
    if spec.kind == "difference":
        return (values - spec.centre) / daily_vol
    return (close.ffill() - values) / daily_vol
