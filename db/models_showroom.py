"""Showroom customer tables (SPEC M2.3-M2.5): customers, contacts, follow-ups, day sheets, access log, receptions.

History is append-only: contacts, follow-ups, owner changes, corrections, approvals and
reception steps are only ever inserted (a contact's details may be completed in place until
its day locks). ``showroom_customer`` carries a small projection of the ownership replay
(owner, state, next deadline) written in the same transaction as the event that changed it,
so "my customers" reads an index instead of replaying every contact. The domain's
``ownership()`` replay stays the source of truth; a DB test checks the two agree.
``showroom_day_sheet`` is the one row a day's contact writes and its signature serialize on.
Foreign keys point only at this module's tables and the platform's (``app_user``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime

__all__ = [
    "ShowroomCustomer", "ShowroomContactRecord", "ShowroomContactCorrection", "ShowroomFollowUp",
    "ShowroomOwnerChange", "ShowroomDaySheet", "AccessEntryRecord", "AccessApproval", "ReceptionApplicationRecord",
    "ReceptionMeal", "ReceptionStep", "CustomerEnquiry",
]


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ShowroomCustomer(SQLModel, table=True):
    """One customer card, matched by normalised phone (O6 重卡), with the projected ownership (seed 000 D1)."""

    __tablename__ = "showroom_customer"
    __table_args__ = (Index("ix_showroom_customer_owner_due", "owner_id", "due_at"),
                      Index("ix_showroom_customer_released", "released_from_id", "due_at"),
                      Index("ix_showroom_customer_state_due", "state", "due_at"))  # the inbox (issue 15 I3)

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)
    phone: str = Field(max_length=30)
    phone_norm: str = Field(max_length=20, unique=True)
    card: str = Field(default="A", max_length=2)
    owner_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    # The owner the deadline belongs to: kept after a timed release so "overdue" and the manager's
    # releases are an index range on (released_from_id, due_at) rather than a replay.
    released_from_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    state: str = Field(default="unregistered", max_length=20)
    since: Optional[dt.datetime] = _utc(nullable=True)
    due_at: Optional[dt.datetime] = _utc(nullable=True, index=True)
    last_follow_up_at: Optional[dt.datetime] = _utc(nullable=True)
    last_contact_at: Optional[dt.datetime] = _utc(nullable=True)
    owner_changes: int = 0
    version: int = 1
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()


class ShowroomContactRecord(SQLModel, table=True):
    """A 来店/来电 row of the day sheet (SPEC 2.3 ShowroomContact; seed 000 D1 B1, B3; seed 003 X9#30)."""

    __tablename__ = "showroom_contact"
    __table_args__ = (Index("ix_showroom_contact_day", "day", "at"),
                      Index("ix_showroom_contact_customer", "customer_id", "at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="showroom_customer.id")
    day: dt.date
    at: Optional[dt.datetime] = _utc()
    channel: str = Field(max_length=10)
    customer_name: str = Field(max_length=50)
    matter: str = Field(max_length=500)
    details: str = Field(default="", max_length=2000)
    completed_at: Optional[dt.datetime] = _utc(nullable=True)
    registered_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    received_by_id: int = Field(foreign_key="app_user.id")
    requested_consultant_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    recognised_by_owner: bool = False
    card: str = Field(default="A", max_length=2)
    previous_owner_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    repeat_card: bool = False
    is_correction: bool = False
    correction_reason: str = Field(default="", max_length=500)
    created_at: Optional[dt.datetime] = _utc()


class ShowroomContactCorrection(SQLModel, table=True):
    """An admin's correction of a locked contact's details: the signed text stays, this one shows beside it."""

    __tablename__ = "showroom_contact_correction"
    __table_args__ = (Index("ix_showroom_contact_correction_contact", "contact_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="showroom_contact.id")
    day: dt.date = Field(index=True)
    details: str = Field(max_length=2000)
    reason: str = Field(max_length=500)
    by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    at: Optional[dt.datetime] = _utc()


class ShowroomFollowUp(SQLModel, table=True):
    """A 回访 by a consultant (seed 000 D1 B8)."""

    __tablename__ = "showroom_follow_up"
    __table_args__ = (Index("ix_showroom_follow_up_customer", "customer_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="showroom_customer.id")
    consultant_id: int = Field(foreign_key="app_user.id")
    at: Optional[dt.datetime] = _utc()
    note: str = Field(default="", max_length=1000)
    recorded_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")


class ShowroomOwnerChange(SQLModel, table=True):
    """Every change of owner with its cause, append-only; ``seq`` numbers a customer's changes."""

    __tablename__ = "showroom_owner_change"
    __table_args__ = (UniqueConstraint("customer_id", "seq", name="uq_showroom_owner_change_seq"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="showroom_customer.id")
    seq: int
    at: Optional[dt.datetime] = _utc(index=True)
    from_owner_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    to_owner_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    cause: str = Field(max_length=30)
    recorded_at: Optional[dt.datetime] = _utc()


class ShowroomDaySheet(SQLModel, table=True):
    """One date's 来店/来电 sheet: traffic count and the signature that locks the date (seed 000 D1 B2)."""

    __tablename__ = "showroom_day_sheet"

    id: Optional[int] = Field(default=None, primary_key=True)
    day: dt.date = Field(unique=True)
    version: int = 0
    traffic_count: Optional[int] = None
    signed_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    signer_title: str = Field(default="", max_length=40)
    signed_at: Optional[dt.datetime] = _utc(nullable=True)
    # Why the day was locked before the closing window (T3); empty for a signature at closing time.
    early_close_reason: str = Field(default="", max_length=500)
    corrections: int = 0


class AccessEntryRecord(SQLModel, table=True):
    """A row of the restricted-area register (SPEC 2.4; 「登记和签名确认」, seed 004 D12)."""

    __tablename__ = "access_entry"
    __table_args__ = (Index("ix_access_entry_open", "time_out", "created_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    area: str = Field(max_length=20)
    category: str = Field(max_length=20)
    name: str = Field(max_length=50)
    unit: str = Field(default="", max_length=100)
    purpose: str = Field(max_length=200)
    escort_name: str = Field(default="", max_length=50)
    escort_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    companion: str = Field(default="", max_length=50)
    signed: bool = False
    time_in: Optional[dt.datetime] = _utc(nullable=True)
    time_out: Optional[dt.datetime] = _utc(nullable=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc(index=True)


class AccessApproval(SQLModel, table=True):
    """An approval given by a person holding the title the category × area matrix names."""

    __tablename__ = "access_approval"

    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="access_entry.id", index=True)
    by_id: int = Field(foreign_key="app_user.id")
    title: str = Field(max_length=40)
    at: Optional[dt.datetime] = _utc()


class ReceptionApplicationRecord(SQLModel, table=True):
    """《客户接待申请表》 with its state (SPEC 2.5, seed 002 #3, #9, #17)."""

    __tablename__ = "reception_application"
    __table_args__ = (Index("ix_reception_application_starts", "starts_on"),
                      Index("ix_reception_application_state", "state", "feedback_due"))

    id: Optional[int] = Field(default=None, primary_key=True)
    guest_count: int
    reception_class: str = Field(max_length=2)
    starts_on: dt.date
    ends_on: dt.date
    reason: str = Field(max_length=500)
    host: str = Field(max_length=50)
    requirements: str = Field(default="", max_length=1000)
    guest_title: str = Field(default="", max_length=100)
    needs_leader: bool = False
    state: str = Field(default="draft", max_length=30)
    seq: int = 0
    chairman_confirmed_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    chairman_confirmed_at: Optional[dt.datetime] = _utc(nullable=True)
    feedback_due: Optional[dt.date] = None
    feedback: str = Field(default="", max_length=2000)
    submitted_on: Optional[dt.date] = None
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()


class ReceptionMeal(SQLModel, table=True):
    """A meal of a reception: venue, diners and cost, tobacco and liquor excluded (seed 002 #17)."""

    __tablename__ = "reception_meal"

    id: Optional[int] = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="reception_application.id", index=True)
    venue: str = Field(max_length=20)
    diners: int
    cost: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    paid_by_guest: bool = False


class ReceptionStep(SQLModel, table=True):
    """Each approval step, append-only; ``UNIQUE (application_id, seq)`` gives one winner per step."""

    __tablename__ = "reception_step"
    __table_args__ = (UniqueConstraint("application_id", "seq", name="uq_reception_step_seq"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="reception_application.id")
    seq: int
    action: str = Field(max_length=30)
    from_state: str = Field(max_length=30)
    to_state: str = Field(max_length=30)
    by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    title: str = Field(default="", max_length=40)
    note: str = Field(default="", max_length=500)
    at: Optional[dt.datetime] = _utc()


class CustomerEnquiry(SQLModel, table=True):
    """A customer's question taken by phone; an open one carries a promised response time (seed 004 D17)."""

    __tablename__ = "customer_enquiry"
    __table_args__ = (Index("ix_customer_enquiry_open", "status", "promised_response_at"),
                      Index("ix_customer_enquiry_phone", "phone_norm", "status"),
                      Index("ix_customer_enquiry_answered", "status", "answered_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    caller_name: str = Field(default="", max_length=50)
    caller_phone: str = Field(default="", max_length=30)
    phone_norm: str = Field(default="", max_length=20)
    question: str = Field(max_length=1000)
    status: str = Field(default="open", max_length=20)
    promised_response_at: Optional[dt.datetime] = _utc(nullable=True)
    answer: str = Field(default="", max_length=2000)
    answered_at: Optional[dt.datetime] = _utc(nullable=True)
    answered_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    repeat_of: list = _json()
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc(index=True)
