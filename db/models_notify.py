"""Notification tables (issue 15): the outbox, its deliveries, the sweeper's lease, preferences, SLA breaches.

Exactly once: ``notify_outbox`` is UNIQUE ``(kind, record_id, due_at, recipient_id, event)`` (a second
sweeper's insert is ignored; "due soon" and "overdue" are two messages, issue 15 N7); each channel's
``notify_delivery`` moves pending → claimed → sent by conditional UPDATEs (one winner); ``notify_lease`` lets
one app server sweep at a time (``UPDATE … WHERE expires_at < now``). Secrets are never stored here: a
preference names a webhook by its secret name only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime

__all__ = ["NotifyOutbox", "NotifyDelivery", "NotifyLease", "NotifyPreference", "SlaBreach"]


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class NotifyOutbox(SQLModel, table=True):
    """One notification to one person about one event of one item's deadline (issue 15 N2, N7). ``kind`` is the
    inbox kind, for a register's items followed by ``:<register>`` (entry ids repeat across registers; N9)."""

    __tablename__ = "notify_outbox"
    __table_args__ = (UniqueConstraint("kind", "record_id", "due_at", "recipient_id", "event",
                                       name="uq_notify_outbox_key"),
                      Index("ix_notify_outbox_created", "created_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    record_id: int
    due_at: Optional[dt.datetime] = _utc()
    recipient_id: int = Field(foreign_key="app_user.id")
    event: str = Field(max_length=20)
    text: str = Field(max_length=1000)
    created_at: Optional[dt.datetime] = _utc()


class NotifyDelivery(SQLModel, table=True):
    """One channel's delivery of a notification: its state, tries, next try and last error (issue 15 N4)."""

    __tablename__ = "notify_delivery"
    __table_args__ = (UniqueConstraint("outbox_id", "channel", name="uq_notify_delivery_channel"),
                      Index("ix_notify_delivery_due", "state", "next_attempt_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="notify_outbox.id")
    channel: str = Field(max_length=20)
    target: str = Field(default="", max_length=200)
    state: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: Optional[dt.datetime] = _utc()
    claimed_until: Optional[dt.datetime] = _utc(nullable=True)
    claimed_by: str = Field(default="", max_length=80)
    last_error: str = Field(default="", max_length=500)
    sent_at: Optional[dt.datetime] = _utc(nullable=True)


class NotifyLease(SQLModel, table=True):
    """Who sweeps now: taken by ``UPDATE … WHERE expires_at < now OR holder = me`` (one winner; N5)."""

    __tablename__ = "notify_lease"

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(default="", max_length=80)
    expires_at: Optional[dt.datetime] = _utc()


class NotifyPreference(SQLModel, table=True):
    """A person's or a team's channels, kinds and quiet hours (issue 15 N3); the person's row wins."""

    __tablename__ = "notify_preference"
    __table_args__ = (UniqueConstraint("scope", "ref_id", name="uq_notify_preference"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    scope: str = Field(max_length=10)  # "user" | "unit"
    ref_id: int
    channels: list = _json()
    kinds: list = _json()
    quiet_start: Optional[dt.time] = None
    quiet_end: Optional[dt.time] = None
    target: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=120)
    updated_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    updated_at: Optional[dt.datetime] = _utc()


class SlaBreach(SQLModel, table=True):
    """A ticket deadline that passed, kept for quarterly scoring after the ticket closes (issue 15 N6, N8):
    ``lib.services.kpi.sources`` counts them by ``due_at`` (the quarter the deadline fell in)."""

    __tablename__ = "sla_breach"
    __table_args__ = (UniqueConstraint("ticket_id", "due_kind", "due_at", name="uq_sla_breach"),
                      Index("ix_sla_breach_recorded", "recorded_at"), Index("ix_sla_breach_due", "due_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    due_kind: str = Field(default="", max_length=30)
    due_at: Optional[dt.datetime] = _utc()
    assignee_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    recorded_at: Optional[dt.datetime] = _utc()
