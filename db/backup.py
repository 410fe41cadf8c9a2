"""Backups that restore (R13): ``python -m db.backup backup`` and ``python -m db.backup restore FILE``.

SQLite: the backup is one self-contained file made through SQLite's backup API (a consistent
snapshot, safe while the app writes). A restore refuses while any process holds the database,
moves the old file *with its own* ``-wal`` aside (``<db>.pre-restore-<stamp>``; a stale ``-wal``
left by a killed app must never be replayed over the restored copy), and writes the backup
through the backup API into a temporary file that replaces the database in one rename.

PostgreSQL: ``pg_dump -Fc`` and ``pg_restore --clean --if-exists --no-owner --single-transaction``
(all or nothing; ``--if-exists`` so a restore into a new, empty database does not fail), refused
while another session is connected to the database.

No Streamlit here; messages are catalog keys (``backup.*``), translated only by :func:`main`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from db.engine import ROOT, database_url

BACKUP_DIR = ROOT / "backups"
# unix VFS: every connection to a WAL database holds a shared lock on this byte of the -shm
# file while it is open (the "dead man switch"); a killed process's lock is released by the OS.
_SHM_DMS_BYTE = 128
_LOCK_PROBE_SECONDS = 2.0


class BackupError(Exception):
    """A refusal or failure; ``key`` is a ``backup.*`` catalog key, ``params`` fill it."""

    def __init__(self, key: str, **params: object):
        super().__init__(key, params)
        self.key = key
        self.params = params


def backup(url: str | None = None, *, folder: Path | None = None, now: dt.datetime | None = None) -> Path:
    """Write ``dutydesk-<timestamp>.db`` (SQLite) or ``.dump`` (PostgreSQL) into ``folder``."""
    parsed = make_url(url or database_url())
    folder = Path(folder or BACKUP_DIR)
    stamp = _stamp(now)
    if parsed.get_backend_name() == "sqlite":
        return sqlite_backup(_sqlite_path(parsed), folder, stamp)
    return pg_backup(parsed, folder, stamp)


def restore(file: Path | str, url: str | None = None, *, now: dt.datetime | None = None) -> Path | None:
    """Replace the database with ``file``; on SQLite returns where the old file was kept (or None)."""
    parsed = make_url(url or database_url())
    file = Path(file)
    if not file.is_file():
        raise BackupError("backup.file_missing", path=file)
    if parsed.get_backend_name() == "sqlite":
        return sqlite_restore(file, _sqlite_path(parsed), _stamp(now))
    pg_restore(file, parsed)
    return None


def describe_target(url: str | None = None) -> str:
    """The database a restore would replace, for the confirmation question (no password)."""
    parsed = make_url(url or database_url())
    if parsed.get_backend_name() == "sqlite":
        return str(_sqlite_path(parsed))
    return parsed.render_as_string(hide_password=True)


# --- SQLite -----------------------------------------------------------------------------------

def sqlite_backup(db: Path, folder: Path, stamp: str) -> Path:
    """A consistent copy of ``db`` through the backup API, checked before it gets its final name."""
    if not db.is_file():
        raise BackupError("backup.no_database", path=db)
    target = _free_name(_backup_folder(folder), f"dutydesk-{stamp}", ".db")
    partial = target.with_name(target.name + ".partial")
    _remove_sqlite_files(partial)
    source = sqlite3.connect(db, timeout=30)
    try:
        _copy_sqlite(source, partial)
    finally:
        source.close()
    os.chmod(partial, 0o600)  # the backup holds personal data
    os.replace(partial, target)
    _fsync_dir(target.parent)
    return target


def sqlite_restore(file: Path, db: Path, stamp: str) -> Path | None:
    """Replace ``db`` by the backup ``file``; refused while the app (any process) holds ``db``."""
    source = _open_backup(file)
    try:
        if sqlite_in_use(db):
            raise BackupError("backup.app_running", path=db)
        db.parent.mkdir(parents=True, exist_ok=True)
        partial = db.with_name(db.name + ".restoring")
        _remove_sqlite_files(partial)
        _copy_sqlite(source, partial)
    finally:
        source.close()
    kept = None
    if db.exists():
        kept = db.with_name(f"{db.name}.pre-restore-{stamp}")
        os.replace(db, kept)
    for suffix in ("-wal", "-journal"):
        # the old file's journal goes with it, so the kept copy opens as it was
        stale = Path(f"{db}{suffix}")
        if stale.exists():
            if kept is None:
                kept = db.with_name(f"{db.name}.pre-restore-{stamp}")
            os.replace(stale, Path(f"{kept}{suffix}"))
    Path(f"{db}-shm").unlink(missing_ok=True)
    os.replace(partial, db)
    _fsync_dir(db.parent)
    return kept


def sqlite_in_use(db: Path) -> bool:
    """True while another live process has ``db`` open (WAL lock) or holds any lock on it.

    Call it with no connection of this process open on ``db``: POSIX locks are per process, so
    closing the probe's descriptor would drop this process's own SQLite locks.
    """
    if not db.exists():
        return False
    shm = Path(f"{db}-shm")
    if shm.exists():
        fd = os.open(shm, os.O_RDWR)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return True
            raise
        else:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
        finally:
            os.close(fd)
    try:
        probe = sqlite3.connect(db, timeout=_LOCK_PROBE_SECONDS, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
    except sqlite3.DatabaseError:
        pass  # a damaged file is no sign of a running app; the restore replaces it
    finally:
        probe.close()
    return False


def _open_backup(file: Path) -> sqlite3.Connection:
    """The backup, read-only, after checking it is a whole Duty Desk database."""
    try:
        source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError("backup.not_a_backup", path=file, detail=str(exc)) from exc
    try:
        _check_sqlite(source, file)
        if source.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                          ).fetchone() is None:
            raise BackupError("backup.not_a_backup", path=file, detail="alembic_version")
    except BaseException:
        source.close()
        raise
    return source


def _copy_sqlite(source: sqlite3.Connection, target: Path) -> None:
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        # one self-contained file: a rollback journal, so no -wal/-shm ever sits beside it
        destination.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(destination, target)
    finally:
        destination.close()
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise BackupError("backup.not_a_backup", path=path, detail=str(exc)) from exc
    if result != ["ok"]:
        raise BackupError("backup.not_a_backup", path=path, detail="; ".join(result[:3]))


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("backup.no_database", path=url.database or ":memory:")
    return Path(url.database).resolve()


# --- PostgreSQL -------------------------------------------------------------------------------

def pg_backup(url: URL, folder: Path, stamp: str) -> Path:
    """``pg_dump -Fc`` into ``dutydesk-<stamp>.dump``, listed by ``pg_restore`` before it is kept."""
    target = _free_name(_backup_folder(folder), f"dutydesk-{stamp}", ".dump")
    partial = target.with_name(target.name + ".partial")
    try:
        _run_pg("pg_dump", ["--format=custom", "--file", str(partial)], url)
        _run_pg("pg_restore", ["--list", str(partial)], None)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    _fsync_dir(target.parent)
    return target


def pg_restore(file: Path, url: URL) -> None:
    """Restore ``file`` into the (existing) database; refused while anyone else is connected."""
    _run_pg("pg_restore", ["--list", str(file)], None, error_key="backup.not_a_backup", path=file)
    others = pg_sessions(url)
    if others:
        raise BackupError("backup.pg_app_running", database=url.database, count=others)
    _run_pg("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                           "--dbname"], url, tail=(str(file),))


def pg_sessions(url: URL) -> int:
    """How many other client sessions are connected to the database of ``url``."""
    engine = create_engine(url.set(drivername="postgresql+psycopg"), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").scalar_one()
    except SQLAlchemyError as exc:
        raise BackupError("backup.pg_unreachable", database=url.database,
                          detail=str(getattr(exc, "orig", exc)).strip()) from exc
    finally:
        engine.dispose()


def _run_pg(tool: str, args: list[str], url: URL | None, *, tail: tuple[str, ...] = (),
            error_key: str = "backup.pg_failed", **params: object) -> None:
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError("backup.pg_tool_missing", tool=tool)
    env = dict(os.environ)
    command = [binary, *args]
    if url is not None:
        # the password goes through the environment, never the command line (ps shows that)
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        command.append(url.set(drivername="postgresql", password=None).render_as_string(hide_password=False))
    command.extend(tail)
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise BackupError(error_key, tool=tool, detail=detail, **params)


# --- shared -----------------------------------------------------------------------------------

def _stamp(now: dt.datetime | None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def _backup_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# backups hold personal data: never commit them\n*\n", encoding="utf-8")
    return folder


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    from lib.i18n import translate

    parser = argparse.ArgumentParser(prog="python -m db.backup", description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default=os.environ.get("DUTYDESK_LANG", "zh_CN"))
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup")
    make.add_argument("--dir", type=Path, default=BACKUP_DIR)
    back = commands.add_parser("restore")
    back.add_argument("file", type=Path)
    back.add_argument("--yes", action="store_true")
    args = parser.parse_args(argv)
    lang = args.lang

    def say(key: str, stream=sys.stdout, **params: object) -> None:
        print(translate(key, lang, **params), file=stream)

    try:
        if args.command == "backup":
            say("backup.done", path=backup(folder=args.dir))
            return 0
        if not args.yes:
            if not sys.stdin.isatty():
                say("backup.confirm_needed", sys.stderr)
                return 2
            say("backup.confirm", target=describe_target(), path=args.file)
            if input("> ").strip().lower() not in ("yes", "y", "是"):
                say("backup.cancelled")
                return 1
        kept = restore(args.file)
        say("backup.restored", path=args.file, target=describe_target())
        if kept is not None:
            say("backup.kept", path=kept)
        return 0
    except BackupError as exc:
        say(exc.key, sys.stderr, **exc.params)
        return 1


if __name__ == "__main__":
    sys.exit(main())
