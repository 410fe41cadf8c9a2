"""Restricted-area register for 机房 / 中控室 / 消防控制室 (SPEC M2.4; seed 004 D12, D16, D20; seed 000 D10).

An entry is registered, approved by someone holding a title the category × area matrix
(setting ``access.matrix``) names, signed, and only then marked "in" (S31). Approvals are
append-only rows; "in" and "out" are set once each, the second click being told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import AccessApproval, AccessEntryRecord, User
from lib.domain import access as rules
from lib.domain import office
from lib.domain.errors import Conflict, DomainError, FieldError, NotAllowed, ValidationFailed
from lib.domain.text import optional_text, required_text
from lib.services import people, settings
from lib.services.limits import column_max
from lib.services.base import WRITERS, Actor, acting, audit, require, snapshot, update_once, utcnow
from lib.services.showroom.write import names_of, renamed

LIST_LIMIT = 500
FIELD_NAMES = {"approval": "access_approval", "escort": "access_escort", "companion": "access_companion",
               "signature": "access_signature"}


@dataclass(frozen=True)
class AccessForm:
    area: str | None
    category: str | None
    name: str
    purpose: str
    unit: str = ""
    escort_id: int | None = None
    escort_name: str = ""
    companion: str = ""
    signed: bool = False


@dataclass(frozen=True)
class AccessRow:
    id: int
    area: str
    category: str
    name: str
    unit: str
    purpose: str
    escort: str
    companion: str
    signed: bool
    approvals: str
    needs: str
    time_in: dt.datetime | None
    time_out: dt.datetime | None
    created_at: dt.datetime


def matrix(session: Session) -> dict:
    return rules.parse_matrix(settings.get(session, "access.matrix"))


def _requirement(session: Session, area: str, category: str) -> rules.Requirement:
    return rules.requirement_for(rules.Area(area), rules.Category(category), matrix(session))


@acting
def register_entry(engine: Engine, *, actor: Actor, form: AccessForm, now: dt.datetime | None = None) -> int:
    """Register who wants to enter, why and with whom (「登记和签名确认」, seed 004 D12); a closed cell is refused."""
    require(actor, WRITERS)
    errors: list[FieldError] = []
    name = required_text("access_name", form.name, column_max("access_entry.name"), errors)
    purpose = required_text("access_purpose", form.purpose, column_max("access_entry.purpose"), errors)
    unit = optional_text("access_unit", form.unit, column_max("access_entry.unit"), errors)
    companion = optional_text("access_companion", form.companion, column_max("access_entry.companion"), errors)
    typed_escort = optional_text("access_escort", form.escort_name, column_max("access_entry.escort_name"), errors)
    if form.area not in set(rules.Area):
        errors.append(FieldError("access_area", "field.required"))
    if form.category not in set(rules.Category):
        errors.append(FieldError("access_category", "field.required"))
    if errors:
        raise ValidationFailed(errors)
    now = now or utcnow()
    with session_scope(engine) as session:
        rule = _requirement(session, form.area, form.category)
        if not rule.allowed:
            raise NotAllowed("access.area_closed", area=form.area, category=form.category)
        escort_name = typed_escort
        if form.escort_id is not None:
            escort = session.get(User, form.escort_id)
            if escort is None:
                raise ValidationFailed([FieldError("access_escort", "field.bad_choice")])
            people.require_eligible(session, form.escort_id, "staff")
            escort_name = escort.name
        row = AccessEntryRecord(area=form.area, category=form.category, name=name, unit=unit,
                                purpose=purpose, escort_name=escort_name, escort_id=form.escort_id,
                                companion=companion, signed=bool(form.signed),
                                created_by_id=actor.id, created_at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="access_entry", entity_id=row.id, action="register", after=snapshot(row),
              at=now)
        return row.id


@acting
def approve_entry(engine: Engine, *, actor: Actor, entry_id: int, now: dt.datetime | None = None) -> str:
    """Approve with a title the matrix names for this category and area (seed 004 D16 副总, D12 部长; reading 12)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        entry = _entry(session, entry_id)
        rule = _requirement(session, entry.area, entry.category)
        title = next((t for t in rule.approvers if actor.has_title(t)), None)
        if title is None:
            raise NotAllowed("access.not_an_approver", titles="、".join(rule.approvers) or "—")
        if entry.time_in is not None:
            raise Conflict("access.already_in")
        done = session.exec(select(AccessApproval.id).where(AccessApproval.entry_id == entry_id,
                                                            AccessApproval.by_id == actor.id)).first()
        if done is not None:
            raise Conflict("access.already_approved")
        session.add(AccessApproval(entry_id=entry_id, by_id=actor.id, title=title, at=now))
        audit(session, actor=actor, entity="access_entry", entity_id=entry_id, action="approve",
              after={"title": title}, at=now)
        return title


