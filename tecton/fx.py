"""FX rates in the base currency, read through Mantle from the ``fx.rates`` mart.

    from tecton import fx
    fx.rates(["EUR", "JPY"], "2020-01-01", "2020-12-31")   # base per unit, one column a currency

The base currency is ``TECTON_BASE_CURRENCY`` (default USD, see :func:`tecton.config.base_currency`);
the mart is built in it, so a warehouse built under another base is refused rather than misread.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from tecton.config import base_currency
from tecton.dal.catalog import TectonError
from tecton.dal.mantle import DateLike, Mantle

TABLE = "fx.rates"


def rates(
    currencies: Iterable[str] | str | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
    as_of: DateLike | None = None,
) -> pd.DataFrame:
    """Units of the base currency per one unit of each currency, one row per date.

    Parameters
    ----------
    currencies : list of str, optional
        ISO codes; every currency of the mart when omitted. The base currency is always 1.0.
    start, end : date-like, optional
        Inclusive window of trade dates.
    as_of : date-like, optional
        Read the rates as known then (see ``Mantle.select``).

    Returns
    -------
    pandas.DataFrame
        Index ``trade_date`` (the days any requested currency has a rate), one column per
        currency in the order asked. A day a currency has no rate of its own carries its last
        earlier rate (never a later one); before its first rate it is NaN.
    """
    base = base_currency()
    wanted = [currencies] if isinstance(currencies, str) else currencies
    wanted = None if wanted is None else [c.strip().upper() for c in wanted]
    where = None if wanted is None else {"currency": [c for c in wanted if c != base] or [base]}
    long = Mantle.select(
        TABLE, start, end, ["currency", "rate", "base_currency"], as_of=as_of, where=where
    )
    built_in = set(long["base_currency"])
    if built_in and built_in != {base}:
        raise TectonError(
            f"the warehouse's FX rates are in {', '.join(sorted(built_in))} but TECTON_BASE_CURRENCY "
            f"is {base}: rebuild the warehouse (tecton build) under {base}"
        )
    if wanted is not None and (missing := sorted(set(wanted) - set(long["currency"]) - {base})):
        known = Mantle.select(TABLE, columns=["currency"], as_of=as_of)["currency"]
        raise TectonError(
            f"no FX rate for {', '.join(missing)} in {TABLE}"
            + (f" between {start} and {end}" if start or end else "")
            + f"; currencies: {', '.join(sorted(set(known))) or 'none'}"
        )
    wide = long.pivot(index="trade_date", columns="currency", values="rate").sort_index().ffill()
    wide[base] = 1.0
    wide.columns.name = None
    return wide[wanted if wanted is not None else sorted(wide.columns)]
