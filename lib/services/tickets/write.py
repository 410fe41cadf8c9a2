"""Complaint and service-request use cases that write (SPEC M3): intake, actions, taking, notes, follow-up calls.

Every write appends the ticket's next timeline step (``ticket_event``, UNIQUE
``(ticket_id, seq)``) and moves the ticket row with ``WHERE last_seq = <seen>`` in the
same transaction: of two people acting on one ticket at once, one wins and the
other gets a ``Conflict`` naming who changed it (STYLE "One winner without locks").
Reads live in ``tickets_read.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import Ticket, TicketCustomer, TicketEvent, TicketSurvey, User
from lib.domain.complaints import rules
from lib.domain import privacy
from lib.domain.errors import Conflict, DomainError, FieldError, NotAllowed, ValidationFailed
from lib.domain.complaints.surveys import Attitude, FollowUpSurvey, fee_reminder_shown, validate_survey
from lib.domain.text import optional_text
from lib.services import people, settings
from lib.services.base import SUPERVISORS, WRITERS, Actor, acting, audit, require, snapshot, utcnow
from lib.services.tickets.map import (FIELD_PREFIX, OPEN_STATES, changed_columns, cs_titles, deadline_columns,
                                      domain_actor, may_work_on, parse_choice, phone_key, prefixed, record_people,
                                      survey_of, ticket_rules, to_domain, viewer_of)

HISTORY_LIMIT = 200
_TEXT_LIMITS = {"customer_name": 50, "phone": 30, "address": 200, "problem": 1000, "product_model": 100,
                "product_spec": 100, "purchase_place": 100, "fault": 200, "agent_no": 20, "received_reason": 500}


@dataclass(frozen=True, kw_only=True)
class TicketForm:
    """What the agent typed on the intake form (seed 000 D2 C1; 服务登记簿 columns, seed 000 D8 C14)."""

    type: str | None
    channel: str = rules.Channel.phone.value
    phone: str = ""
    customer_name: str = ""
    address: str = ""
    problem: str = ""
    problem_confirmed: bool = False
    address_confirmed: bool = False
    name_confirmed: bool = False
    phone_confirmed: bool = False
    category: str | None = None
    cause: str | None = None
    compensation_involved: bool = False
    resident: bool = False
    product_model: str = ""
    product_spec: str = ""
    purchase_date: dt.date | None = None
    purchase_place: str = ""
    fault: str = ""
    service_kind: str | None = None
    in_warranty: bool | None = True
    quality_fault: bool | None = True
    out_of_town: bool = False
    agent_no: str = ""
    received_at: dt.datetime | None = None  # aware; None: now (T25)
    received_reason: str = ""


@dataclass(frozen=True)
class IntakeResult:
    """What was saved, for a confirmation that says it in words (T25)."""

    id: int
    type: str
    customer_name: str
    severity: str
    cs_group: str | None
    owner_title: str | None
    repeat_kind: str | None
    repeat_of: int | None
    received_at: dt.datetime
    backdated: bool
    due_at: dt.datetime | None
    due_kind: str | None


@dataclass(frozen=True, kw_only=True)
class ActionInput:
    """What the user entered with an action; each action reads only its own fields (``rules.Payload``)."""

    note: str = ""
    category: str | None = None
    cause: str | None = None
    compensation_involved: bool | None = None
    beyond_specialist: bool = False
    forwarded_to: str = ""
    reason: str | None = None
    customer_satisfied: bool | None = None
    root_cause: str = ""
    containment: str = ""
    permanent_fix: str = ""
    technician_id: int | None = None
    quote_amount: Decimal | float | str | None = None
    service_report_no: str = ""
    service_content: str = ""


@dataclass(frozen=True)
class ActResult:
    state: str
    seq: int
    notice_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class SurveyAnswers:
    """The follow-up call's answers (seed 000 D2 C5–C11); ``callback_at`` is aware."""

    convenient: bool
    callback_at: dt.datetime | None = None
    resolved: bool | None = None
    attitude: str | None = None
    charged: bool | None = None
    score: int | None = None
    suggestion: str = ""
    fee_paid: bool | None = None


# ---- intake ---------------------------------------------------------------------------------------

