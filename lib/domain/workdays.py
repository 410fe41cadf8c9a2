"""China working-day arithmetic.

Working day = Mon–Fri minus China's public holidays, with the official make-up
working days (调休) counted (SPEC Conventions). Backed by the maintained
``holidays`` package, which knows the make-up days; ``extra_holidays`` lets an
admin add office closures (setting ``holidays``, assumed).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _cn(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=[year - 1, year, year + 1])


def is_working_day(day: dt.date, extra_holidays: frozenset[dt.date] = frozenset()) -> bool:
    """True on a China working day (SPEC Conventions: make-up days count, holidays don't)."""
    if day in extra_holidays:
        return False
    return _cn(day.year).is_working_day(day)


def nth_working_day(day: dt.date, n: int, extra_holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    """The n-th working day after ``day``; the next working day is day 1 (SPEC reading 18)."""
    if n < 1:
        raise ValueError("n must be >= 1")
    current = day
    found = 0
    while found < n:
        current += dt.timedelta(days=1)
        if is_working_day(current, extra_holidays):
            found += 1
    return current


def working_days_between(start: dt.date, end: dt.date, extra_holidays: frozenset[dt.date] = frozenset()) -> int:
    """Working days in (start, end]; 0 when end <= start."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current, extra_holidays):
            count += 1
    return count
