"""The market metadata: one CSV that both Python and dbt (as a seed) read."""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tecton.markets.calendar import EXPIRY_RULES, MONTH_CODES, rule_date

AssetClass = Literal["equity", "bond", "stir", "fx", "energy", "metals", "ags", "livestock", "vol"]


def markets_csv() -> Path:
    """Path of the metadata file (the dbt seed ``markets`` is this same file)."""
    return Path(__file__).with_name("markets.csv")


class MarketSpec(BaseModel):
    """Static description of one futures market."""

    model_config = ConfigDict(frozen=True)

    market_id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    asset_class: AssetClass
    sub_class: str
    exchange: str
    calendar: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    point_value: float = Field(gt=0)
    tick_size: float = Field(gt=0)
    listing_cycle: str
    listing_months: int = Field(gt=0, description="months a contract trades before its expiry")
    expiry_rule: str
    first_notice_rule: str | None = None
    roll_rule: Literal["calendar", "open_interest", "volume"]
    roll_days: int = Field(ge=0, description="trading days before expiry / first notice")
    allows_negative: bool

    @field_validator("first_notice_rule", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return value or None

    @field_validator("listing_cycle")
    @classmethod
    def _month_codes(cls, value: str) -> str:
        if not value or any(c not in MONTH_CODES for c in value):
            raise ValueError(f"listing cycle {value!r} must use month codes {MONTH_CODES}")
        return value

    @field_validator("expiry_rule", "first_notice_rule")
    @classmethod
    def _known_rule(cls, value: str | None) -> str | None:
        if value is not None and value not in EXPIRY_RULES:
            raise ValueError(f"unknown rule {value!r}; known: {', '.join(sorted(EXPIRY_RULES))}")
        return value

    @property
    def months(self) -> tuple[int, ...]:
        """Listed delivery months (1-12)."""
        return tuple(MONTH_CODES.index(c) + 1 for c in self.listing_cycle)

    def is_listed(self, month: int) -> bool:
        return month in self.months

    def expiry(self, year: int, month: int) -> dt.date:
        return rule_date(self.expiry_rule, self.calendar, year, month)

    def first_notice(self, year: int, month: int) -> dt.date | None:
        if self.first_notice_rule is None:
            return None
        return rule_date(self.first_notice_rule, self.calendar, year, month)

    def contract_id(self, year: int, month: int) -> str:
        return f"{self.market_id}_{year:04d}{month:02d}"


@cache
def market_specs() -> dict[str, MarketSpec]:
    """All markets in the metadata, by ``market_id``."""
    with markets_csv().open(newline="") as f:
        rows = list(csv.DictReader(f))
    return {row["market_id"]: MarketSpec.model_validate(row) for row in rows}


def contract_months(spec: MarketSpec, start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """Delivery (year, month) pairs whose trading life overlaps ``start``..``end``."""
    out = []
    for year in range(start.year, end.year + 2):
        for month in spec.months:
            expiry = spec.expiry(year, month)
            first_day = expiry - dt.timedelta(days=31 * spec.listing_months)
            if expiry >= start and first_day <= end:
                out.append((year, month))
    return out