def agent_number(engine: Engine, *, actor: Actor) -> str:
    """The logged-in user's 工号, which intake stores on every ticket (seed 000 D2 C1)."""
    with session_scope(engine, write=False) as session:
        user = session.get(User, actor.id) if actor.id is not None else None
        return (user.staff_no or "") if user else ""


def _clean_form(form: TicketForm, errors: list[FieldError]) -> dict[str, str]:
    return {name: optional_text(FIELD_PREFIX + name, getattr(form, name), limit, errors)
            for name, limit in _TEXT_LIMITS.items()}


@acting
def log_ticket(engine: Engine, *, actor: Actor, form: TicketForm, now: dt.datetime | None = None,
               idem_key: str | None = None) -> IntakeResult:
    """Save an intake: validated (read-back ticks for a repair, S35), routed (S39, S46), graded (S40),
    checked for repeats (S45), with the agent's 工号; nothing is written on an error. ``idem_key`` is the form's idempotency key
    (R12): a retry of a save that did reach the database (connection lost after COMMIT) returns the first ticket.

    Deadlines count from the received time (T25): earlier than now within the backdate setting, older
    with a reason kept as the first timeline step's note and in the audit; the keying time is that step's time."""
    require(actor, WRITERS)
    now = now or utcnow()
    errors: list[FieldError] = []
    text = _clean_form(form, errors)
    kind = parse_choice(rules.TicketType, form.type, "type", errors, required=True)
    channel = parse_choice(rules.Channel, form.channel, "channel", errors, required=True)
    category = parse_choice(rules.Category, form.category, "category", errors)
    cause = parse_choice(rules.Cause, form.cause, "cause", errors)
    service_kind = parse_choice(rules.ServiceKind, form.service_kind, "service_kind", errors)
    with session_scope(engine) as session:
        if idem_key and (done := _intake_done(session, idem_key)) is not None:
            return done
        tz = settings.office_zone(session)
        ticket_settings = ticket_rules(session)
        user = session.get(User, actor.id) if actor.id is not None else None
        agent_no = (user.staff_no if user and user.staff_no else text["agent_no"])
        key = phone_key(text["phone"])
        customer = _customer_by_phone(session, key)
        ticket = None
        if kind is not None and channel is not None:
            draft = rules.IntakeDraft(
                type=kind, agent_no=agent_no, channel=channel, problem=text["problem"], address=text["address"],
                customer_name=text["customer_name"], phone=text["phone"], problem_confirmed=form.problem_confirmed,
                address_confirmed=form.address_confirmed, name_confirmed=form.name_confirmed,
                phone_confirmed=form.phone_confirmed, customer_id=customer.id if customer else None,
                category=category, cause=cause, compensation_involved=form.compensation_involved,
                resident=form.resident, product_model=text["product_model"], fault=text["fault"],
                service_kind=service_kind, in_warranty=form.in_warranty, quality_fault=form.quality_fault,
                out_of_town=form.out_of_town,
                received_at=form.received_at.astimezone(tz) if form.received_at else None,
                received_reason=text["received_reason"])
            history = _history(session, customer.id, tz) if customer else []
            try:
                ticket = rules.new_ticket(draft, now.astimezone(tz), ticket_settings, history)
            except ValidationFailed as exc:
                errors.extend(prefixed(exc).errors)
        if errors:
            raise ValidationFailed(errors)
        if customer is None and key:
            customer = _new_customer(session, key, text, now)
        row = Ticket(
            type=ticket.type.value, flow=ticket.flow.value, state=ticket.state.value, channel=ticket.channel.value,
            customer_id=customer.id if customer else None, customer_name=ticket.customer_name, phone=ticket.phone,
            address=ticket.address, problem=ticket.problem, category=category.value if category else None,
            cause=cause.value if cause else None, cs_group=ticket.group.value if ticket.group else None,
            owner_title=ticket.owner_title, severity=ticket.severity.value,
            compensation_involved=ticket.compensation_involved, resident=ticket.resident, agent_no=ticket.agent_no,
            first_responsible=ticket.first_responsible, created_by_id=actor.id, received_at=ticket.received_at,
            repeat_kind=ticket.repeat_kind.value if ticket.repeat_kind else None, repeat_of_id=ticket.repeat_of,
            product_model=ticket.product_model, product_spec=text["product_spec"], purchase_date=form.purchase_date,
            purchase_place=text["purchase_place"], fault=ticket.fault,
            service_kind=service_kind.value if service_kind else None, in_warranty=ticket.in_warranty,
            quality_fault=ticket.quality_fault, out_of_town=ticket.out_of_town, last_seq=1, updated_at=now,
            idem_key=idem_key or None, **deadline_columns(ticket, ticket_settings))
        session.add(row)
        session.flush()
        backdated = form.received_at is not None
        session.add(TicketEvent(ticket_id=row.id, seq=1, at=now, actor_id=actor.id, actor_name=actor.name,
                                action="create", from_state=None, to_state=row.state, note=text["received_reason"],
                                data=snapshot({"repeat_kind": row.repeat_kind, "repeat_of": row.repeat_of_id,
                                               "received_at": ticket.received_at if backdated else None})))
        audit(session, actor=actor, entity="ticket", entity_id=row.id, action="create", after=snapshot(row),
              reason=text["received_reason"], at=now)
        return IntakeResult(id=row.id, type=row.type, customer_name=row.customer_name, severity=row.severity,
                            cs_group=row.cs_group, owner_title=row.owner_title, repeat_kind=row.repeat_kind,
                            repeat_of=row.repeat_of_id, received_at=ticket.received_at, backdated=backdated,
                            due_at=row.due_at, due_kind=row.due_kind)


