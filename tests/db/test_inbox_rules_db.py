"""Each inbox provider's rules on SQLite and PostgreSQL (issue 15 I6 "Unit: each provider's rules"): for every
kind, the item is in the right person's or title's inbox and not in another's, carries the right ``due_at``,
and leaves once the work is done through the module's own service."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from db.engine import session_scope
from db.models import RosterAbsence, RosterSwap, ShowroomDaySheet, Ticket, User
from lib.services import access_log, handover, inbox, ledger, reception_desk, roster
from lib.services.access_log import AccessForm
from lib.services.kpi import warning_cases
from lib.services.reception_desk import ReceptionForm
from lib.services.showroom import write as showroom
from lib.services.tickets import write as tickets
from lib.services.tickets.write import ActionInput, SurveyAnswers, TicketForm
from tests.db.helpers import make_user
from tests.db.test_rotation_db import (SHIFT_START, WEEK, control_room, crew, make_post,  # noqa: F401 - fixtures
                                       period_for, scheduled, to_signatures)

UTC = dt.timezone.utc
SH = dt.timezone(dt.timedelta(hours=8))
H = dt.timedelta(hours=1)


def items(engine, actor, kind, now):
    """(record, due_at) of the actor's items of one kind, whatever their urgency."""
    box = inbox.inbox(engine, actor=actor, now=now).inbox
    return [(i.record_id, i.due_at) for i in box.overdue + box.soon + box.other if i.kind == kind]


# --- approvals -------------------------------------------------------------------------------------------

def test_I6_access_approval_waits_for_the_matrix_title_until_approved(engine, now):
    """中控室 × 其他部门 needs the 副总 (the default matrix); due ``inbox.access_wait_minutes`` after registering."""
    desk = make_user(engine, username="desk", name="中控员", titles=("中控员",))
    vp = make_user(engine, username="vp", role="supervisor", name="副总", titles=("副总",))
    it = make_user(engine, username="it", role="supervisor", name="信息中心", titles=("信息中心主任",))
    entry = access_log.register_entry(engine, actor=desk, form=AccessForm(
        area="control_room", category="other_department", name="李工", purpose="检修"), now=now)
    assert items(engine, vp, "access_approval", now) == [(entry, now + dt.timedelta(minutes=30))]
    assert items(engine, it, "access_approval", now) == []
    assert items(engine, desk, "access_approval", now) == []
    access_log.approve_entry(engine, actor=vp, entry_id=entry, now=now + dt.timedelta(minutes=5))
    assert items(engine, vp, "access_approval", now + dt.timedelta(minutes=5)) == []


def _reception(engine, applicant, now, starts_on):
    app_id, _flags = reception_desk.create_application(engine, actor=applicant, form=ReceptionForm(
        guest_count=3, reception_class="B", starts_on=starts_on, reason="考察", host="王总"), now=now)
    reception_desk.advance(engine, actor=applicant, application_id=app_id, action="submit", now=now)
    return app_id


def test_I6_reception_approval_moves_from_the_department_head_to_leadership_then_leaves(engine, now):
    """Due at the start of the reception's first day (office time); each step for its own titles."""
    applicant = make_user(engine, username="sales", name="销售员")
    head = make_user(engine, username="head", role="supervisor", name="部门经理", titles=("部门经理",))
    gm = make_user(engine, username="gm", role="supervisor", name="总经理", titles=("总经理",))
    starts_on = dt.date(2026, 11, 26)
    app_id = _reception(engine, applicant, now, starts_on)
    due = dt.datetime(2026, 11, 26, tzinfo=SH)
    assert items(engine, head, "reception_approval", now) == [(app_id, due)]
    assert items(engine, gm, "reception_approval", now) == []
    assert items(engine, applicant, "reception_approval", now) == []
    reception_desk.advance(engine, actor=head, application_id=app_id, action="dept_review", now=now)
    assert items(engine, head, "reception_approval", now) == []
    assert items(engine, gm, "reception_approval", now) == [(app_id, due)]
    reception_desk.advance(engine, actor=gm, application_id=app_id, action="approve", now=now)
    assert items(engine, gm, "reception_approval", now) == []


