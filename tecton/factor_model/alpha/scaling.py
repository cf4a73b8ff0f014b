"""Forecast scaling and combination: raw rule forecasts to one capped, lagged forecast per market.

The chain, each step a pure function of wide frames (dates by markets)::

    raw[rule] --forecast_scalar--> scalar[rule] (per date) --scale_and_cap--> scaled[rule]
    scaled --diversification_multiplier--> fdm (per date)
    scaled, weights, fdm --combine--> combined --lag--> forecast

Where time enters: every estimate on date ``t`` (scalar, correlation, multiplier) uses rows
through ``t`` only, so ``combined`` on ``t`` is computed from data through the close of ``t``.
The one-bar lag happens once, at the end (:func:`lag`): the forecast *used* on day ``t`` is
``combined`` of ``t - 1``, computed from data through ``t - 1``. Nothing before :func:`lag`
is lagged. :func:`scale_and_combine` runs the whole chain.

Zeros: a raw forecast of exactly 0 is "no opinion" (a closed filter, no carry data) and is left
out of the scalar estimates, as the peer system does, so a filter does not inflate the scalar.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tecton.factor_model.registry import ModelDefinitionError

Method = Literal["pooled", "cross_median", "fixed"]


def _abs_used(raw: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``|raw|`` and where it counts (finite and non-zero)."""
    magnitude = np.abs(raw.to_numpy(dtype=float))
    return magnitude, np.isfinite(magnitude) & (magnitude > 0)


