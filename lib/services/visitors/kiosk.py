"""Kiosk mode for a tablet at the entrance (T21b): its own link, sign-ins the desk confirms.

A kiosk link is a random token an admin creates; only its SHA-256 is stored (as for the wall's
display links) and it can be revoked. A visitor signs in at the kiosk (their details, or their
pre-registration code); that writes a *pending* sign-in only. A receptionist confirms it on the
visitors page, which checks the visitor in through the one check-in path (``visitors.register_in``),
or rejects it. The kiosk itself reads nothing back: no other visitor's data ever reaches it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import session_scope
from db.models import User, VisitorKiosk, VisitorPrereg, VisitorSignIn
from lib.domain import visitors as rules
from lib.domain.errors import DomainError, FieldError, ValidationFailed
from lib.services import link_tokens, settings
from lib.services.base import ADMINS, WRITERS, Actor, acting, audit, require, snapshot, update_once, utcnow
from lib.services.visitors.register import register_in

LIST_LIMIT = 200


token_hash = link_tokens.token_hash


class KioskState(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


@dataclass(frozen=True)
class KioskAccess:
    """A kiosk link as the kiosk page sees it."""

    kiosk_id: int
    label: str
    state: KioskState

    def actor(self) -> Actor:
        """Who the audit log names for a kiosk's sign-ins: the kiosk, never a person."""
        return Actor(id=None, username=f"kiosk:{self.kiosk_id}", name=self.label, role="kiosk")


@dataclass(frozen=True)
class KioskRow:
    id: int
    label: str
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool


def kiosk_access(engine: Engine, token: object) -> KioskAccess | None:
    """The kiosk a token names (valid or revoked), or None for anything else (one unique-index lookup)."""
    row = link_tokens.find(engine, VisitorKiosk, token)
    if row is None:
        return None
    return KioskAccess(row.id, row.label, KioskState.REVOKED if row.revoked_at else KioskState.VALID)


@acting
def create_kiosk(engine: Engine, *, actor: Actor, label: str, now: dt.datetime | None = None) -> tuple[int, str]:
    """A new kiosk link; the token is returned once and only its hash is kept (T21)."""
    require(actor, ADMINS)
    now = now or utcnow()
    label = link_tokens.checked_label("kiosk_label", label)
    token, hashed = link_tokens.new_token()
    with session_scope(engine) as session:
        row = VisitorKiosk(label=label, token_hash=hashed, created_by_id=actor.id, created_at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="visitor_kiosk", entity_id=row.id, action="create",
              after={"label": label}, at=now)
        return row.id, token


@acting
def revoke_kiosk(engine: Engine, *, actor: Actor, kiosk_id: int, reason: str = "",
                 now: dt.datetime | None = None) -> None:
    """Revoke a kiosk link: the tablet's next run says the link was revoked."""
    link_tokens.revoke(engine, actor=actor, model=VisitorKiosk, row_id=kiosk_id, reason=reason,
                       entity="visitor_kiosk", reason_field="kiosk_reason", not_found_key="kiosk.not_found",
                       already_key="kiosk.already_revoked", now=now)


def kiosks(engine: Engine, *, actor: Actor) -> list[KioskRow]:
    require(actor, ADMINS)
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(VisitorKiosk, User.name).join(User, User.id == VisitorKiosk.created_by_id,
                                                                 isouter=True)
                            .order_by(VisitorKiosk.revoked_at.is_not(None), VisitorKiosk.created_at.desc())).all()
    return [KioskRow(k.id, k.label, name or "", k.created_at, k.revoked_at, k.revoked_at is None) for k, name in rows]


def _live_kiosk(session, kiosk: KioskAccess) -> VisitorKiosk:
    row = session.get(VisitorKiosk, kiosk.kiosk_id)
    if row is None or row.revoked_at is not None:
        raise DomainError("kiosk.revoked")
    return row


def kiosk_sign_in(engine: Engine, *, kiosk: KioskAccess, form: rules.VisitorForm, host_text: str = "",
                  now: dt.datetime | None = None) -> int:
    """A visitor signs in at the kiosk: checked like a desk entry, stored as pending (T21)."""
    now = now or utcnow()
    with session_scope(engine) as session:
        _live_kiosk(session, kiosk)
        max_headcount = int(settings.get(session, "visitor.max_headcount"))
        errors: list[FieldError] = []
        try:
            visitor = rules.validate_visitor(form, now=now, max_headcount=max_headcount)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        try:
            host = rules.validate_kiosk_host(host_text)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        if errors:
            raise ValidationFailed(errors)
        row = VisitorSignIn(kiosk_id=kiosk.kiosk_id, name=visitor.name, headcount=visitor.headcount,
                            purpose=visitor.purpose, company=visitor.company, phone=visitor.phone,
                            host_text=host, created_at=now)
        return _add_sign_in(session, kiosk, row, now)


