"""The market metadata: one CSV that both Python and dbt (as a seed) read."""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tecton.errors import TectonError
from tecton.markets.calendar import EXPIRY_RULES, MONTH_CODES, rule_date

AssetClass = Literal["equity", "bond", "stir", "fx", "energy", "metals", "ags", "livestock", "vol"]


def markets_csv() -> Path:
    """Path of the metadata file (the dbt seed ``markets`` is this same file)."""
    return Path(__file__).with_name("markets.csv")


class MarketSpec(BaseModel):
    """Static description of one futures market, with its typical trading costs.

    ``commission_per_contract`` is in the market's ``currency``; ``spread_ticks`` is the typical
    bid/ask spread in ticks (``tick_size`` price points each). :attr:`costs` gives both in the
    units sizing and cost models use (price points, currency per contract).
    """

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
    commission_per_contract: float = Field(ge=0, description="per contract traded, in `currency`")
    spread_ticks: float = Field(ge=0, description="typical bid/ask spread, in ticks")

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

    @property
    def costs(self) -> MarketCosts:
        """Point value and trading costs, in price points and the market's currency."""
        return MarketCosts(
            market_id=self.market_id,
            currency=self.currency,
            point_value=self.point_value,
            tick_size=self.tick_size,
            commission_per_contract=self.commission_per_contract,
            spread_pts=self.spread_ticks * self.tick_size,
        )


class MarketCosts(BaseModel):
    """What trading one contract of a market costs, and what one price point is worth.

    The same numbers as the ``futures_markets`` mart (``Mantle.Tables.futures.markets``): from
    the reference file for its markets, from a source's instrument configuration for the others.

    Attributes
    ----------
    point_value : float
        Value of one price point of one contract, in ``currency``.
    tick_size : float or None
        Minimum price move, in price points (None where the source does not say).
    commission_per_contract : float
        Commission per contract traded (each side), in ``currency``.
    commission_pct : float
        Commission as a fraction of the traded notional (0 for most markets).
    spread_pts : float
        Typical bid/ask spread, in price points.
    """

    model_config = ConfigDict(frozen=True)

    market_id: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    point_value: float = Field(gt=0)
    tick_size: float | None = Field(default=None, gt=0)
    commission_per_contract: float = Field(ge=0)
    commission_pct: float = Field(default=0.0, ge=0)
    spread_pts: float = Field(ge=0)

    @property
    def slippage_pts(self) -> float:
        """Half the spread, in price points: what crossing it costs one trade of one contract."""
        return self.spread_pts / 2

    def cost_per_contract(self, price: float = 0.0) -> float:
        """Cost of trading one contract once (one side), in ``currency``.

        Commission, plus slippage times the point value, plus ``commission_pct`` of the notional
        at ``price`` (which only matters where ``commission_pct`` is not 0).
        """
        notional = abs(price) * self.point_value
        return (
            self.commission_per_contract
            + self.slippage_pts * self.point_value
            + self.commission_pct * notional
        )


@cache
def market_specs() -> dict[str, MarketSpec]:
    """All markets in the metadata, by ``market_id``."""
    return read_market_specs(markets_csv())


def read_market_specs(path: Path) -> dict[str, MarketSpec]:
    """The markets of a metadata file, by ``market_id``, each row validated.

    Raises
    ------
    TectonError
        One line naming the file, the row (its line number), the column and the rule broken.
    """
    with Path(path).open(newline="") as f:
        rows = list(csv.DictReader(f))
    specs: dict[str, MarketSpec] = {}
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            spec = MarketSpec.model_validate(row)
        except ValidationError as err:
            first = err.errors()[0]
            column = ".".join(str(part) for part in first["loc"]) or "row"
            raise TectonError(
                f"{Path(path).name}:{line}: [{column}] {first['msg']} (got {first['input']!r})"
            ) from None
        if spec.market_id in specs:
            raise TectonError(f"{Path(path).name}:{line}: [market_id] {spec.market_id} repeats")
        specs[spec.market_id] = spec
    return specs


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
