"""R2: a cookie that does not verify is no login (never a traceback); the session rules are pure."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets

import jwt
import pytest

from lib.domain import accounts as rules
from lib.services.sessions import decode_token, encode_token

KEY = secrets.token_urlsafe(48)
SECRET = secrets.token_urlsafe(32)
NOW = dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.timezone.utc)
LATER = int((dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).timestamp())


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_R2_a_token_we_signed_names_its_session_and_nothing_else():
    token = encode_token(SECRET, KEY)
    assert decode_token(token, KEY) == SECRET
    assert set(jwt.decode(token, KEY, algorithms=["HS256"])) == {"sid", "exp"}  # no username in the cookie


FORGED = {
    "hs512 with our key": lambda: jwt.encode({"sid": SECRET, "exp": LATER}, KEY, algorithm="HS512"),
    "alg none": lambda: f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'sid': SECRET, 'exp': LATER})}.",
    "another key": lambda: jwt.encode({"sid": SECRET, "exp": LATER}, "x" * 48, algorithm="HS256"),
    "expired": lambda: jwt.encode({"sid": SECRET, "exp": 1_000_000}, KEY, algorithm="HS256"),
    "no expiry": lambda: jwt.encode({"sid": SECRET}, KEY, algorithm="HS256"),
    "old username cookie": lambda: jwt.encode({"username": "admin", "exp_date": LATER}, KEY, algorithm="HS256"),
    "sid not a string": lambda: jwt.encode({"sid": 12345678901234567890123, "exp": LATER}, KEY, algorithm="HS256"),
    "garbage": lambda: "garbage",
    "three dots": lambda: "a.b.c",
    "empty": lambda: "",
    "none value": lambda: None,
    "bytes": lambda: b"\x00\xff",
    "huge": lambda: "A" * 100_000,
    "chinese": lambda: "管理员.管理员.管理员",
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_R2_a_cookie_that_does_not_verify_is_no_login_and_no_traceback(name):
    """R2: wrong alg, HS512, none, another key, expired, garbage: None, never an exception."""
    assert decode_token(FORGED[name](), KEY) is None


def test_R2_a_session_ends_when_ended_idle_expired_or_its_user_is_deactivated():
    live = dict(ended_at=None, created_at=NOW, last_seen_at=NOW, user_active=True, idle_minutes=480)
    assert rules.session_end_reason(**live, now=NOW + dt.timedelta(minutes=480)) is None
    assert rules.session_end_reason(**live, now=NOW + dt.timedelta(minutes=481)) == "idle"
    assert rules.session_end_reason(**{**live, "ended_at": NOW}, now=NOW) == "ended"
    assert rules.session_end_reason(**{**live, "user_active": False}, now=NOW) == "ended"
    busy = {**live, "last_seen_at": NOW + dt.timedelta(days=7, minutes=1)}
    assert rules.session_end_reason(**busy, now=NOW + dt.timedelta(days=7, minutes=2)) == "expired"


def test_R2_last_seen_is_written_at_most_once_a_minute():
    assert not rules.session_needs_touch(NOW, NOW + dt.timedelta(seconds=59))
    assert rules.session_needs_touch(NOW, NOW + dt.timedelta(seconds=60))


def test_R2_a_role_or_title_change_counts_as_an_access_change_and_a_reorder_does_not():
    assert rules.access_changed("staff", ["a", "b"], "supervisor", ["a", "b"])
    assert rules.access_changed("staff", ["a"], "staff", ["a", "b"])
    assert not rules.access_changed("staff", ["b", "a"], "staff", ["a", "b"])
