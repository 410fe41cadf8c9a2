"""What the KPIs read from the complaint module (issue 5), in one place, read-only.

The complaint module keeps the follow-up surveys (``ticket_survey``, seed 000 D2) and
each open ticket's running deadline (``ticket.due_at``). Until it offers KPI queries of
its own, these functions read its tables directly, by indexed time ranges only.

SLA breaches: a ticket breaches when its running deadline has passed while it is still
open. The ticket row keeps only the running timer, so a breach that was later resolved
is not visible here (the complaint module would need to record breaches for that).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func
from sqlmodel import Session, select

from db.models import Ticket, TicketSurvey
from lib.domain import office
from lib.domain.kpi import Attitude, SurveyTally
from lib.services import settings
from lib.services.tickets.map import OPEN_STATES

# The complaint module calls 一般 "average"; the KPI domain calls it "fair".
_ATTITUDES = {"satisfied": Attitude.SATISFIED, "average": Attitude.FAIR, "fair": Attitude.FAIR,
              "dissatisfied": Attitude.DISSATISFIED}
_ATTITUDE_VALUES = tuple(_ATTITUDES)


def _bounds(session: Session, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return office.range_bounds(first, last, settings.office_zone(session))


def _counted(condition) -> object:
    return func.sum(case((condition, 1), else_=0))


def tally_columns() -> tuple:
    """The counts of ``SurveyTally``, summed by the database (answered surveys only)."""
    s = TicketSurvey
    return (func.count(), func.sum(s.score), func.count(s.score),
            *(_counted(s.attitude == stored) for stored in _ATTITUDE_VALUES),
            _counted(s.resolved.is_(True)), func.count(s.resolved),
            _counted(s.charged.is_(True)), func.count(s.charged))


def _tally(row) -> SurveyTally:
    count, score_sum, scored, *attitudes, resolved, resolution, charged, charge = row
    mix: dict[Attitude, int] = {}
    for stored, n in zip(_ATTITUDE_VALUES, attitudes):
        mix[_ATTITUDES[stored]] = mix.get(_ATTITUDES[stored], 0) + int(n or 0)
    return SurveyTally(int(count or 0), float(score_sum or 0), int(scored or 0), mix, int(resolved or 0),
                       int(resolution or 0), int(charged or 0), int(charge or 0))


def monthly_tallies(session: Session, first: dt.date, last: dt.date) -> dict[dt.date, SurveyTally]:
    """Answered follow-up surveys counted per office month of ``[first, last]`` (``ticket_survey.at`` index)."""
    result = {}
    month = first.replace(day=1)
    while month <= last:
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        start, end = _bounds(session, max(first, month), min(last, next_month - dt.timedelta(days=1)))
        row = session.exec(select(*tally_columns()).where(TicketSurvey.at >= start, TicketSurvey.at < end,
                                                           TicketSurvey.convenient == True)).one()  # noqa: E712
        result[month] = _tally(row)
        month = next_month
    return result


def tallies_by_person(session: Session, first: dt.date, last: dt.date) -> dict[int, SurveyTally]:
    """Surveys per person served: the ticket's technician, else whoever handled it (seed 003 M#13 inputs)."""
    start, end = _bounds(session, first, last)
    person = func.coalesce(Ticket.technician_id, Ticket.assignee_id)
    rows = session.exec(select(person, *tally_columns()).join(Ticket, Ticket.id == TicketSurvey.ticket_id)
                        .where(TicketSurvey.at >= start, TicketSurvey.at < end,
                               TicketSurvey.convenient == True)  # noqa: E712
                        .group_by(person)).all()
    return {row[0]: _tally(row[1:]) for row in rows if row[0] is not None}


def _breaches(session: Session, first: dt.date, last: dt.date, now: dt.datetime, column) -> dict:
    start, end = _bounds(session, first, last)
    rows = session.exec(select(column, func.count()).select_from(Ticket)
                        .where(Ticket.state.in_(OPEN_STATES), Ticket.due_at >= start, Ticket.due_at < end,
                               Ticket.due_at <= now)
                        .group_by(column)).all()
    return {key: count for key, count in rows}


def breaches_by_group(session: Session, first: dt.date, last: dt.date, now: dt.datetime) -> dict[str, int]:
    """Open tickets whose deadline fell in the period and has passed, per CS group (seed 004 D19 groups)."""
    return {group or "": count for group, count in _breaches(session, first, last, now, Ticket.cs_group).items()}


def breaches_by_person(session: Session, first: dt.date, last: dt.date, now: dt.datetime) -> dict[int, int]:
    """The same breaches per person handling the ticket (a quarterly score input)."""
    return {p: c for p, c in _breaches(session, first, last, now, Ticket.assignee_id).items() if p is not None}
