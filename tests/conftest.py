"""Shared fixtures: migrated databases on SQLite and PostgreSQL, actors, a fixed clock."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import queue
import secrets
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
os.environ.setdefault("DUTYDESK_COOKIE_KEY", secrets.token_urlsafe(48))

from sqlalchemy.engine import make_url  # noqa: E402

from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


_TEMPLATES: dict[str, str] = {}
# pytest-xdist runs `make test` in several processes: each makes its own templates (named after the worker, so
# `pg_database` shows whose they are) and drops them at its exit; the other databases are uuid-named per test.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def pytest_configure(config):
    """The hostile layer's table is written by the process that ends the run (under xdist: the controller)."""
    from tests.hostile import report

    if not config.pluginmanager.is_registered(report):
        config.pluginmanager.register(report, "hostile_report")


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``make test`` runs in three pytest-xdist workers, a whole file at a time (module fixtures, ordered steps):
    ``--dist loadfile``, except that every browser test (tests/e2e) goes to one worker, one server and one
    Chromium at a time as in a serial run."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesE2EOnOneWorker(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/e2e" if path.startswith("tests/e2e/") else path

        def schedule(self) -> None:
            # Units in collection order (pytest_collection_modifyitems puts the browser tests first), not by size.
            reorder, config.option.loadscopereorder = config.option.loadscopereorder, False
            try:
                super().schedule()
            finally:
                config.option.loadscopereorder = reorder

    return FilesE2EOnOneWorker(config, log)


def pytest_collection_modifyitems(config, items):
    """The browser tests first. Under xdist they are one unit of work, the longest of the run (about nine minutes of
    a 2-core runner's time): started at once on one worker while the other takes the rest, instead of after the
    files collected before them, they no longer end the run alone (``make test``'s wall time)."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/e2e/"))  # stable: each part keeps its order


def _sqlite_template() -> Path:
    """One migrated SQLite file per test run; each test gets a copy (migrating every time is slow)."""
    if "sqlite" not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix=f"dd_template_{WORKER}_"))
        engine = make_engine(f"sqlite:///{folder / 'template.db'}")
        upgrade(engine)
        engine.dispose()  # the last connection closing checkpoints the WAL into the file
        assert not (folder / "template.db-wal").exists()
        _TEMPLATES["sqlite"] = str(folder / "template.db")
    return Path(_TEMPLATES["sqlite"])


def sqlite_engine(tmp_path):
    """A fresh, migrated SQLite database file in ``tmp_path``."""
    target = tmp_path / "test.db"
    shutil.copyfile(_sqlite_template(), target)
    return make_engine(f"sqlite:///{target}")


def _pg_admin():
    from sqlalchemy import create_engine

    return create_engine(make_url(make_engine(PG_URL).url), isolation_level="AUTOCOMMIT")


def _pg_template() -> str:
    """A migrated template database, created once per run; tests clone it (CREATE DATABASE ... TEMPLATE)."""
    if "pg" not in _TEMPLATES:
        name = f"dd_tpl_{WORKER}_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        engine = make_engine(_pg_url(name))
        upgrade(engine)
        engine.dispose()
        _TEMPLATES["pg"] = name
        atexit.register(_drop_pg_database, name)
    return _TEMPLATES["pg"]


def _pg_url(database: str) -> str:
    return make_engine(PG_URL).url.set(database=database).render_as_string(hide_password=False)


def _drop_pg_database(name: str) -> None:
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


class _PgClones:
    """Fresh databases cloned from the template ahead of need, and dropped after use, by one thread of this worker.

    A clone takes about a second of the PostgreSQL server's disk work (CREATE DATABASE ... TEMPLATE), during which
    the test process only waited: some 1,100 of them made up about half of CI's time. The thread keeps ``AHEAD``
    clones ready while tests run, and drops used ones behind them. It is the template's only user, since
    PostgreSQL refuses to clone a template another session is cloning."""

    AHEAD = 2

    def __init__(self, template: str) -> None:
        self.template = template
        self.ready: queue.Queue = queue.Queue()
        self.jobs: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._work, name="pg-clones", daemon=True)
        self.thread.start()
        for _ in range(self.AHEAD):
            self.jobs.put(("create", None))
        atexit.register(self.close)

    def _work(self) -> None:
        admin = _pg_admin()
        while True:
            job, name = self.jobs.get()
            if job == "stop":
                break
            try:
                with admin.connect() as conn:
                    if job == "create":
                        name = f"dd_t_{uuid.uuid4().hex[:12]}"
                        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
                    else:
                        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if job == "create":
                    self.ready.put(name)
            except Exception as exc:  # noqa: BLE001 - handed to the test that asks for the clone
                if job == "create":
                    self.ready.put(exc)
        admin.dispose()

    def take(self) -> str:
        self.jobs.put(("create", None))  # the next one, while this test runs
        found = self.ready.get(timeout=300)
        if isinstance(found, Exception):
            raise found
        return found

    def drop(self, name: str) -> None:
        self.jobs.put(("drop", name))

    def close(self) -> None:
        self.jobs.put(("stop", None))
        self.thread.join(timeout=60)
        while not self.ready.empty():
            name = self.ready.get()
            if isinstance(name, str):
                _drop_pg_database(name)


_CLONES: dict[str, _PgClones] = {}


def postgres_engine():
    """A fresh database cloned from the migrated template (made ahead by :class:`_PgClones`); ``drop`` removes it."""
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI")
        pytest.skip("TEST_DATABASE_URL not set (PostgreSQL tests run in CI)")
    template = _pg_template()
    clones = _CLONES.get(template) or _CLONES.setdefault(template, _PgClones(template))
    name = clones.take()
    engine = make_engine(_pg_url(name))

    def drop():
        engine.dispose()
        clones.drop(name)

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
