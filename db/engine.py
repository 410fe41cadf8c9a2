"""Engine and unit of work; no Streamlit here.

``DATABASE_URL`` picks the database (default: the SQLite file ``data/dutydesk.db``).
SQLite gets WAL, ``foreign_keys=ON`` and a busy timeout; writers take the lock up
front (``BEGIN IMMEDIATE``) so two writers queue instead of failing half-way.
PostgreSQL goes through psycopg 3 with connect, statement and lock timeouts (R14).

Waiting limits come from the environment, not from settings: the settings live in the
database, and cannot configure the connection that reads them (R14).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from lib.domain.errors import DomainError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'data' / 'dutydesk.db'}"

# Environment variable -> default: how long a connection, a statement or a lock may make a person wait (R14).
TIMEOUTS = {
    "DUTYDESK_DB_CONNECT_TIMEOUT": 5,  # seconds, PostgreSQL connect
    "DUTYDESK_DB_STATEMENT_TIMEOUT_MS": 15000,  # PostgreSQL statement_timeout
    "DUTYDESK_DB_LOCK_TIMEOUT_MS": 10000,  # PostgreSQL lock_timeout
    "DUTYDESK_SQLITE_BUSY_TIMEOUT_MS": 10000,  # SQLite busy timeout (waiting for the write lock)
}


class DatabaseUnavailable(DomainError):
    """The database could not be reached, or a wait ran past its limit (R12, R14).

    A DomainError, so every form shows it where it shows a refusal and keeps what was typed.
    """

    def __init__(self) -> None:
        super().__init__("faults.db_unavailable")


def timeout(name: str) -> int:
    """The waiting limit ``name`` of :data:`TIMEOUTS`; a missing, non-numeric or negative value gives the default."""
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw)
    except ValueError:
        return TIMEOUTS[name]
    return value if value >= 0 else TIMEOUTS[name]


def is_outage(exc: BaseException) -> bool:
    """A lost or refused connection, or a timeout (SQLAlchemy OperationalError / InterfaceError / pool timeout,
    or any DBAPI error that invalidated its connection); not a bad value or a constraint."""
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and bool(exc.connection_invalidated)


def database_url() -> str:
    """The configured URL; ``postgresql://`` is mapped to the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str | None = None) -> Engine:
    """Build the engine for ``url`` (default: :func:`database_url`)."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        busy_ms = timeout("DUTYDESK_SQLITE_BUSY_TIMEOUT_MS")
        engine = create_engine(url, pool_pre_ping=True,
                               connect_args={"check_same_thread": False, "timeout": busy_ms / 1000})
        _configure_sqlite(engine, busy_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=10,
                         connect_args=postgres_connect_args())


def postgres_connect_args() -> dict[str, object]:
    """psycopg's connect timeout, and the statement and lock timeouts every session starts with (R14)."""
    options = (f"-c statement_timeout={timeout('DUTYDESK_DB_STATEMENT_TIMEOUT_MS')} "
               f"-c lock_timeout={timeout('DUTYDESK_DB_LOCK_TIMEOUT_MS')}")
    return {"connect_timeout": timeout("DUTYDESK_DB_CONNECT_TIMEOUT"), "options": options}


def _configure_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, issue BEGIN (so we can make it IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write", True) else "BEGIN")


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception.

    ``write=False`` opens a read-only unit (a plain ``BEGIN`` on SQLite, so readers
    never wait for writers).

    A lost connection or a timeout leaves as :class:`DatabaseUnavailable` (R12, R14); the original
    error is its ``__cause__``, for the log.
    """
    try:
        with engine.connect() as connection:
            connection.info["write"] = write
            try:
                with Session(bind=connection, expire_on_commit=False) as session:
                    try:
                        yield session
                        session.commit()
                    except BaseException:
                        _quiet_rollback(session)
                        raise
            finally:
                connection.info.pop("write", None)
    except Exception as exc:
        if is_outage(exc):
            raise DatabaseUnavailable() from exc
        raise


def _quiet_rollback(session: Session) -> None:
    """Roll back; on a dead connection the rollback fails too, and the first error is the one to report."""
    try:
        session.rollback()
    except Exception as exc:
        if not is_outage(exc):
            raise
