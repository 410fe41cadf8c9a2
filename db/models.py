"""SQLModel tables. Times are aware UTC (``UTCDateTime``); enums are stored as English slugs.

Schema changes go through Alembic (``db/migrations``); ``tests/db/test_migrations.py``
fails when these models and the migrations drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class OrgUnit(SQLModel, table=True):
    """Department → team → group (一组/二组), crews and posts (SPEC M0 Org units)."""

    __tablename__ = "org_unit"
    __table_args__ = (UniqueConstraint("kind", "parent_id", "name", name="uq_org_unit_name"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    name: str = Field(max_length=100)
    parent_id: Optional[int] = Field(default=None, foreign_key="org_unit.id", index=True)
    is_24x7: bool = False
    min_staff: int = 0
    max_continuous_h: Optional[int] = None
    requires_training: bool = False
    requires_certificate: bool = False
    active: bool = True


class User(SQLModel, table=True):
    """A person who logs in; one app role plus titles that approvals check (SPEC M0 Roles)."""

    __tablename__ = "app_user"

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=50)
    password_hash: str = Field(max_length=100)
    role: str = Field(max_length=20, index=True)
    staff_no: Optional[str] = Field(default=None, max_length=20, unique=True)
    titles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    department_id: Optional[int] = Field(default=None, foreign_key="org_unit.id")
    team_id: Optional[int] = Field(default=None, foreign_key="org_unit.id")
    group_id: Optional[int] = Field(default=None, foreign_key="org_unit.id")
    is_intern: bool = False
    trained_posts: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cert_valid_until: Optional[dt.date] = None
    lang: str = Field(default="zh_CN", max_length=10)
    active: bool = True
    failed_logins: int = 0
    locked_until: Optional[dt.datetime] = _utc(nullable=True)
    created_at: Optional[dt.datetime] = _utc()


class UserSession(SQLModel, table=True):
    """A login kept on the server: the cookie names it, so logout, a reset or deactivation ends it (R2).

    ``id`` is the SHA-256 of the random session secret the cookie carries; a copy of the table opens nothing.
    """

    __tablename__ = "user_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: Optional[dt.datetime] = _utc()
    last_seen_at: Optional[dt.datetime] = _utc()
    ended_at: Optional[dt.datetime] = _utc(nullable=True)
    ended_reason: str = Field(default="", max_length=20)


class SettingValue(SQLModel, table=True):
    """A versioned value of a rule parameter; the newest effective row wins (SPEC M0 Settings)."""

    __tablename__ = "setting_value"
    __table_args__ = (Index("ix_setting_value_lookup", "key", "scope", "scope_ref", "effective_from"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    scope: str = Field(default="global", max_length=20)
    scope_ref: str = Field(default="", max_length=80)
    value: str = Field(max_length=4000)
    effective_from: Optional[dt.datetime] = _utc()
    changed_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    changed_at: Optional[dt.datetime] = _utc()


class AuditEvent(SQLModel, table=True):
    """Append-only record of every write: who, when, what, before/after, why (SPEC M0 Audit)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),
                      Index("ix_audit_event_entity_at", "entity", "at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    at: Optional[dt.datetime] = _utc(index=True)
    user_id: Optional[int] = Field(default=None, foreign_key="app_user.id", index=True)
    username: str = Field(default="", max_length=40)
    entity: str = Field(max_length=40)
    entity_id: str = Field(default="", max_length=40)
    action: str = Field(max_length=40)
    before: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    reason: str = Field(default="", max_length=500)


class VisitorEntry(SQLModel, table=True):
    """One visit at the front desk (SPEC M2.1, seed 000 D6)."""

    __tablename__ = "visitor_entry"
    __table_args__ = (Index("ix_visitor_entry_phone_time", "phone_norm", "time_in"),
                      UniqueConstraint("idem_key", name="uq_visitor_entry_idem_key"))

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)
    headcount: int
    purpose: str = Field(max_length=200)
    company: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=30)
    phone_norm: str = Field(default="", max_length=20)
    host_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    has_appointment: bool = False
    host_notified_at: Optional[dt.datetime] = _utc(nullable=True)
    destination: str = Field(default="reception_area", max_length=30)
    level: str = Field(default="standard", max_length=30)
    state: str = Field(default="arrived", max_length=20)
    outcome: str = Field(default="", max_length=30)
    note: str = Field(default="", max_length=500)
    time_in: Optional[dt.datetime] = _utc(index=True)
    time_out: Optional[dt.datetime] = _utc(nullable=True, index=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()
    # The check-in form's idempotency key: a retry after a lost connection finds this row (R12).
    idem_key: Optional[str] = Field(default=None, max_length=64)


class PhoneMessage(SQLModel, table=True):
    """A phone message to relay (SPEC M2.2, seed 000 D9)."""

    __tablename__ = "phone_message"

    id: Optional[int] = Field(default=None, primary_key=True)
    called_at: Optional[dt.datetime] = _utc(index=True)
    caller_name: str = Field(max_length=50)
    caller_phone: str = Field(default="", max_length=30)
    matter: str = Field(max_length=500)
    related: str = Field(default="", max_length=500)
    relay_to_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    relayed_at: Optional[dt.datetime] = _utc(nullable=True, index=True)
    relayed_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()


class VisitorPrereg(SQLModel, table=True):
    """A visitor a host expects, with the short code the visitor shows at the desk (T21; seed 002 接待申请)."""

    __tablename__ = "visitor_prereg"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=6, unique=True)
    name: str = Field(max_length=50)
    headcount: int = 1
    purpose: str = Field(max_length=200)
    company: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=30)
    phone_norm: str = Field(default="", max_length=20)
    expected_day: dt.date = Field(index=True)
    expected_time: Optional[dt.time] = None
    host_id: int = Field(foreign_key="app_user.id")
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()
    cancelled_at: Optional[dt.datetime] = _utc(nullable=True)
    visitor_entry_id: Optional[int] = Field(default=None, foreign_key="visitor_entry.id")


