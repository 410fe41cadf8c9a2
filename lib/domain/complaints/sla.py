"""Ticket deadlines (SPEC M3 settings; T11) and the order of the board and the dispatch list.

Readings: an "N h" limit is N clock hours from the start, whatever the day (S36,
S44: "09:00 day 1 → 09:00 day 2", "10:30 → 10:30 the next day"); a day limit
("same day", "by the 2nd working day", "never the next day") ends at the end of
that calendar day. Working days come from ``workdays.py`` (调休 make-up days count,
the next working day is day 1, SPEC reading 18). Times are office-local.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from lib.domain.complaints.model import (
    DEFAULT_SETTINGS,
    Category,
    ComplaintSettings,
    Flow,
    Severity,
    State,
    Ticket,
    TicketType,
)
from lib.domain.workdays import nth_working_day


class DeadlineKind(StrEnum):
    """Which timer a deadline belongs to."""

    reply = "reply"
    forward = "forward"
    dept_first_contact = "dept_first_contact"
    packaging_opinion = "packaging_opinion"
    resident_same_day = "resident_same_day"
    followup_record = "followup_record"
    supervisor_decision = "supervisor_decision"


class Level(StrEnum):
    """Board colour: ok, amber near the deadline, red at or past it (SPEC M3 Pages)."""

    ok = "ok"
    amber = "amber"
    red = "red"


@dataclass(frozen=True)
class Deadline:
    """One running timer: what it is, when it started and when it is due."""

    kind: DeadlineKind
    started_at: dt.datetime
    due_at: dt.datetime


@dataclass(frozen=True)
class DeadlineStatus:
    """The colour and the time left (negative once overdue)."""

    level: Level
    remaining: dt.timedelta


def _end_of_day(day: dt.date, like: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=like.tzinfo)


def reply_due(received_at: dt.datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dt.datetime:
    """Reply within 24 h of receiving the request (「应在24小时内答复」, seed 001 D6; seed 002 #2)."""
    return received_at + dt.timedelta(hours=settings.service_reply_h)


def forward_due(recorded_at: dt.datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dt.datetime:
    """The 客户反馈表 reaches the department within 1 h of recording (seed 001 D23; SPEC reading 16)."""
    return recorded_at + dt.timedelta(hours=settings.forward_to_dept_h)


def dept_first_contact_due(sent_at: dt.datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dt.datetime:
    """The department contacts the customer within 24 h of the form being sent (seed 001 D23)."""
    return sent_at + dt.timedelta(hours=settings.dept_first_contact_h)


def followup_record_due(contacted_at: dt.datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dt.datetime:
    """The 客户回访记录表 is filled in within 24 h of the follow-up contact (seed 001 D23)."""
    return contacted_at + dt.timedelta(hours=settings.followup_record_h)


def supervisor_decision_due(raised_at: dt.datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dt.datetime:
    """What the supervisor can decide is settled within 1 h and never left to the next day (seed 001 D23)."""
    return min(raised_at + dt.timedelta(hours=settings.supervisor_decidable_h), _end_of_day(raised_at.date(), raised_at))


def resident_complaint_due(received_at: dt.datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dt.datetime:
    """A resident's complaint is investigated the same day (「当天进行调查、核实」, seed 003 X3#22).

    The setting counts extra calendar days; 0 (the default) means the end of the day received.
    """
    day = received_at.date() + dt.timedelta(days=settings.resident_complaint_days)
    return _end_of_day(day, received_at)


def packaging_opinion_due(received_at: dt.datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dt.datetime:
    """The handling opinion on a packaging complaint is due by the 2nd working day (seed 003 X1#57).

    The next working day after receipt is day 1 (SPEC reading 18), so Friday → Tuesday,
    and 2026-09-30 → 2026-10-09 across National Day.
    """
    day = nth_working_day(received_at.date(), settings.packaging_opinion_wd, settings.holidays)
    return _end_of_day(day, received_at)


_NOT_FORWARDED = (State.received, State.triaged)
_BEFORE_RESOLUTION = (*_NOT_FORWARDED, State.forwarded, State.in_progress)


def open_deadlines(ticket: Ticket, settings: ComplaintSettings = DEFAULT_SETTINGS) -> list[Deadline]:
    """The timers still running on a ticket, earliest first (SPEC M3 settings; seed 001 D6, D23; seed 003).

    Reply (every type) until the first reply; forward (complaints) until the
    客户反馈表 is sent; department first contact until it is made; the packaging
    opinion and a resident's same-day investigation until the ticket is resolved
    or escalated (reading: escalation hands the decision to the 主任, seed 003 X3#22).
    """
    if ticket.state is State.closed:
        return []
    found: list[Deadline] = []
    if ticket.replied_at is None:
        found.append(Deadline(DeadlineKind.reply, ticket.received_at, reply_due(ticket.received_at, settings)))
    if ticket.flow is Flow.complaint:
        if ticket.type is TicketType.complaint and ticket.forwarded_at is None and ticket.state in _NOT_FORWARDED:
            found.append(Deadline(DeadlineKind.forward, ticket.received_at, forward_due(ticket.received_at, settings)))
        if ticket.forwarded_at is not None and ticket.dept_first_contact_at is None and ticket.state is State.forwarded:
            due = dept_first_contact_due(ticket.forwarded_at, settings)
            found.append(Deadline(DeadlineKind.dept_first_contact, ticket.forwarded_at, due))
        if ticket.state in _BEFORE_RESOLUTION:
            if ticket.category is Category.packaging:
                due = packaging_opinion_due(ticket.received_at, settings)
                found.append(Deadline(DeadlineKind.packaging_opinion, ticket.received_at, due))
            if ticket.resident:
                due = resident_complaint_due(ticket.received_at, settings)
                found.append(Deadline(DeadlineKind.resident_same_day, ticket.received_at, due))
    return sorted(found, key=lambda d: d.due_at)


def next_deadline(ticket: Ticket, settings: ComplaintSettings = DEFAULT_SETTINGS) -> Deadline | None:
    """The most urgent running timer of a ticket, if any."""
    deadlines = open_deadlines(ticket, settings)
    return deadlines[0] if deadlines else None


def amber_window(deadline: Deadline, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dt.timedelta:
    """How long before the deadline the board turns amber: a share of the allowed time (assumed)."""
    return (deadline.due_at - deadline.started_at) * settings.amber_fraction


def deadline_status(due_at: dt.datetime, now: dt.datetime, amber_before: dt.timedelta) -> DeadlineStatus:
    """Red at or past the deadline, amber within ``amber_before`` of it, else ok (SPEC M3 board; S36).

    Reading: "overdue at 09:00 on day 2" (S36) makes the deadline instant itself red.
    """
    remaining = due_at - now
    if remaining <= dt.timedelta(0):
        return DeadlineStatus(Level.red, remaining)
    if remaining <= amber_before:
        return DeadlineStatus(Level.amber, remaining)
    return DeadlineStatus(Level.ok, remaining)


def urgency_sort_key(ticket: Ticket, settings: ComplaintSettings = DEFAULT_SETTINGS) -> tuple:
    """Board order: earliest running deadline first, major before general, then oldest (SPEC M3 board)."""
    upcoming = next_deadline(ticket, settings)
    return (
        upcoming is None,
        upcoming.due_at if upcoming else ticket.received_at,
        ticket.severity is not Severity.major,
        ticket.received_at,
        ticket.id if ticket.id is not None else 0,
    )


@dataclass(frozen=True)
class DispatchEntry:
    """One line of the department manager's dispatch list."""

    ticket: Ticket
    priority: bool


_UNDISPATCHED = (State.registered, State.awaiting_dispatch)


def dispatch_list_order(tickets: Iterable[Ticket], today: dt.date) -> list[DispatchEntry]:
    """Undispatched repairs for today's list, priority first (seed 000 D8 C19).

    Work left undispatched at the end of its day (received before ``today``) tops
    the list as priority, as does a ticket flagged priority at intake; oldest first
    within each part. Reading: both REGISTERED and AWAITING_DISPATCH count as
    undispatched, since the register is reconciled against everything not yet sent out.
    """
    entries = [
        DispatchEntry(ticket=t, priority=t.priority or t.received_at.date() < today)
        for t in tickets
        if t.flow is Flow.repair and t.state in _UNDISPATCHED
    ]
    return sorted(entries, key=lambda e: (not e.priority, e.ticket.received_at, e.ticket.id or 0))
