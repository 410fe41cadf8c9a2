"""China working days, with make-up days (SPEC Conventions)."""

import datetime as dt

from lib.domain.office import day_bounds, local_day, zone
from lib.domain.workdays import is_working_day, nth_working_day


def test_national_day_week_and_make_up_saturday():
    assert nth_working_day(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert nth_working_day(dt.date(2026, 9, 30), 2) == dt.date(2026, 10, 9)
    assert is_working_day(dt.date(2026, 10, 10))
    assert not is_working_day(dt.date(2026, 10, 3))
    assert not is_working_day(dt.date(2026, 11, 23), frozenset({dt.date(2026, 11, 23)}))


def test_office_day_is_bucketed_in_shanghai_time():
    tz = zone("Asia/Shanghai")
    start, end = day_bounds(dt.date(2026, 11, 20), tz)
    assert start == dt.datetime(2026, 11, 19, 16, 0, tzinfo=dt.timezone.utc)
    assert end - start == dt.timedelta(days=1)
    assert local_day(dt.datetime(2026, 11, 19, 16, 30, tzinfo=dt.timezone.utc), tz) == dt.date(2026, 11, 20)