def _intake_done(session: Session, idem_key: str) -> IntakeResult | None:
    """The ticket an earlier submission of the same intake form saved, said as its save said it (R12)."""
    row = session.exec(select(Ticket).where(Ticket.idem_key == idem_key)).first()
    if row is None:
        return None
    first = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == row.id, TicketEvent.seq == 1)).first()
    backdated = bool(first and (first.data or {}).get("received_at"))
    return IntakeResult(id=row.id, type=row.type, customer_name=row.customer_name, severity=row.severity,
                        cs_group=row.cs_group, owner_title=row.owner_title, repeat_kind=row.repeat_kind,
                        repeat_of=row.repeat_of_id, received_at=row.received_at, backdated=backdated,
                        due_at=row.due_at, due_kind=row.due_kind)


def _customer_by_phone(session: Session, key: str | None) -> TicketCustomer | None:
    if not key:
        return None
    return session.exec(select(TicketCustomer).where(TicketCustomer.phone_norm == key)).first()


def _new_customer(session: Session, key: str, text: dict[str, str], now: dt.datetime) -> TicketCustomer:
    """First call from this number: remember the caller. Two agents at once: the second reuses the first's row."""
    customer = TicketCustomer(name=text["customer_name"], phone=text["phone"], phone_norm=key,
                              address=text["address"], created_at=now)
    try:
        with session.begin_nested():
            session.add(customer)
    except IntegrityError:
        found = _customer_by_phone(session, key)
        if found is None:
            raise
        return found
    return customer


def _history(session: Session, customer_id: int, tz) -> list[rules.Ticket]:
    """The customer's latest tickets, for repeat detection (SPEC T8); index (customer_id, received_at)."""
    rows = session.exec(select(Ticket).where(Ticket.customer_id == customer_id)
                        .order_by(Ticket.received_at.desc()).limit(HISTORY_LIMIT)).all()
    return [to_domain(r, tz) for r in rows]


# ---- one step on a ticket ----------------------------------------------------------------------

def _load(session: Session, ticket_id: int) -> Ticket:
    row = session.get(Ticket, ticket_id)
    if row is None:
        raise DomainError("tickets.error.not_found", id=ticket_id)
    return row


def _changed_by_someone_else(session: Session, ticket_id: int) -> Conflict:
    """The loser of a race is told who moved the ticket first and what they did."""
    session.expire_all()
    last = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                        .order_by(TicketEvent.seq.desc()).limit(1)).first()
    return Conflict("tickets.error.changed", id=ticket_id, name=last.actor_name if last else "")


def _check_seen(session: Session, row: Ticket, expected_seq: int | None) -> None:
    if expected_seq is not None and row.last_seq != expected_seq:
        raise _changed_by_someone_else(session, row.id)