def test_I6_reception_feedback_is_the_applicants_once_held_until_filed(engine, now):
    """Held receptions wait for the applicant's feedback, due at workday end of ``feedback_due``."""
    applicant = make_user(engine, username="sales", name="销售员")
    colleague = make_user(engine, username="other", name="同事")
    head = make_user(engine, username="head", role="supervisor", name="部门经理", titles=("部门经理",))
    gm = make_user(engine, username="gm", role="supervisor", name="总经理", titles=("总经理",))
    app_id = _reception(engine, applicant, now, dt.date(2026, 11, 26))
    reception_desk.advance(engine, actor=head, application_id=app_id, action="dept_review", now=now)
    reception_desk.advance(engine, actor=gm, application_id=app_id, action="approve", now=now)
    assert items(engine, applicant, "reception_feedback", now) == []  # not held yet
    for step in ("confirm_itinerary", "hold"):
        reception_desk.advance(engine, actor=applicant, application_id=app_id, action=step, now=now)
    (row,) = reception_desk.applications(engine, actor=applicant, first=dt.date(2026, 11, 1),
                                         last=dt.date(2026, 12, 31))
    due = dt.datetime.combine(row.feedback_due, dt.time(18), tzinfo=SH)
    assert items(engine, applicant, "reception_feedback", now) == [(app_id, due)]
    assert items(engine, colleague, "reception_feedback", now) == []
    assert items(engine, gm, "reception_feedback", now) == []
    reception_desk.advance(engine, actor=applicant, application_id=app_id, action="file_feedback", note="客户满意",
                           now=now)
    assert items(engine, applicant, "reception_feedback", now) == []


def test_I6_swap_approval_waits_for_a_supervisor_due_before_the_earlier_shift(engine, crew):  # noqa: F811
    boss, (a, b, c, _d) = crew
    post = make_post(engine, "中控室")
    period = period_for(engine, boss, post, "four_crew_three_shift")
    with session_scope(engine) as session:
        swap = RosterSwap(period_id=period, requester_id=a.id, counterpart_id=b.id, requester_day=WEEK[3],
                          requester_shift="early", counterpart_day=WEEK[1], counterpart_shift="late",
                          filed_by_id=a.id, filed_at=dt.datetime(2026, 5, 7, 2, tzinfo=UTC))
        session.add(swap)
        session.flush()
        swap_id = swap.id
    now = dt.datetime(2026, 5, 7, 3, tzinfo=UTC)
    assert items(engine, boss, "swap_approval", now) == [(swap_id, dt.datetime.combine(WEEK[1], dt.time(), SH))]
    assert items(engine, a, "swap_approval", now) == [] and items(engine, c, "swap_approval", now) == []
    roster.decide_swap(engine, actor=boss, swap_id=swap_id, approve=False, note="人手不够", now=now)
    assert items(engine, boss, "swap_approval", now) == []


def test_I6_absence_approval_goes_to_the_policys_title_due_at_its_start(engine, now):
    """A front-desk absence is the 综合部主管's (seed 000 D9), not any supervisor's; a post without a policy
    title goes to the supervisors."""
    desk = make_user(engine, username="desk", name="前台")
    cover = make_user(engine, username="cover", name="前台二")
    chief = make_user(engine, username="chief", role="supervisor", name="综合部主管", titles=("综合部主管",))
    duty = make_user(engine, username="duty", role="supervisor", name="值班经理", titles=("值班经理",))
    post = make_post(engine, "前台")
    starts = now + 2 * H
    with session_scope(engine) as session:
        rows = [RosterAbsence(staff_id=desk.id, post_id=post, policy=policy, starts_at=starts + i * H,
                              ends_at=starts + (i + 1) * H, reason="official", filed_by_id=desk.id, filed_at=now)
                for i, policy in enumerate(("front_desk", "other"))]
        session.add_all(rows)
        session.flush()
        front, other = rows[0].id, rows[1].id
    assert items(engine, chief, "absence_approval", now) == [(front, starts), (other, starts + H)]
    assert items(engine, duty, "absence_approval", now) == [(other, starts + H)]
    assert items(engine, desk, "absence_approval", now) == []
    roster.decide_absence(engine, actor=chief, absence_id=front, approve=True, cover_id=cover.id, now=now)
    roster.decide_absence(engine, actor=duty, absence_id=other, approve=False, now=now)
    assert items(engine, chief, "absence_approval", now) == [] and items(engine, duty, "absence_approval", now) == []


# --- tickets ---------------------------------------------------------------------------------------------

