"""Between ticket rows and the M3 domain: settings, time zones, enums, list rows (SPEC M3).

The database keeps aware UTC; the domain reasons in office-local time, so every
time goes through ``tz`` on the way in. Rows leave the session as plain dataclasses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, select

from db.models import Ticket, TicketSurvey, User
from lib.domain.complaints import rules
from lib.domain import privacy
from lib.domain.complaints import sla
from lib.domain.errors import FieldError, ValidationFailed
from lib.domain.phones import normalise_phone
from lib.domain.complaints.surveys import Attitude, FollowUpSurvey
from lib.services import settings
from lib.services.base import SUPERVISORS, Actor

OPEN_STATES = tuple(s.value for s in rules.State if s is not rules.State.closed)
UNDISPATCHED = (rules.State.registered.value, rules.State.awaiting_dispatch.value)
FOLLOW_UP_STATES = tuple(s.value for s in (rules.State.completed, rules.State.reported, rules.State.follow_up,
                                           rules.State.callback))
SURVEY_STATES = FOLLOW_UP_STATES[1:]
# Repairs take these through the follow-up call form (seed 000 D2), not through plain buttons.
SURVEY_ACTIONS = (rules.Action.start_follow_up, rules.Action.book_callback, rules.Action.close)
FIELD_PREFIX = "ticket_"
_DIGITS = re.compile(r"\D")

# Ticket columns the domain may change through an action (``rules.Ticket`` field → column).
CHANGEABLE = {
    "state": "state", "category": "category", "cause": "cause", "group": "cs_group", "owner_title": "owner_title",
    "severity": "severity", "compensation_involved": "compensation_involved",
    "first_responsible": "first_responsible", "forwarded_at": "forwarded_at", "forwarded_to": "forwarded_to",
    "replied_at": "replied_at", "dept_first_contact_at": "dept_first_contact_at",
    "escalation_reason": "escalation_reason", "resolved_at": "resolved_at", "informed_at": "informed_at",
    "customer_satisfied": "customer_satisfied", "root_cause": "root_cause", "containment": "containment",
    "permanent_fix": "permanent_fix", "closed_at": "closed_at", "quote_amount": "quote_amount",
    "out_of_town_approved_at": "out_of_town_approved_at", "dispatched_at": "dispatched_at",
    "arrived_at": "arrived_at", "completed_at": "completed_at", "service_report_no": "service_report_no",
    "service_content": "service_content", "callback_at": "callback_at",
}
_TIMES = ("received_at", "forwarded_at", "replied_at", "dept_first_contact_at", "resolved_at", "informed_at",
          "closed_at", "out_of_town_approved_at", "dispatched_at", "arrived_at", "completed_at", "callback_at")


def ticket_rules(session: Session) -> rules.ComplaintSettings:
    """The M3 settings in force, with the office's extra closure days (setting ``holidays``)."""
    keys = [d.key for d in rules.SETTINGS]
    values = settings.current_values(session, [*keys, "holidays"])
    closures = []
    for text in values.pop("holidays") or []:
        try:
            closures.append(dt.date.fromisoformat(str(text)))
        except ValueError:
            continue  # a malformed closure day must not take the ticket desk down
    return rules.ComplaintSettings.from_values(values, closures)


def phone_key(text: str) -> str | None:
    """The match key of a caller's phone: the canonical Chinese number, else its digits (5 or more)."""
    norm = normalise_phone(text or "")
    if norm:
        return norm
    digits = _DIGITS.sub("", text or "")
    return digits[:20] if len(digits) >= 5 else None


def domain_actor(actor: Actor) -> rules.Actor:
    """Admins act as supervisors in the M3 table; titles still gate dispatch (SPEC M0 Roles)."""
    role = rules.SUPERVISOR if actor.role in SUPERVISORS else actor.role
    return rules.Actor(user_id=actor.username, role=role, titles=frozenset(actor.titles))


def prefixed(exc: ValidationFailed) -> ValidationFailed:
    """Field names of this module's forms carry the ``ticket_`` prefix of their catalog labels."""
    return ValidationFailed([FieldError(FIELD_PREFIX + e.field, e.key, e.params) for e in exc.errors])


def enum_or_none(kind: type[StrEnum], value: str | None):
    return None if value in (None, "") else kind(value)


