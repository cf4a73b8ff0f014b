"""What a factor model reads: wide panels (trade date x market) from the marts, through Mantle.

A model never opens the warehouse itself: :func:`load_panels` asks Mantle for the continuous
series, returns, carry and fundamentals of a universe, optionally as the lake was known at a
time (``as_of``), and pivots each to one frame per quantity, all on the same dates and markets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from tecton.errors import DateLike

# quantity -> (mart, column); every frame shares the dates of the returns mart
PRICE_PANELS = {
    "price_adj": ("futures.returns", "price_adj"),
    "ret_pts": ("futures.returns", "ret_pts"),
    "ret_pct": ("futures.returns", "ret_pct"),
    "carry_ann": ("futures.carry", "carry_ann"),
}
FUNDAMENTALS = "futures.fundamentals"


@dataclass(frozen=True)
class Panels:
    """Wide frames, index ``trade_date`` (DatetimeIndex), columns ``market_id``, NaN where absent."""

    price_adj: pd.DataFrame
    ret_pts: pd.DataFrame
    ret_pct: pd.DataFrame
    carry_ann: pd.DataFrame
    fundamentals: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def markets(self) -> list[str]:
        return list(self.price_adj.columns)

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.price_adj.index)

    def until(self, date: DateLike) -> Panels:
        """The panels as they stood at the close of ``date`` (rows after it dropped)."""
        when = pd.Timestamp(date)
        cut = {n: getattr(self, n).loc[:when] for n in PRICE_PANELS}
        return Panels(**cut, fundamentals={k: v.loc[:when] for k, v in self.fundamentals.items()})


def load_panels(
    markets: Sequence[str],
    start: DateLike | None = None,
    end: DateLike | None = None,
    *,
    as_of: DateLike | None = None,
    lookback: int = 0,
) -> Panels:
    """Read a universe's panels through Mantle.

    Parameters
    ----------
    markets : list of str
        Market ids (checked by Mantle against the warehouse).
    start, end : date-like, optional
        Window on ``trade_date``; ``lookback`` more bars before ``start`` warm the rules up.
    as_of : date-like, optional
        Read the data as known at this time (no look-ahead from later revisions).
    """
    # imported here, where data is read: importing a model (or a RiskEstimate) stays free of
    # ibis and DuckDB
    from tecton.dal.mantle import Mantle

    window = dict(markets=list(markets), lookback=lookback, as_of=as_of)
    frames: dict[str, pd.DataFrame] = {}
    for mart in dict.fromkeys(t for t, _ in PRICE_PANELS.values()):
        columns = [c for t, c in PRICE_PANELS.values() if t == mart]
        long = Mantle.select(mart, start, end, columns, **window)
        for name, (t, column) in PRICE_PANELS.items():
            if t == mart:
                frames[name] = _wide(long, column)
    dates, ids = frames["ret_pts"].index, list(markets)
    frames = {n: f.reindex(index=dates, columns=ids) for n, f in frames.items()}
    return Panels(**frames, fundamentals=_fundamentals(start, end, dates, ids, window))


def _fundamentals(start, end, dates, ids, window) -> dict[str, pd.DataFrame]:
    from tecton.dal.mantle import Mantle

    if FUNDAMENTALS not in {t.path for t in Mantle.catalog(window["as_of"]).tables()}:
        return {}
    # markets without fundamentals (a peer's prices, say) simply have none: not an unknown market
    released = set(Mantle.markets(FUNDAMENTALS, as_of=window["as_of"]))
    window = {**window, "markets": [m for m in window["markets"] if m in released]}
    if not window["markets"]:
        return {}
    long = Mantle.select(FUNDAMENTALS, start, end, ["series", "value"], **window)
    return {
        series: _wide(rows, "value").reindex(index=dates, columns=ids)
        for series, rows in long.groupby("series", sort=True)
    }


def _wide(long: pd.DataFrame, column: str) -> pd.DataFrame:
    wide = long.pivot(index="trade_date", columns="market_id", values=column)
    wide.index = pd.DatetimeIndex(wide.index, name="trade_date")
    wide.columns.name = "market_id"
    return wide.astype("float64")
