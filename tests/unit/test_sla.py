"""M3 deadlines, board colours and the dispatch list (SPEC M3 settings; S36, S41, S44, S46)."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.domain.complaints import sla
from lib.domain.complaints.model import Category, ComplaintSettings, Severity, State, Ticket, TicketType
from lib.domain.complaints.sla import Deadline, DeadlineKind, Level

H = dt.timedelta(hours=1)


def at(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}")


def ticket(received_at, type_=TicketType.complaint, state=State.received, **fields) -> Ticket:
    return Ticket(type=type_, state=state, received_at=received_at, agent_no="017", **fields)


def end_of(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.max)


# --- S36 reply within 24 h --------------------------------------------------


def test_S36_request_received_0900_unanswered_is_overdue_0900_next_day():
    received = at("2026-03-02", "09:00")
    due = sla.reply_due(received)
    assert due == at("2026-03-03", "09:00")
    assert sla.deadline_status(due, at("2026-03-03", "09:00"), 2 * H).level is Level.red
    assert sla.deadline_status(due, at("2026-03-03", "08:59"), 2 * H).level is Level.amber
    assert sla.deadline_status(due, at("2026-03-02", "18:00"), 2 * H) == sla.DeadlineStatus(Level.ok, 15 * H)


def test_S36_open_deadlines_show_the_reply_timer_until_replied():
    request = ticket(at("2026-03-02", "09:00"), TicketType.service_request, State.registered)
    assert sla.open_deadlines(request) == [
        Deadline(DeadlineKind.reply, at("2026-03-02", "09:00"), at("2026-03-03", "09:00")),
    ]
    replied = ticket(at("2026-03-02", "09:00"), TicketType.service_request, State.registered,
                     replied_at=at("2026-03-02", "15:00"))
    assert sla.open_deadlines(replied) == []


def test_S36_reply_is_clock_hours_even_over_a_weekend_or_holiday():
    assert sla.reply_due(at("2026-09-30", "17:00")) == at("2026-10-01", "17:00")


# --- S44 follow-up chain ----------------------------------------------------


def test_S44_action_needed_at_1000_form_overdue_at_1100():
    due = sla.forward_due(at("2026-03-04", "10:00"))
    assert due == at("2026-03-04", "11:00")
    assert sla.deadline_status(due, at("2026-03-04", "11:00"), dt.timedelta(minutes=15)).level is Level.red
    assert sla.deadline_status(due, at("2026-03-04", "10:50"), dt.timedelta(minutes=15)).level is Level.amber


def test_S44_sent_at_1030_first_contact_due_1030_next_day():
    assert sla.dept_first_contact_due(at("2026-03-04", "10:30")) == at("2026-03-05", "10:30")
    assert sla.followup_record_due(at("2026-03-04", "10:00")) == at("2026-03-05", "10:00")


def test_S44_complaint_timers_follow_the_feedback_form():
    received = at("2026-03-04", "10:00")
    fresh = ticket(received, replied_at=received)
    assert sla.open_deadlines(fresh) == [Deadline(DeadlineKind.forward, received, at("2026-03-04", "11:00"))]
    sent = ticket(received, state=State.forwarded, replied_at=received, forwarded_at=at("2026-03-04", "10:30"))
    assert sla.open_deadlines(sent) == [
        Deadline(DeadlineKind.dept_first_contact, at("2026-03-04", "10:30"), at("2026-03-05", "10:30")),
    ]
    inquiry = ticket(received, TicketType.inquiry, replied_at=received)
    assert sla.open_deadlines(inquiry) == []


def test_supervisor_decision_within_one_hour_never_next_day():
    assert sla.supervisor_decision_due(at("2026-03-04", "10:00")) == at("2026-03-04", "11:00")
    assert sla.supervisor_decision_due(at("2026-03-04", "23:30")) == end_of("2026-03-04")


# --- S46 packaging opinion by the 2nd working day ---------------------------


def test_S46_packaging_complaint_arriving_friday_is_due_tuesday():
    friday = at("2026-03-06", "15:00")
    assert sla.packaging_opinion_due(friday) == end_of("2026-03-10")
    complaint = ticket(friday, replied_at=friday, forwarded_at=friday, state=State.forwarded,
                       dept_first_contact_at=friday, category=Category.packaging, owner_title="仓储物流主任")
    assert sla.open_deadlines(complaint) == [Deadline(DeadlineKind.packaging_opinion, friday, end_of("2026-03-10"))]


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-09-30", "2026-10-09"),  # National Day: 10-08 is day 1, 10-09 day 2
        ("2026-10-02", "2026-10-09"),  # received on a holiday
        ("2026-10-08", "2026-10-10"),  # Saturday 10-10 is a make-up working day
        ("2026-10-09", "2026-10-12"),  # 10-10 day 1, Sunday skipped, Monday day 2
    ],
)
def test_S46_packaging_due_across_the_national_day_holiday_week(received, due):
    assert sla.packaging_opinion_due(at(received, "10:00")) == end_of(due)


def test_S46_office_closure_setting_pushes_the_due_day():
    closed_monday = ComplaintSettings(holidays=frozenset({dt.date(2026, 3, 9)}))
    assert sla.packaging_opinion_due(at("2026-03-06", "15:00"), closed_monday) == end_of("2026-03-11")


def test_resident_complaint_is_due_the_same_day():
    received = at("2026-03-04", "16:00")
    assert sla.resident_complaint_due(received) == end_of("2026-03-04")
    resident = ticket(received, replied_at=received, forwarded_at=received, state=State.in_progress, resident=True)
    assert [d.kind for d in sla.open_deadlines(resident)] == [DeadlineKind.resident_same_day]
    escalated = ticket(received, replied_at=received, state=State.escalated, resident=True)
    assert sla.open_deadlines(escalated) == []


# --- board order and colours -------------------------------------------------


def test_amber_window_is_a_share_of_the_allowed_time():
    deadline = Deadline(DeadlineKind.reply, at("2026-03-02", "09:00"), at("2026-03-03", "09:00"))
    assert sla.amber_window(deadline) == 6 * H
    assert sla.amber_window(deadline, ComplaintSettings(amber_fraction=0.5)) == 12 * H


def test_urgency_sort_puts_the_earliest_deadline_and_major_first():
    day = "2026-03-04"
    late = ticket(at(day, "08:00"), id=1)
    early = ticket(at(day, "07:00"), id=2)
    major_same_time = ticket(at(day, "07:00"), id=3, severity=Severity.major)
    closed = ticket(at(day, "06:00"), id=4, state=State.closed)
    ordered = sorted([late, closed, early, major_same_time], key=sla.urgency_sort_key)
    assert [t.id for t in ordered] == [3, 2, 1, 4]


# --- S41 dispatch list --------------------------------------------------------


def test_S41_undispatched_yesterday_tops_todays_list_as_priority():
    today = dt.date(2026, 3, 5)
    today_early = ticket(at("2026-03-05", "08:00"), TicketType.repair, State.awaiting_dispatch, id=1)
    yesterday = ticket(at("2026-03-04", "16:00"), TicketType.repair, State.awaiting_dispatch, id=2)
    registered_old = ticket(at("2026-03-03", "10:00"), TicketType.service_request, State.registered, id=3)
    dispatched = ticket(at("2026-03-03", "09:00"), TicketType.repair, State.dispatched, id=4)
    complaint = ticket(at("2026-03-03", "09:00"), id=5)
    entries = sla.dispatch_list_order([today_early, yesterday, registered_old, dispatched, complaint], today)
    assert [(e.ticket.id, e.priority) for e in entries] == [(3, True), (2, True), (1, False)]


def test_S41_dispatch_list_crosses_the_holiday_as_priority():
    before_holiday = ticket(at("2026-09-30", "17:30"), TicketType.repair, State.awaiting_dispatch, id=1)
    flagged = ticket(at("2026-10-08", "09:00"), TicketType.repair, State.awaiting_dispatch, id=2, priority=True)
    fresh = ticket(at("2026-10-08", "08:30"), TicketType.repair, State.awaiting_dispatch, id=3)
    entries = sla.dispatch_list_order([fresh, flagged, before_holiday], dt.date(2026, 10, 8))
    assert [(e.ticket.id, e.priority) for e in entries] == [(1, True), (2, True), (3, False)]
