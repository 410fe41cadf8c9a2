"""R14: the waiting limits come from the environment, with sane defaults; R3: incident numbers."""

from __future__ import annotations

import datetime as dt
import re

from db.engine import TIMEOUTS, make_engine, postgres_connect_args, timeout
from lib.incidents import incident_number


def test_R14_timeouts_have_defaults_and_ignore_nonsense(monkeypatch):
    for name, default in TIMEOUTS.items():
        monkeypatch.delenv(name, raising=False)
        assert timeout(name) == default
        for bad in ("", "abc", "-5", "1.5"):
            monkeypatch.setenv(name, bad)
            assert timeout(name) == default
        monkeypatch.setenv(name, "42")
        assert timeout(name) == 42


def test_R14_sqlite_busy_timeout_is_the_configured_one(tmp_path, monkeypatch):
    monkeypatch.setenv("DUTYDESK_SQLITE_BUSY_TIMEOUT_MS", "1234")
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    assert engine.pool._pre_ping
    engine.dispose()


def test_R14_postgres_connections_get_connect_statement_and_lock_limits(monkeypatch):
    monkeypatch.setenv("DUTYDESK_DB_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("DUTYDESK_DB_STATEMENT_TIMEOUT_MS", "2000")
    monkeypatch.delenv("DUTYDESK_DB_LOCK_TIMEOUT_MS", raising=False)
    assert postgres_connect_args() == {"connect_timeout": 3,
                                       "options": "-c statement_timeout=2000 -c lock_timeout=10000"}
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")  # built, never connected
    assert engine.pool._pre_ping
    engine.dispose()


def test_R3_incident_numbers_are_short_dated_and_distinct():
    now = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.timezone.utc)
    numbers = {incident_number(now) for _ in range(200)}
    assert len(numbers) == 200
    assert all(re.fullmatch(r"261206-[A-HJ-NP-Z2-9]{6}", n) for n in numbers)
