"""T14: the demo office fills every module with a believable week, through the services, on both backends."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlmodel import func, select

from db.engine import session_scope
from db.models import (AccessEntryRecord, CustomerEnquiry, DemotionDecision, HandoverRecord, LedgerEntryRecord, LotteryDraw,
                       OrgUnit, PhoneMessage, QuarterPublication, QueueDay, QueueEventRecord, ReceptionApplicationRecord,
                       RosterAbsence, RosterPeriod, RosterSwap, SettingValue, ShowroomContactRecord, ShowroomCustomer,
                       ShowroomDaySheet, ShowroomFollowUp, Ticket, TicketSurvey, User, VisitorEntry, WarningEventRecord)
from lib.demo import load_demo
from lib.demo.office import CONTROL_POSTS, FIRE_POST
from lib.domain.errors import DomainError
from lib.services import accounts, roster, rotation, settings
from lib.services.kpi import warning_cases as kpi_warnings
from lib.services.showroom import read as showroom_read
from lib.services.tickets import read as tickets_read
from lib.services.visitors import kiosk as visitor_kiosk
from lib.services.tickets.map import OPEN_STATES
from tests.conftest import sqlite_engine

SQLITE_SECONDS = 30  # measured ~4–8 s on a shared 2-core machine; the bound catches a runaway loop


def _admin(engine):
    return accounts.create_first_admin(engine, username="admin", name="管理员", password="password1",
                                       repeat="password1")


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_T14_demo_fills_every_module(engine, now):
    """T14: after load_demo every module has rows, tickets are in every state, a quarter is published, a demotion
    decided, a day sheet signed, rosters published (the fire-control room's included) and handovers done."""
    admin = _admin(engine)
    started = time.perf_counter()
    staff = load_demo(engine, actor=admin, now=now)
    took = time.perf_counter() - started
    print(f"load_demo on {engine.dialect.name}: {took:.1f} s, {staff} staff")
    if engine.dialect.name == "sqlite":
        assert took < SQLITE_SECONDS
    with session_scope(engine, write=False) as session:
        for model in (VisitorEntry, PhoneMessage, LotteryDraw, QueueDay, QueueEventRecord, RosterSwap, RosterAbsence,
                      ShowroomCustomer, ShowroomContactRecord, ShowroomFollowUp, CustomerEnquiry,
                      ReceptionApplicationRecord, AccessEntryRecord, TicketSurvey, WarningEventRecord):
            assert _count(session, model) > 0, model.__tablename__
        tickets = session.exec(select(Ticket)).all()
        states = {t.state for t in tickets}
        assert {"received", "in_progress", "escalated", "dispatched", "on_site", "completed", "reported",
                "callback", "closed"} <= states
        assert any(t.state in OPEN_STATES and t.assignee_id is not None for t in tickets)  # assigned
        assert any(t.state in OPEN_STATES and t.due_at is not None and t.due_at < now for t in tickets)  # red
        closed = {t.id for t in tickets if t.state == "closed"}
        assert set(session.exec(select(TicketSurvey.ticket_id)).all()) & closed  # closed with surveys
        assert _count(session, QuarterPublication) == 1
        assert _count(session, DemotionDecision, DemotionDecision.decision == "confirmed") >= 1
        assert _count(session, ShowroomDaySheet, ShowroomDaySheet.signed_at.is_not(None)) >= 5
        ledger = {e.status for e in session.exec(select(LedgerEntryRecord)).all()}
        assert {"proposed", "confirmed", "collected"} <= ledger
        assert _count(session, LedgerEntryRecord, LedgerEntryRecord.reverses_id.is_not(None)) == 1
        handovers = {h.state for h in session.exec(select(HandoverRecord)).all()}
        assert {"completed", "refused", "scheduled"} <= handovers
        posts = dict(session.exec(select(OrgUnit.name, OrgUnit.id).where(OrgUnit.kind == "post")).all())
        published = session.exec(select(RosterPeriod.post_id).where(RosterPeriod.status == "published")).all()
        for post in (*CONTROL_POSTS, "前台"):
            assert published.count(posts[post]) == 3, post
        fire_periods = session.exec(select(RosterPeriod.id).where(RosterPeriod.post_id == posts[FIRE_POST],
                                                                 RosterPeriod.status == "published")).all()
    chief = next(p for p in _people(engine) if "部长" in p.titles)
    for period in fire_periods:  # the control-room roster has nothing blocking: trained, certified, no gap
        assert not roster.period_view(engine, actor=accounts.actor_of(chief), period_id=period).blocking


def _people(engine) -> list[User]:
    with session_scope(engine, write=False) as session:
        return list(session.exec(select(User).where(User.role.in_(("staff", "supervisor")))).all())


def test_T14_demo_people_hold_managed_titles_with_a_number_and_a_team(engine, now):
    """T14/T13: every title is on the managed list; everybody has a 工号 and a team; each workflow has its people."""
    load_demo(engine, actor=_admin(engine), now=now, days=0)
    with session_scope(engine, write=False) as session:
        managed = set(settings.get(session, "org.titles"))
        dispatchers = settings.get(session, "repair.dispatcher_titles")
    people = _people(engine)
    assert all(p.staff_no and p.team_id for p in people)
    assert all(set(p.titles) <= managed for p in people), [p.titles for p in people if not set(p.titles) <= managed]
    titles = [t for p in people for t in p.titles]
    for needed in ("客服部经理", "维修人员", "客服工程师", "中控员", "销售顾问", "销售经理", "总经理"):
        assert needed in titles
    assert any("客服部经理" in p.titles and set(p.titles) & set(dispatchers) for p in people)
    fire = [p for p in people if "中控员" in p.titles and p.cert_valid_until and p.cert_valid_until > now.date()]
    assert len(fire) >= 3 and all(p.trained_posts for p in fire)


def test_T14_demo_refuses_an_office_that_has_people(engine, now):
    """T14: idempotent-safe: a second load, or a load into a real office, is refused before writing anything."""
    admin = _admin(engine)
    load_demo(engine, actor=admin, now=now, days=0)
    with session_scope(engine, write=False) as session:
        before = _count(session, User), _count(session, SettingValue)
    with pytest.raises(DomainError, match="setup.demo_not_empty"):
        load_demo(engine, actor=admin, now=now)
    with session_scope(engine, write=False) as session:
        assert (_count(session, User), _count(session, SettingValue)) == before


@pytest.mark.parametrize("moment", [
    dt.datetime(2026, 12, 31, 16, 5, tzinfo=dt.timezone.utc),   # Friday 00:05 New Year's Day in Shanghai
    dt.datetime(2027, 3, 1, 0, 30, tzinfo=dt.timezone.utc),     # Monday 08:30, first day of a month
    dt.datetime(2026, 7, 4, 10, 0, tzinfo=dt.timezone.utc),     # Saturday 18:00, just at workday end
])
def test_T14_demo_loads_at_any_moment(tmp_path, moment):
    """T14: relative to ``now``: midnight, a month or quarter start and a weekend evening all load cleanly."""
    engine = sqlite_engine(tmp_path)
    try:
        load_demo(engine, actor=_admin(engine), now=moment)
        with session_scope(engine, write=False) as session:
            assert _count(session, QuarterPublication) == 1
            assert _count(session, VisitorEntry, VisitorEntry.time_out.is_(None)) >= 3  # still on site
    finally:
        engine.dispose()


@pytest.mark.parametrize("moment", [
    dt.datetime(2026, 12, 8, 21, 0, tzinfo=dt.timezone.utc),  # Wednesday 05:00 in Shanghai: before the showroom opens
    dt.datetime(2026, 12, 9, 7, 0, tzinfo=dt.timezone.utc),   # Wednesday 15:00 in Shanghai
], ids=["05h00", "15h00"])
def test_T14_every_worklist_has_something_at_any_hour(engine, moment):
    """T14: whenever the demo is loaded, today's queue has events, a kiosk sign-in waits for the desk, a demotion is
    in force, an out-of-town repair waits for approval, the first consultant has a follow-up due today, a 重卡
    dispute is open and a 劝退 case waits for a decision."""
    load_demo(engine, actor=_admin(engine), now=moment)
    first = {}
    for person in sorted(_people(engine), key=lambda p: p.id):
        for title in person.titles:
            first.setdefault(title, accounts.actor_of(person))
    manager, today = first["销售经理"], dt.date(2026, 12, 9)
    board = rotation.board(engine, actor=first["销售顾问"], now=moment)
    assert board.day == today and board.events
    assert visitor_kiosk.pending_sign_ins(engine, actor=first["前台接待员"])
    assert any(d.month_start <= today <= d.end_day for d in rotation.demotions(engine, actor=manager, around=today))
    assert tickets_read.dispatch_list(engine, actor=first["客服部经理"], now=moment).approvals
    assert showroom_read.my_customers(engine, actor=first["销售顾问"], now=moment).due_today
    assert showroom_read.disputes(engine, actor=manager, first=today - dt.timedelta(days=30), last=today)
    cases = kpi_warnings.decision_cases(engine, actor=first["客服部经理"])
    assert any(c.status == "pending" and c.code == "AT1" for c in cases)
