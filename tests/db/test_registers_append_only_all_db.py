"""RG-R1 (issue 14 「Append-only registers get the database triggers audit_event has」), on SQLite and PostgreSQL:
every register table the definitions declare refuses DELETE in the database itself, not only the one register
``test_registers_db`` tries; the step and definition-version tables and the admin-made entries' table carry
their triggers too."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from db.engine import session_scope
from db.models_registers import REGISTER_TABLES, register_table
from lib.domain.registers import REGISTRY
from tests.db.helpers import make_user

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)


def _triggers(session, table: str) -> set[str]:
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                                    "AND tgrelid = CAST(:t AS regclass)"), {"t": table})
    else:
        rows = session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                               {"t": table})
    return {r[0] for r in rows}


def test_RG_R1_every_register_table_refuses_delete(engine):
    """RG-R1: one row in each register's table (written directly: the database is what is tested), then a
    DELETE is refused with 'never deleted' and the row is still there, for every definition."""
    user = make_user(engine, username="keeper", role="staff", name="登记人")
    assert set(REGISTER_TABLES) == set(REGISTRY)  # one table per definition
    deleted = []
    for key in sorted(REGISTRY):
        tbl = register_table(key)
        with session_scope(engine) as session:
            session.execute(insert(tbl).values(stream="", state="draft", version=1, created_by_id=user.id,
                                               created_at=NOW, chain=[], step_no=0, reason=""))
        with pytest.raises(DBAPIError, match="never deleted"):
            with session_scope(engine) as session:
                session.execute(text(f"DELETE FROM {tbl.name}"))
        with session_scope(engine, write=False) as session:
            if session.execute(select(func.count()).select_from(tbl)).scalar() != 1:
                deleted.append(key)
    assert deleted == []


def test_RG_R1_the_step_version_and_custom_tables_have_their_triggers(engine):
    """RG-R1: the step table and the definition versions are append-only (UPDATE and DELETE refused), the
    admin-made entries' table refuses DELETE: each carries its triggers on this backend."""
    with session_scope(engine, write=False) as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        found = {table: _triggers(session, table) for table in
                 ("register_step", "register_definition_version", "reg_custom_entry", "register_counter")}
    if postgres:
        expected = {"register_step": {"register_step_no_change"},
                    "register_definition_version": {"register_definition_version_no_change"},
                    "reg_custom_entry": {"reg_custom_entry_no_change"}}
    else:
        expected = {"register_step": {"register_step_no_update", "register_step_no_delete"},
                    "register_definition_version": {"register_definition_version_no_update",
                                                    "register_definition_version_no_delete"},
                    "reg_custom_entry": {"reg_custom_entry_no_delete"}}
    for table, names in expected.items():
        assert names <= found[table], (table, found[table])
    assert found["register_counter"] == set()  # the counter moves on every submit: no trigger there
