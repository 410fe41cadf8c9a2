"""Complaint and service-request reads (SPEC M3 Pages): intake lookup, my tickets, board, dispatch, callbacks, detail.

Every list reads open tickets through the ``(state, ...)`` indexes, so closed history
never slows a page down; the customer lookup is one unique-index probe plus the
customer's latest tickets by ``(customer_id, received_at)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from db.engine import session_scope
from db.models import Ticket, TicketCustomer, TicketEvent, TicketSurvey, User
from lib.domain.complaints import rules
from lib.domain import privacy
from lib.domain.complaints import sla
from lib.domain.complaints.surveys import FollowUpTask, callback_queue as due_calls
from lib.services import settings
from lib.services.limits import row_id
from lib.services.base import SUPERVISORS, WRITERS, Actor, acting, audit, require, utcnow
from lib.services.tickets.map import (FOLLOW_UP_STATES, OPEN_STATES, SURVEY_ACTIONS, SURVEY_STATES, UNDISPATCHED,
                                      TicketRow, by_need, cs_titles, domain_actor, list_row, masked_row,
                                      may_work_on, phone_key, record_people, survey_of, ticket_rules, to_domain,
                                      viewer_of)

LIST_LIMIT = 300
HISTORY_SHOWN = 10
TIMELINE_LIMIT = 500


@dataclass(frozen=True)
class CustomerCard:
    """A known caller and their tickets: open ones first, so nobody has to call twice (seed 003 M#49)."""

    id: int
    name: str
    phone: str
    address: str
    open: list[TicketRow]
    past: list[TicketRow]


@dataclass(frozen=True)
class StateCount:
    state: str
    severity: str
    count: int


@dataclass(frozen=True, kw_only=True)
class BoardFilter:
    type: str | None = None
    state: str | None = None
    severity: str | None = None
    group: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class Board:
    counts: list[StateCount]
    open_total: int
    majors: int
    breached: int
    rows: list[TicketRow]
    truncated: bool


@dataclass(frozen=True)
class DispatchView:
    rows: list[TicketRow]
    dispatchable: frozenset[int]
    approvals: list[TicketRow]
    approvable: frozenset[int]
    dispatcher_titles: tuple[str, ...]


@dataclass(frozen=True)
class CallbackView:
    due: list[TicketRow]
    later: list[TicketRow]


@dataclass(frozen=True)
class TimelineStep:
    seq: int
    at: dt.datetime
    actor_name: str
    action: str
    from_state: str | None
    to_state: str
    note: str
    data: dict | None


@dataclass(frozen=True)
class DeadlineLine:
    kind: str
    due_at: dt.datetime
    level: str
    remaining: dt.timedelta


@dataclass(frozen=True)
class SurveyLine:
    at: dt.datetime
    agent_name: str
    convenient: bool
    callback_at: dt.datetime | None
    resolved: bool | None
    attitude: str | None
    charged: bool | None
    score: int | None
    suggestion: str
    fee_reminder_given: bool


@dataclass(frozen=True)
class TicketDetail:
    row: TicketRow
    facts: dict[str, object]
    handler: str | None
    deadlines: list[DeadlineLine]
    actions: list[str]
    survey_open: bool
    may_act: bool
    can_take: bool
    assignee_id: int | None
    timeline: list[TimelineStep]
    surveys: list[SurveyLine]
    score_range: tuple[int, int]
    related: list[TicketRow] = field(default_factory=list)
    reopened_by: SurveyLine | None = None  # the follow-up call that sent this repair back (T5)


def _named_query():
    assignee, technician = aliased(User), aliased(User)
    query = (select(Ticket, assignee.name, technician.name)
             .outerjoin(assignee, assignee.id == Ticket.assignee_id)
             .outerjoin(technician, technician.id == Ticket.technician_id))
    return query


def _rows(session: Session, query, now: dt.datetime, ticket_settings) -> list[TicketRow]:
    return [list_row(t, now, ticket_settings, a, tech) for t, a, tech in session.exec(query).all()]


def _by_urgency(session: Session, rows: list[TicketRow], tickets: dict[int, Ticket],
                ticket_settings) -> list[TicketRow]:
    """Earliest running deadline first, major before general, then oldest (``sla.urgency_sort_key``)."""
    tz = settings.office_zone(session)
    keys = {i: sla.urgency_sort_key(to_domain(t, tz), ticket_settings) for i, t in tickets.items()}
    return sorted(rows, key=lambda r: keys[r.id])


def _needed(session: Session, actor: Actor, rows: list[TicketRow]) -> list[TicketRow]:
    """The rows as this user may see them: customers of tickets they do not work on masked (R7)."""
    ids = [r.id for r in rows]
    tickets = list(session.exec(select(Ticket).where(Ticket.id.in_(ids))).all()) if ids else []
    return by_need(session, actor, rows, tickets)


def _urgent_list(session: Session, query, now: dt.datetime) -> list[TicketRow]:
    ticket_settings = ticket_rules(session)
    found = session.exec(query.order_by(Ticket.due_at.asc().nulls_last(), Ticket.received_at)
                         .limit(LIST_LIMIT)).all()
    rows = [list_row(t, now, ticket_settings, a, tech) for t, a, tech in found]
    return _by_urgency(session, rows, {t.id: t for t, _, _ in found}, ticket_settings)


# ---- intake lookup --------------------------------------------------------------------------------

def find_customer(engine: Engine, *, actor: Actor, phone: str, now: dt.datetime | None = None) -> CustomerCard | None:
    """The caller recognised by phone, with their open and past tickets (unique index, then 10 newest)."""
    require(actor, WRITERS)
    key = phone_key(phone)
    if not key:
        return None
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        customer = session.exec(select(TicketCustomer).where(TicketCustomer.phone_norm == key)).first()
        if customer is None:
            return None
        ticket_settings = ticket_rules(session)
        base = _named_query().where(Ticket.customer_id == customer.id)
        # No ORDER BY on the open ones: a caller has few, and sorting them here keeps the lookup on
        # (customer_id, state) instead of walking a regular caller's whole history by date.
        open_rows = sorted(_rows(session, base.where(Ticket.state.in_(OPEN_STATES)).limit(LIST_LIMIT),
                                 now, ticket_settings), key=lambda r: r.received_at, reverse=True)
        past = _rows(session, base.where(Ticket.state == rules.State.closed.value)
                     .order_by(Ticket.received_at.desc()).limit(HISTORY_SHOWN), now, ticket_settings)
        open_rows, past = _needed(session, actor, open_rows), _needed(session, actor, past)
    return CustomerCard(id=customer.id, name=customer.name, phone=customer.phone, address=customer.address,
                        open=open_rows, past=past)


# ---- lists ------------------------------------------------------------------------------------------

def my_tickets(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> list[TicketRow]:
    """My open tickets (logged, taken or dispatched to me), most urgent first."""
    require(actor, WRITERS)
    now = now or utcnow()
    mine = or_(Ticket.created_by_id == actor.id, Ticket.assignee_id == actor.id, Ticket.technician_id == actor.id)
    with session_scope(engine, write=False) as session:
        return _needed(session, actor,
                       _urgent_list(session, _named_query().where(Ticket.state.in_(OPEN_STATES), mine), now))


def unclaimed(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> list[TicketRow]:
    """Open tickets nobody has taken yet (other than the ones I logged, already in my list), most urgent first."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        query = _named_query().where(Ticket.state.in_(OPEN_STATES), Ticket.assignee_id.is_(None),
                                     Ticket.technician_id.is_(None),
                                     or_(Ticket.created_by_id.is_(None), Ticket.created_by_id != actor.id))
        return _needed(session, actor, _urgent_list(session, query, now))


def board(engine: Engine, *, actor: Actor, filters: BoardFilter | None = None,
          now: dt.datetime | None = None) -> Board:
    """The supervisor board: open counts by state and severity, breaches, and the filtered list (SPEC M3)."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    filters = filters or BoardFilter()
    states = [filters.state] if filters.state in OPEN_STATES else list(OPEN_STATES)
    with session_scope(engine, write=False) as session:
        ticket_settings = ticket_rules(session)
        counted = session.exec(select(Ticket.state, Ticket.severity, func.count())
                               .where(Ticket.state.in_(OPEN_STATES))
                               .group_by(Ticket.state, Ticket.severity)).all()
        breached = session.exec(select(func.count()).select_from(Ticket)
                                .where(Ticket.state.in_(OPEN_STATES), Ticket.due_at <= now)).one()
        query = _named_query().where(Ticket.state.in_(states))
        if filters.type:
            query = query.where(Ticket.type == filters.type)
        if filters.severity:
            query = query.where(Ticket.severity == filters.severity)
        if filters.group:
            query = query.where(Ticket.cs_group == filters.group)
        if filters.level == sla.Level.red.value:
            query = query.where(Ticket.due_at <= now)
        found = session.exec(query.order_by(Ticket.due_at.asc().nulls_last(), Ticket.received_at)
                             .limit(LIST_LIMIT + 1)).all()
        truncated = len(found) > LIST_LIMIT
        found = found[:LIST_LIMIT]
        rows = [list_row(t, now, ticket_settings, a, tech) for t, a, tech in found]
        rows = _by_urgency(session, rows, {t.id: t for t, _, _ in found}, ticket_settings)
    if filters.level:
        rows = [r for r in rows if r.level == filters.level]
    counts = [StateCount(s, sev, n) for s, sev, n in counted]
    return Board(counts=counts, open_total=sum(c.count for c in counts),
                 majors=sum(c.count for c in counts if c.severity == rules.Severity.major.value), breached=breached,
                 rows=rows, truncated=truncated)


def _allowed(ticket: rules.Ticket, actor: Actor, ticket_settings) -> set[rules.Action]:
    who = domain_actor(actor)
    return {t.action for t in rules.allowed_transitions(ticket, who.role, who.titles, ticket_settings)}


def dispatch_list(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> DispatchView:
    """Undispatched repairs, yesterday's leftovers first as priority (S41), and out-of-town approvals (S42)."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        ticket_settings = ticket_rules(session)
        found = session.exec(_named_query().where(Ticket.state.in_(UNDISPATCHED))
                             .order_by(Ticket.received_at).limit(LIST_LIMIT)).all()
        tickets = {t.id: to_domain(t, tz) for t, _, _ in found}
        names = {t.id: (t, a, tech) for t, a, tech in found}
        order = sla.dispatch_list_order(tickets.values(), now.astimezone(tz).date())
        rows = []
        for entry in order:
            row, assignee, technician = names[entry.ticket.id]
            rows.append(list_row(row, now, ticket_settings, assignee, technician, priority=entry.priority))
        dispatchable = frozenset(i for i, t in tickets.items()
                                 if rules.Action.dispatch in _allowed(t, actor, ticket_settings))
        waiting = session.exec(_named_query().where(Ticket.state == rules.State.dispatched.value,
                                                    Ticket.out_of_town == True,  # noqa: E712
                                                    Ticket.out_of_town_approved_at.is_(None))
                               .order_by(Ticket.received_at).limit(LIST_LIMIT)).all()
        approvals = [list_row(t, now, ticket_settings, a, tech) for t, a, tech in waiting]
        approvable = frozenset(
            t.id for t, _, _ in waiting
            if rules.Action.approve_out_of_town in _allowed(to_domain(t, tz), actor, ticket_settings))
    return DispatchView(rows=rows, dispatchable=dispatchable, approvals=approvals, approvable=approvable,
                        dispatcher_titles=ticket_settings.dispatcher_titles)


def callback_queue(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> CallbackView:
    """Completed repairs to call back: new ones and callbacks whose booked time has come (seed 000 D2)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        ticket_settings = ticket_rules(session)
        found = session.exec(_named_query().where(Ticket.state.in_(FOLLOW_UP_STATES))
                             .order_by(Ticket.follow_up_at).limit(LIST_LIMIT)).all()
        shown = by_need(session, actor, [list_row(t, now, ticket_settings, a, tech) for t, a, tech in found],
                        [t for t, _, _ in found])
    rows = {r.id: r for r in shown}
    tasks = [FollowUpTask(ticket_id=t.id, created_at=t.follow_up_at or t.received_at, callback_at=t.callback_at)
             for t, _, _ in found]
    due = [rows[task.ticket_id] for task in due_calls(tasks, now)]
    due_ids = {r.id for r in due}
    later = sorted((r for i, r in rows.items() if i not in due_ids), key=lambda r: r.callback_at or now)
    return CallbackView(due=due, later=later)


# ---- one ticket -------------------------------------------------------------------------------------

# Facts asked of each kind of ticket; a fact its intake never asks is not shown as a "no" nobody said (T19).
_COMPLAINT_FACTS = ("agent_no", "first_responsible", "cause", "compensation_involved", "resident", "forwarded_to",
                    "escalation_reason", "customer_satisfied", "root_cause", "containment", "permanent_fix",
                    "repeat_of_id")
_REPAIR_FACTS = ("agent_no", "first_responsible", "product_model", "product_spec", "purchase_date", "purchase_place",
                 "fault", "service_kind", "in_warranty", "quality_fault", "quote_amount", "service_report_no",
                 "service_content", "repeat_of_id")
# Yes/no facts where None means nobody answered yet: shown as 未填 (T19).
UNANSWERED_SHOWN = ("in_warranty", "quality_fault")


def _fact_names(row: Ticket) -> tuple[str, ...]:
    if row.flow == rules.Flow.repair.value:
        return _REPAIR_FACTS
    if row.type == rules.TicketType.complaint.value:
        return (*_COMPLAINT_FACTS, *UNANSWERED_SHOWN)
    return _COMPLAINT_FACTS


_MASKED_FIELDS = {"phone": privacy.mask_phone, "address": privacy.mask_address,
                  "customer_name": privacy.mask_name}


def _masked_data(data: dict | None) -> dict | None:
    """A step's data for someone not on the ticket: changed customer fields masked, phones in any text masked."""
    if not isinstance(data, dict):
        return data
    shown = privacy.mask_phones_deep(data)
    changes = shown.get("changes")
    if isinstance(changes, dict):
        shown["changes"] = {name: _MASKED_FIELDS[name](value) if name in _MASKED_FIELDS and isinstance(value, str)
                            else value for name, value in changes.items()}
    return shown


def _masked_step(step: TimelineStep) -> TimelineStep:
    """A timeline step as an outsider sees it: a note quoting the customer's phone is masked too (R7)."""
    return dataclasses.replace(step, note=privacy.mask_phones_in(step.note), data=_masked_data(step.data))


def _masked_survey(line: SurveyLine) -> SurveyLine:
    return dataclasses.replace(line, suggestion=privacy.mask_phones_in(line.suggestion))


@acting
def ticket_detail(engine: Engine, *, actor: Actor, ticket_id: int,
                  now: dt.datetime | None = None) -> TicketDetail | None:
    """Everything about one ticket: facts, running timers, the actions this user may take, the timeline."""
    require(actor, WRITERS)
    if row_id(ticket_id) is None:
        return None  # no row has this number, and PostgreSQL would refuse to look (R3)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        found = session.exec(_named_query().where(Ticket.id == ticket_id)).first()
        if found is None:
            return None
        row, assignee, technician = found
        tz = settings.office_zone(session)
        ticket_settings = ticket_rules(session)
        surveys = session.exec(select(TicketSurvey, User.name).outerjoin(User, User.id == TicketSurvey.agent_id)
                               .where(TicketSurvey.ticket_id == ticket_id)
                               .order_by(TicketSurvey.at, TicketSurvey.id)).all()
        ticket = to_domain(row, tz, technician or "", survey_of(surveys[-1][0] if surveys else None, tz))
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                              .order_by(TicketEvent.seq).limit(TIMELINE_LIMIT)).all()
        related = []
        if row.customer_id is not None:
            related = _needed(session, actor, _rows(
                session, _named_query().where(Ticket.customer_id == row.customer_id, Ticket.id != row.id)
                .order_by(Ticket.received_at.desc()).limit(HISTORY_SHOWN), now, ticket_settings))
        viewer, titles = viewer_of(actor), cs_titles(session)
        record = record_people(session, [row])[row.id]
        full = privacy.works_on(viewer, record, titles)
        outsider_read = full and not privacy.is_own(viewer, record, titles) and bool(row.phone or row.address)
    if outsider_read:
        # A supervisor reading a customer on a ticket not theirs leaves a trace (R7).
        with session_scope(engine) as session:
            audit(session, actor=actor, entity="ticket", entity_id=row.id, action="read_personal", at=now)
    may_act = may_work_on(actor, row)
    allowed = _allowed(ticket, actor, ticket_settings) if may_act else set()
    is_repair = ticket.flow is rules.Flow.repair
    actions = [a.value for a in rules.Action if a in allowed and not (is_repair and a in SURVEY_ACTIONS)]
    deadlines = []
    for d in sla.open_deadlines(ticket, ticket_settings):
        status = sla.deadline_status(d.due_at, now, sla.amber_window(d, ticket_settings))
        deadlines.append(DeadlineLine(d.kind.value, d.due_at, status.level.value, status.remaining))
    handler = rules.severity_handler(ticket.severity).value if ticket.flow is rules.Flow.complaint else None
    lines = [SurveyLine(s.at, name or "", s.convenient, s.callback_at, s.resolved, s.attitude, s.charged, s.score,
                        s.suggestion, s.fee_reminder_given) for s, name in surveys]
    reopened_by = None
    if is_repair and ticket.state is not rules.State.closed and ticket.survey is not None \
            and rules.is_answered(ticket.survey) and rules.survey_reopens(ticket.survey):
        reopened_by = lines[-1]
    shown = list_row(row, now, ticket_settings, assignee, technician)
    steps = [TimelineStep(e.seq, e.at, e.actor_name, e.action, e.from_state, e.to_state, e.note, e.data)
             for e in events]
    if not full:
        steps, lines = [_masked_step(s) for s in steps], [_masked_survey(s) for s in lines]
        reopened_by = _masked_survey(reopened_by) if reopened_by is not None else None
    return TicketDetail(
        row=shown if full else masked_row(shown),
        facts={name: getattr(row, name) for name in _fact_names(row)}, handler=handler, deadlines=deadlines,
        actions=actions,
        survey_open=may_act and is_repair and row.state in SURVEY_STATES,
        may_act=may_act, can_take=row.state in OPEN_STATES and row.assignee_id is None,
        assignee_id=row.assignee_id,
        timeline=steps, surveys=lines, score_range=tuple(ticket_settings.score_range), related=related,
        reopened_by=reopened_by)