def kiosk_sign_in_code(engine: Engine, *, kiosk: KioskAccess, code: str, now: dt.datetime | None = None) -> int:
    """A pre-registered visitor signs in with their code; the desk confirms as for any sign-in (T21)."""
    now = now or utcnow()
    norm = rules.normalise_code(code)
    if norm is None:
        raise DomainError("visitor.code_malformed", length=rules.CODE_LEN)
    with session_scope(engine) as session:
        _live_kiosk(session, kiosk)
        booking = session.exec(select(VisitorPrereg).where(VisitorPrereg.code == norm)).first()
        if booking is None:
            raise DomainError("visitor.code_unknown")
        today = now.astimezone(settings.office_zone(session)).date()
        rules.prereg_usable(expected_day=booking.expected_day, today=today,
                            arrived=booking.visitor_entry_id is not None, cancelled=booking.cancelled_at is not None)
        host = session.get(User, booking.host_id)
        row = VisitorSignIn(kiosk_id=kiosk.kiosk_id, prereg_id=booking.id, name=booking.name,
                            headcount=booking.headcount, purpose=booking.purpose, company=booking.company,
                            phone=booking.phone, host_text=host.name if host else "", created_at=now)
        return _add_sign_in(session, kiosk, row, now)


def _add_sign_in(session, kiosk: KioskAccess, row: VisitorSignIn, now: dt.datetime) -> int:
    session.add(row)
    session.flush()
    audit(session, actor=kiosk.actor(), entity="visitor_sign_in", entity_id=row.id, action="sign_in",
          after=snapshot(row), at=now)
    return row.id


@dataclass(frozen=True)
class SignInRow:
    id: int
    created_at: dt.datetime
    name: str
    headcount: int
    purpose: str
    company: str
    phone: str
    host_text: str
    host_id: int | None
    prereg_id: int | None
    kiosk: str


def pending_sign_ins(engine: Engine, *, actor: Actor) -> list[SignInRow]:
    """Kiosk sign-ins waiting for the desk, oldest first; a booked host is named by id (T21)."""
    require(actor, WRITERS)
    s = VisitorSignIn
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(s, VisitorKiosk.label, VisitorPrereg.host_id)
                            .join(VisitorKiosk, VisitorKiosk.id == s.kiosk_id)
                            .outerjoin(VisitorPrereg, VisitorPrereg.id == s.prereg_id)
                            .where(s.decided_at.is_(None)).order_by(s.created_at).limit(LIST_LIMIT)).all()
    return [SignInRow(r.id, r.created_at, r.name, r.headcount, r.purpose, r.company, r.phone, r.host_text, host_id,
                      r.prereg_id, label) for r, label, host_id in rows]


@acting
def confirm_sign_in(engine: Engine, *, actor: Actor, sign_in_id: int, form: rules.VisitorForm,
                    now: dt.datetime | None = None, seen_on_site: tuple[int, ...] = (),
                    check_out_ids: tuple[int, ...] = ()) -> int:
    """The receptionist confirms a kiosk sign-in: it becomes a normal check-in, once (T21, T4 rules apply)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        row = session.get(VisitorSignIn, sign_in_id)
        if row is None:
            raise DomainError("kiosk.sign_in_not_found")
        if row.decided_at is not None:
            raise DomainError("kiosk.sign_in_decided")
        booking = session.get(VisitorPrereg, row.prereg_id) if row.prereg_id else None
        if booking is not None:
            today = now.astimezone(settings.office_zone(session)).date()
            rules.prereg_usable(expected_day=booking.expected_day, today=today,
                                arrived=booking.visitor_entry_id is not None,
                                cancelled=booking.cancelled_at is not None)
        entry_id = register_in(session, actor=actor, form=form, now=now, seen_on_site=seen_on_site,
                               check_out_ids=check_out_ids, source={"sign_in_id": sign_in_id})
        update_once(session, VisitorSignIn, sign_in_id, VisitorSignIn.decided_at,
                    {"decided_at": now, "decided_by_id": actor.id, "outcome": rules.SignInOutcome.CONFIRMED.value,
                     "visitor_entry_id": entry_id}, "kiosk.sign_in_decided")
        if booking is not None:
            update_once(session, VisitorPrereg, booking.id, VisitorPrereg.visitor_entry_id,
                        {"visitor_entry_id": entry_id}, "visitor.code_used")
        audit(session, actor=actor, entity="visitor_sign_in", entity_id=sign_in_id, action="confirm",
              before={"outcome": "pending"}, after={"outcome": "confirmed", "visitor_entry_id": entry_id}, at=now)
        return entry_id


@acting
def reject_sign_in(engine: Engine, *, actor: Actor, sign_in_id: int, now: dt.datetime | None = None) -> None:
    """A sign-in nobody should confirm (a test entry, a visitor who left): closed without a visit."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        if session.get(VisitorSignIn, sign_in_id) is None:
            raise DomainError("kiosk.sign_in_not_found")
        update_once(session, VisitorSignIn, sign_in_id, VisitorSignIn.decided_at,
                    {"decided_at": now, "decided_by_id": actor.id, "outcome": rules.SignInOutcome.REJECTED.value},
                    "kiosk.sign_in_decided")
        audit(session, actor=actor, entity="visitor_sign_in", entity_id=sign_in_id, action="reject",
              before={"outcome": "pending"}, after={"outcome": "rejected"}, at=now)
