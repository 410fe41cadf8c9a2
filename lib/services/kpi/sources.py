"""What the KPIs read from the complaint module (issue 5), in one place, read-only.

The complaint module keeps the follow-up surveys (``ticket_survey``, seed 000 D2) and
each open ticket's running deadline (``ticket.due_at``). Until it offers KPI queries of
its own, these functions read its tables directly, by indexed time ranges only.

SLA breaches: a ticket breaches when a running deadline passes while it is still open. The
notification sweeper records each such deadline once in ``sla_breach`` (issue 15 N6), which
stays after the ticket closes; the KPIs count those records whose deadline fell in the period,
plus open tickets past a deadline in the period that no sweep has recorded yet (the sweeper
stopped, or it has not run since), each deadline once (issue 15 N8).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func
from sqlmodel import Session, select

from db.models import SlaBreach, Ticket, TicketSurvey
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


def _breaches(session: Session, first: dt.date, last: dt.date, now: dt.datetime, by_group: bool) -> dict:
    """Deadlines in the period that passed: recorded breaches (``ix_sla_breach_due``; the person is whoever held
    the ticket when it breached, the group the ticket's), plus open tickets past a deadline not yet recorded
    (``ix_ticket_state_due``). A ticket that breached two deadlines counts twice (issue 15 N8)."""
    start, end = _bounds(session, first, last)
    end = min(end, now + dt.timedelta(microseconds=1))  # a deadline at ``now`` has passed, as on the inbox
    if end <= start:
        return {}
    recorded_key = Ticket.cs_group if by_group else SlaBreach.assignee_id
    recorded = select(recorded_key, func.count()).select_from(SlaBreach)
    if by_group:
        recorded = recorded.join(Ticket, Ticket.id == SlaBreach.ticket_id)
    recorded = recorded.where(SlaBreach.due_at >= start, SlaBreach.due_at < end).group_by(recorded_key)
    open_key = Ticket.cs_group if by_group else Ticket.assignee_id
    swept = select(SlaBreach.id).where(and_(SlaBreach.ticket_id == Ticket.id, SlaBreach.due_at == Ticket.due_at,
                                            SlaBreach.due_kind == func.coalesce(Ticket.due_kind, "")))
    unswept = (select(open_key, func.count()).select_from(Ticket)
               .where(Ticket.state.in_(OPEN_STATES), Ticket.due_at >= start, Ticket.due_at < end, ~swept.exists())
               .group_by(open_key))
    counts: dict = {}
    for query in (recorded, unswept):
        for key, count in session.exec(query).all():
            counts[key] = counts.get(key, 0) + count
    return counts


def breaches_by_group(session: Session, first: dt.date, last: dt.date, now: dt.datetime) -> dict[str, int]:
    """SLA breaches whose deadline fell in the period, per CS group (seed 004 D19 groups), closed tickets too."""
    counts: dict[str, int] = {}
    for group, count in _breaches(session, first, last, now, by_group=True).items():
        counts[group or ""] = counts.get(group or "", 0) + count
    return counts


def breaches_by_person(session: Session, first: dt.date, last: dt.date, now: dt.datetime) -> dict[int, int]:
    """The same breaches per person who held the ticket when it breached (a quarterly score input)."""
    return {p: c for p, c in _breaches(session, first, last, now, by_group=False).items() if p is not None}
