"""Shared fixtures: migrated databases on SQLite and PostgreSQL, actors, a fixed clock."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import uuid

import pytest

os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
os.environ.setdefault("DUTYDESK_COOKIE_KEY", secrets.token_urlsafe(48))

from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(engine)
    return engine


def postgres_engine():
    """A fresh schema on the test PostgreSQL, migrated; dropped by the caller via ``drop``."""
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI")
        pytest.skip("TEST_DATABASE_URL not set (PostgreSQL tests run in CI)")
    from sqlalchemy import text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = PG_URL + ("&" if "?" in PG_URL else "?") + f"options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)

    def drop():
        engine.dispose()
        cleanup = make_engine(PG_URL)
        with cleanup.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        cleanup.dispose()

    return engine, drop


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A migrated, empty database on each backend (tests/db run on both)."""
    if request.param == "sqlite":
        eng = sqlite_engine(tmp_path)
        yield eng
        eng.dispose()
    else:
        eng, drop = postgres_engine()
        yield eng
        drop()


@pytest.fixture
def sqlite_only(tmp_path):
    eng = sqlite_engine(tmp_path)
    yield eng
    eng.dispose()


@pytest.fixture
def now():
    return dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)  # Friday 10:00 in Shanghai
