"""Duty rotation tables (SPEC M1): lottery draws, queue events, rosters, requests, check-ins, handovers.

The queue board is never stored: ``queue_day`` keeps the day's starting order and
``queue_event`` the append-only events; the board is their replay. One winner per
event comes from ``UNIQUE (day_id, seq)`` (STYLE "One winner without locks").
Handovers keep the domain record as JSON (``data``, times in UTC) beside the
columns that are queried; a ``version`` column settles concurrent steps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime

__all__ = [
    "LotteryDraw", "QueueDay", "QueueEventRecord", "QueueDemotion", "ShiftTemplateRecord", "RosterPeriod",
    "RosterEntryRecord", "RosterSwap", "RosterAbsence", "RosterCheckIn", "HandoverRecord", "HandoverLogEntry",
]


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class LotteryDraw(SQLModel, table=True):
    """「全体销售顾问抽签决定值班顺序」: the order, how it was drawn and by whom (seed 000 D1)."""

    __tablename__ = "lottery_draw"

    id: Optional[int] = Field(default=None, primary_key=True)
    drawn_on: dt.date = Field(index=True)
    method: str = Field(max_length=20)
    lottery_order: list = _json()
    drawn_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    drawn_at: Optional[dt.datetime] = _utc()
    note: str = Field(default="", max_length=500)


class QueueDay(SQLModel, table=True):
    """One showroom day: the starting order the board is replayed from (SPEC 1.1 QueueDay)."""

    __tablename__ = "queue_day"

    id: Optional[int] = Field(default=None, primary_key=True)
    day: dt.date = Field(unique=True)
    draw_id: int = Field(foreign_key="lottery_draw.id")
    start_order: list = _json()
    demoted: list = _json()
    inactive: list = _json()
    intern_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    start_consultant_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    closing_front_desk_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    groups_per_round: int = 1
    opened_at: Optional[dt.datetime] = _utc()
    opened_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")


class QueueEventRecord(SQLModel, table=True):
    """One tap on the board, append-only; ``seq`` numbers the day's stream (SPEC 1.1 QueueEvent)."""

    __tablename__ = "queue_event"
    __table_args__ = (UniqueConstraint("day_id", "seq", name="uq_queue_event_day_seq"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    day_id: int = Field(foreign_key="queue_day.id")
    seq: int
    type: str = Field(max_length=20)
    consultant_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    next_consultant_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    contact_id: Optional[int] = None
    new_order: list = _json()
    reason: str = Field(default="", max_length=500)
    by_supervisor: bool = False
    flag: str = Field(default="", max_length=30)
    at: Optional[dt.datetime] = _utc()
    recorded_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")


class QueueDemotion(SQLModel, table=True):
    """A consultant out of the queue for a month (seed 000 D1); set by hand now, by the KPI module later."""

    __tablename__ = "queue_demotion"
    __table_args__ = (Index("ix_queue_demotion_span", "month_start", "end_day"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    consultant_id: int = Field(foreign_key="app_user.id", index=True)
    month_start: dt.date
    end_day: dt.date
    reason: str = Field(default="", max_length=500)
    source: str = Field(default="manual", max_length=20)
    set_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    set_at: Optional[dt.datetime] = _utc()
    revoked_at: Optional[dt.datetime] = _utc(nullable=True)
    revoked_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")


class ShiftTemplateRecord(SQLModel, table=True):
    """A shift template made from a SPEC 1.2 preset; frozen, so a roster validates as it was built."""

    __tablename__ = "shift_template"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    preset: str = Field(max_length=40)
    crews: int = 1
    shifts: list = _json()
    coverage: list = _json()
    rules: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()


class RosterPeriod(SQLModel, table=True):
    """A week or month roster of one post: draft → published → locked (SPEC 1.2)."""

    __tablename__ = "roster_period"
    __table_args__ = (UniqueConstraint("post_id", "first_day", name="uq_roster_period_post_first"),
                      Index("ix_roster_period_span", "first_day", "last_day"))

    id: Optional[int] = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="org_unit.id")
    template_id: int = Field(foreign_key="shift_template.id")
    first_day: dt.date
    last_day: dt.date
    status: str = Field(default="draft", max_length=20)
    version: int = 1
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()
    published_at: Optional[dt.datetime] = _utc(nullable=True)
    published_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    locked_at: Optional[dt.datetime] = _utc(nullable=True)
    locked_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")


class RosterEntryRecord(SQLModel, table=True):
    """Who works which shift on which day (SPEC 1.2 RosterEntry)."""

    __tablename__ = "roster_entry"
    __table_args__ = (
        UniqueConstraint("period_id", "day", "shift", "staff_id", name="uq_roster_entry"),
        Index("ix_roster_entry_day", "day"),
        Index("ix_roster_entry_staff_day", "staff_id", "day"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="roster_period.id")
    day: dt.date
    shift: str = Field(max_length=20)
    staff_id: int = Field(foreign_key="app_user.id")
    kind: str = Field(default="on_duty", max_length=20)


class RosterSwap(SQLModel, table=True):
    """A swap request: the roster changes only when the 主管 approves (SPEC 1.3, seed 000 D2)."""

    __tablename__ = "roster_swap"

    id: Optional[int] = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="roster_period.id")
    requester_id: int = Field(foreign_key="app_user.id", index=True)
    counterpart_id: int = Field(foreign_key="app_user.id")
    requester_day: dt.date
    requester_shift: str = Field(max_length=20)
    counterpart_day: dt.date
    counterpart_shift: str = Field(max_length=20)
    reason: str = Field(default="", max_length=500)
    status: str = Field(default="requested", max_length=20, index=True)
    override: bool = False
    filed_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    filed_at: Optional[dt.datetime] = _utc()
    decided_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    decided_at: Optional[dt.datetime] = _utc(nullable=True)
    decision_note: str = Field(default="", max_length=500)


class RosterAbsence(SQLModel, table=True):
    """Leaving a post for a while, with its cover (SPEC 1.3 PostAbsence)."""

    __tablename__ = "roster_absence"
    __table_args__ = (Index("ix_roster_absence_span", "ends_at", "starts_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="app_user.id", index=True)
    post_id: int = Field(foreign_key="org_unit.id")
    policy: str = Field(max_length=20)
    starts_at: Optional[dt.datetime] = _utc()
    ends_at: Optional[dt.datetime] = _utc()
    reason: str = Field(max_length=20)
    note: str = Field(default="", max_length=500)
    cover_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    status: str = Field(default="submitted", max_length=20, index=True)
    decision_key: str = Field(default="", max_length=80)
    filed_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    filed_at: Optional[dt.datetime] = _utc()
    decided_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    decided_at: Optional[dt.datetime] = _utc(nullable=True)


class RosterCheckIn(SQLModel, table=True):
    """Arrival for a rostered shift, flagged when later than start − 10 min (SPEC 1.3, S12)."""

    __tablename__ = "roster_check_in"

    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="roster_entry.id", unique=True)
    staff_id: int = Field(foreign_key="app_user.id")
    shift_start: Optional[dt.datetime] = _utc()
    checked_in_at: Optional[dt.datetime] = _utc(index=True)
    status: str = Field(max_length=20)


class HandoverRecord(SQLModel, table=True):
    """One shift change on a post (SPEC 1.4); a correction of a signed one is a new revision."""

    __tablename__ = "handover"
    __table_args__ = (Index("ix_handover_post_start", "post_id", "shift_start"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="org_unit.id")
    out_shift: str = Field(max_length=20)
    in_shift: str = Field(max_length=20)
    shift_start: Optional[dt.datetime] = _utc()
    outgoing_id: int = Field(foreign_key="app_user.id")
    incoming_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    state: str = Field(max_length=30, index=True)
    version: int = 1
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    completed_at: Optional[dt.datetime] = _utc(nullable=True)
    supervisor_alert_at: Optional[dt.datetime] = _utc(nullable=True)
    revision: int = 1
    supersedes_id: Optional[int] = Field(default=None, foreign_key="handover.id")
    is_current: bool = True
    correction_reason: str = Field(default="", max_length=500)
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()


class HandoverLogEntry(SQLModel, table=True):
    """The duty log of a post, append-only; ``shift`` is the shift responsible for it (H2, S19)."""

    __tablename__ = "handover_log"
    __table_args__ = (Index("ix_handover_log_post_at", "post_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="org_unit.id")
    at: Optional[dt.datetime] = _utc()
    author_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    text: str = Field(max_length=1000)
    abnormal: bool = False
    shift: str = Field(default="", max_length=20)
    handover_id: Optional[int] = Field(default=None, foreign_key="handover.id")
