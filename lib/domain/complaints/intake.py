"""Ticket intake: the agent's form with its read-back ticks, routing, severity and repeats (SPEC M3 T1, T2, T8).

A saved intake becomes a ``Ticket`` in the first state of its machine
(``complaints.TRANSITIONS``); the agent's 工号 is stored on it (seed 000 D2).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from lib.domain.complaints.model import (
    DEFAULT_SETTINGS,
    INITIAL_STATE,
    Category,
    Cause,
    Channel,
    ComplaintSettings,
    Flow,
    Group,
    Handler,
    RepeatKind,
    ServiceKind,
    Severity,
    State,
    Ticket,
    TicketType,
    flow_of,
)
from lib.domain.errors import FieldError, ValidationFailed


@dataclass(frozen=True)
class Route:
    """Where a category goes: a CS group, or a named title when no group handles it."""

    group: Group | None
    owner_title: str | None = None


def route(category: Category, settings: ComplaintSettings = DEFAULT_SETTINGS) -> Route:
    """Route a ticket by category (seed 004 D19; packaging seed 003 X1#57).

    交易纠纷 → 投诉组; 订单/充值/供货商 → 订单组; 咨询 and 售后维护 → 客服组;
    外观类包装 → the 仓储物流主任 (no CS group). Reading: ``other`` goes to 客服组,
    the group that takes daily enquiries, to be triaged further.
    """
    if category is Category.packaging:
        return Route(group=None, owner_title=settings.packaging_owner_title)
    if category is Category.trade_dispute:
        return Route(group=Group.complaint_group)
    if category in (Category.order, Category.top_up, Category.supplier):
        return Route(group=Group.order_group)
    return Route(group=Group.cs_group)


def severity(compensation_involved: bool, beyond_specialist: bool) -> Severity:
    """Major when compensation is involved or the specialist cannot solve it, else general (seed 001 D4)."""
    return Severity.major if compensation_involved or beyond_specialist else Severity.general


def severity_handler(level: Severity) -> Handler:
    """General complaints stay with the 客服专员; major ones go to a supervisor (seed 001 D4)."""
    return Handler.supervisor if level is Severity.major else Handler.cs_specialist


@dataclass(frozen=True, kw_only=True)
class IntakeDraft:
    """What the agent typed on the intake form, with the read-back ticks (seed 000 D2 C1)."""

    type: TicketType
    agent_no: str
    channel: Channel = Channel.phone
    problem: str = ""
    address: str = ""
    customer_name: str = ""
    phone: str = ""
    problem_confirmed: bool = False
    address_confirmed: bool = False
    name_confirmed: bool = False
    phone_confirmed: bool = False
    customer_id: int | None = None
    category: Category | None = None
    cause: Cause | None = None
    compensation_involved: bool = False
    resident: bool = False
    product_model: str = ""
    fault: str = ""
    service_kind: ServiceKind | None = None
    in_warranty: bool | None = True
    quality_fault: bool | None = True
    out_of_town: bool = False
    received_at: dt.datetime | None = None
    received_reason: str = ""


_PHONE_CHARS = re.compile(r"^[0-9+\-() ]+$")
_READ_BACK = (
    ("problem", "problem_confirmed"),
    ("address", "address_confirmed"),
    ("customer_name", "name_confirmed"),
    ("phone", "phone_confirmed"),
)


def validate_intake(draft: IntakeDraft) -> None:
    """Refuse an intake with missing data or an unticked read-back, listing every field (seed 000 D2 C1).

    All types: the agent's 工号 and the problem. Repairs: address, name and phone too,
    and each of problem, address, name and phone needs its 跟读确认 tick. Service
    requests need the 服务登记簿 contact columns (name, address, phone; seed 000 D8)
    without ticks. Complaints need a phone or an address to reply to (reading: the
    24 h reply of seed 001 D6 needs a way back); enquiries and suggestions may be anonymous.
    """
    errors: list[FieldError] = []
    if not draft.agent_no.strip():
        errors.append(FieldError("agent_no", "complaints.error.agent_no_required"))
    required = ["problem"]
    if draft.type in (TicketType.repair, TicketType.service_request):
        required += ["address", "customer_name", "phone"]
    for name in required:
        if not getattr(draft, name).strip():
            errors.append(FieldError(name, f"complaints.error.{name}_required"))
    if draft.type is TicketType.complaint and not (draft.phone.strip() or draft.address.strip()):
        errors.append(FieldError("phone", "complaints.error.contact_required"))
    phone = draft.phone.strip()
    if phone and (not _PHONE_CHARS.match(phone) or sum(c.isdigit() for c in phone) < 5):
        errors.append(FieldError("phone", "complaints.error.phone_invalid"))
    if draft.type is TicketType.repair:
        for name, tick in _READ_BACK:
            if getattr(draft, name).strip() and not getattr(draft, tick):
                errors.append(FieldError(tick, f"complaints.error.{tick}_missing"))
    if errors:
        raise ValidationFailed(errors)


def received_time(draft: IntakeDraft, now: dt.datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dt.datetime:
    """When the customer was heard, which every deadline counts from (T25; 「24小时内答复」 runs from receipt, seed 001 D6).

    Not given: now. Earlier: allowed within ``tickets.received_backdate_minutes`` (assumed 120);
    older needs a reason (a call taken earlier, a hand-over from another channel). Later than now: refused.
    """
    at = draft.received_at
    if at is None:
        return now
    if at > now:
        raise ValidationFailed([FieldError("received_at", "complaints.error.received_in_future")])
    limit = dt.timedelta(minutes=settings.received_backdate_min)
    if now - at > limit and not draft.received_reason.strip():
        raise ValidationFailed([FieldError("received_reason", "complaints.error.received_reason_required",
                                           {"minutes": settings.received_backdate_min})])
    return at


def new_ticket(
    draft: IntakeDraft,
    now: dt.datetime,
    settings: ComplaintSettings = DEFAULT_SETTINGS,
    history: Iterable[Ticket] = (),
    ticket_id: int | None = None,
) -> Ticket:
    """Validate an intake and build the ticket the agent saves (seed 000 D2; seed 003 M#49).

    The agent's 工号 is stored and the agent becomes the first responsible person
    (「第一责任者」, seed 003 M#49). The ticket is received at ``received_time`` (T25). Warranty and
    quality fault are asked only for repairs; elsewhere they stay unanswered (None, T19). A known
    category is routed at once (seed 004 D19), and ``history`` (the customer's earlier tickets)
    marks repeats (SPEC T8).
    """
    errors: list[FieldError] = []
    for check in (lambda: validate_intake(draft), lambda: received_time(draft, now, settings)):
        try:
            check()
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    received_at = received_time(draft, now, settings)
    flow = flow_of(draft.type)
    agent_no = draft.agent_no.strip()
    ticket = Ticket(
        id=ticket_id,
        type=draft.type,
        state=INITIAL_STATE[flow],
        received_at=received_at,
        agent_no=agent_no,
        first_responsible=agent_no,
        channel=draft.channel,
        customer_id=draft.customer_id,
        customer_name=draft.customer_name.strip(),
        phone=draft.phone.strip(),
        address=draft.address.strip(),
        problem=draft.problem.strip(),
        category=draft.category,
        cause=draft.cause,
        severity=severity(draft.compensation_involved, beyond_specialist=False),
        compensation_involved=draft.compensation_involved,
        resident=draft.resident,
        product_model=draft.product_model.strip(),
        fault=draft.fault.strip(),
        service_kind=draft.service_kind,
        in_warranty=draft.in_warranty if flow is Flow.repair else None,
        quality_fault=draft.quality_fault if flow is Flow.repair else None,
        out_of_town=draft.out_of_town,
    )
    if draft.category is not None:
        routed = route(draft.category, settings)
        ticket = dataclasses.replace(ticket, group=routed.group, owner_title=routed.owner_title)
    flag = detect_repeat(ticket, history, settings)
    if flag is not None:
        ticket = dataclasses.replace(ticket, repeat_kind=flag.kind, repeat_of=flag.of_id)
    return ticket


@dataclass(frozen=True)
class RepeatFlag:
    """The new ticket repeats ticket ``of_id``."""

    kind: RepeatKind
    of_id: int | None


def _norm(text: str) -> str:
    return "".join(text.split()).casefold()


def _same_customer(a: Ticket, b: Ticket) -> bool:
    if a.customer_id is not None and b.customer_id is not None:
        return a.customer_id == b.customer_id
    return bool(_norm(a.phone)) and _norm(a.phone) == _norm(b.phone)


def detect_repeat(
    ticket: Ticket, history: Iterable[Ticket], settings: ComplaintSettings = DEFAULT_SETTINGS
) -> RepeatFlag | None:
    """Flag a repeat repair or a repeat complaint, pointing at the latest earlier ticket (SPEC T8).

    Repair or service request: same customer, product and fault as a CLOSED one
    (「不允许同一问题重复修理」, seed 001 D6). Complaint: same customer and category
    received within ``repeat.complaint_window`` days before it, open or closed (window assumed).
    The customer is matched by id, else by phone (reading).
    """
    earlier = [
        t for t in history
        if t.received_at <= ticket.received_at and (t.id is None or t.id != ticket.id) and _same_customer(t, ticket)
    ]
    if ticket.flow is Flow.repair and _norm(ticket.product_model) and _norm(ticket.fault):
        matches = [
            t for t in earlier
            if t.flow is Flow.repair
            and t.state is State.closed
            and _norm(t.product_model) == _norm(ticket.product_model)
            and _norm(t.fault) == _norm(ticket.fault)
        ]
        kind = RepeatKind.repeat_repair
    elif ticket.type is TicketType.complaint and ticket.category is not None:
        since = ticket.received_at - dt.timedelta(days=settings.repeat_complaint_window_days)
        matches = [
            t for t in earlier
            if t.type is TicketType.complaint and t.category is ticket.category and t.received_at >= since
        ]
        kind = RepeatKind.repeat_complaint
    else:
        return None
    if not matches:
        return None
    latest = max(matches, key=lambda t: t.received_at)
    return RepeatFlag(kind=kind, of_id=latest.id)
