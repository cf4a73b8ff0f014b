"""A model's universe: named markets, or filters on the market metadata, minus exclusions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from tecton.markets.metadata import market_specs
from tecton.markets.universe import Markets


class Universe(BaseModel):
    """Which markets a model trades.

    ``markets`` lists them by id (checked against the warehouse when the model reads, so a lake
    of a peer's instruments works too); otherwise every market in the metadata matching the
    filters (``asset_classes``, ``exchanges``, ``currencies``; empty means any). ``exclude`` drops
    some.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    markets: tuple[str, ...] = ()
    asset_classes: tuple[str, ...] = ()
    exchanges: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @field_validator("asset_classes")
    @classmethod
    def _classes(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        known = sorted({s.asset_class for s in market_specs().values()})
        unknown = [v for v in values if v not in known]
        if unknown:
            raise ValueError(
                f"unknown asset class {unknown[0]!r}; asset classes: {', '.join(known)}"
            )
        return values

    def market_ids(self) -> list[str]:
        """The listed markets, else the metadata's matches (in its order), less the exclusions."""
        if self.markets:
            return [m for m in self.markets if m not in self.exclude]
        filters = {
            "asset_class": self.asset_classes,
            "exchange": self.exchanges,
            "currency": self.currencies,
        }
        chosen = Markets.filter(**{k: v for k, v in filters.items() if v})
        return [m for m in chosen.ids() if m not in self.exclude]
