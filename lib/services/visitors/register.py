"""Visitor register and phone messages (SPEC M2.1, M2.2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import PhoneMessage, User, VisitorEntry
from lib.domain import office
from lib.domain import visitors as rules
from lib.domain.errors import DomainError, NotAllowed
from lib.domain.phones import normalise_phone
from lib.domain.text import clean
from lib.services import people, settings
from lib.services.base import SUPERVISORS, WRITERS, Actor, acting, audit, require, snapshot, update_once, utcnow

LIST_LIMIT = 500
CHECK_IN_LOCK = 0x56495349  # "VISI": the advisory lock key of visitor check-ins on PostgreSQL


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


@acting
def register_visitor(engine: Engine, *, actor: Actor, form: rules.VisitorForm, now: dt.datetime | None = None,
                     seen_on_site: tuple[int, ...] = (), check_out_ids: tuple[int, ...] = (),
                     idem_key: str | None = None) -> int:
    """Register someone at the desk (V1, S21): validated first, nothing written on an error.

    T4: a person still on site (same phone, or same name and company) is refused with
    ``StillOnSite`` listing those visits, unless the caller passes their ids in ``seen_on_site``
    (the receptionist saw the warning) or in ``check_out_ids`` (check them out first, in the
    same transaction, then check the new visit in).

    R12: ``idem_key`` is the form's idempotency key; a retry of a save that did reach the database
    (the connection was lost after COMMIT) returns the first visit instead of writing a second.
    """
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        return register_in(session, actor=actor, form=form, now=now, seen_on_site=seen_on_site,
                           check_out_ids=check_out_ids, idem_key=idem_key)


def register_in(session: Session, *, actor: Actor, form: rules.VisitorForm, now: dt.datetime,
                seen_on_site: tuple[int, ...] = (), check_out_ids: tuple[int, ...] = (), action: str = "register",
                source: dict | None = None, idem_key: str | None = None) -> int:
    """The one check-in path (desk form, pre-registration code, kiosk confirmation) inside the caller's unit."""
    if idem_key:
        _serialise_check_ins(session)  # the same submission twice at once: the second finds the first
        done = session.exec(select(VisitorEntry.id).where(VisitorEntry.idem_key == idem_key)).first()
        if done is not None:
            return done  # R12: this submission was saved already
    max_headcount = int(settings.get(session, "visitor.max_headcount"))
    visitor = rules.validate_visitor(form, now=now, max_headcount=max_headcount)
    people.require_eligible(session, visitor.host_id, "staff")
    _serialise_check_ins(session)
    for visit_id in check_out_ids:
        _check_out_in(session, actor=actor, visitor_id=visit_id, now=now)
    rules.unseen_duplicates(_same_on_site(session, visitor), seen_on_site)
    entry = VisitorEntry(**visitor.__dict__, state=rules.VisitState.ARRIVED.value, created_by_id=actor.id,
                         created_at=now, idem_key=idem_key or None)
    session.add(entry)
    session.flush()
    after = snapshot(entry) | (source or {})
    reason = "duplicate_acknowledged" if seen_on_site else ""
    audit(session, actor=actor, entity="visitor", entity_id=entry.id, action=action, after=after, reason=reason,
          at=now)
    return entry.id


def _serialise_check_ins(session: Session) -> None:
    """Two desks checking the same person in at once: the second waits and then sees the first (T4).

    SQLite writers already queue (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHECK_IN_LOCK})


def _same_on_site(session: Session, visitor: rules.Visitor) -> list[rules.OnSiteVisit]:
    e = VisitorEntry
    same = [e.name == visitor.name]
    if visitor.phone_norm:
        same.append(e.phone_norm == visitor.phone_norm)
    rows = session.exec(select(e.id, e.name, e.company, e.phone_norm, e.time_in)
                        .where(e.time_out.is_(None), or_(*same)).order_by(e.time_in)).all()
    return rules.still_on_site(visitor, [rules.OnSiteVisit(*row) for row in rows])


def on_site_matches(engine: Engine, *, actor: Actor, ids: tuple[int, ...]) -> list[VisitorRow]:
    """The on-site visits a duplicate warning names, as rows to show (T4)."""
    require(actor, WRITERS)
    query, _ = _visitor_query()
    with session_scope(engine, write=False) as session:
        return _rows(session, query.where(VisitorEntry.id.in_(ids)).order_by(VisitorEntry.time_in))


@acting
def check_out_visitor(engine: Engine, *, actor: Actor, visitor_id: int, now: dt.datetime | None = None) -> dt.datetime:
    """Fill in time out on departure (S21). Two clicks at once: one wins, the other is told."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        return _check_out_in(session, actor=actor, visitor_id=visitor_id, now=now)


def _check_out_in(session: Session, *, actor: Actor, visitor_id: int, now: dt.datetime) -> dt.datetime:
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
    """Search by name, company or phone within a date range (range capped by a setting).

    Supervisors search any range; receptionists (staff) search their own day only (T4).
    """
    require(actor, WRITERS)
    text = clean(text)
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        today = utcnow().astimezone(tz).date()
        if actor.role not in SUPERVISORS and (first, last) != (today, today):
            raise NotAllowed("visitor.only_today")
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


@acting
def log_message(engine: Engine, *, actor: Actor, form: rules.MessageForm, now: dt.datetime | None = None) -> int:
    """Store a phone message: call time, caller, matter and relay target (S23)."""
    require(actor, WRITERS)
    now = now or utcnow()
    message = rules.validate_message(form, now=now)
    with session_scope(engine) as session:
        people.require_eligible(session, message.relay_to_id, "staff")
        row = PhoneMessage(**message.__dict__, created_by_id=actor.id, created_at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="phone_message", entity_id=row.id, action="log", after=snapshot(row), at=now)
        return row.id


@acting
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