@pytest.fixture
def service(engine):
    people = {
        "agent": make_user(engine, username="agent", name="客服小张", titles=("客服专员",)),
        "agent2": make_user(engine, username="agent2", name="客服小李", titles=("客服专员",)),
        "tech": make_user(engine, username="tech", name="维修老王", titles=("维修人员",)),
        "manager": make_user(engine, username="manager", role="supervisor", name="部门经理", titles=("部门经理",)),
        "seller": make_user(engine, username="seller", name="销售顾问", titles=("销售顾问",)),
    }
    with session_scope(engine) as session:
        session.execute(update(User).where(User.username == "agent").values(staff_no="017"))
    return people


def _due(engine, ticket_id):
    with session_scope(engine, write=False) as session:
        row = session.get(Ticket, ticket_id)
        return row.due_at, row.follow_up_at


def _repair(engine, people, at):
    form = TicketForm(type="repair", phone="138 0000 1234", customer_name="王芳", address="幸福小区3号楼2单元501",
                      problem="暖气不热", problem_confirmed=True, address_confirmed=True, name_confirmed=True,
                      phone_confirmed=True, product_model="GL-200", fault="不热", category="after_sales")
    return tickets.log_ticket(engine, actor=people["agent"], form=form, now=at).id


def _act(engine, actor, ticket_id, action, at, **given):
    return tickets.act(engine, actor=actor, ticket_id=ticket_id, action=action, given=ActionInput(**given), now=at)


def test_I6_ticket_unclaimed_is_for_customer_service_titles_until_someone_takes_it(engine, service, now):
    form = TicketForm(type="complaint", phone="13900001111", customer_name="李雷", problem="送货员态度差",
                      category="trade_dispute")
    ticket_id = tickets.log_ticket(engine, actor=service["agent"], form=form, now=now).id
    due, _ = _due(engine, ticket_id)
    assert due is not None
    assert items(engine, service["agent2"], "ticket_unclaimed", now) == [(ticket_id, due)]
    assert items(engine, service["tech"], "ticket_unclaimed", now) == []
    assert items(engine, service["seller"], "ticket_unclaimed", now) == []
    tickets.take_ticket(engine, actor=service["agent2"], ticket_id=ticket_id, now=now)
    assert items(engine, service["agent2"], "ticket_unclaimed", now) == []
    assert items(engine, service["agent"], "ticket_unclaimed", now) == []
    assert [r for r, _d in items(engine, service["agent2"], "ticket_due", now)] == [ticket_id]


def test_I6_dispatch_waiting_is_for_the_department_manager_until_dispatched(engine, service, now):
    ticket_id = _repair(engine, service, now)
    due, _ = _due(engine, ticket_id)
    assert items(engine, service["manager"], "dispatch_waiting", now) == [(ticket_id, due)]
    assert items(engine, service["agent"], "dispatch_waiting", now) == []
    assert items(engine, service["tech"], "dispatch_waiting", now) == []
    _act(engine, service["manager"], ticket_id, "dispatch", now + H, technician_id=service["tech"].id)
    assert items(engine, service["manager"], "dispatch_waiting", now + H) == []
    assert [r for r, _d in items(engine, service["tech"], "ticket_due", now + H)] == [ticket_id]


def test_I6_callback_due_is_for_customer_service_at_the_follow_up_time_until_closed(engine, service, now):
    ticket_id = _repair(engine, service, now)
    _act(engine, service["manager"], ticket_id, "dispatch", now + H, technician_id=service["tech"].id)
    _act(engine, service["tech"], ticket_id, "arrive", now + 2 * H)
    _act(engine, service["tech"], ticket_id, "complete", now + 3 * H)
    _, follow_up = _due(engine, ticket_id)
    assert follow_up is not None
    at = now + 4 * H
    assert items(engine, service["agent2"], "callback_due", at) == [(ticket_id, follow_up)]
    assert items(engine, service["tech"], "callback_due", at) == []
    assert items(engine, service["seller"], "callback_due", at) == []
    _act(engine, service["tech"], ticket_id, "report", at, service_report_no="R-003")
    good = SurveyAnswers(convenient=True, resolved=True, attitude="satisfied", charged=False, score=9, fee_paid=False)
    assert tickets.record_follow_up(engine, actor=service["agent2"], ticket_id=ticket_id, answers=good,
                                    now=at + H).state == "closed"
    assert items(engine, service["agent2"], "callback_due", at + H) == []


# --- showroom, handovers, discipline ---------------------------------------------------------------------

