"""Person pickers: who may be offered for each pick kind, and the same check inside every service (T2).

Pages list ``options(engine, kind)``; services call ``require_eligible(session, person_id, kind)``
before they save, so a crafted request cannot name someone the picker would not offer.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import OrgUnit, User
from lib.domain import people as rules
from lib.domain.errors import DomainError
from lib.services import settings as settings_service

Candidate = rules.Candidate


def allowed_titles(session: Session, kind: str) -> list[str]:
    """The titles that may be picked for ``kind`` (a setting; empty = any active staff)."""
    if kind not in rules.PICK_KINDS:
        raise ValueError(f"unknown pick kind {kind!r}")
    return list(settings_service.get(session, rules.PICK_KINDS[kind]) or [])


def _candidates(session: Session, ids: list[int] | None = None) -> list[Candidate]:
    query = (select(User, OrgUnit.name).join(OrgUnit, OrgUnit.id == User.team_id, isouter=True)
             .where(User.role.in_(rules.PERSON_ROLES)))
    if ids is not None:
        query = query.where(User.id.in_(ids))
    rows = session.exec(query.order_by(User.name, User.staff_no, User.id)).all()
    return [Candidate(id=u.id, name=u.name, staff_no=u.staff_no or "", team=team or "", titles=tuple(u.titles or ()),
                      role=u.role, active=bool(u.active)) for u, team in rows]


def options_in(session: Session, kind: str) -> list[Candidate]:
    allowed = allowed_titles(session, kind)
    return [c for c in _candidates(session) if rules.may_hold(c, allowed)]


def options(engine: Engine, kind: str) -> list[Candidate]:
    """Active people who may hold ``kind``, by name then 工号 (T2)."""
    with session_scope(engine, write=False) as session:
        return options_in(session, kind)


def is_eligible(session: Session, person_id: int, kind: str) -> bool:
    found = _candidates(session, [person_id])
    return bool(found) and rules.may_hold(found[0], allowed_titles(session, kind))


def require_eligible(session: Session, person_id: int | None, kind: str) -> None:
    """Refuse a person who may not hold ``kind`` (inactive, display account, or without an allowed title)."""
    if person_id is None:
        return
    if not is_eligible(session, person_id, kind):
        found = _candidates(session, [person_id])
        name = rules.label(found[0]) if found else str(person_id)
        raise DomainError(f"people.not_eligible.{kind}", person=name,
                          titles="、".join(allowed_titles(session, kind)) or "—")


def labels(engine: Engine, kind: str) -> dict[int, str]:
    """``{id: 「姓名（工号 · 团队）」}`` for a selectbox (T2)."""
    return {c.id: rules.label(c) for c in options(engine, kind)}