@acting
def mark_in(engine: Engine, *, actor: Actor, entry_id: int, signed: bool = False,
            now: dt.datetime | None = None) -> dt.datetime:
    """Mark the person in, only once approval, escort, companion and signature are recorded (S31)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        entry = _entry(session, entry_id)
        signed = bool(signed or entry.signed)
        escort_titles = frozenset()
        if entry.escort_id is not None:
            escort = session.get(User, entry.escort_id)
            escort_titles = frozenset(escort.titles or ()) if escort else frozenset()
        approvals = [rules.Approval(str(a.by_id), a.title, a.at) for a in session.exec(
            select(AccessApproval).where(AccessApproval.entry_id == entry_id)).all()]
        domain_entry = rules.AccessEntry(area=rules.Area(entry.area), category=rules.Category(entry.category),
                                         name=entry.name, unit=entry.unit, purpose=entry.purpose,
                                         escort=entry.escort_name or None, escort_titles=escort_titles,
                                         companion=entry.companion or None, signed=signed)
        try:
            rules.can_mark_in(domain_entry, approvals, matrix(session))
        except ValidationFailed as exc:
            raise renamed(exc, FIELD_NAMES) from None
        update_once(session, AccessEntryRecord, entry_id, AccessEntryRecord.time_in, {"time_in": now, "signed": signed},
                    "access.already_in")
        audit(session, actor=actor, entity="access_entry", entity_id=entry_id, action="in",
              after={"time_in": now.isoformat(), "signed": signed}, at=now)
        return now


@acting
def mark_out(engine: Engine, *, actor: Actor, entry_id: int, now: dt.datetime | None = None) -> dt.datetime:
    """Record leaving; only someone who went in can leave, and only once."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        entry = _entry(session, entry_id)
        if entry.time_in is None:
            raise DomainError("access.not_in")
        update_once(session, AccessEntryRecord, entry_id, AccessEntryRecord.time_out, {"time_out": now},
                    "access.already_out")
        audit(session, actor=actor, entity="access_entry", entity_id=entry_id, action="out",
              after={"time_out": now.isoformat()}, at=now)
        return now


def _entry(session: Session, entry_id: int) -> AccessEntryRecord:
    entry = session.get(AccessEntryRecord, entry_id)
    if entry is None:
        raise DomainError("access.not_found")
    return entry


def register_today(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> list[AccessRow]:
    """Everyone not yet out (any day) and today's finished entries, newest first (index on ``time_out``)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        start, end = office.day_bounds(now.astimezone(tz).date(), tz)
        open_rows = session.exec(select(AccessEntryRecord).where(AccessEntryRecord.time_out.is_(None))
                                 .order_by(AccessEntryRecord.created_at.desc()).limit(LIST_LIMIT)).all()
        done_rows = session.exec(select(AccessEntryRecord).where(AccessEntryRecord.time_out >= start,
                                                                 AccessEntryRecord.time_out < end)
                                 .order_by(AccessEntryRecord.time_out.desc()).limit(LIST_LIMIT)).all()
        rows = [*open_rows, *done_rows]
        approvals = session.exec(select(AccessApproval).where(AccessApproval.entry_id.in_([r.id for r in rows]))
                                 ).all() if rows else []
        names = names_of(session, {a.by_id for a in approvals})
        given: dict[int, list[str]] = {}
        for a in approvals:
            given.setdefault(a.entry_id, []).append(f"{names.get(a.by_id, '')} ({a.title})")
        the_matrix = matrix(session)
    return [AccessRow(id=r.id, area=r.area, category=r.category, name=r.name, unit=r.unit, purpose=r.purpose,
                      escort=r.escort_name, companion=r.companion, signed=r.signed,
                      approvals=", ".join(given.get(r.id, [])),
                      needs=" / ".join(rules.requirement_for(rules.Area(r.area), rules.Category(r.category),
                                                          the_matrix).approvers),
                      time_in=r.time_in, time_out=r.time_out, created_at=r.created_at) for r in rows]