def _append(session: Session, *, row: Ticket, actor: Actor, action: str, changes: dict, now: dt.datetime,
            note: str = "", data: dict | None = None) -> int:
    """Move the row and append the timeline step, or raise ``Conflict`` if someone else moved it first."""
    seq = row.last_seq + 1
    before = _plain({k: getattr(row, k) for k in changes})
    from_state = row.state
    result = session.execute(update(Ticket).where(Ticket.id == row.id, Ticket.last_seq == row.last_seq)
                             .values(**changes, last_seq=seq, updated_at=now))
    if result.rowcount != 1:
        raise _changed_by_someone_else(session, row.id)
    event = TicketEvent(ticket_id=row.id, seq=seq, at=now, actor_id=actor.id, actor_name=actor.name, action=action,
                        from_state=from_state, to_state=changes.get("state", from_state), note=note,
                        data=_plain({"changes": changes, **(data or {})}))
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError as exc:
        raise _changed_by_someone_else(session, row.id) from exc
    audit(session, actor=actor, entity="ticket", entity_id=row.id, action=action, before=before,
          after=_plain(changes), reason=note, at=now)
    session.refresh(row)
    return seq


def _plain(values: dict) -> dict:
    """JSON-safe copy for the timeline and the audit (amounts as text)."""
    return snapshot({k: (str(v) if isinstance(v, Decimal) else _plain(v) if isinstance(v, dict) else v)
                     for k, v in values.items()})


def _person(session: Session, person_id: int | None, kind: str) -> User | None:
    """The person a form named, refused unless the picker of ``kind`` would offer them (T2)."""
    if person_id is None:
        return None
    people.require_eligible(session, person_id, kind)
    return session.get(User, person_id)


