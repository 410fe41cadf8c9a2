"""Register engine tables (SPEC M5, issue 14): one real table per register, built from its ``RegisterDef``,
plus the append-only step table and the gap-free counters.

Every register table has the same common columns (who, when, state, version, the chain copied at submit,
lock and due times) and one typed column per field, so lists filter on indexed columns and no value lives
in an entity-attribute-value row. A new register adds its definition and a migration on the
``registers`` branch; ``tests/db/test_migrations.py`` fails when the two drift.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (JSON, Boolean, Column, Date, ForeignKey, Index, Integer, Numeric, String, Table, Time,
                        UniqueConstraint)
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime
from lib.domain.registers import REGISTRY
from lib.domain.registers.model import FieldDef, RegisterDef

__all__ = ["CUSTOM_ENTRY", "RegisterCounter", "RegisterDefinition", "RegisterDefinitionVersion", "RegisterStep",
           "REGISTER_TABLES", "register_table"]


class RegisterStep(SQLModel, table=True):
    """One step in an entry's life (create, submit, approve, reject, edit, correct), append-only.

    ``UNIQUE(register, entry_id, seq)``: of two approvers pressing at once, one step is written; the other
    gets a Conflict. Database triggers refuse UPDATE and DELETE (migration 0030).
    """

    __tablename__ = "register_step"
    __table_args__ = (UniqueConstraint("register", "entry_id", "seq", name="uq_register_step_seq"),
                      Index("ix_register_step_actor_at", "actor_id", "at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    # the attribute is ``reg``: ``register`` is taken by pydantic's model class
    reg: str = Field(sa_column=Column("register", String(40), nullable=False))
    entry_id: int
    seq: int
    action: str = Field(max_length=20)
    step_index: Optional[int] = None
    title: str = Field(default="", max_length=40)
    actor_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="", max_length=50)
    at: Optional[dt.datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))
    note: str = Field(default="", max_length=500)


class RegisterCounter(SQLModel, table=True):
    """The last number given in a register's stream; moved in the submitting transaction, so numbers have no
    gaps (a seed that forbids missing pages gets none)."""

    __tablename__ = "register_counter"

    reg: str = Field(sa_column=Column("register", String(40), primary_key=True))
    stream: str = Field(primary_key=True, max_length=40)
    last: int = 0


def _field_column(table: str, definition: FieldDef, date_column: str) -> Column:
    kind = definition.type
    index = definition.indexed and definition.key != date_column  # the date column has its (date, id) index
    if kind in ("text", "long_text", "phone", "choice"):
        type_: Any = String(definition.length)
    elif kind == "int":
        type_ = Integer()
    elif kind == "money":
        type_ = Numeric(12, 2)
    elif kind == "date":
        type_ = Date()
    elif kind == "datetime":
        type_ = UTCDateTime()
    elif kind == "time":
        type_ = Time()
    elif kind == "bool":
        type_ = Boolean()
    else:  # person
        return Column(definition.key, Integer(), ForeignKey("app_user.id", name=f"fk_{table}_{definition.key}"),
                      nullable=True, index=index)
    return Column(definition.key, type_, nullable=True, index=index)


def build_table(definition: RegisterDef, metadata=SQLModel.metadata) -> Table:
    """The SQL table of one register: common columns, then its fields in the seed's order."""
    name = definition.table
    date_column = definition.date_field or "created_at"
    columns = [
        Column("id", Integer(), primary_key=True),
        Column("no", Integer(), nullable=True),
        Column("stream", String(40), nullable=False),
        Column("state", String(20), nullable=False),
        Column("version", Integer(), nullable=False),
        Column("supersedes_id", Integer(), ForeignKey(f"{name}.id", name=f"fk_{name}_supersedes"), nullable=True),
        Column("superseded_by_id", Integer(), ForeignKey(f"{name}.id", name=f"fk_{name}_superseded_by"),
               nullable=True),
        Column("created_by_id", Integer(), ForeignKey("app_user.id", name=f"fk_{name}_created_by"), nullable=False),
        Column("department_id", Integer(), ForeignKey("org_unit.id", name=f"fk_{name}_department"), nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("submitted_at", UTCDateTime(), nullable=True),
        Column("decided_at", UTCDateTime(), nullable=True),
        Column("locked_at", UTCDateTime(), nullable=True),
        Column("updated_at", UTCDateTime(), nullable=True),
        Column("due_at", UTCDateTime(), nullable=True, index=True),
        Column("chain", JSON(), nullable=False),
        Column("step_no", Integer(), nullable=False),
        Column("step_title", String(40), nullable=True),
        Column("reason", String(500), nullable=False),
        Column("idem_key", String(64), nullable=True),
        *(_field_column(name, f, date_column) for f in definition.fields),
    ]
    indexes = [
        UniqueConstraint("stream", "no", name=f"uq_{name}_no"),
        UniqueConstraint("supersedes_id", name=f"uq_{name}_supersedes"),
        UniqueConstraint("idem_key", name=f"uq_{name}_idem_key"),
        Index(f"ix_{name}_state_created", "state", "created_at"),
        Index(f"ix_{name}_keeper_created", "created_by_id", "created_at"),
        Index(f"ix_{name}_dept_created", "department_id", "created_at"),
        Index(f"ix_{name}_step_title", "step_title", "state"),
    ]
    if date_column == "created_at":
        indexes.append(Index(f"ix_{name}_created_id", "created_at", "id"))
    else:
        indexes.append(Index(f"ix_{name}_date_id", date_column, "id"))
    return Table(name, metadata, *columns, *indexes)


REGISTER_TABLES: dict[str, Table] = {key: build_table(definition) for key, definition in REGISTRY.items()}


class RegisterDefinition(SQLModel, table=True):
    """An admin-made register (issue 14 low-code): its unique name and current version; never deleted.

    The definition itself is in ``register_definition_version`` (append-only: one row per save)."""

    __tablename__ = "register_definition"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    version: int = 1
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: Optional[dt.datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))


