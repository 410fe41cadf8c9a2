"""Visitor register and phone messages (SPEC M2.1, M2.2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import PhoneMessage, User, VisitorEntry
from lib.domain import office
from lib.domain import visitors as rules
from lib.domain.errors import DomainError, FieldError, NotAllowed, ValidationFailed
from lib.domain.phones import normalise_phone
from lib.domain.text import clean
from lib.services import settings
from lib.services.base import SUPERVISORS, WRITERS, Actor, audit, require, snapshot, update_once, utcnow

LIST_LIMIT = 500


@dataclass(frozen=True)
class VisitorRow:
    id: int
    time_in: dt.datetime
    time_out: dt.datetime | None
    name: str
    headcount: int
    purpose: str
    company: str
    phone: str
    host_id: int | None
    host_name: str
    has_appointment: bool
    destination: str
    level: str
    state: str
    note: str


@dataclass(frozen=True)
class StaffOption:
    id: int
    name: str
    staff_no: str


def staff_options(engine: Engine) -> list[StaffOption]:
    """Active people a visitor can come to see or a message can go to (display accounts excluded)."""
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(User.id, User.name, User.staff_no)
                            .where(User.active == True, User.role != "display")  # noqa: E712
                            .order_by(User.name)).all()
    return [StaffOption(id=i, name=n, staff_no=s or "") for i, n, s in rows]


def register_visitor(engine: Engine, *, actor: Actor, form: rules.VisitorForm, now: dt.datetime | None = None) -> int:
    """Register someone at the desk (V1, S21): validated first, nothing written on an error."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        max_headcount = int(settings.get(session, "visitor.max_headcount"))
        visitor = rules.validate_visitor(form, now=now, max_headcount=max_headcount)
        if visitor.host_id is not None:
            _ensure_active_user(session, visitor.host_id, "host_id")
        entry = VisitorEntry(**visitor.__dict__, state=rules.VisitState.ARRIVED.value,
                             created_by_id=actor.id, created_at=now)
        session.add(entry)
        session.flush()
        audit(session, actor=actor, entity="visitor", entity_id=entry.id, action="register", after=snapshot(entry), at=now)
        return entry.id


def _ensure_active_user(session: Session, user_id: int, field: str) -> None:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise ValidationFailed([FieldError(field, "field.bad_choice")])


def check_out_visitor(engine: Engine, *, actor: Actor, visitor_id: int, now: dt.datetime | None = None) -> dt.datetime:
    """Fill in time out on departure (S21). Two clicks at once: one wins, the other is told."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        entry = session.get(VisitorEntry, visitor_id)
        if entry is None:
            raise DomainError("visitor.not_found")
        time_out = rules.departure_time(time_in=entry.time_in, already_out=entry.time_out is not None, now=now)
        update_once(session, VisitorEntry, visitor_id, VisitorEntry.time_out,
                    {"time_out": time_out, "state": rules.VisitState.DEPARTED.value}, "visitor.already_out")
        audit(session, actor=actor, entity="visitor", entity_id=visitor_id, action="check_out",
              before={"time_out": None}, after={"time_out": time_out.isoformat()}, at=now)
        return time_out


def _visitor_query():
    """Only the columns a list shows (ORM objects for hundreds of rows cost more than the query)."""
    host = aliased(User)
    e = VisitorEntry
    return select(e.id, e.time_in, e.time_out, e.name, e.headcount, e.purpose, e.company, e.phone, e.host_id,
                  host.name, e.has_appointment, e.destination, e.level, e.state, e.note
                  ).outerjoin(host, host.id == e.host_id), host


def _rows(session: Session, query) -> list[VisitorRow]:
    return [VisitorRow(*row[:9], row[9] or "", *row[10:]) for row in session.exec(query.limit(LIST_LIMIT)).all()]


def on_site(engine: Engine, *, actor: Actor) -> list[VisitorRow]:
    """Everyone checked in and not yet out (uses the ``time_out`` index, not history)."""
    require(actor, WRITERS)
    query, _ = _visitor_query()
    with session_scope(engine, write=False) as session:
        return _rows(session, query.where(VisitorEntry.time_out.is_(None)).order_by(VisitorEntry.time_in.desc()))


def day_list(engine: Engine, *, actor: Actor, day: dt.date | None = None) -> list[VisitorRow]:
    """One office day's visitors, newest first; staff see today only (supervisors: any day)."""
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        today = utcnow().astimezone(tz).date()
        day = day or today
        if day != today and actor.role not in SUPERVISORS:
            raise NotAllowed("visitor.only_today")
        start, end = office.day_bounds(day, tz)
        query, _ = _visitor_query()
        return _rows(session, query.where(VisitorEntry.time_in >= start, VisitorEntry.time_in < end)
                     .order_by(VisitorEntry.time_in.desc()))


