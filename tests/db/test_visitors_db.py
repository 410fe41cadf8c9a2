"""Visitor desk services on SQLite and PostgreSQL: writes, audit, roles, one winner."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.models import AuditEvent, PhoneMessage, VisitorEntry
from lib.domain.errors import DomainError, NotAllowed, ValidationFailed
from lib.domain.visitors import MessageForm, VisitorForm
from lib.services.visitors import register as visitors
from lib.services.settings import office_zone_now
from tests.db.helpers import audit_actions, count, make_user, race


@pytest.fixture
def people(engine):
    return {
        "staff": make_user(engine, username="desk", role="staff", name="前台小王"),
        "boss": make_user(engine, username="boss", role="supervisor", name="主管老李"),
        "wall": make_user(engine, username="wall", role="display"),
    }


def register(engine, actor, **overrides):
    form = dict(name="张三", headcount=2, purpose="商务洽谈", company="华为", phone="13800138000")
    form.update(overrides)
    return visitors.register_visitor(engine, actor=actor, form=VisitorForm(**form))


def test_S21_registration_writes_the_entry_and_its_audit_row_together(engine, people):
    entry_id = register(engine, people["staff"], host_id=people["boss"].id)
    rows = visitors.on_site(engine, actor=people["staff"])
    assert [(r.id, r.name, r.headcount, r.host_name, r.time_out) for r in rows] == [
        (entry_id, "张三", 2, "主管老李", None)]
    assert audit_actions(engine, "visitor") == ["register"]


def test_S21_rejected_entry_writes_nothing(engine, people):
    with pytest.raises(ValidationFailed):
        register(engine, people["staff"], name="", headcount=0)
    assert count(engine, VisitorEntry) == 0
    assert count(engine, AuditEvent) == 0


def test_S21_check_out_fills_time_out_and_leaves_the_on_site_list(engine, people, now):
    entry_id = register(engine, people["staff"])
    time_out = visitors.check_out_visitor(engine, actor=people["staff"], visitor_id=entry_id,
                                          now=dt.datetime.now(dt.timezone.utc))
    assert time_out is not None
    assert visitors.on_site(engine, actor=people["staff"]) == []
    assert visitors.day_list(engine, actor=people["staff"])[0].time_out == time_out
    assert audit_actions(engine, "visitor") == ["register", "check_out"]


def test_two_simultaneous_check_outs_have_one_winner(engine, people):
    entry_id = register(engine, people["staff"])
    results = race(lambda: visitors.check_out_visitor(engine, actor=people["staff"], visitor_id=entry_id),
                   lambda: visitors.check_out_visitor(engine, actor=people["boss"], visitor_id=entry_id))
    winners = [r for r in results if isinstance(r, dt.datetime)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].key == "visitor.already_out"
    assert audit_actions(engine, "visitor") == ["register", "check_out"]


def test_display_role_cannot_register_or_list(engine, people):
    with pytest.raises(NotAllowed):
        register(engine, people["wall"])
    with pytest.raises(NotAllowed):
        visitors.on_site(engine, actor=people["wall"])
    assert count(engine, VisitorEntry) == 0


def test_staff_see_today_only_supervisors_see_any_day(engine, people):
    yesterday = dt.date.today() - dt.timedelta(days=2)
    with pytest.raises(NotAllowed):
        visitors.day_list(engine, actor=people["staff"], day=yesterday)
    assert visitors.day_list(engine, actor=people["boss"], day=yesterday) == []
    with pytest.raises(NotAllowed):
        visitors.search(engine, actor=people["staff"], first=yesterday, last=yesterday)
    _, today = office_zone_now(engine)
    assert visitors.search(engine, actor=people["staff"], first=today, last=today) == []


def test_returning_visitor_is_recognised_by_phone(engine, people):
    register(engine, people["staff"], name="回头客", company="小米", phone="138-0013-8000", host_id=people["boss"].id)
    found = visitors.returning_visitor(engine, actor=people["staff"], phone="+86 13800138000")
    assert (found.name, found.company, found.host_id) == ("回头客", "小米", people["boss"].id)
    assert visitors.returning_visitor(engine, actor=people["staff"], phone="13900000000") is None


def test_search_by_name_phone_and_range_escapes_like_wildcards(engine, people):
    register(engine, people["staff"], name="王_五", phone="13900139000")
    register(engine, people["staff"], name="王六", phone="")
    _, today = office_zone_now(engine)
    boss = people["boss"]
    assert [r.name for r in visitors.search(engine, actor=boss, text="王_", first=today, last=today)] == ["王_五"]
    assert [r.name for r in visitors.search(engine, actor=boss, text="139 0013 9000", first=today, last=today)] == ["王_五"]
    assert len(visitors.search(engine, actor=boss, text="", first=today, last=today)) == 2
    with pytest.raises(DomainError):
        visitors.search(engine, actor=boss, first=today, last=today - dt.timedelta(days=1))


def test_S23_message_stays_unrelayed_until_relayed_once(engine, people):
    called = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)
    old = visitors.log_message(engine, actor=people["staff"], form=MessageForm(
        called_at=called, caller_name="赵六", matter="请回电", related="合同", relay_to_id=people["boss"].id))
    new = visitors.log_message(engine, actor=people["staff"], form=MessageForm(
        caller_name="钱七", matter="确认会议", relay_to_id=people["boss"].id))
    board = visitors.message_board(engine, actor=people["staff"])
    assert [(m.id, m.status) for m in board] == [(old, "overdue"), (new, "unrelayed")]
    assert (board[0].caller_name, board[0].matter, board[0].related, board[0].relay_to_name) == (
        "赵六", "请回电", "合同", "主管老李")
    results = race(lambda: visitors.relay_message(engine, actor=people["staff"], message_id=old),
                   lambda: visitors.relay_message(engine, actor=people["boss"], message_id=old))
    assert sum(isinstance(r, dt.datetime) for r in results) == 1
    assert sum(isinstance(r, DomainError) for r in results) == 1
    board = visitors.message_board(engine, actor=people["staff"])
    assert [(m.id, m.status) for m in board] == [(new, "unrelayed"), (old, "relayed")]


def test_S23_message_to_an_inactive_or_unknown_person_is_refused(engine, people):
    with pytest.raises(DomainError) as info:
        visitors.log_message(engine, actor=people["staff"], form=MessageForm(
            caller_name="孙八", matter="x", relay_to_id=99999))
    assert info.value.key == "people.not_eligible.staff"
    assert count(engine, PhoneMessage) == 0


NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["<script>alert(1)</script>", "<b>粗体</b>", "'; DROP TABLE visitor_entry; --", "%_\\",
                     "😀" * 60, "\u202e\u0000\u200b", "=cmd|' /C calc'!A0", "长" * 5000, " ", ""]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NASTY, purpose=NASTY, company=NASTY, phone=NASTY, note=NASTY,
       headcount=st.one_of(st.integers(-10, 1000), NASTY))
def test_bad_input_never_escapes_and_never_half_writes(engine, people, name, purpose, company, phone, note, headcount):
    before = count(engine, VisitorEntry), count(engine, AuditEvent)
    try:
        entry_id = visitors.register_visitor(engine, actor=people["staff"], form=VisitorForm(
            name=name, purpose=purpose, company=company, phone=phone, note=note, headcount=headcount))
    except DomainError:
        assert (count(engine, VisitorEntry), count(engine, AuditEvent)) == before
        return
    assert (count(engine, VisitorEntry), count(engine, AuditEvent)) == (before[0] + 1, before[1] + 1)
    stored = next(r for r in visitors.on_site(engine, actor=people["staff"]) if r.id == entry_id)
    assert stored.name.strip() == stored.name and stored.name  # cleaned, kept as plain text
    if "<script>" in name:
        assert "<script>" in stored.name