def parse_choice(kind: type[StrEnum], value: str | None, field: str, errors: list[FieldError], required=False):
    """An enum slug from a form; a wrong one (or a missing required one) becomes a field error."""
    if value in (None, ""):
        if required:
            errors.append(FieldError(FIELD_PREFIX + field, "field.required"))
        return None
    try:
        return kind(value)
    except ValueError:
        errors.append(FieldError(FIELD_PREFIX + field, "field.bad_choice"))
        return None


def _local(value: dt.datetime | None, tz) -> dt.datetime | None:
    return None if value is None else value.astimezone(tz)


def survey_of(row: TicketSurvey | None, tz) -> FollowUpSurvey | None:
    if row is None:
        return None
    return FollowUpSurvey(convenient=row.convenient, callback_at=_local(row.callback_at, tz), resolved=row.resolved,
                          attitude=enum_or_none(Attitude, row.attitude), charged=row.charged, score=row.score,
                          suggestion=row.suggestion, fee_paid=row.fee_paid)


def to_domain(row: Ticket, tz, technician: str = "", survey: FollowUpSurvey | None = None) -> rules.Ticket:
    """The ticket as the rules see it, in office-local time."""
    times = {name: _local(getattr(row, name), tz) for name in _TIMES}
    return rules.Ticket(
        id=row.id, type=rules.TicketType(row.type), state=rules.State(row.state), agent_no=row.agent_no,
        channel=rules.Channel(row.channel), customer_id=row.customer_id, customer_name=row.customer_name,
        phone=row.phone, address=row.address, problem=row.problem,
        category=enum_or_none(rules.Category, row.category), cause=enum_or_none(rules.Cause, row.cause),
        group=enum_or_none(rules.Group, row.cs_group), owner_title=row.owner_title,
        severity=rules.Severity(row.severity), compensation_involved=row.compensation_involved,
        resident=row.resident, first_responsible=row.first_responsible, forwarded_to=row.forwarded_to,
        escalation_reason=enum_or_none(rules.EscalationReason, row.escalation_reason),
        customer_satisfied=row.customer_satisfied, root_cause=row.root_cause, containment=row.containment,
        permanent_fix=row.permanent_fix, repeat_kind=enum_or_none(rules.RepeatKind, row.repeat_kind),
        repeat_of=row.repeat_of_id, product_model=row.product_model, fault=row.fault,
        service_kind=enum_or_none(rules.ServiceKind, row.service_kind), in_warranty=row.in_warranty,
        quality_fault=row.quality_fault, quote_amount=row.quote_amount, priority=row.priority,
        out_of_town=row.out_of_town, technician=technician or None, service_report_no=row.service_report_no,
        service_content=row.service_content, survey=survey, **times,
    )


def _stored(value):
    return value.value if isinstance(value, StrEnum) else value


def stored(ticket: rules.Ticket) -> dict[str, object]:
    """Every column an action may change, as stored: ``{column: value}`` (enums as slugs)."""
    return {column: _stored(getattr(ticket, attr)) for attr, column in CHANGEABLE.items()}


def changed_columns(row: Ticket, ticket: rules.Ticket) -> dict[str, object]:
    """The columns an action changed: ``{column: new value}`` (times stay aware; the column stores UTC)."""
    return {column: value for column, value in stored(ticket).items() if value != getattr(row, column)}


def deadline_columns(ticket: rules.Ticket, settings_: rules.ComplaintSettings) -> dict[str, object]:
    """The most urgent running timer, kept on the row so the board sorts by an index (SPEC M3 board)."""
    upcoming = sla.next_deadline(ticket, settings_)
    if upcoming is None:
        return {"due_at": None, "due_kind": None, "due_started_at": None}
    return {"due_at": upcoming.due_at, "due_kind": upcoming.kind.value, "due_started_at": upcoming.started_at}


def may_work_on(actor: Actor, row: Ticket) -> bool:
    """Staff work on their own tickets (taken, logged or dispatched to them) and unclaimed ones; supervisors on all."""
    if actor.role in SUPERVISORS:
        return True
    return row.assignee_id in (None, actor.id) or actor.id in (row.created_by_id, row.technician_id)


