"""Model definitions as YAML files: read with one-line errors, written so they read back the same.

A definition is a frozen pydantic model (parameters only, ``extra="forbid"``). Reading validates
it; any mistake (YAML syntax, an unknown key, a missing or mistyped parameter, a negative span, an
unknown registered name) becomes one :class:`ModelDefinitionError` line::

    trend.yaml: alpha.rules[0].fast: expected greater than 1, got -16
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from tecton.factor_model.registry import ModelDefinitionError, Registry

Definition = TypeVar("Definition", bound=BaseModel)


def definitions_beside(module_file: str | Path, kind: str) -> Registry[Path]:
    """The YAML files beside a module, registered by their stem (``default.yaml`` is ``"default"``).

    Definitions live beside the code that implements them: no central config folder.
    """
    registry: Registry[Path] = Registry(kind)
    for path in sorted(Path(module_file).resolve().parent.glob("*.yaml")):
        registry.register(path.stem)(path)
    return registry


def locate(source: str | Path, registry: Registry[Path]) -> Path:
    """A definition file from a path (``.yaml``, or containing ``/``) or a registered name."""
    text = str(source)
    if isinstance(source, Path) or text.endswith((".yaml", ".yml")) or "/" in text:
        return Path(source)
    return registry.get(text)


def read_definition(path: str | Path, schema: type[Definition]) -> Definition:
    """Read and validate one YAML definition file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelDefinitionError(f"{path}: no such model file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelDefinitionError(f"{path}: cannot read: {exc}") from None
    return parse_definition(text, schema, source=str(path))


def parse_definition(text: str, schema: type[Definition], source: str = "<yaml>") -> Definition:
    """Validate YAML text against ``schema``; ``source`` names it in errors."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ModelDefinitionError(f"{where}: not valid YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise ModelDefinitionError(
            f"{source}: expected a mapping of keys, got {type(raw).__name__}"
        )
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise ModelDefinitionError(f"{source}: {describe(exc)}") from None
    except ModelDefinitionError as exc:  # a validator looked up an unknown registered name
        raise ModelDefinitionError(f"{source}: {exc}") from None


def write_definition(definition: BaseModel, path: str | Path) -> Path:
    """Write a definition as YAML (defaults included, keys in schema order)."""
    path = Path(path)
    path.write_text(dump_definition(definition), encoding="utf-8")
    return path


def dump_definition(definition: BaseModel) -> str:
    return yaml.safe_dump(definition.model_dump(mode="json"), sort_keys=False)


def describe(exc: ValidationError) -> str:
    """The first error of a validation as ``key.path: expected ..., got ...``."""
    first = exc.errors(include_url=False)[0]
    key = _key(first["loc"])
    message = _expected(first)
    if first["type"] == "missing":
        return f"{key}: missing ({message})"
    if first["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    if first["type"] == "value_error":  # a validator's own message says what it got
        return f"{key}: {message}" if key else message
    key = key or "(top level)"
    return f"{key}: {message}, got {first.get('input')!r}"


def _key(loc: tuple) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{part}]"]
        elif not str(part).startswith(("function-", "tagged-union")):
            parts.append(str(part))
    return ".".join(parts)


def _expected(error: dict) -> str:
    message = error["msg"]
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    if message.startswith("Input should be "):
        return "expected " + message.removeprefix("Input should be ")
    if message == "Field required":
        return "a required key"
    return message[0].lower() + message[1:]