class VisitorKiosk(SQLModel, table=True):
    """An entrance tablet's link: only the SHA-256 of its token is stored; revocable (T21)."""

    __tablename__ = "visitor_kiosk"

    id: Optional[int] = Field(default=None, primary_key=True)
    label: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()
    revoked_at: Optional[dt.datetime] = _utc(nullable=True)
    revoked_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    revoke_reason: str = Field(default="", max_length=500)


class VisitorSignIn(SQLModel, table=True):
    """A sign-in typed at a kiosk, waiting for a receptionist to confirm it into a visit (T21)."""

    __tablename__ = "visitor_sign_in"

    id: Optional[int] = Field(default=None, primary_key=True)
    kiosk_id: int = Field(foreign_key="visitor_kiosk.id")
    prereg_id: Optional[int] = Field(default=None, foreign_key="visitor_prereg.id")
    name: str = Field(max_length=50)
    headcount: int = 1
    purpose: str = Field(max_length=200)
    company: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=30)
    host_text: str = Field(default="", max_length=50)
    created_at: Optional[dt.datetime] = _utc(index=True)
    decided_at: Optional[dt.datetime] = _utc(nullable=True, index=True)
    decided_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    outcome: str = Field(default="pending", max_length=20)
    visitor_entry_id: Optional[int] = Field(default=None, foreign_key="visitor_entry.id")


class AppMeta(SQLModel, table=True):
    """Install-wide facts, e.g. that the first-run page has been completed."""

    __tablename__ = "app_meta"

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(default="", max_length=200)


class CacheVersion(SQLModel, table=True):
    """A counter per cached domain, bumped by database triggers in the writing transaction (issue 13 L2):
    ``settings`` on any settings row, ``auth`` on an account, role, title, language or activity change and on
    a session ending. An app server keeps what it read beside the counter and reads again when it moved."""

    __tablename__ = "cache_version"

    domain: str = Field(primary_key=True, max_length=20)
    version: int = 0


# Each module's tables live in their own file beside this one (db/models_<module>.py) so a module's
# schema reads on its own; importing db.models registers every table.
from db.models_rotation import *  # noqa: E402,F401,F403
from db.models_tickets import *  # noqa: E402,F401,F403
from db.models_showroom import *  # noqa: E402,F401,F403
from db.models_kpi import *  # noqa: E402,F401,F403
from db.models_registers import *  # noqa: E402,F401,F403
from db.models_notify import *  # noqa: E402,F401,F403
