"""Office calendar and clock conversions: times are stored in UTC and shown and
bucketed in the office time zone (SPEC M0; default Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lib.domain.errors import DomainError
from lib.domain.settings import TITLE_MAX, CrossRule, SettingDef, clock, short_text, time_zone

SETTINGS = [
    SettingDef("office.timezone", "Asia/Shanghai", "str", "", "(assumed)",
               validate=time_zone("settings.schema.timezone")),
    SettingDef("workday_start", dt.time(8, 50), "time", "", "seed 000 D13"),
    SettingDef("workday_end", dt.time(18, 0), "time", "", "seed 000 D13"),
    SettingDef("sheet_second_signer_title", "供需", "str", "", "seed 000 D1",
               validate=short_text("settings.schema.title", TITLE_MAX)),
    SettingDef("holidays", [], "json", "dates", "(assumed)"),
]
CROSS_RULES = [
    CrossRule(("workday_start", "workday_end"), lambda start, end: clock(start) < clock(end),
              "settings.cross.workday_order"),
]


def zone(name: str) -> ZoneInfo:
    """The office time zone; an unknown name is a settings error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError("settings.bad_timezone", value=name) from exc


def local_day(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The office calendar day a UTC moment falls on."""
    return moment.astimezone(tz).date()


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of an office day as aware UTC datetimes, for indexed range queries."""
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def range_bounds(first: dt.date, last: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start of ``first``, end of ``last``) in UTC; raises when the range is reversed."""
    if last < first:
        raise DomainError("search.bad_range")
    return day_bounds(first, tz)[0], day_bounds(last, tz)[1]


def to_local(moment: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(tz)


def local_to_utc(day: dt.date, clock: dt.time, tz: ZoneInfo) -> dt.datetime:
    """An office-local wall time as aware UTC."""
    return dt.datetime.combine(day, clock, tzinfo=tz).astimezone(dt.timezone.utc)
