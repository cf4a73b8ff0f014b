"""Pluggable parts of a risk model, chosen in YAML by a registered name.

Each family (volatility estimator, correlation estimator, covariance kind) is a frozen pydantic
base class holding a :class:`Registry`; its implementations register under a name and are
parameter schemas and implementations at once. Validating a mapping against the family base picks
the class by the mapping's name key, so an unknown name fails at validation time (the file name is
then in the error) with the registry's list of valid names::

    risk.yaml: volatility.estimator: unknown volatility estimator 'garh'; volatility estimators: ewma, garch, got 'garh'
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from tecton.factor_model.registry import ModelDefinitionError, Registry


class Component(BaseModel):
    """Base of the pluggable families. A family base sets ``registry`` and ``name_key``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    registry: ClassVar[Registry]
    name_key: ClassVar[str]

    @model_validator(mode="wrap")
    @classmethod
    def _dispatch(cls, value: Any, handler):
        # only a family base dispatches; a registered class validates its own fields
        if "registry" not in cls.__dict__ or not isinstance(value, dict):
            return handler(value)
        name = value.get(cls.name_key)
        if name is None:
            raise _error(cls, "missing", value)
        if not isinstance(name, str):
            message = f"expected the name of a {cls.registry.kind}"
            raise _error(cls, PydanticCustomError("name_type", message), name)
        try:
            chosen = cls.registry.get(name)
        except ModelDefinitionError as exc:
            why = PydanticCustomError("unknown_name", "{why}", {"why": str(exc)})
            raise _error(cls, why, name) from None
        return chosen.model_validate(value)


def _error(cls: type[Component], kind: str | PydanticCustomError, value: Any) -> ValidationError:
    """A one-error ValidationError at the family's name key (its caller adds the field path)."""
    detail = InitErrorDetails(type=kind, loc=(cls.name_key,), input=value)
    return ValidationError.from_exception_data(cls.__name__, [detail])
