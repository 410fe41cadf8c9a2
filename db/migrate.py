"""Run ``alembic upgrade heads`` from Python (app start, tests, ``make``).

Each module has its own migration branch off the platform (0002), so there may be several heads.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from db.engine import ROOT


def alembic_config(connection=None) -> Config:
    config = Config(str(Path(ROOT) / "alembic.ini"))
    config.set_main_option("script_location", str(Path(ROOT) / "db" / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine=None) -> None:
    """Bring the database to the newest schema (on ``engine``, or ``DATABASE_URL``)."""
    if engine is None:
        command.upgrade(alembic_config(), "heads")
        return
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "heads")


if __name__ == "__main__":
    upgrade()
