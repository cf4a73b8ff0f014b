"""Risk model YAML: registered files, round trips, one-line errors; the model's API and value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tecton.dal.catalog import TectonError
from tecton.factor_model.registry import ModelDefinitionError
from tecton.factor_model.risk import (
    CORRELATION,
    MODELS,
    VOLATILITY,
    GarchVolatility,
    PcaCovariance,
    RiskDefinition,
    RiskModel,
)
from tests.factor_model.risk.panels import panel

DEFAULT_YAML = (Path(MODELS.get("default"))).read_text()


def test_registered_models_are_the_yaml_files_beside_the_code():
    assert {"default", "garch"} <= set(MODELS.names())
    assert RiskModel().definition == RiskModel.from_yaml("default").definition
    garch = RiskModel.from_yaml("garch").definition
    assert isinstance(garch.volatility, GarchVolatility)
    assert isinstance(garch.covariance, PcaCovariance)


def test_unknown_registered_model_lists_the_known_ones():
    with pytest.raises(
        ModelDefinitionError, match=r"unknown risk model 'nope'; risk models: .*default"
    ):
        RiskModel.from_yaml("nope")


DEFINITIONS = {
    "default": RiskModel().definition,
    "garch": RiskModel.from_yaml("garch").definition,
    "trailing garch, crypto": RiskModel(
        volatility={"estimator": "garch", "max_obs": 1000, "mean": "constant", "floor": None},
        annualisation_days=365,
    ).definition,
    "factors": RiskModel(covariance={"kind": "factors", "span": 60}).definition,
    "pca, no shrinkage": RiskModel(
        covariance={"kind": "pca", "k": 5}, correlation={"estimator": "ewma", "shrinkage": 0}
    ).definition,
}


@pytest.mark.parametrize("name", DEFINITIONS)
def test_a_model_written_to_yaml_reads_back_the_same(name, tmp_path):
    written = RiskModel(DEFINITIONS[name]).to_yaml(tmp_path / "risk.yaml")
    back = RiskModel.from_yaml(written)
    assert back.definition == DEFINITIONS[name]
    assert back.to_yaml(tmp_path / "again.yaml").read_text() == written.read_text()


BAD = {
    "negative span": (
        ("span: 35.0", "span: -5"),
        "volatility.span: expected greater than 1, got -5",
    ),
    "unknown estimator": (
        ("estimator: ewma\n  span: 35.0", "estimator: egarch\n  span: 35.0"),
        "volatility.estimator: unknown volatility estimator 'egarch'; "
        "volatility estimators: ewma, garch, got 'egarch'",
    ),
    "unknown covariance kind": (
        ("kind: sample", "kind: ledoit_wolf"),
        "covariance.kind: unknown covariance kind 'ledoit_wolf'; "
        "covariance kinds: factors, pca, sample, got 'ledoit_wolf'",
    ),
    "missing key": (
        ("covariance:\n  kind: sample\n", ""),
        "covariance: missing (a required key)",
    ),
    "missing name": (
        ("covariance:\n  kind: sample\n", "covariance:\n  k: 3\n"),
        "covariance.kind: missing (a required key)",
    ),
    "wrong type": (
        ("span: 35.0", "span: fast"),
        "volatility.span: expected a valid number, unable to parse string as a number, got 'fast'",
    ),
    "unknown key": (
        ("span: 35.0", "span: 35.0\n  halflife: 20"),
        "volatility.halflife: unknown key",
    ),
    "shrinkage above one": (
        ("shrinkage: 0.2", "shrinkage: 1.5"),
        "correlation.shrinkage: expected less than or equal to 1, got 1.5",
    ),
    "no components": (
        ("kind: sample", "kind: pca\n  k: 0"),
        "covariance.k: expected greater than or equal to 1, got 0",
    ),
    "floor quantile": (
        ("quantile: 0.05", "quantile: 5"),
        "volatility.floor.quantile: expected less than or equal to 1, got 5",
    ),
    "floor needs more than its window": (
        ("min_periods: 100", "min_periods: 501"),
        "volatility.floor.min_periods: expected at most window (500), got 501",
    ),
    "garch window shorter than its minimum": (
        ("estimator: ewma\n  span: 35.0\n  min_periods: 10", "estimator: garch\n  max_obs: 100"),
        "volatility.max_obs: expected null or at least min_obs (500), got 100",
    ),
    "garch mean": (
        ("estimator: ewma\n  span: 35.0\n  min_periods: 10", "estimator: garch\n  mean: ar1"),
        "volatility.mean: expected 'zero' or 'constant', got 'ar1'",
    ),
    "name not a string": (
        ("kind: sample", "kind: [sample]"),
        "covariance.kind: expected the name of a covariance kind, got ['sample']",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_yaml_fails_with_one_line_naming_file_and_key(case, tmp_path):
    (old, new), expected = BAD[case]
    assert old in DEFAULT_YAML
    path = tmp_path / "risk.yaml"
    path.write_text(DEFAULT_YAML.replace(old, new, 1))
    with pytest.raises(ModelDefinitionError) as info:
        RiskModel.from_yaml(path)
    assert str(info.value) == f"{path}: {expected}"
    assert "\n" not in str(info.value)


def test_bad_keyword_parameters_fail_with_one_line():
    with pytest.raises(ModelDefinitionError, match=r"^RiskModel: annualisation_days: expected"):
        RiskModel(annualisation_days=0)


def test_every_registered_class_carries_its_registered_name():
    for registry in (VOLATILITY, CORRELATION):
        for name in registry.names():
            assert registry.get(name)().estimator == name


def test_definition_is_frozen():
    definition = RiskModel().definition
    assert isinstance(definition, RiskDefinition)
    with pytest.raises(ValueError, match="frozen"):
        definition.annualisation_days = 365


RETURNS = panel(300, 3, seed=9, starts=[0, 0, 295])


def test_estimate_is_an_immutable_value_with_a_short_repr():
    estimate = RiskModel().fit(RETURNS).estimate("2001-12-31")
    assert estimate.as_of == pd.Timestamp("2001-12-31")
    assert estimate.markets == ("M0", "M1")  # M2 has no volatility yet
    assert repr(estimate).startswith("RiskEstimate(as_of=2001-12-31, 2 markets, vol_ann ")
    with pytest.raises(ValueError, match="read-only"):
        estimate.cov.iloc[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        estimate.vol.iloc[0] = 1.0
    with pytest.raises(AttributeError):
        estimate.as_of = pd.Timestamp("2001-01-01")
    np.testing.assert_array_equal(estimate.cov, estimate.cov.T)
    np.testing.assert_array_equal(estimate.corr, estimate.corr.T)


def test_estimate_dates():
    model = RiskModel().fit(RETURNS)
    assert model.estimate().as_of == RETURNS.index[-1]
    assert model.estimate("2001-12-30").as_of == pd.Timestamp("2001-12-28")  # a Sunday
    with pytest.raises(TectonError, match="before the first return"):
        model.estimate("1999-01-01")
    with pytest.raises(TectonError, match="not fitted"):
        RiskModel().estimate()


def test_fit_checks_its_input():
    with pytest.raises(TectonError, match="DatetimeIndex"):
        RiskModel().fit(RETURNS.reset_index(drop=True))
    with pytest.raises(TectonError, match="increasing"):
        RiskModel().fit(RETURNS.iloc[::-1])
    with pytest.raises(TectonError, match="infinite"):
        RiskModel().fit(RETURNS.replace(RETURNS.iloc[5, 0], np.inf))
