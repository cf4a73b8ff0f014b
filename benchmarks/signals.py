"""Alpha rules and forecast scaling: tecton's panel functions vs plain pandas, market by market.

A synthetic panel shaped like the default universe (its 32 markets, weekdays 2000-2024,
staggered starts and missing days; random-walk prices, carry, a weekly fundamental) goes
through the volatility (``tecton.stats.daily_vol``, each market on its own days) and every
rule of the issue's set (EWMAC 2/8 .. 64/256, breakouts 10 .. 320, carry, a
fundamental trend, three ta-lib indicators and an ADX filter), then scalars, the forecast
diversification multiplier, the combination and the lag. The reference computes the same
thing the way the peer system is organised: one pandas Series per market and rule, the scalar
from a cross-sectional median and pandas' expanding mean, the pooled correlation with
``DataFrame.corr`` re-estimated at each year end. Outputs are checked equal (1e-9) before any
time is printed.
A second table times the default models (``DEFAULT_MODELS``) end to end on the default
universe's real marts, when ``$TECTON_HOME`` holds a built warehouse (``uv run tecton demo``):
reading the panels through Mantle, the alpha model (every rule, scaling, combination), the
risk model, and the long forecast table the ``signals`` flow stores (nothing is written).
Run: ``uv run python -m benchmarks.signals [--markets ...] [--start ...] [--end ...]``
(target: all rules < 10 s on 2 cores).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import talib

from benchmarks._common import print_table, timer, universe_parser


def rule_set() -> dict[str, tuple[str, dict]]:
    from tecton.factor_model.alpha.rules import default_rules

    return default_rules() | {
        "inventory": ("fundamental_trend", {"series": "inventory", "fast": 8, "sign": -1}),
        "rsi14": ("indicator", {"function": "RSI", "timeperiod": 14}),
        "macd": ("indicator", {"function": "MACD", "output": "macdhist"}),
        "kama30": ("indicator", {"function": "KAMA", "timeperiod": 30}),
        "ewmac16_adx": (
            "filtered",
            {"base": "ewmac", "base_params": {"fast": 16}, "indicator": "ADX", "threshold": 20},
        ),
    }


def synthetic_panel(markets: list[str], start, end, seed: int = 1):
    rng = np.random.default_rng(seed)
    index = pd.bdate_range(start, end, name="trade_date")
    columns = pd.Index(markets, name="market_id")
    shape = (len(index), len(markets))
    price = 100 + np.cumsum(rng.standard_normal(shape) * rng.uniform(0.2, 5, len(markets)), axis=0)
    price[rng.random(shape) < 0.03] = np.nan  # each market's own holidays
    for j in range(len(markets)):
        price[: int(rng.integers(0, len(index) // 4)), j] = np.nan  # staggered starts
    carry = np.cumsum(rng.standard_normal(shape), axis=0) * 0.05
    carry[np.isnan(price)] = np.nan
    weekly = pd.DataFrame(np.cumsum(rng.standard_normal(shape), axis=0), index, columns)
    weekly.loc[index.day_of_week != 2] = np.nan
    return (
        pd.DataFrame(price, index, columns),
        pd.DataFrame(carry, index, columns),
        weekly.ffill(),
    )


# ---------------------------------------------------------------------------------------------
# the reference: one pandas Series per market (the peer's shape)


def ref_vol(ret: pd.Series) -> pd.Series:
    """On the market's own days (where it has a return), carried over the others."""
    own = ret.dropna()
    vol = own.ewm(span=35, min_periods=10).std()
    floor = vol.rolling(500, min_periods=100).quantile(0.05)
    vol = vol.where(floor.isna() | (vol >= floor), floor).reindex(ret.index).ffill()
    return vol.where(vol > 0)


def ref_ewmac(x: pd.Series, vol: pd.Series, fast: float, slow: float) -> pd.Series:
    return (x.ewm(span=fast, min_periods=1).mean() - x.ewm(span=slow, min_periods=1).mean()) / vol


