"""Complaint and service-request data as the rules see it (SPEC M3 fields and enums).

Plain enums, the ``Ticket`` dataclass and the M3 settings dataclass; the rules that
use them are in ``complaints.py`` (the public face), ``complaint_intake.py``,
``sla.py`` and ``surveys.py``.
All times are office-local (Asia/Shanghai).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from lib.domain.complaints.surveys import DEFAULT_SCORE_RANGE, FollowUpSurvey

class TicketType(StrEnum):
    """咨询, 建议, 投诉, 报修, 服务请求 (SPEC M3; seed 003 M#56; seed 001 D20)."""

    inquiry = "inquiry"
    suggestion = "suggestion"
    complaint = "complaint"
    repair = "repair"
    service_request = "service_request"


class Channel(StrEnum):
    """来电, 来函, 来访, 在线 (seed 001 D6)."""

    phone = "phone"
    letter = "letter"
    visit = "visit"
    online = "online"


class Cause(StrEnum):
    """Why the customer complained (顾客抱怨原因, seed 003 X9#3)."""

    service_shortfall = "service_shortfall"
    staff_selfishness = "staff_selfishness"
    staff_attitude = "staff_attitude"
    interdepartment_dispute = "interdepartment_dispute"
    other = "other"


class Group(StrEnum):
    """The three CS groups (订单组, 投诉组, 客服组; seed 004 D19)."""

    order_group = "order_group"
    complaint_group = "complaint_group"
    cs_group = "cs_group"


class Category(StrEnum):
    """What the ticket is about, for routing (seed 004 D19; 外观类包装 seed 003 X1#57)."""

    trade_dispute = "trade_dispute"
    order = "order"
    top_up = "top_up"
    supplier = "supplier"
    inquiry = "inquiry"
    after_sales = "after_sales"
    packaging = "packaging"
    other = "other"


class Severity(StrEnum):
    """General or major complaint (seed 001 D4)."""

    general = "general"
    major = "major"


class Handler(StrEnum):
    """Who tracks a complaint of each severity (seed 001 D4)."""

    cs_specialist = "cs_specialist"
    supervisor = "supervisor"


class EscalationReason(StrEnum):
    """Why a ticket leaves its handler (SPEC T3)."""

    difficult_customer = "difficult_customer"
    unresolvable = "unresolvable"
    uncooperative_department = "uncooperative_department"


class ServiceKind(StrEnum):
    """Service type A/B/C/D: paid, contract, free, internal (seed 000 D8)."""

    paid = "paid"
    contract = "contract"
    free = "free"
    internal = "internal"


class Misconduct(StrEnum):
    """Complaint causes that earn a 记大过 proposal once verified (seed 001 D12)."""

    argument = "argument"
    solicitation = "solicitation"


class RepeatKind(StrEnum):
    """A ticket that repeats an earlier one (SPEC T8)."""

    repeat_repair = "repeat_repair"
    repeat_complaint = "repeat_complaint"


class Flow(StrEnum):
    """Which state machine a ticket follows."""

    complaint = "complaint"
    repair = "repair"


class State(StrEnum):
    """States of both machines; ``closed`` ends either (SPEC M3)."""

    received = "received"
    triaged = "triaged"
    forwarded = "forwarded"
    in_progress = "in_progress"
    escalated = "escalated"
    resolved = "resolved"
    customer_informed = "customer_informed"
    registered = "registered"
    awaiting_dispatch = "awaiting_dispatch"
    dispatched = "dispatched"
    out_of_town_ok = "out_of_town_ok"
    on_site = "on_site"
    completed = "completed"
    reported = "reported"
    follow_up = "follow_up"
    callback = "callback"
    closed = "closed"


def flow_of(ticket_type: TicketType) -> Flow:
    """Repairs and service requests follow the repair machine, the rest the complaint one (SPEC T4)."""
    if ticket_type in (TicketType.repair, TicketType.service_request):
        return Flow.repair
    return Flow.complaint


INITIAL_STATE = {Flow.complaint: State.received, Flow.repair: State.registered}


class Action(StrEnum):
    """What a user does to a ticket; each (flow, state, action) row is in ``complaints.TRANSITIONS``."""

    reply = "reply"
    triage = "triage"
    forward = "forward"
    start_work = "start_work"
    escalate = "escalate"
    resolve = "resolve"
    inform = "inform"
    reopen = "reopen"
    send_to_dispatch = "send_to_dispatch"
    dispatch = "dispatch"
    approve_out_of_town = "approve_out_of_town"
    arrive = "arrive"
    complete = "complete"
    report = "report"
    start_follow_up = "start_follow_up"
    book_callback = "book_callback"
    close = "close"


@dataclass(frozen=True)
class ComplaintSettings:
    """M3 rule parameters (SPEC M3 settings table); build from stored values with ``from_values``."""

    service_reply_h: int = 24
    forward_to_dept_h: int = 1
    dept_first_contact_h: int = 24
    supervisor_decidable_h: int = 1
    resident_complaint_days: int = 0
    packaging_opinion_wd: int = 2
    followup_record_h: int = 24
    repeat_complaint_window_days: int = 30
    score_range: tuple[int, int] = DEFAULT_SCORE_RANGE
    amber_fraction: float = 0.25
    dispatcher_titles: tuple[str, ...] = ("部门经理", "客服部经理")
    packaging_owner_title: str = "仓储物流主任"
    difficult_customer_titles: tuple[str, ...] = ("班长",)
    unresolvable_titles: tuple[str, ...] = ("主任",)
    uncooperative_department_titles: tuple[str, ...] = ("总经理",)
    received_backdate_min: int = 120
    holidays: frozenset[dt.date] = frozenset()

    @classmethod
    def from_values(cls, values: Mapping[str, object], holidays: Iterable[dt.date] = ()) -> ComplaintSettings:
        """Settings from ``{setting key: typed value}``; missing keys keep their defaults."""
        changes: dict[str, object] = {}
        for key, field_name in _FIELD_BY_KEY.items():
            if key in values:
                value = values[key]
                changes[field_name] = tuple(value) if field_name in _TUPLES else value
        return dataclasses.replace(cls(), holidays=frozenset(holidays), **changes)

    def value(self, key: str) -> object:
        """The current value of setting ``key`` (e.g. ``repair.dispatcher_titles``)."""
        return getattr(self, _FIELD_BY_KEY[key])


_FIELD_BY_KEY = {
    "sla.service_reply": "service_reply_h",
    "sla.forward_to_dept": "forward_to_dept_h",
    "sla.dept_first_contact": "dept_first_contact_h",
    "sla.supervisor_decidable": "supervisor_decidable_h",
    "sla.resident_complaint": "resident_complaint_days",
    "sla.packaging_opinion": "packaging_opinion_wd",
    "sla.followup_record": "followup_record_h",
    "repeat.complaint_window": "repeat_complaint_window_days",
    "survey.score_range": "score_range",
    "sla.amber_fraction": "amber_fraction",
    "repair.dispatcher_titles": "dispatcher_titles",
    "route.packaging_owner_title": "packaging_owner_title",
    "escalation.difficult_customer_titles": "difficult_customer_titles",
    "escalation.unresolvable_titles": "unresolvable_titles",
    "escalation.uncooperative_department_titles": "uncooperative_department_titles",
    "tickets.received_backdate_minutes": "received_backdate_min",
}
_TUPLES = {"score_range", "dispatcher_titles", "difficult_customer_titles", "unresolvable_titles",
           "uncooperative_department_titles"}

DEFAULT_SETTINGS = ComplaintSettings()


@dataclass(frozen=True, kw_only=True)
class Ticket:
    """A ticket of any type as the rules see it (SPEC M3 ``Ticket`` and ``RepairTicket`` fields)."""

    type: TicketType
    state: State
    received_at: dt.datetime
    agent_no: str
    id: int | None = None
    channel: Channel = Channel.phone
    customer_id: int | None = None
    customer_name: str = ""
    phone: str = ""
    address: str = ""
    problem: str = ""
    category: Category | None = None
    cause: Cause | None = None
    group: Group | None = None
    owner_title: str | None = None
    severity: Severity = Severity.general
    compensation_involved: bool = False
    resident: bool = False
    first_responsible: str | None = None
    forwarded_at: dt.datetime | None = None
    forwarded_to: str | None = None
    replied_at: dt.datetime | None = None
    dept_first_contact_at: dt.datetime | None = None
    escalation_reason: EscalationReason | None = None
    resolved_at: dt.datetime | None = None
    informed_at: dt.datetime | None = None
    customer_satisfied: bool | None = None
    root_cause: str = ""
    containment: str = ""
    permanent_fix: str = ""
    verified: bool = False
    misconduct: Misconduct | None = None
    against_staff: str | None = None
    closed_at: dt.datetime | None = None
    repeat_kind: RepeatKind | None = None
    repeat_of: int | None = None
    product_model: str = ""
    fault: str = ""
    service_kind: ServiceKind | None = None
    # None: nobody asked the caller yet, shown as 未填 (T19); only a known in-warranty quality fault is free.
    in_warranty: bool | None = True
    quality_fault: bool | None = True
    quote_amount: Decimal | None = None
    priority: bool = False
    out_of_town: bool = False
    out_of_town_approved_at: dt.datetime | None = None
    technician: str | None = None
    dispatched_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    service_report_no: str = ""
    service_content: str = ""
    survey: FollowUpSurvey | None = None
    callback_at: dt.datetime | None = None

    @property
    def flow(self) -> Flow:
        return flow_of(self.type)
