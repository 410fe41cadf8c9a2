"""Password rules and failed-login lockout (SPEC M0; STYLE Auth)."""

import datetime as dt

import pytest

from lib.domain import accounts
from lib.domain.errors import DomainError, ValidationFailed

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("password,repeat,problem", [
    ("1234567", None, "password.too_short"), ("12345678", None, None), ("密码密码密码", None, None),
    ("密" * 24, None, None), ("密" * 25, None, "password.too_long"), ("a" * 73, None, "password.too_long"),
    (" abcdefgh", None, "password.spaces"), ("abcdefgh", "abcdefgi", "password.mismatch"),
])
def test_password_rules_count_utf8_bytes(password, repeat, problem):
    assert accounts.password_problem(password, repeat) == problem


def test_five_failures_lock_for_fifteen_minutes():
    failed, locked = 0, None
    for _ in range(4):
        failed, locked = accounts.after_failed_login(failed, NOW, 5, 15)
        assert locked is None
    failed, locked = accounts.after_failed_login(failed, NOW, 5, 15)
    assert (failed, locked) == (0, NOW + dt.timedelta(minutes=15))
    with pytest.raises(DomainError) as info:
        accounts.ensure_can_login(True, locked, NOW + dt.timedelta(minutes=14))
    assert info.value.key == "login.locked"
    accounts.ensure_can_login(True, locked, NOW + dt.timedelta(minutes=15))


def test_inactive_account_cannot_log_in_and_says_nothing_more():
    with pytest.raises(DomainError) as info:
        accounts.ensure_can_login(False, None, NOW)
    assert info.value.key == "login.failed"


def test_account_validation_lists_every_problem():
    with pytest.raises(ValidationFailed) as info:
        accounts.validate_account(username="A B", name="", role="boss", password="short", repeat="short")
    assert info.value.keys() == {"username": "account.bad_username", "name": "field.required",
                                 "role": "account.bad_role", "password": "password.too_short"}
    assert accounts.validate_account(username=" Admin ", name=" 王 ", role="admin") == ("admin", "王")
