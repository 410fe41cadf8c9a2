"""Pre-registration by a host: the day's expected visitors and their short codes (T21a; seed 002 接待申请).

A member of staff books a visitor (host = themselves by default); the visitor gets a 6-character
code. At the desk the code (or a click on the row in "expected today") opens the check-in form
pre-filled, and the check-in goes through the one visitor check-in path (``visitors.register_in``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import User, VisitorPrereg
from lib.domain import visitors as rules
from lib.domain.errors import DomainError, NotAllowed
from lib.services import people, settings
from lib.services.base import SUPERVISORS, WRITERS, Actor, acting, audit, require, snapshot, update_once, utcnow
from lib.services.visitors.register import register_in

CODE_TRIES = 5


@dataclass(frozen=True)
class PreregRow:
    id: int
    code: str
    name: str
    headcount: int
    purpose: str
    company: str
    phone: str
    expected_day: dt.date
    expected_time: dt.time | None
    host_id: int
    host_name: str
    visitor_entry_id: int | None
    cancelled: bool

    @property
    def status(self) -> str:
        if self.cancelled:
            return "cancelled"
        return "arrived" if self.visitor_entry_id else "expected"


def _office_today(session: Session, now: dt.datetime) -> dt.date:
    return now.astimezone(settings.office_zone(session)).date()


@acting
def create_prereg(engine: Engine, *, actor: Actor, form: rules.PreregForm,
                  now: dt.datetime | None = None) -> PreregRow:
    """Book an expected visitor and give them a fresh code (T21). The host must be an eligible person."""
    require(actor, WRITERS)
    now = now or utcnow()
    for _ in range(CODE_TRIES):
        try:
            with session_scope(engine) as session:
                values = settings.current_values(session, ["visitor.prereg_days_ahead", "visitor.max_headcount"])
                prereg = rules.validate_prereg(form, now=now, today=_office_today(session, now),
                                               days_ahead=int(values["visitor.prereg_days_ahead"]),
                                               max_headcount=int(values["visitor.max_headcount"]))
                people.require_eligible(session, prereg.host_id, "staff")
                row = VisitorPrereg(**prereg.__dict__, code=rules.make_code(secrets.randbelow),
                                    created_by_id=actor.id, created_at=now)
                session.add(row)
                session.flush()
                audit(session, actor=actor, entity="visitor_prereg", entity_id=row.id, action="create",
                      after=snapshot(row), at=now)
                row_id = row.id
            return prereg_by_id(engine, actor=actor, prereg_id=row_id)
        except IntegrityError:
            continue  # a code already taken (one in ~10^9): draw another
    raise DomainError("visitor.code_exhausted")


def _query():
    host = aliased(User)
    p = VisitorPrereg
    return select(p.id, p.code, p.name, p.headcount, p.purpose, p.company, p.phone, p.expected_day,
                  p.expected_time, p.host_id, host.name, p.visitor_entry_id, p.cancelled_at.is_not(None)
                  ).join(host, host.id == p.host_id)


def _rows(session: Session, query) -> list[PreregRow]:
    return [PreregRow(*row[:10], row[10] or "", row[11], bool(row[12])) for row in session.exec(query).all()]


def prereg_by_id(engine: Engine, *, actor: Actor, prereg_id: int) -> PreregRow:
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        found = _rows(session, _query().where(VisitorPrereg.id == prereg_id))
    if not found:
        raise DomainError("visitor.code_unknown")
    return found[0]


def expected_today(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> list[PreregRow]:
    """Today's expected visitors not yet arrived nor cancelled, by expected time (the front desk's list)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        today = _office_today(session, now)
        query = _query().where(VisitorPrereg.expected_day == today, VisitorPrereg.visitor_entry_id.is_(None),
                               VisitorPrereg.cancelled_at.is_(None))
        rows = _rows(session, query.order_by(VisitorPrereg.expected_time, VisitorPrereg.id))
    return rows


def my_preregs(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> list[PreregRow]:
    """The visitors this person booked or hosts, from today on (supervisors: everyone's)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        query = _query().where(VisitorPrereg.expected_day >= _office_today(session, now))
        if actor.role not in SUPERVISORS:
            query = query.where((VisitorPrereg.host_id == actor.id) | (VisitorPrereg.created_by_id == actor.id))
        return _rows(session, query.order_by(VisitorPrereg.expected_day, VisitorPrereg.expected_time,
                                             VisitorPrereg.id))


def find_code(engine: Engine, *, actor: Actor, code: str, now: dt.datetime | None = None) -> PreregRow:
    """The booking a code names, if it may check in today (T21): unknown, used, cancelled or another day say so."""
    require(actor, WRITERS)
    now = now or utcnow()
    norm = rules.normalise_code(code)
    if norm is None:
        raise DomainError("visitor.code_malformed", length=rules.CODE_LEN)
    with session_scope(engine, write=False) as session:
        found = _rows(session, _query().where(VisitorPrereg.code == norm))
        if not found:
            raise DomainError("visitor.code_unknown")
        row = found[0]
        rules.prereg_usable(expected_day=row.expected_day, today=_office_today(session, now),
                            arrived=row.visitor_entry_id is not None, cancelled=row.cancelled)
    return row


@acting
def check_in_prereg(engine: Engine, *, actor: Actor, prereg_id: int, form: rules.VisitorForm,
                    now: dt.datetime | None = None, seen_on_site: tuple[int, ...] = (),
                    check_out_ids: tuple[int, ...] = ()) -> int:
    """Check a booked visitor in from the pre-filled form; the booking is used once (T21, T4 rules apply)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        booking = session.get(VisitorPrereg, prereg_id)
        if booking is None:
            raise DomainError("visitor.code_unknown")
        rules.prereg_usable(expected_day=booking.expected_day, today=_office_today(session, now),
                            arrived=booking.visitor_entry_id is not None, cancelled=booking.cancelled_at is not None)
        entry_id = register_in(session, actor=actor, form=form, now=now, seen_on_site=seen_on_site,
                               check_out_ids=check_out_ids, action="register",
                               source={"prereg_id": prereg_id, "code": booking.code})
        update_once(session, VisitorPrereg, prereg_id, VisitorPrereg.visitor_entry_id,
                    {"visitor_entry_id": entry_id}, "visitor.code_used")
        return entry_id


@acting
def cancel_prereg(engine: Engine, *, actor: Actor, prereg_id: int, now: dt.datetime | None = None) -> None:
    """The host (or whoever booked it, or a supervisor) cancels a booking not yet used (T21)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        booking = session.get(VisitorPrereg, prereg_id)
        if booking is None:
            raise DomainError("visitor.code_unknown")
        if actor.role not in SUPERVISORS and actor.id not in (booking.host_id, booking.created_by_id):
            raise NotAllowed("visitor.prereg_not_yours")
        if booking.visitor_entry_id is not None:
            raise DomainError("visitor.code_used")
        update_once(session, VisitorPrereg, prereg_id, VisitorPrereg.cancelled_at, {"cancelled_at": now},
                    "visitor.code_cancelled")
        audit(session, actor=actor, entity="visitor_prereg", entity_id=prereg_id, action="cancel",
              before={"cancelled_at": None}, after={"cancelled_at": now.isoformat()}, at=now)