def test_I6_day_sheet_unsigned_is_for_its_signers_due_at_workday_end_until_signed(engine, now):
    manager = make_user(engine, username="mgr", role="supervisor", name="销售经理", titles=("销售经理",))
    supply = make_user(engine, username="supply", name="供需", titles=("供需",))
    seller = make_user(engine, username="seller", name="顾问", titles=("销售顾问",))
    with session_scope(engine) as session:
        sheet = ShowroomDaySheet(day=dt.date(2026, 11, 20))
        session.add(sheet)
        session.flush()
        sheet_id = sheet.id
    end = dt.datetime(2026, 11, 20, 18, tzinfo=SH)
    assert items(engine, manager, "day_sheet_unsigned", now) == [(sheet_id, end)]
    assert items(engine, supply, "day_sheet_unsigned", now) == [(sheet_id, end)]
    assert items(engine, seller, "day_sheet_unsigned", now) == []
    closing = dt.datetime(2026, 11, 20, 17, 30, tzinfo=SH)
    showroom.sign_day(engine, actor=manager, day=dt.date(2026, 11, 20), traffic_count=12, now=closing)
    assert items(engine, manager, "day_sheet_unsigned", closing) == []
    assert items(engine, manager, "day_sheet_unsigned", now + dt.timedelta(days=1)) == []  # another day, no sheet


def test_I6_handover_due_is_for_the_two_people_at_the_shift_start_until_completed(engine, control_room):  # noqa: F811
    boss, out, inc, post = control_room
    hid = scheduled(engine, out, inc, post)
    now = SHIFT_START - H
    assert items(engine, inc, "handover_due", now) == [(hid, SHIFT_START)]
    assert items(engine, out, "handover_due", now) == [(hid, SHIFT_START)]
    assert items(engine, boss, "handover_due", now) == []
    to_signatures(engine, out, inc, hid)
    handover.sign(engine, actor=out, handover_id=hid, now=SHIFT_START)
    assert items(engine, inc, "handover_due", now) == [(hid, SHIFT_START)]  # one signature is not done
    assert handover.sign(engine, actor=inc, handover_id=hid, now=SHIFT_START) == "completed"
    assert items(engine, inc, "handover_due", SHIFT_START) == []
    assert items(engine, out, "handover_due", SHIFT_START) == []


def test_I6_handover_refused_is_for_the_supervisor_and_the_outgoing_until_resumed(engine, control_room):  # noqa: F811
    boss, out, inc, post = control_room
    hid = scheduled(engine, out, inc, post)
    to_signatures(engine, out, inc, hid)
    handover.refuse(engine, actor=inc, handover_id=hid, reason="tools_incomplete", note="对讲机少一台")
    now = SHIFT_START - dt.timedelta(minutes=5)
    assert items(engine, boss, "handover_refused", now) == [(hid, SHIFT_START)]
    assert items(engine, out, "handover_refused", now) == [(hid, SHIFT_START)]
    assert items(engine, inc, "handover_refused", now) == []
    assert items(engine, inc, "handover_due", now) == []  # refused replaces the plain due item
    handover.resume(engine, actor=out, handover_id=hid)
    assert items(engine, boss, "handover_refused", now) == [] and items(engine, out, "handover_refused", now) == []
    assert items(engine, inc, "handover_due", now) == [(hid, SHIFT_START)]


def test_I6_discipline_decision_waits_for_the_general_manager_without_a_deadline_until_decided(engine):
    """A serious PH4 flags 劝退/开除 (seed 004 D14): the case is the 总经理's, never the proposer's."""
    gm = make_user(engine, username="gm", role="supervisor", name="总经理老周", titles=("总经理",))
    boss = make_user(engine, username="boss", role="supervisor", name="主管老李")
    person = make_user(engine, username="s", name="孙悦")
    now = dt.datetime(2026, 7, 20, 2, tzinfo=UTC)
    ledger.propose_entry(engine, actor=boss, person_id=person.id, code="PH4", occurred_on=dt.date(2026, 7, 3),
                         facts=ledger.ViolationFacts(serious=True), now=now)
    [case] = warning_cases.decision_cases(engine, actor=boss)
    assert items(engine, gm, "discipline_decision", now) == [(case.id, None)]
    assert items(engine, boss, "discipline_decision", now) == []
    assert items(engine, person, "discipline_decision", now) == []
    warning_cases.decide_case(engine, actor=gm, case_id=case.id, confirm=True, reason="情节严重", now=now)
    assert items(engine, gm, "discipline_decision", now) == []
