"""Complaint and service-request tables (SPEC M3): tickets, their timeline, surveys.

``ticket`` holds the current state of each ticket for fast lists; ``ticket_event`` is
its append-only timeline (UNIQUE ``(ticket_id, seq)``: two writers racing on one
ticket cannot both append the next step). The service writes both in one transaction
and moves ``ticket.last_seq`` with a conditional UPDATE, so the row and its timeline
never disagree. Open-ticket pages read through ``(state, ...)`` indexes: closed history
sits in its own part of each index and is never scanned by the board.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime

__all__ = ["Ticket", "TicketCustomer", "TicketEvent", "TicketSurvey"]


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class TicketCustomer(SQLModel, table=True):
    """A caller as customer service knows them, matched by phone at intake (seed 003 M#49).

    Separate from the showroom's customers, which carry sales ownership (SPEC M2.3).
    """

    __tablename__ = "ticket_customer"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=50)
    phone: str = Field(default="", max_length=30)
    phone_norm: str = Field(max_length=20, unique=True)
    address: str = Field(default="", max_length=200)
    created_at: Optional[dt.datetime] = _utc()


class Ticket(SQLModel, table=True):
    """One enquiry, suggestion, complaint, repair or service request and where it stands now (SPEC M3)."""

    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_state_due", "state", "due_at"),
        Index("ix_ticket_state_severity", "state", "severity"),
        Index("ix_ticket_customer_received", "customer_id", "received_at"),
        Index("ix_ticket_customer_state", "customer_id", "state", "received_at"),
        Index("ix_ticket_created_by_state", "created_by_id", "state"),
        Index("ix_ticket_assignee_state", "assignee_id", "state"),
        Index("ix_ticket_technician_state", "technician_id", "state"),
        UniqueConstraint("idem_key", name="uq_ticket_idem_key"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    type: str = Field(max_length=20)
    flow: str = Field(max_length=10)
    state: str = Field(max_length=24)
    channel: str = Field(default="phone", max_length=10)
    customer_id: Optional[int] = Field(default=None, foreign_key="ticket_customer.id")
    customer_name: str = Field(default="", max_length=50)
    phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=200)
    problem: str = Field(default="", max_length=1000)
    category: Optional[str] = Field(default=None, max_length=20)
    cause: Optional[str] = Field(default=None, max_length=30)
    cs_group: Optional[str] = Field(default=None, max_length=20)
    owner_title: Optional[str] = Field(default=None, max_length=200)
    severity: str = Field(default="general", max_length=10)
    compensation_involved: bool = False
    resident: bool = False
    agent_no: str = Field(max_length=20)
    first_responsible: Optional[str] = Field(default=None, max_length=40)
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    assignee_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    technician_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    received_at: Optional[dt.datetime] = _utc()
    forwarded_at: Optional[dt.datetime] = _utc(nullable=True)
    forwarded_to: Optional[str] = Field(default=None, max_length=100)
    replied_at: Optional[dt.datetime] = _utc(nullable=True)
    dept_first_contact_at: Optional[dt.datetime] = _utc(nullable=True)
    escalation_reason: Optional[str] = Field(default=None, max_length=30)
    resolved_at: Optional[dt.datetime] = _utc(nullable=True)
    informed_at: Optional[dt.datetime] = _utc(nullable=True)
    customer_satisfied: Optional[bool] = None
    root_cause: str = Field(default="", max_length=1000)
    containment: str = Field(default="", max_length=1000)
    permanent_fix: str = Field(default="", max_length=1000)
    closed_at: Optional[dt.datetime] = _utc(nullable=True)
    repeat_kind: Optional[str] = Field(default=None, max_length=20)
    repeat_of_id: Optional[int] = Field(default=None, foreign_key="ticket.id")
    product_model: str = Field(default="", max_length=100)
    product_spec: str = Field(default="", max_length=100)
    purchase_date: Optional[dt.date] = None
    purchase_place: str = Field(default="", max_length=100)
    fault: str = Field(default="", max_length=200)
    service_kind: Optional[str] = Field(default=None, max_length=10)
    in_warranty: Optional[bool] = None  # None: not asked yet, shown as 未填 (T19)
    quality_fault: Optional[bool] = None
    quote_amount: Optional[Decimal] = Field(default=None, sa_column=Column(Numeric(10, 2), nullable=True))
    priority: bool = False
    out_of_town: bool = False
    out_of_town_approved_at: Optional[dt.datetime] = _utc(nullable=True)
    dispatched_at: Optional[dt.datetime] = _utc(nullable=True)
    arrived_at: Optional[dt.datetime] = _utc(nullable=True)
    completed_at: Optional[dt.datetime] = _utc(nullable=True)
    service_report_no: str = Field(default="", max_length=40)
    service_content: str = Field(default="", max_length=1000)
    follow_up_at: Optional[dt.datetime] = _utc(nullable=True)
    callback_at: Optional[dt.datetime] = _utc(nullable=True)
    due_at: Optional[dt.datetime] = _utc(nullable=True)
    due_kind: Optional[str] = Field(default=None, max_length=30)
    due_started_at: Optional[dt.datetime] = _utc(nullable=True)
    last_seq: int = 0
    # The intake form's idempotency key: a retry after a lost connection finds this row (R12).
    idem_key: Optional[str] = Field(default=None, max_length=64)
    updated_at: Optional[dt.datetime] = _utc()


class TicketEvent(SQLModel, table=True):
    """One step of a ticket's timeline, append-only; ``seq`` counts from 1 per ticket (SPEC M3)."""

    __tablename__ = "ticket_event"
    __table_args__ = (UniqueConstraint("ticket_id", "seq", name="uq_ticket_event_seq"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    seq: int
    at: Optional[dt.datetime] = _utc()
    actor_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="", max_length=50)
    action: str = Field(max_length=30)
    from_state: Optional[str] = Field(default=None, max_length=24)
    to_state: str = Field(max_length=24)
    note: str = Field(default="", max_length=1000)
    data: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))


class TicketSurvey(SQLModel, table=True):
    """One follow-up call after a repair (回访, seed 000 D2); a "not convenient" call books a callback."""

    __tablename__ = "ticket_survey"
    __table_args__ = (Index("ix_ticket_survey_ticket", "ticket_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    at: Optional[dt.datetime] = _utc(index=True)
    agent_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    convenient: bool
    callback_at: Optional[dt.datetime] = _utc(nullable=True)
    resolved: Optional[bool] = None
    attitude: Optional[str] = Field(default=None, max_length=20)
    charged: Optional[bool] = None
    score: Optional[int] = None
    suggestion: str = Field(default="", max_length=500)
    fee_paid: Optional[bool] = None
    fee_reminder_given: bool = False
