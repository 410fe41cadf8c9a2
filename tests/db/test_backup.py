"""R13: backups that restore, on SQLite (after the writing app was killed) and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db import backup as bk
from db.engine import ROOT, make_engine
from db.models import VisitorEntry
from lib.domain.visitors import VisitorForm
from lib.services.visitors import register as visitors
from tests.conftest import PG_URL, _drop_pg_database, _pg_admin, _pg_url, postgres_engine, sqlite_engine
from tests.db.helpers import count, make_user

# The "app": registers visitors through the services in a loop, printing each id once committed.
WRITER = """
import sys
from db.engine import make_engine, session_scope
from db.models import User
from lib.domain.visitors import VisitorForm
from lib.services import accounts
from lib.services.visitors import register as visitors
engine = make_engine(sys.argv[1])
with session_scope(engine, write=False) as session:
    actor = accounts.actor_of(session.get(User, int(sys.argv[2])))
number = 0
while True:
    number += 1
    entry = visitors.register_visitor(engine, actor=actor, form=VisitorForm(
        name=f"访客{number}", headcount=1, purpose="商务洽谈", company="华为", phone=f"138{number:08d}"))
    print(entry, flush=True)
"""


def _sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    """Every table, row for row, read-only (and closed again: no lock of ours stays on the file)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall() for table in tables}
    finally:
        connection.close()


def _integrity(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def _read_until(writer: subprocess.Popen, last_id: int) -> None:
    """Wait until the writer has committed visitor ``last_id``."""
    while True:
        line = writer.stdout.readline()
        assert line.strip().isdigit(), f"the writer stopped: {line!r} {writer.stderr.read() if writer.poll() else ''}"
        if int(line) >= last_id:
            return


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "db.backup", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_R13_sqlite_restore_after_the_writing_app_was_killed_gives_back_the_backup_row_for_row(tmp_path):
    engine = sqlite_engine(tmp_path)
    desk = make_user(engine, username="desk", role="staff", name="前台小王")
    url = str(engine.url)
    engine.dispose()
    db_file = Path(make_url(url).database)
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}

    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, str(desk.id)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _read_until(writer, 15)
        made = _cli("backup", "--dir", str(tmp_path / "backups"), env=env)
        assert made.returncode == 0, made.stderr
        backup_file = Path(made.stdout.strip().split("：", 1)[1])
        assert backup_file.parent == tmp_path / "backups" and backup_file.suffix == ".db"
        assert not Path(f"{backup_file}-wal").exists()
        expected = _sqlite_rows(backup_file)
        in_backup = len(expected["visitor_entry"])
        assert in_backup >= 15
        _read_until(writer, in_backup + 20)

        # while the app runs, a restore is refused and the database is left alone
        refused = _cli("restore", str(backup_file), "--yes", env=env)
        assert refused.returncode == 1
        assert "应用还在运行" in refused.stderr
        assert db_file.exists()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
    assert Path(f"{db_file}-wal").stat().st_size > 0, "the killed app leaves its -wal behind"

    kept = bk.restore(backup_file, url)

    assert _integrity(db_file) == ["ok"]
    restored = _sqlite_rows(db_file)
    assert restored == expected
    assert kept is not None and len(_sqlite_rows(kept)["visitor_entry"]) >= in_backup + 20, \
        "the state before the restore is kept, with what its -wal held"

    # the app opens the restored file and writes to it
    engine = make_engine(url)
    try:
        visitors.register_visitor(engine, actor=desk, form=VisitorForm(name="恢复后", headcount=1, purpose="面试"))
        assert count(engine, VisitorEntry) == len(expected["visitor_entry"]) + 1
    finally:
        engine.dispose()


def test_R13_restore_never_leaves_a_stale_wal_beside_the_restored_file(tmp_path):
    """The README's copy left a killed app's -wal to be replayed over the backup; restore() moves it aside."""
    engine = sqlite_engine(tmp_path)
    url = str(engine.url)
    engine.dispose()
    db_file = Path(make_url(url).database)
    backup_file = bk.backup(url, folder=tmp_path / "b", now=dt.datetime(2026, 1, 2, 8, 0, 0))
    assert backup_file.name == "dutydesk-20260102-080000.db"
    assert bk.backup(url, folder=tmp_path / "b", now=dt.datetime(2026, 1, 2, 8, 0, 0)).name == \
        "dutydesk-20260102-080000-2.db"
    Path(f"{db_file}-wal").write_bytes(b"stale wal of a killed app")
    Path(f"{db_file}-shm").write_bytes(b"\0" * 32768)
    bk.restore(backup_file, url)
    assert not Path(f"{db_file}-wal").exists() and not Path(f"{db_file}-shm").exists()
    assert _sqlite_rows(db_file) == _sqlite_rows(backup_file)