def search(engine: Engine, *, actor: Actor, text: str = "", first: dt.date, last: dt.date) -> list[VisitorRow]:
    """Search by name, company or phone within a date range (supervisors; range capped by a setting)."""
    require(actor, SUPERVISORS)
    text = clean(text)
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        max_days = int(settings.get(session, "visitor.search_max_days"))
        if (last - first).days + 1 > max_days:
            raise DomainError("search.range_too_long", days=max_days)
        start, end = office.range_bounds(first, last, tz)
        query, _ = _visitor_query()
        query = query.where(VisitorEntry.time_in >= start, VisitorEntry.time_in < end)
        if text:
            phone = normalise_phone(text)
            if phone:
                query = query.where(VisitorEntry.phone_norm == phone)
            else:
                like = f"%{_escape_like(text)}%"
                query = query.where(or_(VisitorEntry.name.like(like, escape="\\"),
                                        VisitorEntry.company.like(like, escape="\\")))
        return _rows(session, query.order_by(VisitorEntry.time_in.desc()))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Prefill:
    name: str
    company: str
    phone: str
    host_id: int | None
    last_visit: dt.datetime


def returning_visitor(engine: Engine, *, actor: Actor, phone: str) -> Prefill | None:
    """A returning visitor, recognised by phone: their last entry pre-fills the form (index lookup)."""
    require(actor, WRITERS)
    norm = normalise_phone(phone or "")
    if not norm:
        return None
    with session_scope(engine, write=False) as session:
        entry = session.exec(select(VisitorEntry).where(VisitorEntry.phone_norm == norm)
                             .order_by(VisitorEntry.time_in.desc()).limit(1)).first()
    if entry is None:
        return None
    return Prefill(name=entry.name, company=entry.company, phone=entry.phone, host_id=entry.host_id,
                   last_visit=entry.time_in)


# ---- phone messages ----------------------------------------------------------------------------

@dataclass(frozen=True)
class MessageRow:
    id: int
    called_at: dt.datetime
    caller_name: str
    caller_phone: str
    matter: str
    related: str
    relay_to_id: int | None
    relay_to_name: str
    relayed_at: dt.datetime | None
    status: str


def log_message(engine: Engine, *, actor: Actor, form: rules.MessageForm, now: dt.datetime | None = None) -> int:
    """Store a phone message: call time, caller, matter and relay target (S23)."""
    require(actor, WRITERS)
    now = now or utcnow()
    message = rules.validate_message(form, now=now)
    with session_scope(engine) as session:
        _ensure_active_user(session, message.relay_to_id, "relay_to_id")
        row = PhoneMessage(**message.__dict__, created_by_id=actor.id, created_at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="phone_message", entity_id=row.id, action="log", after=snapshot(row), at=now)
        return row.id


def relay_message(engine: Engine, *, actor: Actor, message_id: int, now: dt.datetime | None = None) -> dt.datetime:
    """Mark a message relayed; it stays unrelayed until then (S23). One winner on a double click."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        row = session.get(PhoneMessage, message_id)
        if row is None:
            raise DomainError("message.not_found")
        relayed_at = rules.relay_time(already_relayed=row.relayed_at is not None, now=now)
        update_once(session, PhoneMessage, message_id, PhoneMessage.relayed_at,
                    {"relayed_at": relayed_at, "relayed_by_id": actor.id}, "message.already_relayed")
        audit(session, actor=actor, entity="phone_message", entity_id=message_id, action="relay",
              before={"relayed_at": None}, after={"relayed_at": relayed_at.isoformat()}, at=now)
        return relayed_at


def message_board(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> list[MessageRow]:
    """Unrelayed messages first (any age, oldest first), then today's relayed ones."""
    require(actor, WRITERS)
    now = now or utcnow()
    target = aliased(User)
    base = select(PhoneMessage, target.name).outerjoin(target, target.id == PhoneMessage.relay_to_id)
    with session_scope(engine, write=False) as session:
        values = settings.current_values(session, ["phone.relay_overdue", "office.timezone"])
        overdue_h = int(values["phone.relay_overdue"])
        tz = office.zone(str(values["office.timezone"]))
        start, end = office.day_bounds(now.astimezone(tz).date(), tz)
        open_rows = session.exec(base.where(PhoneMessage.relayed_at.is_(None))
                                 .order_by(PhoneMessage.called_at).limit(LIST_LIMIT)).all()
        done_rows = session.exec(base.where(PhoneMessage.relayed_at >= start, PhoneMessage.relayed_at < end)
                                 .order_by(PhoneMessage.relayed_at.desc()).limit(LIST_LIMIT)).all()
    return [MessageRow(id=m.id, called_at=m.called_at, caller_name=m.caller_name, caller_phone=m.caller_phone,
                       matter=m.matter, related=m.related, relay_to_id=m.relay_to_id, relay_to_name=name or "",
                       relayed_at=m.relayed_at,
                       status=rules.relay_status(called_at=m.called_at, relayed_at=m.relayed_at, now=now,
                                                 overdue_hours=overdue_h).value)
            for m, name in [*open_rows, *done_rows]]