def _quote(value, errors: list[FieldError]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        amount = None
    if amount is None or amount < 0 or amount >= Decimal("100000000"):
        errors.append(FieldError(FIELD_PREFIX + "quote_amount", "tickets.error.bad_amount"))
        return None
    return amount


def _payload(session: Session, given: ActionInput, errors: list[FieldError]) -> tuple[rules.Payload, User | None]:
    technician = _person(session, given.technician_id, "technician")
    payload = rules.Payload(
        category=parse_choice(rules.Category, given.category, "category", errors),
        cause=parse_choice(rules.Cause, given.cause, "cause", errors),
        compensation_involved=given.compensation_involved, beyond_specialist=given.beyond_specialist,
        forwarded_to=optional_text(FIELD_PREFIX + "forwarded_to", given.forwarded_to, 100, errors),
        reason=parse_choice(rules.EscalationReason, given.reason, "reason", errors),
        customer_satisfied=given.customer_satisfied,
        root_cause=optional_text(FIELD_PREFIX + "root_cause", given.root_cause, 1000, errors),
        containment=optional_text(FIELD_PREFIX + "containment", given.containment, 1000, errors),
        permanent_fix=optional_text(FIELD_PREFIX + "permanent_fix", given.permanent_fix, 1000, errors),
        technician=technician.name if technician else "",
        quote_amount=_quote(given.quote_amount, errors),
        service_report_no=optional_text(FIELD_PREFIX + "service_report_no", given.service_report_no, 40, errors),
        service_content=optional_text(FIELD_PREFIX + "service_content", given.service_content, 1000, errors))
    return payload, technician


def _step(session: Session, *, row: Ticket, actor: Actor, action: rules.Action, payload: rules.Payload,
          now: dt.datetime, note: str = "", extra: dict | None = None,
          event_data: dict | None = None) -> tuple[rules.Outcome, int]:
    """Ask the transition table (``rules.apply_transition``) and write what it decided."""
    if not may_work_on(actor, row):
        raise NotAllowed("tickets.error.not_yours")
    tz = settings.office_zone(session)
    ticket_settings = ticket_rules(session)
    technician = session.get(User, row.technician_id) if row.technician_id else None
    latest = session.exec(select(TicketSurvey).where(TicketSurvey.ticket_id == row.id)
                          .order_by(TicketSurvey.at.desc(), TicketSurvey.id.desc()).limit(1)).first()
    ticket = to_domain(row, tz, technician.name if technician else "", survey_of(latest, tz))
    try:
        outcome = rules.apply_transition(ticket, action, domain_actor(actor), now.astimezone(tz), payload,
                                         ticket_settings)
    except ValidationFailed as exc:
        raise prefixed(exc) from exc
    changes = {**changed_columns(row, outcome.ticket), **deadline_columns(outcome.ticket, ticket_settings),
               **(extra or {})}
    if outcome.follow_up is not None:
        changes["follow_up_at"] = outcome.follow_up.created_at
    taken = outcome.transition.action
    data = {**({"requested": action.value} if taken is not action else {}), **(event_data or {})} or None
    seq = _append(session, row=row, actor=actor, action=taken.value, changes=changes, now=now, note=note, data=data)
    return outcome, seq


@acting
def act(engine: Engine, *, actor: Actor, ticket_id: int, action: str, given: ActionInput | None = None,
        expected_seq: int | None = None, now: dt.datetime | None = None) -> ActResult:
    """Take one action of the M3 transition table on a ticket (SPEC M3; S37, S38, S40–S42).

    ``expected_seq`` is the timeline step the user was looking at: if someone acted
    since, nothing is written and the ``Conflict`` says who.
    """
    require(actor, WRITERS)
    now = now or utcnow()
    given = given or ActionInput()
    errors: list[FieldError] = []
    chosen = parse_choice(rules.Action, action, "action", errors, required=True)
    note = optional_text(FIELD_PREFIX + "note", given.note, 1000, errors)
    with session_scope(engine) as session:
        row = _load(session, ticket_id)
        _check_seen(session, row, expected_seq)
        payload, technician = _payload(session, given, errors)
        if errors:
            raise ValidationFailed(errors)
        extra = {"technician_id": technician.id} if chosen is rules.Action.dispatch and technician else None
        outcome, seq = _step(session, row=row, actor=actor, action=chosen, payload=payload, now=now, note=note,
                             extra=extra)
        return ActResult(state=outcome.state.value, seq=seq, notice_key=outcome.notice_key)


@acting
def take_ticket(engine: Engine, *, actor: Actor, ticket_id: int, expected_seq: int | None = None,
                now: dt.datetime | None = None) -> int:
    """Claim an unclaimed open ticket. Two agents at once: one wins, the other is told who has it."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        row = _load(session, ticket_id)
        if row.assignee_id is not None and row.assignee_id != actor.id:
            holder = session.get(User, row.assignee_id)
            raise Conflict("tickets.error.taken_by", id=ticket_id, name=holder.name if holder else "")
        _check_seen(session, row, expected_seq)
        if row.state not in OPEN_STATES:
            raise DomainError("tickets.error.closed")
        if row.assignee_id == actor.id:
            return row.last_seq
        try:
            return _append(session, row=row, actor=actor, action="take", changes={"assignee_id": actor.id}, now=now)
        except Conflict:
            session.expire_all()
            winner = session.get(User, _load(session, ticket_id).assignee_id or 0)
            if winner is None:
                raise
            raise Conflict("tickets.error.taken_by", id=ticket_id, name=winner.name) from None


@acting
def assign_ticket(engine: Engine, *, actor: Actor, ticket_id: int, assignee_id: int, reason: str,
                  expected_seq: int | None = None, now: dt.datetime | None = None) -> int:
    """A supervisor hands a ticket to someone else, with a reason kept in the timeline and the audit."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    errors: list[FieldError] = []
    reason = optional_text(FIELD_PREFIX + "reason_text", reason, 500, errors)
    if not reason:
        errors.append(FieldError(FIELD_PREFIX + "reason_text", "field.required"))
    if assignee_id is None:
        errors.append(FieldError(FIELD_PREFIX + "assignee", "field.required"))
    if errors:
        raise ValidationFailed(errors)
    with session_scope(engine) as session:
        target = _person(session, assignee_id, "staff")
        row = _load(session, ticket_id)
        _check_seen(session, row, expected_seq)
        if row.state not in OPEN_STATES:
            raise DomainError("tickets.error.closed")
        return _append(session, row=row, actor=actor, action="assign", changes={"assignee_id": target.id}, now=now,
                       note=reason, data={"assignee": target.name})


@acting
def add_note(engine: Engine, *, actor: Actor, ticket_id: int, note: str, now: dt.datetime | None = None) -> int:
    """Record a call or remark on the ticket's timeline, e.g. the customer calling again about it (seed 003 M#49)."""
    require(actor, WRITERS)
    now = now or utcnow()
    errors: list[FieldError] = []
    note = optional_text(FIELD_PREFIX + "note", note, 1000, errors)
    if not note and not errors:
        errors.append(FieldError(FIELD_PREFIX + "note", "field.required"))
    if errors:
        raise ValidationFailed(errors)
    with session_scope(engine) as session:
        row = _load(session, ticket_id)
        if not privacy.may_note(viewer_of(actor), record_people(session, [row])[row.id], cs_titles(session)):
            raise NotAllowed("tickets.error.note_not_yours")
        return _append(session, row=row, actor=actor, action="note", changes={}, now=now, note=note)


# ---- the follow-up call (回访, seed 000 D2) ----------------------------------------------------------

@acting
def record_follow_up(engine: Engine, *, actor: Actor, ticket_id: int, answers: SurveyAnswers,
                     expected_seq: int | None = None, now: dt.datetime | None = None) -> ActResult:
    """Record the follow-up call of a completed repair (S43): "not convenient" books a callback;
    a full answer closes the repair, which also needs its 售后服务报告单 (S37), unless it says not solved
    or unsatisfied: then the repair goes back to its technician with the answers on the timeline (T5)."""
    require(actor, WRITERS)
    now = now or utcnow()
    errors: list[FieldError] = []
    attitude = parse_choice(Attitude, answers.attitude, "attitude", errors)
    suggestion = optional_text(FIELD_PREFIX + "suggestion", answers.suggestion, 500, errors)
    with session_scope(engine) as session:
        tz = settings.office_zone(session)
        ticket_settings = ticket_rules(session)
        local_now = now.astimezone(tz)
        callback = answers.callback_at.astimezone(tz) if answers.callback_at else None
        survey = FollowUpSurvey(convenient=answers.convenient, callback_at=callback, resolved=answers.resolved,
                                attitude=attitude, charged=answers.charged, score=answers.score,
                                suggestion=suggestion, fee_paid=answers.fee_paid)
        try:
            validate_survey(survey, local_now, ticket_settings.score_range)
        except ValidationFailed as exc:
            errors.extend(prefixed(exc).errors)
        if errors:
            raise ValidationFailed(errors)
        row = _load(session, ticket_id)
        _check_seen(session, row, expected_seq)
        if row.flow != rules.Flow.repair.value:
            raise DomainError("tickets.error.not_a_repair")
        if row.state == rules.State.completed.value:
            raise DomainError("complaints.error.report_required")  # S37: no call before the report is in
        if row.state in (rules.State.reported.value, rules.State.callback.value):
            _step(session, row=row, actor=actor, action=rules.Action.start_follow_up, payload=rules.Payload(),
                  now=now)
        if survey.convenient:
            answered = {"survey": {"resolved": survey.resolved, "attitude": attitude.value if attitude else None,
                                   "charged": survey.charged, "score": survey.score}}
            outcome, seq = _step(session, row=row, actor=actor, action=rules.Action.close,
                                 payload=rules.Payload(survey=survey), now=now, note=suggestion,
                                 event_data=answered)
        else:
            outcome, seq = _step(session, row=row, actor=actor, action=rules.Action.book_callback,
                                 payload=rules.Payload(callback_at=callback), now=now)
        session.add(TicketSurvey(ticket_id=row.id, at=now, agent_id=actor.id, convenient=survey.convenient,
                                 callback_at=answers.callback_at if not survey.convenient else None,
                                 resolved=survey.resolved, attitude=attitude.value if attitude else None,
                                 charged=survey.charged, score=survey.score, suggestion=suggestion,
                                 fee_paid=survey.fee_paid, fee_reminder_given=fee_reminder_shown(survey)))
        return ActResult(state=outcome.state.value, seq=seq, notice_key=outcome.notice_key)
