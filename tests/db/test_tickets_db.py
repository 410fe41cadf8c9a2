"""Ticket services on SQLite and PostgreSQL: intake, the state machines through storage, deadlines on the
board, dispatch, follow-up calls, repeats, timeline and audit in one transaction, one winner in a race."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlmodel import select

from db.engine import session_scope
from db.models import AuditEvent, Ticket, TicketCustomer, TicketEvent, TicketSurvey, User
from lib.domain.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from lib.services import settings as settings_service
from lib.services.tickets import write as tickets
from lib.services.tickets import read as tickets_read
from lib.services.tickets.write import ActionInput, SurveyAnswers, TicketForm
from tests.db.helpers import audit_actions, count, make_user, race

SH = ZoneInfo("Asia/Shanghai")
MONDAY_0900 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
H = dt.timedelta(hours=1)


def local(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=SH)


@pytest.fixture
def people(engine):
    found = {
        "agent": make_user(engine, username="agent017", role="staff", name="客服小张"),
        "agent2": make_user(engine, username="agent018", role="staff", name="客服小李"),
        "tech": make_user(engine, username="tech", role="staff", name="维修老王", titles=["维修人员"]),
        "boss": make_user(engine, username="boss", role="supervisor", name="客服主管"),
        "manager": make_user(engine, username="manager", role="supervisor", name="部门经理老周", titles=["部门经理"]),
        "manager2": make_user(engine, username="manager2", role="supervisor", name="部门经理老吴", titles=["部门经理"]),
        "wall": make_user(engine, username="wall", role="display"),
    }
    with session_scope(engine) as session:
        session.execute(update(User).where(User.username == "agent017").values(staff_no="017"))
    return found


def repair_form(**changes) -> TicketForm:
    base = dict(type="repair", phone="138 0000 1234", customer_name="王芳", address="幸福小区3号楼2单元501",
                problem="暖气不热", problem_confirmed=True, address_confirmed=True, name_confirmed=True,
                phone_confirmed=True, product_model="GL-200", fault="不热", category="after_sales")
    base.update(changes)
    return TicketForm(**base)


def complaint_form(**changes) -> TicketForm:
    base = dict(type="complaint", phone="13900001111", customer_name="李雷", problem="送货员态度差",
                category="trade_dispute")
    base.update(changes)
    return TicketForm(**base)


def row_of(engine, ticket_id) -> Ticket:
    with session_scope(engine, write=False) as session:
        return session.get(Ticket, ticket_id)


def timeline(engine, ticket_id) -> list[tuple[int, str, str]]:
    with session_scope(engine, write=False) as session:
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                              .order_by(TicketEvent.seq)).all()
    return [(e.seq, e.action, e.to_state) for e in events]


def do(engine, actor, ticket_id, action, at, **given):
    return tickets.act(engine, actor=actor, ticket_id=ticket_id, action=action, given=ActionInput(**given), now=at)


def repair_to_completed(engine, people, at=MONDAY_0900, **form):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(**form), now=at).id
    do(engine, people["manager"], tid, "dispatch", at + H, technician_id=people["tech"].id)
    do(engine, people["tech"], tid, "arrive", at + 2 * H)
    do(engine, people["tech"], tid, "complete", at + 3 * H)
    return tid


GOOD = SurveyAnswers(convenient=True, resolved=True, attitude="satisfied", charged=False, score=9, fee_paid=False)


# --- intake -------------------------------------------------------------------------------------------

def test_S35_repair_with_phone_readback_unticked_is_refused_and_nothing_written(engine, people):
    with pytest.raises(ValidationFailed) as err:
        tickets.log_ticket(engine, actor=people["agent"], form=repair_form(phone_confirmed=False), now=MONDAY_0900)
    assert err.value.keys() == {"ticket_phone_confirmed": "complaints.error.phone_confirmed_missing"}
    assert (count(engine, Ticket), count(engine, TicketEvent), count(engine, TicketCustomer),
            count(engine, AuditEvent)) == (0, 0, 0, 0)


def test_S35_saved_ticket_stores_agent_017_the_customer_and_its_first_step(engine, people):
    result = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(agent_no="999"), now=MONDAY_0900)
    row = row_of(engine, result.id)
    assert (row.agent_no, row.first_responsible, row.state, row.created_by_id) == (
        "017", "017", "registered", people["agent"].id)
    assert row.received_at == MONDAY_0900
    assert timeline(engine, result.id) == [(1, "create", "registered")]
    assert audit_actions(engine, "ticket") == ["create"]
    card = tickets_read.find_customer(engine, actor=people["agent2"], phone="+86 138-0000-1234")
    assert (card.name, card.address, [r.id for r in card.open], card.past) == (
        "王芳", "幸福小区3号楼2单元501", [result.id], [])


def test_intake_without_a_staff_number_uses_the_typed_one_or_says_what_is_missing(engine, people):
    with pytest.raises(ValidationFailed) as err:
        tickets.log_ticket(engine, actor=people["agent2"], form=complaint_form(), now=MONDAY_0900)
    assert err.value.keys() == {"ticket_agent_no": "complaints.error.agent_no_required"}
    saved = tickets.log_ticket(engine, actor=people["agent2"], form=complaint_form(agent_no="018"), now=MONDAY_0900)
    assert row_of(engine, saved.id).agent_no == "018"


def test_intake_bad_choices_and_long_text_are_listed_with_the_domain_errors(engine, people):
    with pytest.raises(ValidationFailed) as err:
        tickets.log_ticket(engine, actor=people["agent"], form=repair_form(
            category="nonsense", address="长" * 201, name_confirmed=False), now=MONDAY_0900)
    assert err.value.keys() == {"ticket_category": "field.bad_choice", "ticket_address": "field.too_long",
                                "ticket_name_confirmed": "complaints.error.name_confirmed_missing"}
    with pytest.raises(ValidationFailed) as err:
        tickets.log_ticket(engine, actor=people["agent"], form=repair_form(type=None), now=MONDAY_0900)
    assert err.value.keys() == {"ticket_type": "field.required"}
    assert count(engine, Ticket) == 0


def test_S39_routing_is_stored_with_the_ticket(engine, people):
    groups = {}
    for category in ("trade_dispute", "top_up", "inquiry"):
        result = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(category=category),
                                    now=MONDAY_0900)
        groups[category] = row_of(engine, result.id).cs_group
    assert groups == {"trade_dispute": "complaint_group", "top_up": "order_group", "inquiry": "cs_group"}


def test_S40_compensation_makes_it_major_and_only_a_supervisor_resolves_it(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(compensation_involved=True),
                             now=MONDAY_0900).id
    assert row_of(engine, tid).severity == "major"
    do(engine, people["agent"], tid, "triage", MONDAY_0900 + H)
    with pytest.raises(NotAllowed) as err:
        do(engine, people["agent"], tid, "resolve", MONDAY_0900 + 2 * H)
    assert err.value.key == "complaints.error.major_needs_supervisor"
    assert do(engine, people["boss"], tid, "resolve", MONDAY_0900 + 2 * H).state == "resolved"
    general = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(phone="13900002222"),
                                 now=MONDAY_0900).id
    assert row_of(engine, general).severity == "general"


def test_S46_packaging_on_friday_goes_to_the_warehouse_head_due_tuesday(engine, people):
    friday = local("2026-03-06", "10:00")
    tid = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(category="packaging"), now=friday).id
    row = row_of(engine, tid)
    assert (row.cs_group, row.owner_title) == (None, "仓储物流主任")
    do(engine, people["agent"], tid, "triage", friday + dt.timedelta(minutes=5))
    do(engine, people["agent"], tid, "forward", friday + dt.timedelta(minutes=10), forwarded_to="仓储物流部")
    do(engine, people["agent"], tid, "reply", friday + dt.timedelta(minutes=15))
    detail = tickets_read.ticket_detail(engine, actor=people["agent"], ticket_id=tid, now=friday + H)
    packaging = next(d for d in detail.deadlines if d.kind == "packaging_opinion")
    assert packaging.due_at == dt.datetime.combine(dt.date(2026, 3, 10), dt.time.max, tzinfo=SH)


def test_S46_packaging_due_skips_national_day_and_office_closures_from_settings(engine, people):
    before_holiday = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(category="packaging"),
                                        now=local("2026-09-30", "15:00")).id
    assert row_of(engine, before_holiday).due_at == local("2026-09-30", "16:00")  # the 1 h forward comes first
    detail = tickets_read.ticket_detail(engine, actor=people["agent"], ticket_id=before_holiday,
                                        now=local("2026-09-30", "15:05"))
    due = {d.kind: d.due_at for d in detail.deadlines}
    assert due["packaging_opinion"] == dt.datetime.combine(dt.date(2026, 10, 9), dt.time.max, tzinfo=SH)
    admin = make_user(engine, username="root", role="admin")
    settings_service.change_setting(engine, actor=admin, key="holidays", text='["2026-03-09"]')
    friday = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(category="packaging",
                                                                                     phone="13900006666"),
                                now=local("2026-03-06", "10:00")).id
    detail = tickets_read.ticket_detail(engine, actor=people["agent"], ticket_id=friday,
                                        now=local("2026-03-06", "10:05"))
    due = {d.kind: d.due_at for d in detail.deadlines}
    assert due["packaging_opinion"] == dt.datetime.combine(dt.date(2026, 3, 11), dt.time.max, tzinfo=SH)


def test_S45_same_customer_product_fault_after_a_closed_repair_is_a_repeat(engine, people):
    first = repair_to_completed(engine, people)
    do(engine, people["tech"], first, "report", MONDAY_0900 + 4 * H, service_report_no="R-001")
    tickets.record_follow_up(engine, actor=people["agent"], ticket_id=first, answers=GOOD, now=MONDAY_0900 + 5 * H)
    assert row_of(engine, first).state == "closed"
    again = tickets.log_ticket(engine, actor=people["agent2"], form=repair_form(agent_no="018", fault=" 不 热 "),
                               now=MONDAY_0900 + 48 * H)
    assert (again.repeat_kind, again.repeat_of) == ("repeat_repair", first)
    other = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(fault="漏水"), now=MONDAY_0900 + 49 * H)
    assert other.repeat_kind is None


def test_repeat_complaint_same_customer_and_category_within_30_days(engine, people):
    first = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=MONDAY_0900).id
    again = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=MONDAY_0900 + 24 * H * 10)
    assert (again.repeat_kind, again.repeat_of) == ("repeat_complaint", first)
    late = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(phone="13900003333"),
                              now=MONDAY_0900 + 24 * H * 40)
    assert late.repeat_kind is None


# --- deadlines on the board ---------------------------------------------------------------------------

def test_S36_request_at_0900_is_red_on_the_board_at_0900_next_day(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(type="service_request"),
                             now=MONDAY_0900).id
    assert row_of(engine, tid).due_at == MONDAY_0900 + 24 * H
    quiet = tickets_read.board(engine, actor=people["boss"], now=MONDAY_0900 + H)
    assert (quiet.breached, quiet.rows[0].level) == (0, "ok")
    near = tickets_read.board(engine, actor=people["boss"], now=MONDAY_0900 + 20 * H)
    assert near.rows[0].level == "amber"
    late = tickets_read.board(engine, actor=people["boss"], now=MONDAY_0900 + 24 * H)
    assert (late.breached, late.rows[0].level, late.rows[0].remaining) == (1, "red", dt.timedelta(0))
    red_only = tickets_read.board(engine, actor=people["boss"], now=MONDAY_0900 + 23 * H,
                                  filters=tickets_read.BoardFilter(level="red"))
    assert red_only.rows == []
    do(engine, people["agent"], tid, "reply", MONDAY_0900 + 2 * H)
    replied = tickets_read.board(engine, actor=people["boss"], now=MONDAY_0900 + 30 * H)
    assert (replied.breached, replied.rows[0].level) == (0, None)


def test_S44_complaint_form_due_within_the_hour_then_first_contact_within_24h(engine, people):
    ten = local("2026-03-04", "10:00")
    tid = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=ten).id
    do(engine, people["agent"], tid, "reply", ten + dt.timedelta(minutes=5))
    row = row_of(engine, tid)
    assert (row.due_kind, row.due_at) == ("forward", local("2026-03-04", "11:00"))
    do(engine, people["agent"], tid, "triage", ten + dt.timedelta(minutes=20))
    do(engine, people["agent"], tid, "forward", local("2026-03-04", "10:30"), forwarded_to="工程部")
    row = row_of(engine, tid)
    assert (row.due_kind, row.due_at) == ("dept_first_contact", local("2026-03-05", "10:30"))


def test_board_counts_open_tickets_by_state_and_severity_and_filters(engine, people):
    tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(compensation_involved=True), now=MONDAY_0900)
    tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(phone="13900002222"), now=MONDAY_0900)
    closed = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(type="inquiry", category="inquiry",
                                                                                     phone="13900003333"),
                                now=MONDAY_0900).id
    with session_scope(engine) as session:
        session.execute(update(Ticket).where(Ticket.id == closed).values(state="closed"))
    view = tickets_read.board(engine, actor=people["boss"], now=MONDAY_0900 + H)
    assert sorted((c.state, c.severity, c.count) for c in view.counts) == [
        ("received", "general", 1), ("received", "major", 1)]
    assert view.open_total == 2 and closed not in [r.id for r in view.rows]
    majors = tickets_read.board(engine, actor=people["boss"], now=MONDAY_0900 + H,
                                filters=tickets_read.BoardFilter(severity="major"))
    assert [r.severity for r in majors.rows] == ["major"]
    with pytest.raises(NotAllowed):
        tickets_read.board(engine, actor=people["agent"])


# --- life of a repair ------------------------------------------------------------------------------------

def test_S41_yesterdays_undispatched_work_tops_today_and_only_a_department_manager_dispatches(engine, people):
    today_one = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(phone="13911112222"),
                                   now=MONDAY_0900 + 24 * H).id
    yesterday = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(), now=MONDAY_0900 + 8 * H).id
    view = tickets_read.dispatch_list(engine, actor=people["manager"], now=MONDAY_0900 + 25 * H)
    assert [(r.id, r.priority) for r in view.rows] == [(yesterday, True), (today_one, False)]
    assert view.dispatchable == {yesterday, today_one}
    assert tickets_read.dispatch_list(engine, actor=people["boss"], now=MONDAY_0900 + 25 * H).dispatchable == set()
    with pytest.raises(NotAllowed) as err:
        do(engine, people["boss"], yesterday, "dispatch", MONDAY_0900 + 25 * H, technician_id=people["tech"].id)
    assert err.value.key == "complaints.error.title_required"
    with pytest.raises(NotAllowed):
        do(engine, people["agent"], yesterday, "dispatch", MONDAY_0900 + 25 * H, technician_id=people["tech"].id)
    with pytest.raises(NotAllowed):
        tickets_read.dispatch_list(engine, actor=people["agent"])
    do(engine, people["manager"], yesterday, "dispatch", MONDAY_0900 + 25 * H, technician_id=people["tech"].id)
    row = row_of(engine, yesterday)
    assert (row.state, row.technician_id) == ("dispatched", people["tech"].id)
    assert [r.id for r in tickets_read.my_tickets(engine, actor=people["tech"])] == [yesterday]


def test_S42_out_of_town_service_cannot_go_on_site_before_approval(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(out_of_town=True), now=MONDAY_0900).id
    do(engine, people["manager"], tid, "dispatch", MONDAY_0900 + H, technician_id=people["tech"].id)
    with pytest.raises(DomainError) as err:
        do(engine, people["tech"], tid, "arrive", MONDAY_0900 + 2 * H)
    assert err.value.key == "complaints.error.out_of_town_not_approved"
    assert [r.id for r in tickets_read.dispatch_list(engine, actor=people["manager"]).approvals] == [tid]
    do(engine, people["manager"], tid, "approve_out_of_town", MONDAY_0900 + 2 * H)
    assert do(engine, people["tech"], tid, "arrive", MONDAY_0900 + 3 * H).state == "on_site"


def test_out_of_warranty_repair_needs_a_quote_before_arrival(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(in_warranty=False), now=MONDAY_0900).id
    do(engine, people["manager"], tid, "dispatch", MONDAY_0900 + H, technician_id=people["tech"].id)
    with pytest.raises(ValidationFailed) as err:
        do(engine, people["tech"], tid, "arrive", MONDAY_0900 + 2 * H)
    assert err.value.keys() == {"ticket_quote_amount": "complaints.error.quote_required"}
    with pytest.raises(ValidationFailed):
        do(engine, people["tech"], tid, "arrive", MONDAY_0900 + 2 * H, quote_amount="abc")
    do(engine, people["tech"], tid, "arrive", MONDAY_0900 + 2 * H, quote_amount="120.5")
    assert str(row_of(engine, tid).quote_amount) == "120.50"


def test_S37_repair_closes_only_with_report_and_survey(engine, people):
    tid = repair_to_completed(engine, people)
    with pytest.raises(DomainError) as err:
        tickets.record_follow_up(engine, actor=people["agent"], ticket_id=tid, answers=GOOD, now=MONDAY_0900 + 4 * H)
    assert err.value.key == "complaints.error.report_required"
    with pytest.raises(ValidationFailed):
        do(engine, people["tech"], tid, "report", MONDAY_0900 + 4 * H)
    do(engine, people["tech"], tid, "report", MONDAY_0900 + 4 * H, service_report_no="R-002", service_content="换阀门")
    do(engine, people["agent"], tid, "start_follow_up", MONDAY_0900 + 5 * H)
    with pytest.raises(DomainError) as err:
        do(engine, people["agent"], tid, "close", MONDAY_0900 + 5 * H)
    assert err.value.key == "complaints.error.survey_required"
    assert row_of(engine, tid).state == "follow_up"
    result = tickets.record_follow_up(engine, actor=people["agent"], ticket_id=tid, answers=GOOD,
                                      now=MONDAY_0900 + 6 * H)
    assert result.state == "closed"
    assert [a for _, a, _ in timeline(engine, tid)] == [
        "create", "dispatch", "arrive", "complete", "report", "start_follow_up", "close"]


def test_S43_completed_repair_is_in_the_callback_queue_and_the_survey_is_checked(engine, people):
    tid = repair_to_completed(engine, people)
    queue = tickets_read.callback_queue(engine, actor=people["agent2"], now=MONDAY_0900 + 4 * H)
    assert [r.id for r in queue.due] == [tid]
    do(engine, people["tech"], tid, "report", MONDAY_0900 + 4 * H, service_report_no="R-003")
    at = MONDAY_0900 + 5 * H
    with pytest.raises(ValidationFailed) as err:
        tickets.record_follow_up(engine, actor=people["agent2"], ticket_id=tid,
                                 answers=SurveyAnswers(convenient=False), now=at)
    assert err.value.keys() == {"ticket_callback_at": "complaints.survey.error.callback_required"}
    for score in (0, 11):
        with pytest.raises(ValidationFailed) as err:
            tickets.record_follow_up(engine, actor=people["agent2"], ticket_id=tid,
                                     answers=SurveyAnswers(convenient=True, resolved=True, attitude="satisfied",
                                                           charged=False, score=score), now=at)
        assert err.value.keys() == {"ticket_score": "complaints.survey.error.score_range"}
    later = at + 3 * H
    booked = tickets.record_follow_up(engine, actor=people["agent2"], ticket_id=tid,
                                      answers=SurveyAnswers(convenient=False, callback_at=later), now=at)
    assert booked.state == "callback"
    assert tickets_read.callback_queue(engine, actor=people["agent2"], now=at + H).due == []
    assert [r.id for r in tickets_read.callback_queue(engine, actor=people["agent2"], now=later).due] == [tid]
    closed = tickets.record_follow_up(engine, actor=people["agent2"], ticket_id=tid, answers=GOOD, now=later)
    assert closed.state == "closed"
    with session_scope(engine, write=False) as session:
        calls = session.exec(select(TicketSurvey).order_by(TicketSurvey.id)).all()
    assert [(c.convenient, c.score, c.fee_reminder_given) for c in calls] == [(False, None, False), (True, 9, True)]


# --- the complaint machine ---------------------------------------------------------------------------------

def test_S38_unsatisfied_customer_sends_the_complaint_back_to_in_progress(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=MONDAY_0900).id
    for step, fields in (("triage", {}), ("forward", {"forwarded_to": "物流部"}), ("start_work", {}),
                        ("resolve", {"root_cause": "新人"}), ("inform", {"customer_satisfied": False})):
        do(engine, people["agent"], tid, step, MONDAY_0900 + H, **fields)
    result = do(engine, people["agent"], tid, "close", MONDAY_0900 + 2 * H)
    assert (result.state, result.notice_key) == ("in_progress", "complaints.notice.unsatisfied_reopened")
    row = row_of(engine, tid)
    assert (row.state, row.closed_at, row.resolved_at) == ("in_progress", None, None)
    with session_scope(engine, write=False) as session:
        last = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == tid)
                            .order_by(TicketEvent.seq.desc())).first()
    assert (last.action, last.to_state, last.data["requested"]) == ("reopen", "in_progress", "close")


def test_T3_escalation_needs_a_reason_and_is_in_the_timeline(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=MONDAY_0900).id
    do(engine, people["agent"], tid, "triage", MONDAY_0900)
    do(engine, people["agent"], tid, "forward", MONDAY_0900, forwarded_to="工程部")
    with pytest.raises(ValidationFailed) as err:
        do(engine, people["agent"], tid, "escalate", MONDAY_0900 + H)
    assert err.value.keys() == {"ticket_reason": "complaints.error.reason_required"}
    do(engine, people["agent"], tid, "escalate", MONDAY_0900 + H, reason="difficult_customer", note="客户拒绝沟通")
    detail = tickets_read.ticket_detail(engine, actor=people["boss"], ticket_id=tid, now=MONDAY_0900 + H)
    step = detail.timeline[-1]
    assert (step.action, step.to_state, step.note, detail.row.owner_title) == (
        "escalate", "escalated", "客户拒绝沟通", "班长")
    assert "resolve" in detail.actions
    assert "resolve" not in tickets_read.ticket_detail(engine, actor=people["agent"], ticket_id=tid).actions


# --- permissions, ownership and one winner ---------------------------------------------------------------------

def test_staff_act_only_on_their_own_or_unclaimed_tickets_and_display_nothing(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=MONDAY_0900).id
    tickets.take_ticket(engine, actor=people["agent"], ticket_id=tid, now=MONDAY_0900)
    with pytest.raises(NotAllowed) as err:
        do(engine, people["agent2"], tid, "triage", MONDAY_0900 + H)
    assert err.value.key == "tickets.error.not_yours"
    assert tickets_read.ticket_detail(engine, actor=people["agent2"], ticket_id=tid).actions == []
    with pytest.raises(NotAllowed):
        tickets.log_ticket(engine, actor=people["wall"], form=complaint_form())
    with pytest.raises(NotAllowed):
        tickets_read.my_tickets(engine, actor=people["wall"])
    tickets.assign_ticket(engine, actor=people["boss"], ticket_id=tid, assignee_id=people["agent2"].id,
                          reason="小张休假", now=MONDAY_0900 + H)
    assert do(engine, people["agent2"], tid, "triage", MONDAY_0900 + 2 * H).state == "triaged"
    with pytest.raises(ValidationFailed):
        tickets.assign_ticket(engine, actor=people["boss"], ticket_id=tid, assignee_id=people["agent"].id, reason=" ")


def test_unclaimed_lists_open_tickets_nobody_took_and_taking_moves_them_to_mine(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=MONDAY_0900).id
    assert [r.id for r in tickets_read.unclaimed(engine, actor=people["agent2"])] == [tid]
    assert tickets_read.unclaimed(engine, actor=people["agent"]) == []  # already in the agent's own list
    tickets.take_ticket(engine, actor=people["agent2"], ticket_id=tid, now=MONDAY_0900)
    assert tickets_read.unclaimed(engine, actor=people["agent2"]) == []
    mine = tickets_read.my_tickets(engine, actor=people["agent2"])
    assert [(r.id, r.assignee_name) for r in mine] == [(tid, "客服小李")]


def test_two_agents_taking_the_same_ticket_one_wins_the_other_is_told(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=MONDAY_0900).id
    results = race(lambda: tickets.take_ticket(engine, actor=people["agent"], ticket_id=tid, expected_seq=1),
                   lambda: tickets.take_ticket(engine, actor=people["agent2"], ticket_id=tid, expected_seq=1))
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert (winners, len(losers)) == ([2], 1), results
    winner = people["agent"] if results[0] == 2 else people["agent2"]
    assert losers[0].key == "tickets.error.taken_by" and losers[0].params["name"] == winner.name
    assert row_of(engine, tid).assignee_id == winner.id
    assert timeline(engine, tid) == [(1, "create", "received"), (2, "take", "received")]
    assert audit_actions(engine, "ticket") == ["create", "take"]


def test_two_managers_dispatching_at_once_one_wins_and_nothing_is_half_written(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(), now=MONDAY_0900).id
    results = race(*[lambda m=m: do(engine, people[m], tid, "dispatch", MONDAY_0900 + H,
                                    technician_id=people["tech"].id) for m in ("manager", "manager2")])
    assert sum(isinstance(r, tickets.ActResult) for r in results) == 1, results
    loser = next(r for r in results if isinstance(r, DomainError))
    assert loser.key in {"tickets.error.changed", "complaints.error.invalid_transition"}
    assert timeline(engine, tid) == [(1, "create", "registered"), (2, "dispatch", "dispatched")]
    assert audit_actions(engine, "ticket") == ["create", "dispatch"]


def test_acting_on_a_stale_view_is_refused_with_who_changed_it(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=MONDAY_0900).id
    tickets.add_note(engine, actor=people["agent2"], ticket_id=tid, note="客户又来电催促", now=MONDAY_0900)
    with pytest.raises(Conflict) as err:
        tickets.act(engine, actor=people["agent"], ticket_id=tid, action="triage", expected_seq=1, now=MONDAY_0900)
    assert err.value.params["name"] == "客服小李"
    assert row_of(engine, tid).state == "received"


ACTIONS = ["reply", "triage", "forward", "start_work", "escalate", "resolve", "inform", "close", "reopen",
           "send_to_dispatch", "dispatch", "approve_out_of_town", "arrive", "complete", "report", "start_follow_up",
           "book_callback"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["complaint", "repair"]), steps=st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from(["agent", "boss", "manager"]), st.booleans()), max_size=12))
def test_row_state_always_matches_the_end_of_its_timeline(engine, people, kind, steps):
    form = complaint_form() if kind == "complaint" else repair_form(out_of_town=True)
    tid = tickets.log_ticket(engine, actor=people["agent"], form=form, now=MONDAY_0900).id
    for i, (action, who, flag) in enumerate(steps):
        given = dict(category="order", forwarded_to="工程部", reason="unresolvable", customer_satisfied=flag,
                     technician_id=people["tech"].id, service_report_no="R-9")
        try:
            do(engine, people[who], tid, action, MONDAY_0900 + i * H, **given)
        except DomainError:
            pass
    row, steps_seen = row_of(engine, tid), timeline(engine, tid)
    assert [s for s, _, _ in steps_seen] == list(range(1, len(steps_seen) + 1))
    assert (row.last_seq, row.state) == (steps_seen[-1][0], steps_seen[-1][2])
    assert not (row.type == "complaint" and row.state == "closed" and not row.customer_satisfied)


# --- issue 10 -------------------------------------------------------------------------------------------

NOT_SOLVED = SurveyAnswers(convenient=True, resolved=False, attitude="average", charged=False, score=4,
                           suggestion="还是不热")


def test_T5_not_solved_sends_the_repair_back_to_its_technician_with_the_answer_on_the_timeline(engine, people):
    tid = repair_to_completed(engine, people)
    do(engine, people["tech"], tid, "report", MONDAY_0900 + 4 * H, service_report_no="R-010")
    back = tickets.record_follow_up(engine, actor=people["agent2"], ticket_id=tid, answers=NOT_SOLVED,
                                    now=MONDAY_0900 + 5 * H)
    assert (back.state, back.notice_key) == ("dispatched", "complaints.notice.not_solved_reopened")
    row = row_of(engine, tid)
    assert (row.state, row.closed_at, row.technician_id, row.completed_at) == (
        "dispatched", None, people["tech"].id, None)
    with session_scope(engine, write=False) as session:
        last = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == tid)
                            .order_by(TicketEvent.seq.desc())).first()
    assert (last.action, last.to_state, last.note) == ("reopen", "dispatched", "还是不热")
    assert last.data["requested"] == "close"
    assert last.data["survey"] == {"resolved": False, "attitude": "average", "charged": False, "score": 4}
    assert [r.id for r in tickets_read.my_tickets(engine, actor=people["tech"])] == [tid]
    detail = tickets_read.ticket_detail(engine, actor=people["agent2"], ticket_id=tid)
    assert detail.reopened_by is not None and detail.reopened_by.resolved is False
    assert tickets_read.callback_queue(engine, actor=people["agent2"], now=MONDAY_0900 + 6 * H).due == []
    # the technician goes again; the next call says solved and only then it closes
    for step, hours in (("arrive", 6), ("complete", 7), ("report", 8)):
        do(engine, people["tech"], tid, step, MONDAY_0900 + hours * H)
    closed = tickets.record_follow_up(engine, actor=people["agent2"], ticket_id=tid, answers=GOOD,
                                      now=MONDAY_0900 + 9 * H)
    assert closed.state == "closed"
    assert tickets_read.ticket_detail(engine, actor=people["agent2"], ticket_id=tid).reopened_by is None
    with session_scope(engine, write=False) as session:
        assert [s.resolved for s in session.exec(select(TicketSurvey).order_by(TicketSurvey.id)).all()] == [
            False, True]


def test_T5_unsatisfied_customer_also_reopens(engine, people):
    tid = repair_to_completed(engine, people)
    do(engine, people["tech"], tid, "report", MONDAY_0900 + 4 * H, service_report_no="R-011")
    answers = SurveyAnswers(convenient=True, resolved=True, attitude="dissatisfied", charged=True, score=2)
    assert tickets.record_follow_up(engine, actor=people["agent"], ticket_id=tid, answers=answers,
                                    now=MONDAY_0900 + 5 * H).state == "dispatched"


def test_T25_received_time_sets_the_deadline_is_audited_and_checked(engine, people):
    keyed, heard = local("2026-03-02", "17:20"), local("2026-03-02", "17:00")
    result = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(received_at=heard), now=keyed)
    row = row_of(engine, result.id)
    assert row.received_at == heard
    assert (result.received_at, result.backdated, result.due_kind) == (heard, True, "forward")
    assert result.due_at == heard + H
    assert row.due_at == heard + H
    with session_scope(engine, write=False) as session:
        first = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == result.id)).one()
        trail = session.exec(select(AuditEvent).where(AuditEvent.entity == "ticket")).one()
    assert first.at == keyed and first.data["received_at"].startswith("2026-03-02T17:00")
    assert trail.after["received_at"].startswith("2026-03-02")
    with pytest.raises(ValidationFailed) as err:
        tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(received_at=keyed + H), now=keyed)
    assert err.value.keys() == {"ticket_received_at": "complaints.error.received_in_future"}
    with pytest.raises(ValidationFailed) as err:
        tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(received_at=keyed - 3 * H), now=keyed)
    assert err.value.keys() == {"ticket_received_reason": "complaints.error.received_reason_required"}
    assert count(engine, Ticket) == 1
    handed = tickets.log_ticket(engine, actor=people["agent"], now=keyed, form=complaint_form(
        received_at=keyed - 5 * H, received_reason="来函转来", phone="13900009999"))
    with session_scope(engine, write=False) as session:
        first = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == handed.id)).one()
        trail = session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(handed.id))).all()
    assert first.note == "来函转来" and [a.reason for a in trail] == ["来函转来"]
    admin = make_user(engine, username="admin2", role="admin", name="管理员")
    settings_service.change_setting(engine, actor=admin, key="tickets.received_backdate_minutes", text="360")
    wider = tickets.log_ticket(engine, actor=people["agent"], now=keyed,
                               form=complaint_form(received_at=keyed - 5 * H, phone="13900008888"))
    assert row_of(engine, wider.id).received_at == keyed - 5 * H


def test_T19_a_complaint_stores_warranty_and_quality_fault_as_unanswered(engine, people):
    complaint = tickets.log_ticket(engine, actor=people["agent"], form=complaint_form(), now=MONDAY_0900).id
    repair = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(quality_fault=False),
                                now=MONDAY_0900).id
    assert (row_of(engine, complaint).in_warranty, row_of(engine, complaint).quality_fault) == (None, None)
    assert (row_of(engine, repair).in_warranty, row_of(engine, repair).quality_fault) == (True, False)
    facts = tickets_read.ticket_detail(engine, actor=people["agent"], ticket_id=complaint).facts
    assert (facts["in_warranty"], facts["quality_fault"]) == (None, None)
    repair_facts = tickets_read.ticket_detail(engine, actor=people["agent"], ticket_id=repair).facts
    assert "compensation_involved" not in repair_facts and "resident" not in repair_facts


def test_T2_dispatch_refuses_a_technician_the_picker_would_not_offer(engine, people):
    tid = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(), now=MONDAY_0900).id
    for wrong in ("agent", "wall"):
        with pytest.raises(DomainError) as err:
            do(engine, people["manager"], tid, "dispatch", MONDAY_0900 + H, technician_id=people[wrong].id)
        assert err.value.key == "people.not_eligible.technician"
    assert row_of(engine, tid).state == "registered"
    do(engine, people["manager"], tid, "dispatch", MONDAY_0900 + H, technician_id=people["tech"].id)
    with pytest.raises(DomainError) as err:
        tickets.assign_ticket(engine, actor=people["boss"], ticket_id=tid, assignee_id=people["wall"].id,
                              reason="换人")
    assert err.value.key == "people.not_eligible.staff"
    with pytest.raises(ValidationFailed) as err:
        tickets.assign_ticket(engine, actor=people["boss"], ticket_id=tid, assignee_id=None, reason="换人")
    assert err.value.keys() == {"ticket_assignee": "field.required"}


def test_T13_the_customer_service_manager_may_dispatch(engine, people):
    cs_manager = make_user(engine, username="csm", role="supervisor", name="客服部经理老陈", titles=["客服部经理"])
    tid = tickets.log_ticket(engine, actor=people["agent"], form=repair_form(), now=MONDAY_0900).id
    assert tickets_read.dispatch_list(engine, actor=cs_manager, now=MONDAY_0900 + H).dispatchable == {tid}
    assert do(engine, cs_manager, tid, "dispatch", MONDAY_0900 + H, technician_id=people["tech"].id).state == \
        "dispatched"
