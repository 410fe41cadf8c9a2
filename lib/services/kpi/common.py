"""What the KPI services share: people and teams by id, office months, the KPI settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import OrgUnit, User
from lib.domain.kpi import SETTINGS as KPI_SETTINGS
from lib.domain.kpi import KpiSettings, add_months, month_start
from lib.services import settings
from lib.services.base import snapshot, utcnow


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    staff_no: str
    team_id: int | None
    department_id: int | None
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Unit:
    id: int
    name: str


def kpi_settings(session: Session) -> KpiSettings:
    return KpiSettings.from_values(settings.current_values(session, [d.key for d in KPI_SETTINGS]))


def office_today(session: Session, now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(settings.office_zone(session)).date()


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of ``month``'s calendar month."""
    first = month_start(month)
    return first, add_months(first, 1) - dt.timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    return first, add_months(first, 3) - dt.timedelta(days=1)


def names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(wanted))).all())


def unit_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(wanted))).all())


def _person(user: User) -> Person:
    return Person(id=user.id, name=user.name, staff_no=user.staff_no or "", team_id=user.team_id,
                  department_id=user.department_id, titles=tuple(user.titles or ()))


def active_people(session: Session) -> list[Person]:
    """Everyone who can be ranked or fined: active accounts that are not wall displays."""
    rows = session.exec(select(User).where(User.active == True, User.role != "display")  # noqa: E712
                        .order_by(User.name, User.id)).all()
    return [_person(u) for u in rows]


def people(engine: Engine) -> list[Person]:
    with session_scope(engine, write=False) as session:
        return active_people(session)


def units(engine: Engine, kind: str) -> list[Unit]:
    """Active org units of one kind (``team``, ``department``), by name."""
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == kind, OrgUnit.active == True)  # noqa: E712
                            .order_by(OrgUnit.name)).all()
    return [Unit(id=i, name=n) for i, n in rows]


def plain(obj: Any) -> dict | None:
    """``snapshot`` for the audit log, with money as text (JSON has no decimals)."""
    data = snapshot(obj)
    return None if data is None else {k: str(v) if isinstance(v, Decimal) else v for k, v in data.items()}


def unique_errors(errors: list) -> list:
    """Each (field, message) once: a row-by-row check may find the same problem twice."""
    seen, result = set(), []
    for e in errors:
        if (e.field, e.key) not in seen:
            seen.add((e.field, e.key))
            result.append(e)
    return result
