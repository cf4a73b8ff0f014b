"""Model definitions: every registered YAML reads, writes back and reads back the same; a bad
file fails with one line naming the file, the key and what was expected."""

from __future__ import annotations

import pytest
import yaml

from tecton.factor_model import FactorModel, ModelDefinition, ModelDefinitionError, alpha, risk
from tecton.factor_model.core import MODELS
from tecton.factor_model.definition_io import read_definition

REGISTRIES = [
    (MODELS, ModelDefinition, FactorModel),
    (alpha.MODELS, alpha.AlphaDefinition, alpha.AlphaModel),
    (risk.MODELS, risk.RiskDefinition, risk.RiskModel),
]


@pytest.mark.parametrize(
    ("registry", "schema", "model"), REGISTRIES, ids=lambda v: getattr(v, "kind", "")
)
def test_every_registered_definition_round_trips(registry, schema, model, tmp_path):
    assert registry.names(), f"no {registry.kind} YAML beside its code"
    for name in registry.names():
        loaded = model.from_yaml(name)
        written = loaded.to_yaml(tmp_path / f"{name}.yaml")
        again = model.from_yaml(written)
        assert again.definition == loaded.definition, name
        # and the file is plain YAML a person can read: the same mapping as the definition
        assert yaml.safe_load(written.read_text()) == loaded.definition.model_dump(mode="json")


def test_a_factor_model_names_its_parts_and_writes_them_inline(tmp_path):
    model = FactorModel.from_yaml("futures_trend_carry")
    assert model.definition.alpha == alpha.AlphaModel.from_yaml("trend_carry").definition
    assert model.definition.risk == risk.RiskModel.from_yaml("default").definition
    written = yaml.safe_load(model.to_yaml(tmp_path / "m.yaml").read_text())
    assert isinstance(written["alpha"], dict) and isinstance(written["risk"], dict)


GOOD = """\
name: t
universe: {asset_classes: [energy, metals]}
alpha:
  rules:
    ewmac16_64: {rule: ewmac, fast: 16, slow: 64}
    carry: {rule: carry, smooth: 90}
risk: default
"""

# (what is wrong, replace this, with this, the key the error names, what it says)
BAD = [
    (
        "unknown rule",
        "rule: ewmac, fast: 16",
        "rule: ewmc, fast: 16",
        "alpha.rules.ewmac16_64",
        "unknown rule 'ewmc'; rules: breakout, carry, ewmac",
    ),
    (
        "negative span",
        "fast: 16, slow: 64",
        "fast: -16, slow: 64",
        "alpha.rules.ewmac16_64",
        "fast must be a number >= 1, got -16",
    ),
    (
        "missing parameter",
        "{rule: ewmac, fast: 16, slow: 64}",
        "{rule: ewmac, slow: 64}",
        "alpha.rules.ewmac16_64",
        "missing a required argument: 'fast'",
    ),
    (
        "mistyped parameter",
        "smooth: 90",
        "smooth: ninety",
        "alpha.rules.carry",
        "smooth must be a number >= 1, got 'ninety'",
    ),
    (
        "parameter a rule does not take",
        "smooth: 90",
        "smooth: 90, span: 3",
        "alpha.rules.carry",
        "unexpected keyword argument 'span'",
    ),
    (
        "unknown way to weight",
        "    carry: {rule: carry, smooth: 90}\n",
        "    carry: {rule: carry, smooth: 90}\n  weights: corr\n",
        "alpha.weights",
        "expected 'equal', 'correlation' or a mapping of rule to weight, got 'corr'",
    ),
    ("unknown top-level key", "name: t", "name: t\nrisks: default", "risks", "unknown key"),
    ("missing part", "risk: default\n", "", "risk", "missing"),
    (
        "unknown risk model",
        "risk: default",
        "risk: defualt",
        "risk",
        "unknown risk model 'defualt'; risk models: default, garch",
    ),
    (
        "unknown asset class",
        "[energy, metals]",
        "[energy, metal]",
        "universe.asset_classes",
        "unknown asset class 'metal'",
    ),
    ("bad name", "name: t", "name: 't x'", "name", "should match pattern"),
    ("not YAML", "rules:\n", "rules: [\n", None, "not valid YAML"),
]


@pytest.mark.parametrize(("what", "old", "new", "key", "says"), BAD, ids=[b[0] for b in BAD])
def test_bad_yaml_is_one_line_naming_file_key_and_expectation(tmp_path, what, old, new, key, says):
    assert old in GOOD
    path = tmp_path / "model.yaml"
    path.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(ModelDefinitionError) as caught:
        FactorModel.from_yaml(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}"), message
    if key:
        assert f": {key}:" in message, message
    assert says in message, message


def test_the_good_file_reads(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(GOOD)
    model = FactorModel.from_yaml(path)
    assert set(model.markets()) == {
        "CRUDE",
        "BRENT",
        "GAS_US",
        "HEATOIL",
        "GOLD",
        "SILVER",
        "COPPER",
    }


def test_a_risk_section_inline_is_checked_too(tmp_path):
    risk_yaml = (risk.MODELS.get("default")).read_text().replace("span: 35.0", "span: -35.0", 1)
    inline = {"name": "t", "alpha": "trend_carry", "risk": yaml.safe_load(risk_yaml)}
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(inline))
    with pytest.raises(ModelDefinitionError, match=r"model\.yaml: risk\.volatility.*span"):
        read_definition(path, ModelDefinition)


def test_unknown_registered_model_lists_the_valid_names():
    with pytest.raises(
        ModelDefinitionError,
        match="unknown factor model 'nope'; factor models: futures_fundamental, futures_trend_carry",
    ):
        FactorModel.from_yaml("nope")
