"""Alembic environment: the models' metadata, the URL from ``DATABASE_URL``.

Several app servers may start at once against one PostgreSQL; an advisory lock
makes them migrate one after another instead of racing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers the tables)
from db.engine import make_engine

MIGRATION_LOCK = 7_202_611  # any constant; shared by every app server

target_metadata = SQLModel.metadata


def _render_item(type_, obj, autogen_context):
    if type_ == "type" and obj.__class__.__module__ == "db.types":
        autogen_context.imports.add("import db.types")
        return f"db.types.{obj.__class__.__name__}()"
    if type_ == "type" and obj.__class__.__module__.startswith("sqlmodel"):
        autogen_context.imports.add("import sqlmodel")
        return f"sqlmodel.sql.sqltypes.{obj.__class__.__name__}(length={getattr(obj, 'length', None)!r})"
    return False


def run_migrations_online() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine()
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    is_pg = connection.dialect.name == "postgresql"
    if is_pg:
        # The app's waiting limits (R14) are for people; a migration may run long, and a second server
        # waits for the first one's lock as long as that takes.
        connection.execute(text("SET statement_timeout = 0"))
        connection.execute(text("SET lock_timeout = 0"))
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        connection.commit()
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if is_pg:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            connection.execute(text("RESET statement_timeout"))
            connection.execute(text("RESET lock_timeout"))
            connection.commit()


run_migrations_online()
