"""No look-ahead: change every input after day t, and nothing computed for a day <= t moves.

Covers each rule (and the volatility it divides by), both scalar methods, the diversification
multiplier, the combined forecast on rows through t, and the lagged forecast through t + 1
(the forecast used on t + 1 is computed from data through t). Equality is exact, not approximate:
every kernel is causal in its arithmetic too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tecton.factor_model.alpha.indicators import indicator_values
from tecton.factor_model.alpha.rules import RuleInputs, price_vol, run_rules
from tecton.factor_model.alpha.scaling import forecast_scalar, scale_and_combine
from tests.factor_model.alpha.alpha_panels import panel

RULE_SET = {
    "ewmac": ("ewmac", {"fast": 4, "slow": 16}),
    "breakout": ("breakout", {"window": 20}),
    "carry": ("carry", {"smooth": 10}),
    "inventory": ("fundamental_trend", {"series": "inventory", "fast": 2, "sign": -1}),
    "rsi": ("indicator", {"function": "RSI", "timeperiod": 5}),
    "macd": ("indicator", {"function": "MACD", "output": "macdhist"}),
    "kama": ("indicator", {"function": "KAMA", "timeperiod": 10}),
    "cci": ("indicator", {"function": "CCI", "timeperiod": 10}),
    "trend_if_strong": (
        "filtered",
        {
            "base": "ewmac",
            "base_params": {"fast": 4},
            "indicator": "ADX",
            "threshold": 20,
            "indicator_params": {"timeperiod": 5},
        },
    ),
}


def everything(inputs: RuleInputs) -> dict[str, pd.DataFrame | pd.Series]:
    """Every output of the alpha chain on one panel (a short volatility floor, so it bites)."""
    vol = price_vol(inputs.ret_pts, floor_window=40, floor_min_periods=10)
    short = RuleInputs(
        inputs.price_adj, carry_ann=inputs.carry_ann, fundamentals=inputs.fundamentals, vol_pts=vol
    )
    raw = run_rules(short, RULE_SET)
    out: dict[str, pd.DataFrame | pd.Series] = {"vol": vol, "default vol": inputs.daily_vol}
    out |= {f"raw {k}": v for k, v in raw.items()}
    out["ht_trendmode"] = indicator_values("HT_TRENDMODE", inputs.price_adj)
    for method in ("pooled", "cross_median"):
        out[f"scalar {method}"] = forecast_scalar(raw["ewmac"], method=method, min_periods=20)
    result = scale_and_combine(raw, min_periods=20, fdm_min_periods=10, method="cross_median")
    out |= {f"scaled {k}": v for k, v in result.scaled.items()}
    out |= {"fdm": result.fdm, "combined": result.combined}
    out["lagged, one more row"] = result.forecast.shift(-1)  # row t holds the forecast for t + 1
    estimated = scale_and_combine(raw, "correlation", min_periods=20, fdm_min_periods=10)
    out |= {
        "estimated weights": estimated.weights,
        "combined, estimated weights": estimated.combined,
    }
    return out


def changed_after(inputs: RuleInputs, t: int, seed: int) -> RuleInputs:
    """The same panel with every price, carry and fundamental after row ``t`` replaced."""
    rng = np.random.default_rng(seed)

    def replace(frame: pd.DataFrame, scale: float) -> pd.DataFrame:
        new = frame.copy()
        tail = new.iloc[t + 1 :]
        values = tail.to_numpy() + scale * rng.standard_normal(tail.shape).cumsum(axis=0)
        values[rng.random(values.shape) < 0.1] = np.nan
        new.iloc[t + 1 :] = values
        return new

    return RuleInputs(
        replace(inputs.price_adj, 5.0),
        carry_ann=replace(inputs.carry_ann, 1.0),
        fundamentals={"inventory": replace(inputs.fundamentals["inventory"], 3.0)},
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n_days=st.integers(80, 300),
    cut=st.floats(0.3, 0.97),
    change_seed=st.integers(0, 2**31),
)
def test_nothing_through_t_depends_on_data_after_t(seed, n_days, cut, change_seed):
    base = panel(n_days, n_markets=3, seed=seed, nan_share=0.05)
    t = int(cut * (n_days - 2))
    before, after = everything(base), everything(changed_after(base, t, change_seed))
    for name in before:
        a, b = before[name].iloc[: t + 1].to_numpy(), after[name].iloc[: t + 1].to_numpy()
        assert np.array_equal(a, b, equal_nan=True), f"{name} through row {t} changed"
    # the perturbation was real: later combined forecasts moved
    late = before["combined"].iloc[t + 1 :].to_numpy(), after["combined"].iloc[t + 1 :].to_numpy()
    assert not np.array_equal(*late, equal_nan=True)
