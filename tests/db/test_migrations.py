"""The migrations build exactly the schema the models describe, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import db.models  # noqa: F401


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_migrated_schema_has_the_indexes_today_pages_rely_on(engine):
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("visitor_entry")}
    assert {"ix_visitor_entry_time_in", "ix_visitor_entry_time_out", "ix_visitor_entry_phone_time"} <= indexes


def test_audit_events_cannot_be_changed_or_deleted(engine):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from db.engine import session_scope
    from lib.services.base import SYSTEM, audit

    with session_scope(engine) as session:
        audit(session, actor=SYSTEM, entity="test", entity_id=1, action="create")
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            with session_scope(engine) as session:
                session.execute(text(statement))
    with session_scope(engine, write=False) as session:
        assert session.execute(text("SELECT action FROM audit_event")).scalars().all() == ["create"]
