"""A fresh database for one load run (L1): migrated, the demo office and its week, a display link for the TVs.

The run owns its database: a SQLite file under ``bench/results/`` or a new PostgreSQL database on the server
of ``--pg-url``, dropped and made again each run, so `make loadtest` works from a clean checkout and never
touches ``data/dutydesk.db``. Passwords are hashed with ``DUTYDESK_BCRYPT_ROUNDS`` (the driver sets 4):
every session logs in once, and the load test measures clicks, not bcrypt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

ADMIN_PASSWORD = "admin1234"


@dataclass(frozen=True)
class Seeded:
    url: str  # the DATABASE_URL the app servers get
    wall_token: str  # a display link's token: the TVs open /wall?token=...
    staff: int


def sqlite_url(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def fresh_pg_database(server_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``server_url``; its URL."""
    url = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1)
                   if server_url.startswith("postgresql://") else server_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    admin.dispose()


def seed(url: str) -> Seeded:
    """Migrate ``url``, create admin, load the demo office with its week, and make a display link."""
    os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
    from db.engine import make_engine
    from db.migrate import upgrade
    from lib.demo import load_demo
    from lib.services import accounts, display

    engine = make_engine(url)
    try:
        upgrade(engine)
        admin = accounts.create_first_admin(engine, username="admin", name="管理员", password=ADMIN_PASSWORD,
                                            repeat=ADMIN_PASSWORD)
        staff = load_demo(engine, actor=admin)
        _, token = display.create_link(engine, actor=admin, label="压测大屏")
    finally:
        engine.dispose()
    return Seeded(url=url, wall_token=token, staff=staff)
