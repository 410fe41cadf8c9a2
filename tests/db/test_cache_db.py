"""Issue 13 L2 on SQLite and PostgreSQL: the counters the app servers cache by, and two servers on one database.

"Two servers" are two Engines on the same database, each with its own process cache entry (the cache is
keyed by Engine), which is what two app processes are.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, text

from db.engine import make_engine, session_scope
from lib import cache
from lib.services import accounts, sessions, settings
from tests.db.helpers import make_user


def counters(engine) -> dict[str, int]:
    with session_scope(engine, write=False) as session:
        return cache.read_versions(session)


def admin_of(engine):
    return accounts.create_first_admin(engine, username="boss", name="老板", password="secret123", repeat="secret123")


@pytest.fixture
def second_server(engine):
    other = make_engine(engine.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


class Statements:
    """Every SQL statement an engine sends, while counting."""

    def __init__(self, engine):
        self.sent: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)
        self.engine = engine

    def _seen(self, _conn, _cursor, statement, *_args):
        self.sent.append(statement)

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_L2_writes_move_the_counters_in_their_own_transaction_and_a_touch_does_not(engine, now):
    """L2: a setting change moves ``settings``; an account change, a deactivation, a logout move ``auth``;
    the once-a-minute last_seen_at write and a failed login do not (they would empty every cache)."""
    admin = admin_of(engine)
    desk = make_user(engine, username="desk")
    start = counters(engine)
    settings.change_setting(engine, actor=admin, key="auth.idle_timeout_minutes", text="30")
    after_setting = counters(engine)
    assert after_setting["settings"] > start["settings"] and after_setting["auth"] == start["auth"]

    secret = accounts.authenticate(engine, username="desk", password="password1").session_secret
    accounts.authenticate(engine, username="desk", password="wrong-one")
    after_logins = counters(engine)
    assert after_logins == after_setting, "logging in (a new session, a failed attempt) changes no cached value"

    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
    assert sessions.resume(engine, secret=secret, now=later) is not None  # writes last_seen_at
    assert counters(engine) == after_logins

    sessions.logout(engine, secret=secret)
    after_logout = counters(engine)
    assert after_logout["auth"] > after_logins["auth"]
    accounts.set_active(engine, actor=admin, user_id=desk.id, active=False)
    assert counters(engine)["auth"] > after_logout["auth"]


def test_L2_a_write_around_the_services_moves_the_counter_too(engine):
    """L2: the triggers, not the services, bump the counters: a hand-written UPDATE is seen as well."""
    desk = make_user(engine, username="desk")
    before = counters(engine)["auth"]
    with session_scope(engine) as session:
        session.execute(text("UPDATE app_user SET active = :off WHERE id = :id"), {"off": False, "id": desk.id})
    assert counters(engine)["auth"] > before


def test_L2_R2_a_logout_or_deactivation_on_one_server_is_refused_on_the_other_at_its_next_check(engine,
                                                                                             second_server):
    """L2 + R2: server A answers a live session from memory; server B ends it (logout), then deactivates a
    second user: A refuses both on its very next check."""
    admin = admin_of(engine)
    make_user(engine, username="desk")
    make_user(engine, username="hall")
    desk = accounts.authenticate(engine, username="desk", password="password1").session_secret
    hall = accounts.authenticate(engine, username="hall", password="password1").session_secret
    assert sessions.resume_cached(engine, secret=desk).username == "desk"
    assert sessions.resume_cached(engine, secret=hall).username == "hall"

    sessions.logout(second_server, secret=desk)
    assert sessions.resume_cached(engine, secret=desk) is None
    assert sessions.resume_cached(engine, secret=hall).username == "hall"

    hall_id = accounts.load_actor(engine, "hall").id
    accounts.set_active(second_server, actor=admin, user_id=hall_id, active=False)
    assert sessions.resume_cached(engine, secret=hall) is None


def test_L2_an_account_change_on_another_server_is_seen_at_the_next_check(engine, second_server):
    """L2: the cached actor follows a language change made through the other server, and a role written
    there by hand (no service ending the session): the actor A returns has the new role at once."""
    desk = make_user(engine, username="desk")
    secret = accounts.authenticate(engine, username="desk", password="password1").session_secret
    assert sessions.resume_cached(engine, secret=secret).lang == "zh_CN"
    accounts.set_language(second_server, actor=desk, lang="en")
    assert sessions.resume_cached(engine, secret=secret).lang == "en"
    with session_scope(second_server) as session:
        session.execute(text("UPDATE app_user SET role = 'supervisor' WHERE id = :id"), {"id": desk.id})
    assert sessions.resume_cached(engine, secret=secret).role == "supervisor"


def test_L2_a_settings_change_on_another_server_is_seen_at_the_next_read(engine, second_server):
    """L2: server A keeps the decoded settings; B changes one; A's next read (engine or transaction) has it."""
    admin = admin_of(engine)
    assert settings.values(engine, ["auth.idle_timeout_minutes"]) == {"auth.idle_timeout_minutes": 480}
    settings.change_setting(second_server, actor=admin, key="auth.idle_timeout_minutes", text="45")
    assert settings.values(engine, ["auth.idle_timeout_minutes"]) == {"auth.idle_timeout_minutes": 45}
    with session_scope(engine, write=False) as session:
        assert settings.current_values(session, ["auth.idle_timeout_minutes"])["auth.idle_timeout_minutes"] == 45


def test_L2_a_live_session_costs_one_primary_key_read_when_nothing_changed(engine):
    """L2: the second check of a live session reads the counters and nothing else (no session, user or
    settings rows); the first read them."""
    make_user(engine, username="desk")
    secret = accounts.authenticate(engine, username="desk", password="password1").session_secret
    assert sessions.resume_cached(engine, secret=secret) is not None
    watch = Statements(engine)
    try:
        assert sessions.resume_cached(engine, secret=secret).username == "desk"
    finally:
        watch.close()
    queries = [s for s in watch.sent if s.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK")
               and s.strip().upper() != "SELECT 1"]
    # the auth counter and the settings counter (no script run here to remember the first for the second)
    assert len(queries) == 2 and all("FROM cache_version" in s for s in queries), queries


def test_L2_settings_in_the_same_transaction_see_their_own_write(engine):
    """L2: a transaction reads its own new value (the trigger moved the counter inside it)."""
    from db.models import SettingValue

    admin_of(engine)
    assert settings.values(engine, ["display.refresh_seconds"])["display.refresh_seconds"] == 60
    with session_scope(engine) as session:
        session.add(SettingValue(key="display.refresh_seconds", value="45",
                                 effective_from=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1),
                                 changed_at=dt.datetime.now(dt.timezone.utc)))
        session.flush()
        assert settings.current_values(session, ["display.refresh_seconds"])["display.refresh_seconds"] == 45
    assert settings.values(engine, ["display.refresh_seconds"])["display.refresh_seconds"] == 45