def forecast_scalar(
    raw: pd.DataFrame,
    target: float = 10.0,
    method: Method = "pooled",
    min_periods: int = 500,
    prior: float | None = None,
) -> pd.Series:
    """The scalar that makes a rule's average absolute forecast ``target``, per date, expanding.

    Parameters
    ----------
    raw : DataFrame
        One rule's raw forecasts, dates by markets (NaN: none). Exact zeros are left out.
    target : float
        The average absolute scaled forecast, 10.
    method : {"pooled", "cross_median", "fixed"}
        ``"pooled"``: the mean of ``|raw|`` over every market-day up to the date.
        ``"cross_median"`` (the peer system's way): each day the cross-sectional median of
        ``|raw|``, then the mean of those medians over all days up to the date; new markets
        then move the estimate less than in the pooled mean.
        ``"fixed"``: nothing is estimated; ``prior`` is the scalar on every date (a published
        value, such as the peer's 3.75 for EWMAC 16/64). ``min_periods`` is then unused.
    min_periods : int
        Days with at least one forecast needed before a scalar is given (the peer uses 500).
    prior : float, optional
        The scalar to use before then (e.g. a published value); NaN by default, which leaves
        the first ``min_periods`` days without a scaled forecast. Never a later estimate
        (that would be look-ahead). With ``method="fixed"``, the scalar on every date
        (required, positive).

    Returns
    -------
    Series
        ``target / average |raw|`` on each date of ``raw.index``, from rows up to that date only.
    """
    if method not in ("pooled", "cross_median", "fixed"):
        raise ModelDefinitionError(
            f"unknown forecast scalar method {method!r}; methods: cross_median, fixed, pooled"
        )
    if method == "fixed":
        return _fixed_scalar(raw.index, prior)
    magnitude, used = _abs_used(raw)
    if method == "pooled":
        total = np.cumsum(np.where(used, magnitude, 0.0).sum(axis=1))
        count = np.cumsum(used.sum(axis=1))
    else:
        with warnings.catch_warnings():  # a day with no forecast has no median: NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            median = np.nanmedian(np.where(used, magnitude, np.nan), axis=1)
        has = np.isfinite(median)
        total = np.cumsum(np.where(has, median, 0.0))
        count = np.cumsum(has)
    days = np.cumsum(used.any(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        scalar = target * count / total
    fallback = np.nan if prior is None else float(prior)
    scalar = np.where((days >= max(min_periods, 1)) & (total > 0), scalar, fallback)
    return pd.Series(scalar, index=raw.index, name="forecast_scalar")


def _fixed_scalar(index: pd.Index, scalar: float | None) -> pd.Series:
    """``scalar`` on every date of ``index``: the ``"fixed"`` method, which estimates nothing."""
    if scalar is None or not (np.isfinite(scalar) and scalar > 0):
        raise ModelDefinitionError(
            f"forecast scalar method fixed needs a positive scalar (a prior), got {scalar!r}"
        )
    return pd.Series(float(scalar), index=index, name="forecast_scalar")


def scale_and_cap(raw: pd.DataFrame, scalar: pd.Series | float, cap: float = 20.0) -> pd.DataFrame:
    """``raw * scalar`` (a per-date scalar multiplies its row), clipped to ``[-cap, cap]``."""
    scaled = raw.mul(scalar, axis=0) if isinstance(scalar, pd.Series) else raw * scalar
    return scaled.clip(-cap, cap)


def forecast_weights(names: Sequence[str], weights: Mapping[str, float] | None = None) -> pd.Series:
    """Forecast weights for the rules ``names``, normalised to sum to 1 (equal if not given).

    Raises
    ------
    ModelDefinitionError
        Weights for a rule not in ``names`` or missing one, a negative or non-finite weight,
        or all zero.
    """
    names = list(names)
    if not names:
        raise ModelDefinitionError("forecast weights: no rules to weight")
    if weights is None:
        return pd.Series(1.0 / len(names), index=names, name="weight")
    extra = sorted(set(weights) - set(names))
    missing = [n for n in names if n not in weights]
    if extra or missing:
        what = f"unknown rule {extra[0]!r}" if extra else f"no weight for rule {missing[0]!r}"
        raise ModelDefinitionError(f"forecast weights: {what}; rules: {', '.join(names)}")
    values = pd.Series({n: weights[n] for n in names}, dtype=float, name="weight")
    if not (np.isfinite(values).all() and (values >= 0).all() and values.sum() > 0):
        raise ModelDefinitionError(
            f"forecast weights must be finite, >= 0 and not all 0, got {dict(values)}"
        )
    return values / values.sum()


Weights = Mapping[str, float] | pd.DataFrame | None  # static by rule, or dates by rules


def _weight_rows(names: Sequence[str], index: pd.Index, weights: Weights) -> np.ndarray:
    """Weights on every date, ``(dates, rules)``, each row summing to 1."""
    if isinstance(weights, pd.DataFrame):
        rows = weights.reindex(index=index, columns=list(names)).to_numpy(dtype=float)
        return rows / rows.sum(axis=1, keepdims=True)
    static = forecast_weights(names, weights).to_numpy()
    return np.broadcast_to(static, (len(index), len(static)))


def _floored(corr: np.ndarray) -> np.ndarray:
    """Correlations as the combination uses them: negatives at 0, unmeasured as 1 (no credit)."""
    return np.where(np.isnan(corr), 1.0, np.maximum(corr, 0.0))


def correlation_weights(scaled: Mapping[str, pd.DataFrame], min_periods: int = 250) -> pd.DataFrame:
    """Forecast weights estimated on each date: inversely to each rule's summed correlation.

    ``w_i`` is proportional to ``1 / sum_j C_ij`` with ``C`` the expanding
    :func:`pooled_correlation` (negatives floored at 0, unmeasured pairs as 1), so a cluster of
    near-identical rules (six EWMAC speeds) shares the weight one distinct rule gets, and the
    weights are equal until the correlations are measured. Expanding: the weights on ``t`` use
    rows through ``t``.

    Returns
    -------
    DataFrame
        Dates by rules, each row summing to 1.
    """
    names = list(scaled)
    inverse = 1.0 / _floored(pooled_correlation(scaled, min_periods)).sum(axis=2)
    weights = inverse / inverse.sum(axis=1, keepdims=True)
    return pd.DataFrame(weights, index=scaled[names[0]].index, columns=names)


def _panel(scaled: Mapping[str, pd.DataFrame]) -> tuple[list[str], pd.Index, pd.Index, np.ndarray]:
    """The rules' frames on the first one's dates and markets, stacked: (rule, date, market)."""
    names = list(scaled)
    if not names:
        raise ModelDefinitionError("no forecasts to combine")
    first = scaled[names[0]]
    stack = np.stack(
        [
            scaled[n].reindex(index=first.index, columns=first.columns).to_numpy(dtype=float)
            for n in names
        ]
    )
    return names, first.index, first.columns, stack


def pooled_correlation(scaled: Mapping[str, pd.DataFrame], min_periods: int = 250) -> np.ndarray:
    """Expanding correlation of the rules' forecasts pooled over markets, on each date.

    Pairwise: each pair of rules uses the market-days where both have a forecast, from the
    first row through the date (Pearson, as pandas ``DataFrame.corr`` of the stacked
    market-days). Undefined (fewer than ``min_periods`` days with a common forecast, or no
    spread) is reported as NaN.

    Returns
    -------
    ndarray
        ``(dates, rules, rules)``, ones on the diagonal.
    """
    names, index, _, stack = _panel(scaled)
    k, n = len(names), len(index)
    corr = np.broadcast_to(np.eye(k), (n, k, k)).copy()
    finite = np.isfinite(stack)
    for i in range(k):
        for j in range(i + 1, k):
            both = finite[i] & finite[j]
            x, y = np.where(both, stack[i], 0.0), np.where(both, stack[j], 0.0)
            count = np.cumsum(both.sum(axis=1))
            sx, sy = np.cumsum(x.sum(axis=1)), np.cumsum(y.sum(axis=1))
            with np.errstate(invalid="ignore", divide="ignore"):
                # centred sums from raw ones: forecasts are O(10) with means well inside their
                # spread, so the cancellation costs a few digits of sixteen
                sxx = np.cumsum((x * x).sum(axis=1)) - sx * sx / count
                syy = np.cumsum((y * y).sum(axis=1)) - sy * sy / count
                sxy = np.cumsum((x * y).sum(axis=1)) - sx * sy / count
                value = np.clip(sxy / np.sqrt(sxx * syy), -1.0, 1.0)
            days = np.cumsum(both.any(axis=1))
            ok = (days >= max(min_periods, 1)) & (sxx > 0) & (syy > 0)
            corr[:, i, j] = corr[:, j, i] = np.where(ok, value, np.nan)
    return corr


def diversification_multiplier(
    scaled: Mapping[str, pd.DataFrame],
    weights: Weights = None,
    cap: float = 2.5,
    min_periods: int = 250,
) -> pd.Series:
    """Forecast diversification multiplier on each date: ``1 / sqrt(w' C w)``, in ``[1, cap]``.

    ``C`` is :func:`pooled_correlation` with negative correlations floored at 0 (as the peer
    system does: a negative correlation would promise more diversification than the rules
    deliver out of sample) and an undefined correlation taken as 1 (no credit until measured:
    the multiplier is 1 before ``min_periods`` days). ``w`` are the normalised
    :func:`forecast_weights`. Expanding, so the value on ``t`` uses rows through ``t``.

    Parameters
    ----------
    scaled : mapping of str to DataFrame
        Scaled (and capped) forecasts by rule, on the same dates and markets.
    weights : mapping of str to float, or DataFrame, optional
        Forecast weights by rule (equal by default), or by date and rule.
    cap : float
        The multiplier's ceiling, 2.5.
    min_periods : int
        Days with a common forecast before a pair's correlation counts.

    Returns
    -------
    Series
        The multiplier by date.
    """
    names = list(scaled)
    w = _weight_rows(names, scaled[names[0]].index, weights)
    variance = np.einsum("ti,tij,tj->t", w, _floored(pooled_correlation(scaled, min_periods)), w)
    fdm = np.clip(1.0 / np.sqrt(variance), 1.0, cap)
    return pd.Series(fdm, index=scaled[names[0]].index, name="fdm")


def combine(
    scaled: Mapping[str, pd.DataFrame],
    weights: Weights = None,
    fdm: pd.Series | float = 1.0,
    cap: float = 20.0,
) -> pd.DataFrame:
    """The weighted sum of the rules' scaled forecasts, times the multiplier, clipped to ``cap``.

    Where a rule has no forecast for a market-day (a market without carry data, a rule still
    warming up), the weights of the rules that do are renormalised to sum to 1 for that
    market-day; NaN only where no rule has a forecast. Not lagged: see :func:`lag`.

    Returns
    -------
    DataFrame
        On the first rule's dates and markets.
    """
    names, index, columns, stack = _panel(scaled)
    w = _weight_rows(names, index, weights).T[:, :, None]
    finite = np.isfinite(stack)
    total = (w * np.where(finite, stack, 0.0)).sum(axis=0)
    weight = (w * finite).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        blended = np.where(weight > 0, total / weight, np.nan)
    multiplier = fdm.reindex(index).to_numpy()[:, None] if isinstance(fdm, pd.Series) else fdm
    return pd.DataFrame(np.clip(blended * multiplier, -cap, cap), index=index, columns=columns)


def lag(forecast: pd.DataFrame, bars: int = 1) -> pd.DataFrame:
    """The forecast to use on each row: the one computed ``bars`` rows earlier."""
    if bars < 0:
        raise ValueError(f"bars must be >= 0, got {bars!r}")
    return forecast.shift(bars)


@dataclass(frozen=True, eq=False)
class ForecastCombination:
    """Every stage of :func:`scale_and_combine`, for inspection and reports."""

    scalars: pd.DataFrame  # dates by rules
    scaled: Mapping[str, pd.DataFrame]
    weights: pd.DataFrame  # dates by rules
    fdm: pd.Series
    combined: pd.DataFrame  # on t, from data through t
    forecast: pd.DataFrame  # lagged: on t, from data through t - bars


def scale_and_combine(
    raw: Mapping[str, pd.DataFrame],
    weights: Mapping[str, float] | Literal["equal", "correlation"] | None = None,
    *,
    target: float = 10.0,
    cap: float = 20.0,
    method: Method = "pooled",
    min_periods: int = 500,
    priors: Mapping[str, float] | None = None,
    fdm_cap: float = 2.5,
    fdm_min_periods: int = 250,
    bars: int = 1,
) -> ForecastCombination:
    """Raw forecasts by rule to one capped forecast per market, lagged ``bars`` rows.

    Each rule is scaled by its own expanding :func:`forecast_scalar` (``priors[rule]`` before
    ``min_periods`` days, or on every day with ``method="fixed"``) and capped, the rules are combined with ``weights`` (given, ``"equal"``
    or ``"correlation"``: estimated each day by :func:`correlation_weights`) and the expanding
    :func:`diversification_multiplier`, capped again, then lagged.
    """
    priors = priors or {}
    scalars = {
        name: forecast_scalar(frame, target, method, min_periods, priors.get(name))
        for name, frame in raw.items()
    }
    scaled = {name: scale_and_cap(raw[name], scalars[name], cap) for name in raw}
    index = next(iter(scaled.values())).index
    if isinstance(weights, str):
        if weights not in ("equal", "correlation"):
            raise ModelDefinitionError(
                f"weights: expected 'equal', 'correlation' or a mapping, got {weights!r}"
            )
        weights = correlation_weights(scaled, fdm_min_periods) if weights == "correlation" else None
    fdm = diversification_multiplier(scaled, weights, fdm_cap, fdm_min_periods)
    combined = combine(scaled, weights, fdm, cap)
    return ForecastCombination(
        scalars=pd.DataFrame(scalars),
        scaled=scaled,
        weights=pd.DataFrame(
            _weight_rows(list(raw), index, weights), index=index, columns=list(raw)
        ),
        fdm=fdm,
        combined=combined,
        forecast=lag(combined, bars),
    )
