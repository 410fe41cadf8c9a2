"""Settings: one mechanism, typed values, every SPEC parameter declared with a source."""

import datetime as dt

import pytest

from lib.domain.errors import DomainError
from lib.domain.settings import SettingDef, decode, encode, parse_value
from lib.services.settings import definitions

M0_M21_KEYS = {"workday_start", "workday_end", "holidays", "office.timezone", "auth.max_failed_logins",
               "auth.lockout_minutes", "visitor.max_headcount", "phone.relay_overdue"}


def test_platform_settings_are_declared_with_sources():
    defs = definitions()
    assert M0_M21_KEYS <= set(defs)
    assert all(d.source for d in defs.values())


def test_parse_and_round_trip():
    hours = SettingDef("x", 2, "int", "h", "(assumed)", minimum=1, maximum=72)
    assert parse_value(hours, " 3 ") == 3
    with pytest.raises(DomainError) as info:
        parse_value(hours, "0")
    assert info.value.key == "settings.below_minimum"
    with pytest.raises(DomainError):
        parse_value(hours, "two")
    clock = SettingDef("t", dt.time(8, 50), "time", "", "seed 000 D13")
    assert decode(clock, encode(parse_value(clock, "09:05"))) == dt.time(9, 5)
    flag = SettingDef("b", False, "bool", "", "seed 000 D9")
    assert parse_value(flag, "是") is True and parse_value(flag, "false") is False


def test_T13_every_rule_title_default_is_on_the_managed_title_list():
    """T13: rules name titles from org.titles, so the defaults must too (a default outside it could never be kept)."""
    from lib.domain.people import DEFAULT_TITLES
    from lib.services.settings import definitions

    outside = {k: [t for t in d.default if t not in DEFAULT_TITLES] for k, d in definitions().items()
               if d.kind == "titles" and k != "org.titles"}
    assert {k: v for k, v in outside.items() if v} == {}