class RegisterDefinitionVersion(SQLModel, table=True):
    """One version of an admin-made register: name, fields (and the retired ones), chain, lock rule as JSON.
    Append-only (triggers): an entry names the version it was made with, and that version never changes."""

    __tablename__ = "register_definition_version"
    __table_args__ = (UniqueConstraint("definition_id", "version", name="uq_register_definition_version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    definition_id: int = Field(foreign_key="register_definition.id")
    version: int
    name: str = Field(max_length=40)
    spec: dict = Field(default_factory=dict, sa_column=Column(JSON(), nullable=False))
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))


def build_custom_table(metadata=SQLModel.metadata) -> Table:
    """The one table of every admin-made register's entries: the common columns of a register table, the
    definition and version an entry was made with, and its values as JSON (keyed by field). Every index leads
    with the definition, so a list reads one register's slice by date like a typed table."""
    name = "reg_custom_entry"
    columns = [
        Column("id", Integer(), primary_key=True),
        Column("definition_id", Integer(), ForeignKey("register_definition.id", name=f"fk_{name}_definition"),
               nullable=False),
        Column("definition_version", Integer(), nullable=False),
        Column("no", Integer(), nullable=True),
        Column("stream", String(40), nullable=False),
        Column("state", String(20), nullable=False),
        Column("version", Integer(), nullable=False),
        Column("supersedes_id", Integer(), ForeignKey(f"{name}.id", name=f"fk_{name}_supersedes"), nullable=True),
        Column("superseded_by_id", Integer(), ForeignKey(f"{name}.id", name=f"fk_{name}_superseded_by"),
               nullable=True),
        Column("created_by_id", Integer(), ForeignKey("app_user.id", name=f"fk_{name}_created_by"), nullable=False),
        Column("department_id", Integer(), ForeignKey("org_unit.id", name=f"fk_{name}_department"), nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("submitted_at", UTCDateTime(), nullable=True),
        Column("decided_at", UTCDateTime(), nullable=True),
        Column("locked_at", UTCDateTime(), nullable=True),
        Column("updated_at", UTCDateTime(), nullable=True),
        Column("due_at", UTCDateTime(), nullable=True, index=True),
        Column("chain", JSON(), nullable=False),
        Column("step_no", Integer(), nullable=False),
        Column("step_title", String(40), nullable=True),
        Column("reason", String(500), nullable=False),
        Column("idem_key", String(64), nullable=True),
        Column("field_values", JSON(), nullable=False),
    ]
    indexes = [
        UniqueConstraint("definition_id", "stream", "no", name=f"uq_{name}_no"),
        UniqueConstraint("supersedes_id", name=f"uq_{name}_supersedes"),
        UniqueConstraint("idem_key", name=f"uq_{name}_idem_key"),
        Index(f"ix_{name}_state_created", "definition_id", "state", "created_at"),
        Index(f"ix_{name}_keeper_created", "definition_id", "created_by_id", "created_at"),
        Index(f"ix_{name}_dept_created", "definition_id", "department_id", "created_at"),
        Index(f"ix_{name}_step_title", "definition_id", "step_title", "state"),
        Index(f"ix_{name}_created_id", "definition_id", "created_at", "id"),
    ]
    return Table(name, metadata, *columns, *indexes)


CUSTOM_ENTRY: Table = build_custom_table()


def register_table(key: str) -> Table:
    return REGISTER_TABLES[key]