def ref_breakout(price: pd.Series, window: int) -> pd.Series:
    rolling = price.rolling(window, min_periods=math.ceil(window / 2))
    high, low = rolling.max(), rolling.min()
    raw = (40 * (price - (high + low) / 2) / (high - low)).mask(high == low, 0.0)
    span = max(window // 4, 1)
    return raw.ewm(span=span, min_periods=math.ceil(span / 2)).mean()


def ref_talib(close: pd.Series, compute) -> pd.Series:
    observed = close.dropna()
    return pd.Series(compute(observed.to_numpy()), observed.index).reindex(close.index).ffill()


def ref_rule(name, params, price, vol, carry, inventory) -> pd.Series:
    if name == "ewmac":
        return ref_ewmac(price, vol, params["fast"], params.get("slow", 4 * params["fast"]))
    if name == "breakout":
        return ref_breakout(price, params["window"])
    if name == "carry":
        return carry.ewm(span=params["smooth"], min_periods=1).mean() / (vol * math.sqrt(252))
    if name == "fundamental_trend":
        return params["sign"] * ref_ewmac(
            inventory, ref_vol(inventory.diff()), params["fast"], 4 * params["fast"]
        )
    if name == "indicator" and params["function"] == "RSI":
        return ref_talib(price, lambda c: talib.RSI(c, params["timeperiod"])) - 50
    if name == "indicator" and params["function"] == "MACD":
        return ref_talib(price, lambda c: talib.MACD(c)[2]) / vol
    if name == "indicator" and params["function"] == "KAMA":
        return (
            price.ffill() - ref_talib(price, lambda c: talib.KAMA(c, params["timeperiod"]))
        ) / vol
    if name == "filtered":
        trend = ref_ewmac(price, vol, 16, 64)
        adx = ref_talib(price, lambda c: talib.ADX(c, c, c, 14))
        return trend.mask(adx < params["threshold"], 0.0).where(adx.notna())
    raise ValueError(name)


def ref_rules(price: pd.DataFrame, carry: pd.DataFrame, inventory: pd.DataFrame, rules) -> dict:
    out = {label: {} for label in rules}
    for market in price:
        p = price[market]
        vol = ref_vol(p.diff())
        for label, (name, params) in rules.items():
            out[label][market] = ref_rule(name, params, p, vol, carry[market], inventory[market])
    return {label: pd.DataFrame(series) for label, series in out.items()}


def ref_scalar(raw: pd.DataFrame) -> pd.Series:
    magnitude = raw.abs().where(raw != 0)
    median = magnitude.median(axis=1)
    mean = median.expanding().mean()
    days = magnitude.notna().any(axis=1).cumsum()
    return (10 / mean).where(days >= 500)


def ref_fdm_at_year_ends(scaled: dict[str, pd.DataFrame]) -> pd.Series:
    """The multiplier re-estimated at each year end from every market-day so far (pandas corr)."""
    names = list(scaled)
    index = scaled[names[0]].index
    ends = index.to_series().groupby(index.year).max()
    w = np.full(len(names), 1 / len(names))
    out = {}
    for end in ends:
        stacked = pd.DataFrame({n: scaled[n].loc[:end].to_numpy().ravel() for n in names})
        days = {n: scaled[n].loc[:end].notna().any(axis=1) for n in names}
        corr = stacked.corr().clip(lower=0).fillna(1.0)  # unmeasured: no credit
        for i in names:
            for j in names:
                if i != j and (days[i] & days[j]).sum() < 250:
                    corr.loc[i, j] = 1.0
        out[end] = min(2.5, 1 / np.sqrt(w @ corr.to_numpy() @ w))
    return pd.Series(out)


def assert_close(a: pd.DataFrame | pd.Series, b: pd.DataFrame | pd.Series, what: str) -> float:
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert np.array_equal(np.isnan(x), np.isnan(y)), f"{what}: NaN positions differ"
    both = np.isfinite(x)
    worst = float(np.max(np.abs(x[both] - y[both]) / np.maximum(1.0, np.abs(y[both]))))
    assert worst < 1e-9, f"{what}: differs by {worst:.1e}"
    return worst


def main() -> None:
    parser = universe_parser(__doc__)
    args = parser.parse_args()
    from tecton.factor_model.alpha.rules import RuleInputs, run_rules
    from tecton.factor_model.alpha.scaling import (
        combine,
        diversification_multiplier,
        forecast_scalar,
        lag,
        scale_and_cap,
    )
    from tecton.markets import market_specs
    from tecton.stats import daily_vol

    markets = args.markets or list(market_specs())
    price, carry, inventory = synthetic_panel(markets, args.start, args.end)
    rules = rule_set()
    rows = []

    with timer() as t_vol:
        vol = daily_vol(price.diff())
    with timer() as t_ref_vol:
        ref_vol_panel = pd.DataFrame({m: ref_vol(price[m].diff()) for m in markets})
    worst = assert_close(vol.where(vol > 0), ref_vol_panel, "volatility")

    with timer() as t_rules:
        inputs = RuleInputs(price, carry_ann=carry, fundamentals={"inventory": inventory})
        raw = run_rules(inputs, rules)
    with timer() as t_ref_rules:
        ref_raw = ref_rules(price, carry, inventory, rules)
    worst = max([worst] + [assert_close(raw[k], ref_raw[k][markets], k) for k in rules])

    with timer() as t_scale:
        scalars = {k: forecast_scalar(f, method="cross_median") for k, f in raw.items()}
        scaled = {k: scale_and_cap(f, scalars[k]) for k, f in raw.items()}
    with timer() as t_ref_scale:
        ref_scaled = {
            k: ref_raw[k][markets].mul(ref_scalar(ref_raw[k]), axis=0).clip(-20, 20) for k in rules
        }
    worst = max([worst] + [assert_close(scaled[k], ref_scaled[k], k) for k in rules])

    with timer() as t_fdm:
        fdm = diversification_multiplier(scaled)
        forecast = lag(combine(scaled, None, fdm))
    with timer() as t_ref_fdm:
        ref_fdm = ref_fdm_at_year_ends(ref_scaled)
    worst = max(worst, assert_close(fdm.loc[ref_fdm.index], ref_fdm, "fdm"))
    assert forecast.abs().max().max() <= 20

    ours = t_rules() + t_scale() + t_fdm()
    ref = t_ref_rules() + t_ref_scale() + t_ref_fdm()
    rows = [
        {
            "stage": "volatility (tecton.stats.daily_vol, own days)",
            "seconds": t_vol(),
            "pandas per market": t_ref_vol(),
            "x": t_ref_vol() / t_vol(),
        },
        {
            "stage": f"{len(rules)} rules (incl. volatility, ta-lib)",
            "seconds": t_rules(),
            "pandas per market": t_ref_rules(),
            "x": t_ref_rules() / t_rules(),
        },
        {
            "stage": "scalars (cross-median, expanding) + cap",
            "seconds": t_scale(),
            "pandas per market": t_ref_scale(),
            "x": t_ref_scale() / t_scale(),
        },
        {
            "stage": "FDM daily + combine + lag (ref: FDM at year ends)",
            "seconds": t_fdm(),
            "pandas per market": t_ref_fdm(),
            "x": t_ref_fdm() / t_fdm(),
        },
        {"stage": "all", "seconds": ours, "pandas per market": ref, "x": ref / ours},
    ]
    title = (
        f"signals: {len(markets)} markets x {len(price):,} days, {len(rules)} rules; "
        f"outputs equal (max rel diff {worst:.1e}); target all < 10 s"
    )
    print_table(title, rows, ["stage", "seconds", "pandas per market", "x"])
    default_models(args.markets)


def default_models(markets: list[str] | None) -> None:
    """The default models on the warehouse's marts, stage by stage (skipped without one)."""
    from tecton.dal.warehouse import warehouse_path
    from tecton.factor_model import DEFAULT_MODELS, AlphaModel, FactorModel, RiskModel, load_panels

    if not warehouse_path().exists():
        print(
            f"no warehouse at {warehouse_path()}: run `uv run tecton demo` to time the default models"
        )
        return
    rows = []
    for name in DEFAULT_MODELS:
        model = FactorModel.from_yaml(name)
        model = model.on(markets) if markets else model
        with timer() as t_read:
            panels = load_panels(model.markets())
        with timer() as t_alpha:
            alpha = AlphaModel(model.definition.alpha).fit(panels)
        with timer() as t_risk:
            RiskModel(model.definition.risk).fit(panels.ret_pct).estimate()
        with timer() as t_long:
            long = alpha.forecasts()
        total = t_read() + t_alpha() + t_risk() + t_long()
        rows.append({
            "model": name, "rules": len(alpha.raw_), "read (Mantle)": t_read(), "alpha": t_alpha(),
            "risk": t_risk(), "forecast rows": t_long(), "total": total, "rows": len(long),
        })  # fmt: skip
    shape = f"{panels.price_adj.shape[1]} markets x {panels.price_adj.shape[0]:,} days"
    print_table(
        f"default models on the warehouse's marts ({shape}), seconds; target all rules < 10 s",
        rows,
        ["model", "rules", "read (Mantle)", "alpha", "risk", "forecast rows", "total", "rows"],
    )


if __name__ == "__main__":
    main()