IDLE_APP = """
import sys, time
from sqlalchemy import text
from db.engine import make_engine
engine = make_engine(sys.argv[1])
with engine.connect() as connection:
    connection.execute(text("SELECT count(*) FROM app_user")).scalar_one()
print("ready", flush=True)
time.sleep(120)
"""


def test_R13_an_idle_app_holding_the_database_is_seen_and_a_killed_one_is_not(tmp_path):
    """An app between requests holds no transaction, only its pooled connection: still a running app."""
    engine = sqlite_engine(tmp_path)
    url = str(engine.url)
    engine.dispose()
    db_file = Path(make_url(url).database)
    backup_file = bk.backup(url, folder=tmp_path / "b")
    app = subprocess.Popen([sys.executable, "-c", IDLE_APP, url], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert app.stdout.readline().strip() == "ready"
        assert bk.sqlite_in_use(db_file)
        with pytest.raises(bk.BackupError) as refused:
            bk.restore(backup_file, url)
        assert refused.value.key == "backup.app_running"
        assert not list(tmp_path.glob("*.pre-restore-*"))
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(10)
    assert not bk.sqlite_in_use(db_file)
    bk.restore(backup_file, url)


def test_R13_a_file_that_is_no_backup_is_refused_and_the_database_untouched(tmp_path):
    engine = sqlite_engine(tmp_path)
    url = str(engine.url)
    engine.dispose()
    db_file = Path(make_url(url).database)
    before = db_file.read_bytes()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    for wrong in (junk, empty):
        with pytest.raises(bk.BackupError) as refused:
            bk.restore(wrong, url)
        assert refused.value.key == "backup.not_a_backup"
    with pytest.raises(bk.BackupError) as missing:
        bk.restore(tmp_path / "nope.db", url)
    assert missing.value.key == "backup.file_missing"
    assert db_file.read_bytes() == before


def test_R13_restore_asks_before_it_replaces_anything(tmp_path):
    engine = sqlite_engine(tmp_path)
    url = str(engine.url)
    engine.dispose()
    backup_file = bk.backup(url, folder=tmp_path / "b")
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    unconfirmed = _cli("restore", str(backup_file), env=env)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr
    assert not list(tmp_path.glob("*.pre-restore-*"))


# --- PostgreSQL ---------------------------------------------------------------------------------

def _pg_rows(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        tables = [name for (name,) in connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))]
        return {table: sorted((tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))), key=repr)
                for table in tables}


def _register(engine, actor, how_many: int, start: int) -> None:
    for number in range(start, start + how_many):
        visitors.register_visitor(engine, actor=actor, form=VisitorForm(
            name=f"访客{number}", headcount=1, purpose="商务洽谈", phone=f"139{number:08d}"))


def test_R13_postgresql_dump_restores_into_a_new_database_and_over_the_old_one(tmp_path):
    if PG_URL and not shutil.which("pg_dump"):
        pytest.fail("pg_dump/pg_restore missing: install postgresql-client")
    source, drop_source = postgres_engine()
    fresh = f"dd_restore_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    try:
        desk = make_user(source, username="desk", role="staff", name="前台小王")
        _register(source, desk, 12, 1)
        expected = _pg_rows(source)
        source_url = source.url.render_as_string(hide_password=False)
        dump = bk.backup(source_url, folder=tmp_path / "backups")
        assert dump.suffix == ".dump" and dump.stat().st_size > 0
        _register(source, desk, 5, 100)

        # into a brand-new, empty database (the README's `--clean` alone failed here)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{fresh}"')
        bk.restore(dump, _pg_url(fresh))
        restored = make_engine(_pg_url(fresh))
        try:
            assert _pg_rows(restored) == expected
            _register(restored, desk, 1, 500)  # the sequences came back too
        finally:
            restored.dispose()

        # over the live database: refused while the app holds a connection, then back to the backup
        with source.connect():
            with pytest.raises(bk.BackupError) as refused:
                bk.restore(dump, source_url)
        assert refused.value.key == "backup.pg_app_running"
        assert count(source, VisitorEntry) == 17
        source.dispose()
        bk.restore(dump, source_url)
        assert _pg_rows(source) == expected
        source.dispose()
    finally:
        admin.dispose()
        _drop_pg_database(fresh)
        drop_source()

