"""Markets, Market and Contract: the futures universe as objects, its data read through Mantle.

    from tecton.markets import Markets
    crude = Markets["CRUDE"]
    crude.continuous("2020-01-01", "2020-12-31", columns=["price_adj"])
    [m.market_id for m in Markets.filter(asset_class="energy", currency="USD")]
    crude.contracts()[-1].bars()

Metadata comes from the market metadata file (``tecton.markets.market_specs``), loaded once, on
first access; prices, rolls and contracts come from the warehouse's marts through Mantle. A market
a source's instrument configuration brings (pysystemtrade's CRUDE_W, EDOLLAR, ...) is known from
the ``futures_markets`` mart (``Mantle.Tables.futures.markets``) when a warehouse exists: its
point value, currency, asset class and costs come from there, while its static calendar, listing
cycle and expiry rules are unknown (asking for them says so). Without a warehouse the collection
is the reference file's markets.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from tecton.errors import TectonError
from tecton.markets.metadata import MarketCosts, MarketSpec, market_specs

_FILTERS = ("asset_class", "sub_class", "exchange", "currency", "roll_rule", "calendar")
# what the futures_markets mart knows of a market outside the reference file
_MART_FIELDS = ("name", "asset_class", "currency", "point_value", "tick_size")
_mart_cache: dict[Any, dict[str, SourceMarket]] = {}


@dataclass(frozen=True)
class SourceMarket:
    """A market outside the reference file, as the ``futures_markets`` mart describes it."""

    market_id: str
    name: str
    asset_class: str
    currency: str
    point_value: float
    tick_size: float | None
    commission_per_contract: float
    commission_pct: float
    spread_pts: float
    source: str

    @property
    def costs(self) -> MarketCosts:
        """Point value and costs as the mart gives them (no tick size where the source has none)."""
        return MarketCosts(
            market_id=self.market_id,
            currency=self.currency,
            point_value=self.point_value,
            tick_size=self.tick_size,
            commission_per_contract=self.commission_per_contract,
            commission_pct=self.commission_pct,
            spread_pts=self.spread_pts,
        )


def source_markets() -> dict[str, SourceMarket]:
    """The warehouse's markets that are not in the reference file, by id (read once per build).

    Empty without a warehouse, or with one built before the ``futures_markets`` mart existed.
    """
    from tecton.dal.warehouse import warehouse_path

    path = warehouse_path()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return {}
    stamp = (str(path), st.st_ino, st.st_mtime_ns, st.st_size)
    if stamp not in _mart_cache:
        _mart_cache.clear()
        _mart_cache[stamp] = _read_source_markets()
    return _mart_cache[stamp]


def _read_source_markets() -> dict[str, SourceMarket]:
    from tecton.dal.mantle import Mantle

    try:
        Mantle.catalog().resolve("futures.markets")
    except TectonError:  # a warehouse built before the mart existed
        return {}
    rows = Mantle.select("futures.markets")
    specs = market_specs()  # the reference file wins (the mart agrees, unless it is stale)
    fields = SourceMarket.__dataclass_fields__
    return {
        r["market_id"]: SourceMarket(
            **{k: (None if pd.isna(v) else v) for k, v in r.items() if k in fields}
        )
        for r in rows.to_dict("records")
        if r["source"] != "reference" and r["market_id"] not in specs
    }


class Market:
    """One futures market. Metadata loads lazily, once; data is read through Mantle.

    A market of the reference file (``markets.csv``) has its full static description
    (:attr:`spec`); a market only a source's instrument configuration describes has its point
    value, currency, asset class and costs (from the ``futures_markets`` mart) and no static
    calendar or expiry rules: asking for those raises a ``TectonError`` that says so.
    """

    def __init__(self, market_id: str):
        self.market_id = market_id

    @cached_property
    def _metadata(self) -> MarketSpec | SourceMarket:
        specs = market_specs()
        if self.market_id in specs:
            return specs[self.market_id]
        found = source_markets()
        if self.market_id not in found:
            raise TectonError(
                f"unknown market {self.market_id!r}; markets: {', '.join([*specs, *found])}"
            )
        return found[self.market_id]

    @property
    def spec(self) -> MarketSpec:
        """The static description from the reference file (calendar, listing cycle, expiry rules)."""
        if isinstance(self._metadata, SourceMarket):
            raise TectonError(self._not_static("static calendar and expiry rules"))
        return self._metadata

    @property
    def costs(self) -> MarketCosts:
        """Point value, tick size, commission and spread: what sizing and cost models read.

        The same numbers as this market's row of ``Mantle.Tables.futures.markets``.
        """
        return self._metadata.costs

    @property
    def source(self) -> str:
        """Where the metadata comes from: ``"reference"`` (markets.csv) or a source's name."""
        return self._metadata.source if isinstance(self._metadata, SourceMarket) else "reference"

    def _not_static(self, what: str) -> str:
        return (
            f"market {self.market_id!r} has no {what}: its metadata comes from "
            f"{self._metadata.source}'s instrument configuration (point value, currency, asset "
            f"class and costs only); static calendars and expiry rules exist only for the "
            f"markets in markets.csv"
        )

    def __getattr__(self, name: str) -> Any:
        # metadata fields (name, asset_class, exchange, currency, point_value, tick_size, ...)
        if name.startswith("_") or name not in MarketSpec.model_fields:
            raise AttributeError(f"Market has no attribute {name!r}")
        metadata = self._metadata
        if isinstance(metadata, SourceMarket) and name not in _MART_FIELDS:
            raise TectonError(self._not_static(name))
        return getattr(metadata, name)

    def _known(self, name: str) -> Any:
        """A metadata field, or None where the market's metadata does not have it."""
        metadata = self._metadata
        return getattr(metadata, name) if hasattr(metadata, name) else None

    def _row(self) -> dict[str, Any]:
        """Its metadata and costs as one row (unknown static fields left out)."""
        metadata = self._metadata
        static = asdict(metadata) if isinstance(metadata, SourceMarket) else metadata.model_dump()
        costs = self.costs
        return {
            **static,
            "commission_pct": costs.commission_pct,
            "spread_pts": costs.spread_pts,
            "slippage_pts": costs.slippage_pts,
            "source": self.source,
        }

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *MarketSpec.model_fields})

    def __repr__(self) -> str:
        return f"Market({self.market_id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Market) and other.market_id == self.market_id

    def __hash__(self) -> int:
        return hash(self.market_id)

    # --- data through Mantle ---------------------------------------------------------------------

    def select(self, table: str, start=None, end=None, columns=None, **kwargs) -> pd.DataFrame:
        from tecton.dal.mantle import Mantle

        return Mantle.select(table, start, end, columns, markets=[self.market_id], **kwargs)

    def continuous(self, start=None, end=None, columns=None, **kwargs) -> pd.DataFrame:
        """The continuous (back-adjusted) series, ``futures.cont``."""
        return self.select("futures.cont", start, end, columns, **kwargs)

    def roll_schedule(self, **kwargs) -> pd.DataFrame:
        """Every roll: date, from and to contract, the price gap (``futures.roll_schedule``)."""
        return self.select("futures.roll_schedule", **kwargs)

    def contracts(self, as_of=None) -> list[Contract]:
        """The contracts with data in the warehouse (bars if there is a bars mart, else held ones)."""
        from tecton.dal.mantle import Mantle

        table = "futures.bars" if "bars" in dir(Mantle.Tables.futures) else "futures.cont"
        ids = self.select(table, columns=["contract_id"], as_of=as_of).contract_id.dropna().unique()
        rolls = self.roll_schedule(as_of=as_of)
        roll_dates = dict(zip(rolls.from_contract, rolls.roll_date.dt.date, strict=True))
        return sorted(
            (Contract.parse(self, str(c), roll_dates.get(c)) for c in ids),
            key=lambda c: c.delivery_month,
        )

    def contract(self, year: int, month: int) -> Contract:
        """A contract by delivery month (its roll date, if any, from the roll schedule)."""
        # the id needs no static metadata, so a source's market has contracts too
        contract_id = f"{self.market_id}_{year:04d}{month:02d}"
        rolls = self.roll_schedule(where={"from_contract": contract_id})
        roll = rolls.roll_date.iloc[0].date() if len(rolls) else None
        return Contract(self, contract_id, year, month, roll)


