"""Accounts: password rules, failed-login lockout, usernames, roles (SPEC M0; STYLE Auth)."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from lib.domain.errors import DomainError, FieldError, ValidationFailed
from lib.domain.settings import SettingDef
from lib.domain.text import clean

SETTINGS = [
    SettingDef("auth.max_failed_logins", 5, "int", "times", "(assumed)", minimum=1, maximum=100),
    SettingDef("auth.lockout_minutes", 15, "int", "min", "(assumed)", minimum=1, maximum=1440),
    SettingDef("auth.idle_timeout_minutes", 480, "int", "min", "(assumed)", minimum=5, maximum=10080),
]

SESSION_MAX_DAYS = 7  # the cookie's own life: a session older than this is over, however busy (STYLE Auth)
SESSION_TOUCH_SECONDS = 60  # last_seen is written at most once a minute, not on every rerun

PASSWORD_MIN_BYTES = 8
PASSWORD_MAX_BYTES = 72  # bcrypt 5 refuses longer secrets
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")


class Role(StrEnum):
    """App roles (SPEC M0 Roles)."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    STAFF = "staff"
    DISPLAY = "display"


def password_problem(password: str, repeat: str | None = None) -> str | None:
    """The catalog key of what is wrong with a new password, or None (STYLE Auth: 8–72 UTF-8 bytes)."""
    size = len(password.encode("utf-8"))
    if size < PASSWORD_MIN_BYTES:
        return "password.too_short"
    if size > PASSWORD_MAX_BYTES:
        return "password.too_long"
    if password != password.strip():
        return "password.spaces"
    if repeat is not None and password != repeat:
        return "password.mismatch"
    return None


def normalise_username(text: str) -> str:
    """Usernames are lower-case ASCII so the login form and the cookie agree."""
    return clean(text).lower()


def validate_account(*, username: str, name: str, role: str, password: str | None = None,
                     repeat: str | None = None) -> tuple[str, str]:
    """Check a new or edited account; returns the clean (username, name) or raises ValidationFailed."""
    errors: list[FieldError] = []
    username = normalise_username(username)
    if not _USERNAME.match(username):
        errors.append(FieldError("username", "account.bad_username"))
    name = clean(name)
    if not name:
        errors.append(FieldError("name", "field.required"))
    elif len(name) > 50:
        errors.append(FieldError("name", "field.too_long", {"max": 50}))
    if role not in {r.value for r in Role}:
        errors.append(FieldError("role", "account.bad_role"))
    if password is not None:
        problem = password_problem(password, repeat)
        if problem:
            errors.append(FieldError("password", problem, {"min": PASSWORD_MIN_BYTES, "max": PASSWORD_MAX_BYTES}))
    if errors:
        raise ValidationFailed(errors)
    return username, name


def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    """An account is locked until ``locked_until`` passes."""
    return locked_until is not None and now < locked_until


def after_failed_login(failed_before: int, now: dt.datetime, max_failed: int,
                       lockout_minutes: int) -> tuple[int, dt.datetime | None]:
    """The failure count and lock after one more failure: the ``max_failed``-th locks (assumed: 5 / 15 min)."""
    failed = failed_before + 1
    if failed >= max_failed:
        return 0, now + dt.timedelta(minutes=lockout_minutes)
    return failed, None


def ensure_can_login(active: bool, locked_until: dt.datetime | None, now: dt.datetime) -> None:
    """Refuse a deactivated or locked account before its password is even checked."""
    if not active:
        raise DomainError("login.failed")
    if is_locked(locked_until, now):
        raise DomainError("login.locked", minutes=max(1, int((locked_until - now).total_seconds() // 60) + 1))


def session_end_reason(*, ended_at: dt.datetime | None, created_at: dt.datetime, last_seen_at: dt.datetime,
                       user_active: bool, idle_minutes: int, now: dt.datetime) -> str | None:
    """Why a server session no longer opens the app, or None while it does (R2; idle limit assumed 480 min)."""
    if ended_at is not None or not user_active:
        return "ended"
    if now - last_seen_at > dt.timedelta(minutes=idle_minutes):
        return "idle"
    if now - created_at > dt.timedelta(days=SESSION_MAX_DAYS):
        return "expired"
    return None


def session_needs_touch(last_seen_at: dt.datetime, now: dt.datetime) -> bool:
    """Write last_seen at most once a minute, so a busy page is not a write per rerun (R2)."""
    return now - last_seen_at >= dt.timedelta(seconds=SESSION_TOUCH_SECONDS)


def access_changed(before_role: str, before_titles: list | tuple, after_role: str, after_titles: list | tuple) -> bool:
    """A role or title change ends the person's sessions: what they may open has changed (R2)."""
    return before_role != after_role or sorted(before_titles or ()) != sorted(after_titles or ())