@dataclass(frozen=True)
class TicketRow:
    """One line of a ticket list, with its running timer's colour and time left."""

    id: int
    type: str
    flow: str
    state: str
    severity: str
    channel: str
    customer_name: str
    phone: str
    address: str
    problem: str
    category: str | None
    cs_group: str | None
    owner_title: str | None
    received_at: dt.datetime
    due_at: dt.datetime | None
    due_kind: str | None
    level: str | None
    remaining: dt.timedelta | None
    assignee_name: str
    technician_name: str
    repeat_kind: str | None
    priority: bool
    out_of_town: bool
    out_of_town_approved: bool
    callback_at: dt.datetime | None
    last_seq: int
    masked: bool = False


def timer_status(row: Ticket, now: dt.datetime, settings_: rules.ComplaintSettings) -> sla.DeadlineStatus | None:
    """Colour and time left of the stored running timer (amber a share of the allowed time before it)."""
    if row.due_at is None or row.state == rules.State.closed.value:
        return None
    deadline = sla.Deadline(sla.DeadlineKind(row.due_kind), row.due_started_at or row.received_at, row.due_at)
    return sla.deadline_status(row.due_at, now, sla.amber_window(deadline, settings_))


def list_row(row: Ticket, now: dt.datetime, settings_: rules.ComplaintSettings, assignee: str | None = "",
             technician: str | None = "", priority: bool | None = None) -> TicketRow:
    status = timer_status(row, now, settings_)
    return TicketRow(
        id=row.id, type=row.type, flow=row.flow, state=row.state, severity=row.severity, channel=row.channel,
        customer_name=row.customer_name, phone=row.phone, address=row.address, problem=row.problem,
        category=row.category, cs_group=row.cs_group, owner_title=row.owner_title, received_at=row.received_at,
        due_at=row.due_at, due_kind=row.due_kind, level=status.level.value if status else None,
        remaining=status.remaining if status else None, assignee_name=assignee or "",
        technician_name=technician or "", repeat_kind=row.repeat_kind,
        priority=row.priority if priority is None else priority, out_of_town=row.out_of_town,
        out_of_town_approved=row.out_of_town_approved_at is not None, callback_at=row.callback_at,
        last_seq=row.last_seq,
    )


# ---- customer data by need (R7) ----------------------------------------------------------------------

def viewer_of(actor: Actor) -> privacy.Viewer:
    return privacy.Viewer(id=actor.id, role=actor.role, titles=tuple(actor.titles), group_id=actor.group_id)


def cs_titles(session: Session) -> tuple[str, ...]:
    return tuple(settings.get(session, "privacy.customer_service_titles") or ())


def record_people(session: Session, rows: list[Ticket]) -> dict[int, privacy.RecordPeople]:
    """Who works on each ticket: the people named on it, the org group of its assignee, its callback staff."""
    if not rows:
        return {}
    ids = [r.id for r in rows]
    assignees = {r.assignee_id for r in rows if r.assignee_id is not None}
    groups = dict(session.exec(select(User.id, User.group_id).where(User.id.in_(assignees))).all()) if assignees else {}
    callers: dict[int, set[int]] = {}
    for ticket_id, agent_id in session.exec(select(TicketSurvey.ticket_id, TicketSurvey.agent_id)
                                            .where(TicketSurvey.ticket_id.in_(ids))).all():
        if agent_id is not None:
            callers.setdefault(ticket_id, set()).add(agent_id)
    return {r.id: privacy.RecordPeople(
        named=frozenset(i for i in (r.assignee_id, r.created_by_id, r.technician_id) if i is not None),
        group_ids=frozenset({groups[r.assignee_id]} if groups.get(r.assignee_id) is not None else ()),
        callback_staff=frozenset(callers.get(r.id, ())), assigned=r.assignee_id is not None) for r in rows}


def masked_row(row: TicketRow) -> TicketRow:
    """The list row with the customer's name, phone and address masked (R7)."""
    return dataclasses.replace(row, customer_name=privacy.mask_name(row.customer_name),
                               phone=privacy.mask_phone(row.phone), address=privacy.mask_address(row.address),
                               masked=True)


def by_need(session: Session, actor: Actor, rows: list[TicketRow], tickets: list[Ticket]) -> list[TicketRow]:
    """Each row in full for those who work on its ticket, masked for everybody else (R7)."""
    viewer, titles = viewer_of(actor), cs_titles(session)
    people = record_people(session, tickets)
    return [row if row.id in people and privacy.works_on(viewer, people[row.id], titles) else masked_row(row)
            for row in rows]