@dataclass(frozen=True)
class Contract:
    """A discrete futures contract: its market, delivery month, expiry, first notice, roll date."""

    market: Market
    contract_id: str
    year: int
    month: int
    roll_date: dt.date | None = None  # the day the continuous series rolled out of it

    @classmethod
    def parse(cls, market: Market, contract_id: str, roll_date: dt.date | None = None) -> Contract:
        """From an id ``<MARKET>_<YYYYMM>``."""
        stem, _, yyyymm = contract_id.rpartition("_")
        if stem != market.market_id or len(yyyymm) != 6 or not yyyymm.isdigit():
            raise TectonError(f"contract id {contract_id!r} is not {market.market_id}_YYYYMM")
        return cls(market, contract_id, int(yyyymm[:4]), int(yyyymm[4:]), roll_date)

    @property
    def delivery_month(self) -> int:
        """YYYYMM."""
        return self.year * 100 + self.month

    @property
    def expiry(self) -> dt.date:
        return self.market.spec.expiry(self.year, self.month)

    @property
    def first_notice(self) -> dt.date | None:
        return self.market.spec.first_notice(self.year, self.month)

    def bars(self, start=None, end=None, columns=None, **kwargs) -> pd.DataFrame:
        """Its daily bars (``futures.bars``)."""
        return self.market.select(
            "futures.bars", start, end, columns, where={"contract_id": self.contract_id}, **kwargs
        )

    def __repr__(self) -> str:
        return f"Contract({self.contract_id!r}, expiry={self.expiry}, roll_date={self.roll_date})"


