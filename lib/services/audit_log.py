"""Reading the audit trail (supervisors and admins); it is written only by other services."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import session_scope
from db.models import AuditEvent
from lib.domain import office
from lib.domain.text import clean
from lib.services import settings
from lib.services.base import SUPERVISORS, Actor, require

AUDIT_LIMIT = 500


@dataclass(frozen=True)
class Change:
    """One changed field of an audit row: its name and the value before and after, as text."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    username: str
    entity: str
    entity_id: str
    action: str
    before: str
    after: str
    reason: str
    changes: tuple[Change, ...] = ()


def _text(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, str):
        if value[:1] in ('"', "[", "{"):  # settings keep their stored JSON text in the trail
            try:
                return _text(json.loads(value))
            except ValueError:
                return value
        return value
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "、".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def changes(before, after) -> tuple[Change, ...]:
    """The fields that differ between two audit snapshots, in a stable order (T15: 「字段: 之前 → 之后」).

    A row with only ``after`` (a creation) lists its filled fields; with only ``before``, what was removed.
    """
    before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    out = []
    for field in sorted(set(before) | set(after)):
        old, new = _text(before.get(field)), _text(after.get(field))
        if old != new:
            out.append(Change(field, old, new))
    return tuple(out)


# A skip scan over the (entity, at) index: one index probe per distinct entity instead of reading
# the whole trail (SELECT DISTINCT would), on SQLite and PostgreSQL alike.
_DISTINCT_ENTITIES = text("""
    WITH RECURSIVE e(entity) AS (
        SELECT MIN(entity) FROM audit_event
        UNION ALL
        SELECT (SELECT MIN(a.entity) FROM audit_event a WHERE a.entity > e.entity) FROM e WHERE e.entity IS NOT NULL
    )
    SELECT entity FROM e WHERE entity IS NOT NULL
""")


def entities(engine: Engine, *, actor: Actor) -> list[str]:
    """The kinds of record the trail holds, for the filter."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        return list(session.execute(_DISTINCT_ENTITIES).scalars().all())


def search_audit(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date, entity: str = "",
                 username: str = "", action: str = "") -> list[AuditRow]:
    """Audit rows in a date range (indexed on ``at``), newest first, filtered by entity/user/action."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        start, end = office.range_bounds(first, last, settings.office_zone(session))
        query = select(AuditEvent).where(AuditEvent.at >= start, AuditEvent.at < end)
        if entity:
            query = query.where(AuditEvent.entity == entity)
        if clean(username):
            query = query.where(AuditEvent.username == clean(username).lower())
        if clean(action):
            query = query.where(AuditEvent.action == clean(action))
        rows = session.exec(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(AUDIT_LIMIT)).all()
    return [AuditRow(at=r.at, username=r.username, entity=r.entity, entity_id=r.entity_id, action=r.action,
                     before=_json(r.before), after=_json(r.after), reason=r.reason,
                     changes=changes(r.before, r.after)) for r in rows]


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
