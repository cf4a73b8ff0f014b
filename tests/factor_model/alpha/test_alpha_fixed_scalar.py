"""A fixed forecast scalar (``scaling: {method: fixed, priors: {...}}``): the published value on
every date, checked against the plain formula ``clip(raw x scalar, -cap, cap)`` lagged a bar."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tecton.factor_model.alpha import AlphaDefinition, AlphaModel
from tecton.factor_model.alpha.scaling import forecast_scalar, scale_and_combine
from tecton.factor_model.data import Panels
from tecton.factor_model.definition_io import read_definition, write_definition
from tecton.factor_model.registry import ModelDefinitionError

PEER = {
    "rules": {"ewmac16_64": {"rule": "ewmac", "fast": 16, "slow": 64}},
    "scaling": {"method": "fixed", "priors": {"ewmac16_64": 3.75}, "cap": 20},
}


def walk(n_days: int = 300, n_markets: int = 3, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = 100 + np.cumsum(rng.standard_normal((n_days, n_markets)), axis=0)
    values[: int(rng.integers(0, 50)), 0] = np.nan  # a late start
    return pd.DataFrame(
        values,
        index=pd.bdate_range("2015-01-01", periods=n_days, name="trade_date"),
        columns=pd.Index([f"M{j}" for j in range(n_markets)], name="market_id"),
    )


@given(
    scalar=st.floats(0.01, 100, allow_nan=False),
    seed=st.integers(0, 10_000),
    days=st.integers(1, 400),
)
@settings(max_examples=50, deadline=None)
def test_fixed_scalar_is_the_given_value_on_every_date_whatever_the_data(scalar, seed, days):
    raw = walk(days, seed=seed).diff()
    actual = forecast_scalar(raw, method="fixed", min_periods=500, prior=scalar)
    assert actual.index.equals(raw.index)
    assert (actual == scalar).all()


@pytest.mark.parametrize("prior", [None, 0.0, -1.0, float("nan")])
def test_fixed_scalar_without_a_positive_value_is_one_line(prior):
    with pytest.raises(ModelDefinitionError, match="method fixed needs a positive scalar"):
        forecast_scalar(walk().diff(), method="fixed", prior=prior)


def test_fixed_chain_is_clipped_raw_times_the_scalar_lagged_one_bar():
    raw = walk().diff().rolling(5).mean() * 40  # large enough that the cap binds
    chain = scale_and_combine({"r": raw}, method="fixed", priors={"r": 3.75}, cap=20)
    expected = np.clip(raw.to_numpy() * 3.75, -20, 20)
    expected = np.vstack([np.full((1, raw.shape[1]), np.nan), expected[:-1]])
    np.testing.assert_allclose(chain.forecast.to_numpy(), expected, rtol=0, atol=1e-12)
    assert (np.abs(chain.forecast) == 20).to_numpy().any()
    assert (chain.fdm == 1.0).all()  # one rule: nothing to diversify


def test_a_fixed_scalar_model_forecasts_the_ewmac_formula_from_day_one():
    price = walk(400)
    ret = price.diff()
    panels = Panels(price_adj=price, ret_pts=ret, ret_pct=ret / price, carry_ann=price * np.nan)
    model = AlphaModel(AlphaDefinition.model_validate(PEER)).fit(panels)
    # the peer's formula, written here: (EWMA16 - EWMA64) / floored EWMA(35) vol of changes
    vol = ret.apply(lambda s: _floored_vol(s.dropna()).reindex(s.index).ffill())
    raw = price.ewm(span=16, min_periods=1).mean() - price.ewm(span=64, min_periods=1).mean()
    expected = (raw / vol * 3.75).clip(-20, 20).shift(1)
    pd.testing.assert_frame_equal(model.forecast_, expected, check_names=False, atol=1e-10)
    assert model.forecast_.iloc[70:].notna().all().all()  # no 500-day wait for an estimate


def _floored_vol(changes: pd.Series) -> pd.Series:
    vol = changes.ewm(span=35, adjust=True, min_periods=10).std()
    floor = vol.rolling(500, min_periods=100).quantile(0.05)
    return vol.where(floor.isna() | (vol >= floor), floor)


def test_fixed_needs_a_scalar_for_every_rule_and_reads_back_the_same(tmp_path):
    two_rules = {
        **PEER,
        "rules": {**PEER["rules"], "ewmac8_32": {"rule": "ewmac", "fast": 8, "slow": 32}},
    }
    with pytest.raises(ValueError, match=r"needs a scalar in scaling\.priors for every rule"):
        AlphaDefinition.model_validate(two_rules)
    with pytest.raises(ValueError, match="positive"):
        AlphaDefinition.model_validate(
            {**PEER, "scaling": {"method": "fixed", "priors": {"ewmac16_64": -3.75}}}
        )
    definition = AlphaDefinition.model_validate(PEER)
    path = write_definition(definition, tmp_path / "peer.yaml")
    assert read_definition(path, AlphaDefinition) == definition