class _MarketsType(type):
    """Lets the class itself be the default collection: ``Markets["CRUDE"]``, ``for m in Markets``."""

    def __getitem__(cls, market_id: str) -> Market:
        if isinstance(market_id, str) and market_id in market_specs():
            return Market(market_id)  # a reference market needs no warehouse read
        return cls.all()[market_id]

    def __iter__(cls) -> Iterator[Market]:
        return iter(cls.all())

    def __len__(cls) -> int:
        return len(cls.all())

    def __contains__(cls, market_id: object) -> bool:
        return market_id in cls.all()

    def __repr__(cls) -> str:
        return repr(cls.all())


class _either:
    """A method that runs on the default collection when called on the class."""

    def __init__(self, fn):
        self.fn = fn

    def __get__(self, obj, owner):
        target = obj if obj is not None else owner.all()
        return self.fn.__get__(target, owner)


class Markets(metaclass=_MarketsType):
    """A collection of markets: iterate, filter, look up by id. ``Markets`` itself is all of them."""

    def __init__(self, ids: Iterable[str]):
        self._markets = {m: Market(m) for m in ids}

    @classmethod
    def all(cls) -> Markets:
        """The reference file's markets, then those the warehouse's markets mart adds."""
        return cls([*market_specs(), *source_markets()])

    def __getitem__(self, market_id: str) -> Market:
        try:
            return self._markets[market_id]
        except (KeyError, TypeError):
            raise TectonError(
                f"unknown market {market_id!r}; markets: {', '.join(self._markets)}"
            ) from None

    def __iter__(self) -> Iterator[Market]:
        return iter(self._markets.values())

    def __len__(self) -> int:
        return len(self._markets)

    def __contains__(self, market_id: object) -> bool:
        return (
            market_id.market_id if isinstance(market_id, Market) else market_id
        ) in self._markets

    @_either
    def filter(self, **criteria: str | Iterable[str]) -> Markets:
        """Markets whose metadata match, e.g. ``filter(asset_class="energy", currency=["USD", "EUR"])``."""
        for key, value in criteria.items():
            if key not in _FILTERS:
                raise TectonError(
                    f"cannot filter markets by {key!r}; filters: {', '.join(_FILTERS)}"
                )
            criteria[key] = {value} if isinstance(value, str) else set(value)
        return Markets(
            m.market_id for m in self if all(m._known(k) in v for k, v in criteria.items())
        )

    @_either
    def ids(self) -> list[str]:
        return list(self._markets)

    @_either
    def frame(self) -> pd.DataFrame:
        """The metadata of these markets, one row each."""
        return pd.DataFrame([m._row() for m in self]).set_index("market_id")

    def __repr__(self) -> str:
        return f"Markets({', '.join(self._markets)})"
