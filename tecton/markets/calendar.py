"""Exchange trading days and contract expiry rules.

Trading days come from ``pandas_market_calendars`` (never hand-written holiday lists). An expiry
rule is a registered name in ``markets.csv``; each maps a delivery month to a date using only the
market's own trading days, so a holiday moves the expiry the way the exchange would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas_market_calendars as mcal

CALENDAR_START = "1970-01-01"
CALENDAR_END = "2035-12-31"

MONTH_CODES = "FGHJKMNQUVXZ"


@cache
def trading_days(calendar: str) -> np.ndarray:
    """All trading days of an exchange calendar as a sorted ``datetime64[D]`` array."""
    days = mcal.get_calendar(calendar).valid_days(CALENDAR_START, CALENDAR_END)
    return days.tz_localize(None).values.astype("datetime64[D]")


def _month(year: int, month: int, shift: int = 0) -> tuple[int, int]:
    index = year * 12 + (month - 1) + shift
    return index // 12, index % 12 + 1


def _day(year: int, month: int, day: int) -> np.datetime64:
    return np.datetime64(dt.date(year, month, day), "D")


class _Days:
    """Business-day arithmetic on one exchange's trading days."""

    def __init__(self, days: np.ndarray):
        self.days = days

    def on_or_before(self, day: np.datetime64) -> int:
        return int(np.searchsorted(self.days, day, side="right")) - 1

    def before(self, day: np.datetime64, n: int = 1) -> np.datetime64:
        """The n-th trading day strictly before ``day``."""
        return self.days[int(np.searchsorted(self.days, day, side="left")) - n]

    def last_of_month(self, year: int, month: int, back: int = 0) -> np.datetime64:
        """The last trading day of a month, or ``back`` trading days before it."""
        ny, nm = _month(year, month, 1)
        return self.days[self.on_or_before(_day(ny, nm, 1) - 1) - back]

    def nth_of_month(self, year: int, month: int, n: int) -> np.datetime64:
        return self.days[int(np.searchsorted(self.days, _day(year, month, 1))) + n - 1]

    def on_or_before_day(self, day: np.datetime64) -> np.datetime64:
        return self.days[self.on_or_before(day)]


def _weekday(year: int, month: int, weekday: int, nth: int) -> np.datetime64:
    """The nth given weekday (Monday=0) of a month, as a calendar date."""
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return _day(year, month, 1 + offset + 7 * (nth - 1))


def _third_friday(d: _Days, y: int, m: int) -> np.datetime64:
    return d.on_or_before_day(_weekday(y, m, 4, 3))


def _vix(d: _Days, y: int, m: int) -> np.datetime64:
    # Wednesday 30 days before the third Friday of the following month
    ny, nm = _month(y, m, 1)
    return d.on_or_before_day(_weekday(ny, nm, 4, 3) - 30)


def _crude(d: _Days, y: int, m: int) -> np.datetime64:
    # 3 trading days before the 25th of the month before delivery (the 25th itself if it trades)
    py, pm = _month(y, m, -1)
    return d.before(_day(py, pm, 25) + 1, 4)


EXPIRY_RULES: dict[str, Callable[[_Days, int, int], np.datetime64]] = {
    "third_friday": _third_friday,
    "second_friday": lambda d, y, m: d.before(_weekday(y, m, 4, 2)),
    "third_wednesday": lambda d, y, m: d.on_or_before_day(_weekday(y, m, 2, 3)),
    "third_wednesday_minus_2bd": lambda d, y, m: d.before(_weekday(y, m, 2, 3), 2),
    "last_bd_minus_7": lambda d, y, m: d.last_of_month(y, m, back=7),
    "tenth_minus_2bd": lambda d, y, m: d.before(_day(y, m, 10), 2),
    "twentieth_minus_5bd": lambda d, y, m: d.before(_day(y, m, 20), 5),
    "crude": _crude,
    "last_bd_two_months_prior": lambda d, y, m: d.last_of_month(*_month(y, m, -2)),
    "third_last_bd_prev_month": lambda d, y, m: d.last_of_month(*_month(y, m, -1), back=2),
    "last_bd_prev_month": lambda d, y, m: d.last_of_month(*_month(y, m, -1)),
    "third_last_bd": lambda d, y, m: d.last_of_month(y, m, back=2),
    "bd_before_15th": lambda d, y, m: d.before(_day(y, m, 15)),
    "tenth_bd": lambda d, y, m: d.nth_of_month(y, m, 10),
    "last_bd": lambda d, y, m: d.last_of_month(y, m),
    "vix": _vix,
}


def rule_date(rule: str, calendar: str, year: int, month: int) -> dt.date:
    """The date a named rule gives for the contract delivering in ``year``-``month``."""
    try:
        fn = EXPIRY_RULES[rule]
    except KeyError:
        raise ValueError(
            f"unknown expiry rule {rule!r}; known: {', '.join(sorted(EXPIRY_RULES))}"
        ) from None
    return fn(_Days(trading_days(calendar)), year, month).astype(dt.date)
