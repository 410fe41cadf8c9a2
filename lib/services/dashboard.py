"""Home page figures: what needs attention now (indexed, today-only queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import func, select

from db.engine import session_scope
from db.models import PhoneMessage, VisitorEntry
from lib.domain import office
from lib.services import settings
from lib.services.base import WRITERS, Actor, require, utcnow


@dataclass(frozen=True)
class FrontDeskSummary:
    on_site: int
    visitors_today: int
    messages_open: int
    messages_overdue: int


def front_desk_summary(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> FrontDeskSummary:
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        overdue_h = int(settings.get(session, "phone.relay_overdue"))
        start, end = office.day_bounds(now.astimezone(tz).date(), tz)

        def count(model, *conditions) -> int:
            return session.exec(select(func.count()).select_from(model).where(*conditions)).one()

        return FrontDeskSummary(
            on_site=count(VisitorEntry, VisitorEntry.time_out.is_(None)),
            visitors_today=count(VisitorEntry, VisitorEntry.time_in >= start, VisitorEntry.time_in < end),
            messages_open=count(PhoneMessage, PhoneMessage.relayed_at.is_(None)),
            messages_overdue=count(PhoneMessage, PhoneMessage.relayed_at.is_(None),
                                   PhoneMessage.called_at < now - dt.timedelta(hours=overdue_h)),
        )
