"""What every service shares: the acting user, role checks, the audit writer, the clock."""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import decimal
import enum
import hashlib
import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select, update
from sqlmodel import Session

from db.engine import session_scope
from db.models import AuditEvent, User
from lib.domain.errors import Conflict, NotAllowed


@dataclass(frozen=True)
class Actor:
    """The logged-in user as services see it (plain data, loaded fresh every run)."""

    id: int | None
    username: str
    name: str
    role: str
    titles: tuple[str, ...] = field(default_factory=tuple)
    lang: str = "zh_CN"
    department_id: int | None = None
    team_id: int | None = None
    group_id: int | None = None

    def has_title(self, title: str) -> bool:
        return title in self.titles


SYSTEM = Actor(id=None, username="system", name="system", role="admin")

WRITERS = ("admin", "supervisor", "staff")
SUPERVISORS = ("admin", "supervisor")
ADMINS = ("admin",)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def require(actor: Actor, roles: tuple[str, ...]) -> None:
    """Server-side role check for an action; in an :func:`acting` service ``actor`` is the fresh one (R6)."""
    if actor.role not in roles:
        raise NotAllowed("auth.forbidden")


_ACTING: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("acting", default=None)


def _actor_from(user: User) -> Actor:
    return Actor(id=user.id, username=user.username, name=user.name, role=user.role,
                 titles=tuple(user.titles or ()), lang=user.lang, department_id=user.department_id,
                 team_id=user.team_id, group_id=user.group_id)


def fresh_actor(session: Session, actor: Actor) -> Actor:
    """The acting user as the database has it now (active, role, titles), not as the page passed it (R6).

    System and kiosk identities (no user id) are not accounts and pass unchanged.
    """
    if actor.id is None:
        return actor
    user = session.get(User, actor.id, populate_existing=True)
    if user is None or not user.active:
        raise NotAllowed("auth.inactive")
    return _actor_from(user)


def acting(service):
    """Mark a write service: the ``actor`` it is given is replaced by :func:`fresh_actor`, and every write
    transaction the call opens re-reads the user once more, so a deactivation or a role or title change
    that lands in between is refused rather than trusted (R6). Pages filter menus; this decides."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        given = kwargs.get("actor")
        if not isinstance(given, Actor) or given.id is None or not args:
            return service(*args, **kwargs)
        with session_scope(args[0], write=False) as session:
            kwargs["actor"] = fresh_actor(session, given)
        token = _ACTING.set(kwargs["actor"])
        try:
            return service(*args, **kwargs)
        finally:
            _ACTING.reset(token)

    wrapper.checks_actor = True
    return wrapper


@event.listens_for(Session, "after_begin")
def _recheck_actor(session, _transaction, connection) -> None:
    """Inside each write transaction of an :func:`acting` service, the user must still be who was checked."""
    actor = _ACTING.get()
    if actor is None or actor.id is None or not connection.info.get("write", True):
        return
    found = connection.execute(select(User.active, User.role, User.titles).where(User.id == actor.id)).first()
    if found is None or not found.active:
        raise NotAllowed("auth.inactive")
    if found.role != actor.role or tuple(found.titles or ()) != actor.titles:
        raise NotAllowed("auth.changed")


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Any, exclude: tuple[str, ...] = ("password_hash",)) -> dict | None:
    """A JSON-safe picture of a row or dataclass for the audit log (secrets left out)."""
    if obj is None:
        return None
    if dataclasses.is_dataclass(obj):
        data = dataclasses.asdict(obj)
    elif hasattr(obj, "model_dump"):
        data = obj.model_dump()
    else:
        data = dict(obj)
    return {k: _jsonable(v) for k, v in data.items() if k not in exclude}


def fit_entity_id(entity_id: object) -> str:
    """An id that fits ``audit_event.entity_id``: a longer one (a setting key such as
    ``escalation.uncooperative_department_title``) keeps its readable start and ends with a
    hash of the whole, so it stays unique and stable without widening an append-only table (R4)."""
    text = "" if entity_id is None else str(entity_id)
    size = AuditEvent.__table__.c.entity_id.type.length
    if len(text) <= size:
        return text
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return text[:size - 9] + "~" + digest


def audit(session: Session, *, actor: Actor, entity: str, entity_id: object, action: str,
          before: Any = None, after: Any = None, reason: str = "", at: dt.datetime | None = None) -> None:
    """Append the audit row in the caller's transaction (SPEC M0 Audit)."""
    session.add(AuditEvent(
        at=at or utcnow(), user_id=actor.id, username=actor.username, entity=entity,
        entity_id=fit_entity_id(entity_id), action=action,
        before=before if isinstance(before, dict) or before is None else snapshot(before),
        after=after if isinstance(after, dict) or after is None else snapshot(after),
        reason=reason or "",
    ))


def update_once(session: Session, model, row_id: int, unset, values: dict, conflict_key: str) -> None:
    """Set ``values`` on one row only while ``unset`` (a column) is still NULL.

    The condition is re-checked by the database at write time, so of two people
    pressing the same button at once exactly one wins; the other gets ``Conflict``.
    """
    result = session.execute(update(model).where(model.id == row_id, unset.is_(None)).values(**values))
    if result.rowcount != 1:
        raise Conflict(conflict_key)
