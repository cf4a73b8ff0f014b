"""Registries: a model's YAML names its classes and rules, never an import path::

    RULES = Registry("rule")

    @RULES.register("ewmac")
    def ewmac(inputs, *, fast, slow=None): ...

    RULES.get("ewmac")  # the function
    RULES.get("ewmc")  # ModelDefinitionError: unknown rule 'ewmc'; rules: breakout, carry, ...

A YAML file then says ``rule: ewmac``, and an unknown name lists the valid ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from tecton.errors import TectonError

T = TypeVar("T")


class ModelDefinitionError(TectonError):
    """A model definition a user wrote is wrong: one line naming the file, the key and what was expected."""


class Registry(Generic[T]):
    """Named implementations of one kind (rules, risk estimators, ...), filled by decorators."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def add(entry: T) -> T:
            if name in self._entries and self._entries[name] is not entry:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = entry
            return entry

        return add

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise ModelDefinitionError(
                f"unknown {self.kind} {name!r}; {self.kind}s: {', '.join(self.names())}"
            ) from None

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries
