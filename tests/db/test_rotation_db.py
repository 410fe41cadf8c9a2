"""Duty rotation services on SQLite and PostgreSQL: the queue, rosters, requests, check-in, handovers."""

from __future__ import annotations

import datetime as dt

import pytest

from sqlmodel import select

from db.engine import make_engine, session_scope
from db.models import AuditEvent, HandoverLogEntry, OrgUnit, QueueDay, QueueEventRecord, RosterEntryRecord, User
from lib.domain.errors import Conflict, DomainError, Locked, NotAllowed, ValidationFailed
from lib.services import handover, roster, rotation
from tests.db.helpers import audit_actions, count, make_user, race

SH = dt.timezone(dt.timedelta(hours=8))
DAY1 = dt.datetime(2026, 5, 11, 9, 0, tzinfo=SH)  # a Monday in May


def at(day: dt.datetime, hour: int, minute: int = 0) -> dt.datetime:
    return day.replace(hour=hour, minute=minute)


@pytest.fixture
def showroom(engine):
    boss = make_user(engine, username="boss", role="supervisor", name="销售经理", titles=["销售经理"])
    people = [make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=["销售顾问"]) for i in range(1, 7)]
    return boss, people


def draw(engine, boss, people, now=DAY1):
    return rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[p.id for p in people], now=now)


def tap(engine, actor, who, kind, now, **kw):
    return rotation.record_event(engine, actor=actor, consultant_id=who.id, event_type=kind, now=now, **kw)


def order(engine, actor, now):
    return [s.name for s in rotation.board(engine, actor=actor, now=now).slots]


def test_S2_recorded_draw_builds_the_board_and_is_shown_to_all(engine, showroom):
    boss, people = showroom
    assert draw(engine, boss, people) == DAY1.date()
    view = rotation.board(engine, actor=people[5], now=DAY1)
    assert [(s.name, s.position) for s in view.slots[:4]] == [
        ("顾问1", "front_desk"), ("顾问2", "hotline"), ("顾问3", "reception_pc"), ("顾问4", "substitute")]
    assert view.draw.drawn_by == "销售经理" and view.draw.method == "recorded"
    assert view.draw.names == tuple(f"顾问{i}" for i in range(1, 7))
    assert view.due_name == "顾问1" and not view.opened
    assert audit_actions(engine, "lottery_draw") == ["recorded"]


def test_random_draw_is_a_permutation_of_the_participants(engine, showroom):
    boss, people = showroom
    rotation.record_draw(engine, actor=boss, method="random", consultant_ids=[p.id for p in people], now=DAY1)
    view = rotation.board(engine, actor=boss, now=DAY1)
    assert sorted(view.draw.order) == sorted(p.id for p in people)
    assert view.draw.method == "random"


def test_draw_is_for_supervisors_and_needs_two_people(engine, showroom):
    boss, people = showroom
    with pytest.raises(NotAllowed):
        draw(engine, people[0], people)
    with pytest.raises(ValidationFailed):
        draw(engine, boss, people[:1])


def test_S3_next_day_starts_with_yesterdays_closing_front_desk(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    for i in range(4):  # 顾问1..4 each receive a group: 顾问5 is at the desk at closing
        tap(engine, people[i], people[i], "received_new", at(DAY1, 10 + i))
    assert rotation.board(engine, actor=boss, now=at(DAY1, 18)).slots[0].name == "顾问5"
    day2 = DAY1 + dt.timedelta(days=1)
    assert order(engine, boss, day2) == ["顾问5", "顾问6", "顾问1", "顾问2", "顾问3", "顾问4"]
    tap(engine, people[4], people[4], "received_new", at(day2, 10))
    with session_scope(engine, write=False) as session:
        rows = {r.day: r for r in session.exec(select(QueueDay)).all()}
    assert rows[day2.date()].start_consultant_id == people[4].id
    assert rows[DAY1.date()].closing_front_desk_id == people[4].id


def test_S4_old_customer_keeps_the_place(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[3], people[3], "served_old", at(DAY1, 10))
    slot = rotation.board(engine, actor=boss, now=at(DAY1, 10, 5)).slots[3]
    assert (slot.name, slot.number, slot.state) == ("顾问4", 4, "serving_old")
    tap(engine, people[3], people[3], "back", at(DAY1, 10, 30))
    assert order(engine, boss, at(DAY1, 11))[3] == "顾问4"


def test_S5_skip_hands_the_desk_to_the_next(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[0], people[0], "skip", at(DAY1, 10))
    view = rotation.board(engine, actor=boss, now=at(DAY1, 10, 1))
    assert view.due_name == "顾问2" and view.slots[-1].name == "顾问1" and view.slots[-1].skipped
    with pytest.raises(DomainError) as err:
        tap(engine, people[2], people[2], "skip", at(DAY1, 10, 2))
    assert err.value.params["due"] == "顾问2"  # the message names people, not ids


def test_S6_step_away_from_the_desk_hands_over_and_unattended_is_an_SQ1_proposal(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[0], people[0], "step_away", at(DAY1, 10))
    view = rotation.board(engine, actor=boss, now=at(DAY1, 10, 1))
    assert view.due_name == "顾问2" and view.notices == ()
    rotation.record_event(engine, actor=boss, consultant_id=people[1].id, event_type="step_away", hand_over=False,
                          now=at(DAY1, 10, 5))
    view = rotation.board(engine, actor=boss, now=at(DAY1, 10, 6))
    assert [(n.kind, n.consultant) for n in view.notices] == [("left_desk", "顾问2")]
    with pytest.raises(NotAllowed):
        rotation.record_event(engine, actor=people[2], consultant_id=people[2].id, event_type="step_away",
                              hand_over=False, now=at(DAY1, 10, 7))


def test_S7_six_consultants_no_skips_one_group_each_per_round(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    for i, person in enumerate(people):
        tap(engine, person, person, "received_new", at(DAY1, 10, i))
    view = rotation.board(engine, actor=boss, now=at(DAY1, 11))
    assert view.round_no == 2
    assert {name: groups[0] for name, groups in view.report} == {f"顾问{i}": 1 for i in range(1, 7)}


def test_S8_demoted_consultant_is_out_of_the_months_queue_and_cannot_receive(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    rotation.set_demotion(engine, actor=boss, consultant_id=people[5].id, month=DAY1.date(), reason="连续两月末位")
    view = rotation.board(engine, actor=boss, now=DAY1)
    assert "顾问6" not in [s.name for s in view.slots] and view.demoted == ("顾问6",)
    with pytest.raises(DomainError) as err:
        tap(engine, boss, people[5], "received_new", at(DAY1, 10))
    assert err.value.key == "rotation.error.demoted_cannot_receive" and err.value.params["consultant"] == "顾问6"
    june = dt.datetime(2026, 6, 1, 9, tzinfo=SH)
    assert "顾问6" in order(engine, boss, june)
    assert audit_actions(engine, "queue_demotion") == ["set"]


def test_S8_demotion_set_after_the_day_opened_still_refuses_new_customers(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[0], people[0], "received_new", at(DAY1, 10))
    rotation.set_demotion(engine, actor=boss, consultant_id=people[1].id, month=DAY1.date(), reason="末位")
    with pytest.raises(DomainError, match="demoted_cannot_receive"):
        tap(engine, people[1], people[1], "received_new", at(DAY1, 10, 5))


def test_demotion_needs_a_reason_and_is_not_set_twice(engine, showroom):
    boss, people = showroom
    with pytest.raises(ValidationFailed):
        rotation.set_demotion(engine, actor=boss, consultant_id=people[0].id, month=DAY1.date(), reason=" ")
    rotation.set_demotion(engine, actor=boss, consultant_id=people[0].id, month=DAY1.date(), reason="末位")
    with pytest.raises(DomainError, match="already_demoted"):
        rotation.set_demotion(engine, actor=boss, consultant_id=people[0].id, month=DAY1.date(), reason="末位")
    with pytest.raises(NotAllowed):
        rotation.set_demotion(engine, actor=people[1], consultant_id=people[0].id, month=DAY1.date(), reason="x")


def test_S9_T6_out_of_turn_needs_a_reason_which_is_audited_and_listed_for_the_manager(engine, showroom):
    """T6: the consultant who is not due is refused and told who is due; with a reason the take is recorded,
    audited and shown in the manager's review."""
    boss, people = showroom
    draw(engine, boss, people)
    with pytest.raises(DomainError) as err:
        tap(engine, people[2], people[2], "received_new", at(DAY1, 10))
    assert err.value.key == "rotation.error.not_your_turn" and err.value.params["due"] == "顾问1"
    assert count(engine, QueueEventRecord) == 0
    tap(engine, people[2], people[2], "received_new", at(DAY1, 10), reason="客户指名找顾问3")
    view = rotation.board(engine, actor=boss, now=at(DAY1, 10, 1))
    assert [(n.kind, n.consultant, n.due, n.reason) for n in view.notices] == [
        ("out_of_turn", "顾问3", "顾问1", "客户指名找顾问3")]
    found = rotation.notices(engine, actor=boss, first=DAY1.date(), last=DAY1.date())
    assert [(n.kind, n.consultant, n.reason) for n in found] == [("out_of_turn", "顾问3", "客户指名找顾问3")]
    with session_scope(engine, write=False) as session:
        assert [(r.flag, r.reason) for r in session.exec(select(QueueEventRecord)).all()] == [
            ("out_of_turn", "客户指名找顾问3")]
        row = session.exec(select(AuditEvent).where(AuditEvent.entity == "queue_event")).one()
    assert row.reason == "客户指名找顾问3" and row.after["flag"] == "out_of_turn"
    assert view.due_name == "顾问1"


def test_staff_record_their_own_taps_the_reception_pc_for_anyone(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    with pytest.raises(NotAllowed):
        tap(engine, people[4], people[0], "received_new", at(DAY1, 10))
    tap(engine, people[2], people[0], "received_new", at(DAY1, 10))  # 顾问3 holds 接待台电脑
    assert rotation.board(engine, actor=boss, now=at(DAY1, 10, 1)).due_name == "顾问2"


def test_S1_reorder_needs_a_reason_and_the_audit_keeps_before_and_after(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    new = [p.id for p in reversed(people)]
    with pytest.raises(ValidationFailed):
        rotation.reorder(engine, actor=boss, order=new, reason="  ", now=at(DAY1, 10))
    with pytest.raises(NotAllowed):
        rotation.reorder(engine, actor=people[0], order=new, reason="x", now=at(DAY1, 10))
    assert count(engine, QueueEventRecord) == 0
    rotation.reorder(engine, actor=boss, order=new, reason="顾问6 预约客户到店", now=at(DAY1, 10))
    assert order(engine, boss, at(DAY1, 10, 1))[0] == "顾问6"
    with session_scope(engine, write=False) as session:
        row = session.exec(select(AuditEvent).where(AuditEvent.entity == "queue_event")).one()
    assert row.reason == "顾问6 预约客户到店"
    assert row.before["order"] == [p.id for p in people] and row.after["order"] == new


def test_intern_pinned_to_reception_pc_carries_to_the_next_day(engine, showroom):
    boss, people = showroom
    intern = make_user(engine, username="intern", name="实习生", titles=["实习销售顾问"])
    with session_scope(engine) as session:
        user = session.get(User, intern.id)
        user.is_intern = True
        session.add(user)
    draw(engine, boss, people)
    with pytest.raises(ValidationFailed):
        rotation.pin_intern(engine, actor=boss, intern_id=people[0].id, now=DAY1)
    rotation.pin_intern(engine, actor=boss, intern_id=intern.id, now=DAY1)
    view = rotation.board(engine, actor=boss, now=DAY1)
    assert [(s.name, s.position, s.pinned) for s in view.slots[2:4]] == [
        ("实习生", "reception_pc", True), ("顾问3", "substitute", False)]
    tap(engine, intern, people[0], "received_new", at(DAY1, 10))  # the intern at the PC records for others
    with pytest.raises(DomainError, match="pin_after_events"):
        rotation.pin_intern(engine, actor=boss, intern_id=None, now=at(DAY1, 11))
    assert rotation.board(engine, actor=boss, now=DAY1 + dt.timedelta(days=1)).intern == "实习生"


def test_redraw_after_the_queue_started_applies_from_tomorrow_from_its_head(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[0], people[0], "received_new", at(DAY1, 10))
    applies = rotation.record_draw(engine, actor=boss, method="recorded",
                                   consultant_ids=[p.id for p in reversed(people)], now=at(DAY1, 12))
    assert applies == DAY1.date() + dt.timedelta(days=1)
    assert order(engine, boss, at(DAY1, 12))[0] == "顾问2"
    assert order(engine, boss, DAY1 + dt.timedelta(days=1))[0] == "顾问6"


def test_staff_see_today_supervisors_replay_any_past_day(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[0], people[0], "received_new", at(DAY1, 10))
    tap(engine, people[1], people[1], "skip", at(DAY1, 11))
    later = DAY1 + dt.timedelta(days=3)
    with pytest.raises(NotAllowed):
        rotation.board(engine, actor=people[0], day=DAY1.date(), now=later)
    past = rotation.board(engine, actor=boss, day=DAY1.date(), now=later)
    assert [e.type for e in past.events] == ["received_new", "skip"] and past.due_name == "顾问3"
    assert rotation.board(engine, actor=boss, day=DAY1.date() - dt.timedelta(days=1), now=later).slots == ()


def test_no_draw_yet_means_no_board_and_no_taps(engine, showroom):
    boss, people = showroom
    assert rotation.board(engine, actor=boss, now=DAY1).draw is None
    with pytest.raises(DomainError, match="no_draw"):
        tap(engine, people[0], people[0], "received_new", DAY1)


def test_display_role_cannot_see_or_tap(engine, showroom):
    boss, people = showroom
    wall = make_user(engine, username="wall", role="display")
    draw(engine, boss, people)
    with pytest.raises(NotAllowed):
        rotation.board(engine, actor=wall, now=DAY1)
    with pytest.raises(NotAllowed):
        tap(engine, wall, people[0], "received_new", DAY1)
    rows = rotation.wall_queue(engine, now=DAY1)
    assert rows[0] == {"position": 1, "post": "front_desk", "name": "顾问1", "group": ""}


def test_queue_events_and_the_duty_log_are_append_only_in_the_database(engine, showroom):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[0], people[0], "received_new", at(DAY1, 10))
    post = make_post(engine, "中控室")
    handover.add_log_entry(engine, actor=boss, post_id=post, text="正常", now=at(DAY1, 10))
    # the duty log is the control-room register since 0055 (its pages never deleted, corrected by versions);
    # the old handover_log, read-only now, stays append-only
    with session_scope(engine) as session:
        session.add(HandoverLogEntry(post_id=post, at=at(DAY1, 9), author_id=boss.id, text="旧记录"))
    for statement in ("UPDATE queue_event SET consultant_id = NULL", "DELETE FROM queue_event",
                      "UPDATE handover_log SET text = 'x'", "DELETE FROM handover_log", "DELETE FROM reg_cr_duty_log"):
        with pytest.raises(DBAPIError, match="append-only|never deleted"):
            with session_scope(engine) as session:
                session.execute(text(statement))
    assert count(engine, QueueEventRecord) == 1


def test_two_taps_on_received_at_once_take_exactly_one_turn(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    seen = rotation.board(engine, actor=boss, now=DAY1).seq
    results = race(lambda: tap(engine, people[0], people[0], "received_new", at(DAY1, 10), seen_seq=seen),
                   lambda: tap(engine, people[2], people[0], "received_new", at(DAY1, 10), seen_seq=seen))
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert winners == [1] and len(losers) == 1, results
    assert isinstance(losers[0], Conflict) and losers[0].params["due"] == "顾问2"
    view = rotation.board(engine, actor=boss, now=at(DAY1, 10, 1))
    assert [e.type for e in view.events] == ["received_new"] and view.due_name == "顾问2"
    assert audit_actions(engine, "queue_event") == ["received_new"]


@pytest.mark.parametrize("first, second", [(0, 1), (1, 0), (0, 3), (3, 0)])
def test_T6_two_consultants_pressing_received_at_once_one_turn_the_other_told_who_is_due(engine, showroom,
                                                                                        first, second):
    boss, people = showroom
    draw(engine, boss, people)
    seen = rotation.board(engine, actor=boss, now=DAY1).seq
    results = race(lambda: tap(engine, people[first], people[first], "received_new", at(DAY1, 10), seen_seq=seen),
                   lambda: tap(engine, people[second], people[second], "received_new", at(DAY1, 10), seen_seq=seen))
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert winners == [1] and len(losers) == 1, results
    assert isinstance(losers[0], DomainError) and losers[0].params["due"] in ("顾问1", "顾问2"), losers[0]
    view = rotation.board(engine, actor=boss, now=at(DAY1, 10, 1))
    assert [(e.type, e.consultant) for e in view.events] == [("received_new", "顾问1")]
    assert view.notices == ()


def test_T6_out_of_turn_with_a_reason_and_the_due_person_at_once_still_one_turn(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    results = race(lambda: tap(engine, people[0], people[0], "received_new", at(DAY1, 10), seen_seq=0),
                   lambda: tap(engine, people[4], people[4], "received_new", at(DAY1, 10), seen_seq=0,
                               reason="老客户介绍来的朋友"))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "int"], results
    loser = next(r for r in results if isinstance(r, Exception))
    assert loser.key == "rotation.error.turn_taken"
    assert count(engine, QueueEventRecord) == 1


def test_T18_consultant_demoted_today_leaves_todays_board_at_once(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[0], people[0], "received_new", at(DAY1, 10))
    assert rotation.board(engine, actor=boss, now=at(DAY1, 10, 1)).due_name == "顾问2"
    rotation.set_demotion(engine, actor=boss, consultant_id=people[1].id, month=DAY1.date(), reason="末位",
                          now=at(DAY1, 10, 2))
    view = rotation.board(engine, actor=boss, now=at(DAY1, 10, 3))
    assert "顾问2" not in [s.name for s in view.slots] and view.due_name == "顾问3"
    assert "顾问2" in view.demoted
    tap(engine, people[2], people[2], "received_new", at(DAY1, 10, 5))
    rotation.reorder(engine, actor=boss, order=[p.id for p in people if p is not people[1]][::-1], reason="调整",
                     now=at(DAY1, 10, 6))
    assert rotation.board(engine, actor=boss, now=at(DAY1, 11)).slots[0].name == "顾问6"


def test_T8_board_says_whether_it_carries_over_or_starts_a_new_draw(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    first = rotation.board(engine, actor=boss, now=DAY1)
    assert (first.carry.kind, first.carry.day) == ("new_draw", DAY1.date())
    for i in range(2):
        tap(engine, people[i], people[i], "received_new", at(DAY1, 10 + i))
    day2 = DAY1 + dt.timedelta(days=1)
    view = rotation.board(engine, actor=people[3], now=day2)
    assert (view.carry.kind, view.carry.day, view.carry.name) == ("carry", DAY1.date(), "顾问3")
    assert view.previous_day == DAY1.date()
    closing = rotation.board(engine, actor=boss, day=view.previous_day, now=day2)
    assert [s.name for s in closing.slots][:2] == ["顾问3", "顾问4"] and closing.round_no == 1


def test_T9_a_draw_naming_the_pinned_intern_is_refused(engine, showroom):
    boss, people = showroom
    intern = make_user(engine, username="intern", name="实习生", titles=["实习销售顾问"])
    with session_scope(engine) as session:
        user = session.get(User, intern.id)
        user.is_intern = True
        session.add(user)
    options = rotation.consultants(engine)
    assert intern.id in [p.id for p in options] and intern.id not in rotation.draw_defaults(options)
    draw(engine, boss, people)
    rotation.pin_intern(engine, actor=boss, intern_id=intern.id, now=DAY1)
    with pytest.raises(DomainError) as err:
        rotation.record_draw(engine, actor=boss, method="random", consultant_ids=[p.id for p in people] + [intern.id],
                             now=DAY1 + dt.timedelta(days=1))
    assert err.value.key == "rotation.error.pinned_intern_in_draw" and err.value.params["consultant"] == "实习生"


def test_T2_draw_pickers_offer_consultants_only_and_the_services_refuse_others(engine, showroom):
    boss, people = showroom
    operator = make_user(engine, username="op", name="顾问1", titles=["中控员"])  # same name, other job
    assert operator.id not in [p.id for p in rotation.consultants(engine)]
    with pytest.raises(DomainError, match="not_eligible"):
        rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[people[0].id, operator.id],
                             now=DAY1)
    with pytest.raises(DomainError, match="not_eligible"):
        rotation.set_demotion(engine, actor=boss, consultant_id=operator.id, month=DAY1.date(), reason="x")


def test_T13_who_may_draw_lots_follows_the_consultant_titles_setting(engine, showroom):
    from lib.services import settings

    boss, people = showroom
    admin = make_user(engine, username="root", role="admin", name="管理员")
    helper = make_user(engine, username="helper", name="供需甲", titles=["供需"])
    assert helper.id not in [p.id for p in rotation.consultants(engine)]
    settings.change_setting(engine, actor=admin, key="people.consultant_titles", text='["销售顾问", "供需"]')
    assert helper.id in [p.id for p in rotation.consultants(engine)]
    rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[people[0].id, helper.id], now=DAY1)


def test_two_consultants_opening_the_day_at_once_share_one_day_row(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    results = race(lambda: tap(engine, people[0], people[0], "received_new", at(DAY1, 10)),
                   lambda: tap(engine, people[3], people[3], "served_old", at(DAY1, 10)))
    assert sorted(results) == [1, 2], results
    assert count(engine, QueueDay) == 1


def test_stale_screen_is_told_when_the_person_due_changed(engine, showroom):
    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[3], people[3], "served_old", at(DAY1, 10))  # seq 1, due unchanged
    tap(engine, people[0], people[0], "received_new", at(DAY1, 10, 1), seen_seq=0)  # still fine
    with pytest.raises(Conflict) as err:
        tap(engine, people[1], people[1], "skip", at(DAY1, 10, 2), seen_seq=1)
    assert err.value.params["due"] == "顾问2"
    assert tap(engine, people[1], people[1], "skip", at(DAY1, 10, 3), seen_seq=2) == 3


# ---- rosters, requests, check-in ------------------------------------------------------------------


WEEK = [dt.date(2026, 5, 11) + dt.timedelta(days=i) for i in range(7)]
THURSDAY_BEFORE = dt.datetime(2026, 5, 7, 10, 0, tzinfo=SH)


def make_post(engine, name, **flags):
    with session_scope(engine) as session:
        post = OrgUnit(kind="post", name=name, min_staff=1, **flags)
        session.add(post)
        session.flush()
        return post.id


@pytest.fixture
def crew(engine):
    boss = make_user(engine, username="chief", role="supervisor", name="值班经理", titles=["值班经理"])
    staff = [make_user(engine, username=f"s{i}", name=f"中控员{i}") for i in range(1, 5)]
    return boss, staff


def period_for(engine, boss, post_id, preset, first=WEEK[0], last=WEEK[-1]):
    template_id = roster.create_template(engine, actor=boss, preset=preset, name=f"{preset}-{post_id}")
    return roster.create_period(engine, actor=boss, post_id=post_id, template_id=template_id, first_day=first,
                                last_day=last)


def train(engine, boss, people, post_id, cert=None):
    for person in people:
        roster.set_qualification(engine, actor=boss, staff_id=person.id, post_id=post_id, trained=True,
                                 cert_valid_until=cert)


def staffed(engine, view):
    return {(e.day, e.shift): e.name for e in view.entries}


def test_S13_gap_on_a_24x7_roster_blocks_publishing_and_is_listed(engine, crew):
    boss, (a, b, c, _d) = crew
    post = make_post(engine, "中控室", is_24x7=True, requires_training=True)
    train(engine, boss, [a, b, c], post)
    period = period_for(engine, boss, post, "four_crew_three_shift")
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="early", days=WEEK)
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=b.id, shift="middle", days=WEEK)
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=c.id, shift="late",
                       days=[d for d in WEEK if d != WEEK[2]])
    view = roster.period_view(engine, actor=boss, period_id=period)
    assert [(p.key, p.params.get("span")) for p in view.blocking if p.key == "rotation.roster.gap"] == [
        ("rotation.roster.gap", "2026-05-13 16:00–24:00")]
    with pytest.raises(DomainError, match="publish_blocked"):
        roster.change_status(engine, actor=boss, period_id=period, target="published")
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=c.id, shift="late", days=[WEEK[2]])
    roster.change_status(engine, actor=boss, period_id=period, target="published")
    with pytest.raises(NotAllowed):  # staff and supervisors alike use a request once published
        roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="late", days=[WEEK[0]])
    roster.change_status(engine, actor=boss, period_id=period, target="locked")
    with pytest.raises(Locked):
        roster.remove_entry(engine, actor=boss, entry_id=view.entries[0].id)
    assert audit_actions(engine, "roster_period")[-2:] == ["published", "locked"]


def test_untrained_staff_block_a_control_post_roster(engine, crew):
    boss, (a, *_rest) = crew
    post = make_post(engine, "中控室", is_24x7=True, requires_training=True)
    period = period_for(engine, boss, post, "three_crew_two_shift")
    with pytest.raises(DomainError, match="untrained"):
        roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="day", days=[WEEK[0]])


def test_T13_training_set_through_set_qualification_lets_the_control_post_roster_take_the_person(engine, crew):
    """T13: the rule reads user.trained_posts / cert_valid_until, and set_qualification is the supported way
    to set them (the demo office must call it for its control-room staff)."""
    boss, (a, *_rest) = crew
    post = make_post(engine, "消防控制室", is_24x7=True, requires_training=True, requires_certificate=True)
    period = period_for(engine, boss, post, "three_crew_two_shift")
    roster.set_qualification(engine, actor=boss, staff_id=a.id, post_id=post, trained=True, cert_valid_until=None)
    with pytest.raises(DomainError, match="cert"):
        roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="day", days=[WEEK[0]])
    train(engine, boss, [a], post, cert=WEEK[-1] + dt.timedelta(days=365))
    assert roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="day", days=[WEEK[0]]) == 1
    with session_scope(engine, write=False) as session:
        user = session.get(User, a.id)
        assert user.trained_posts == [str(post)] and user.cert_valid_until == WEEK[-1] + dt.timedelta(days=365)


def test_S14_fire_post_refuses_back_to_back_shifts_and_uncertified_staff(engine, crew):
    boss, (a, b, *_rest) = crew
    post = make_post(engine, "消防控制室", is_24x7=True, requires_training=True, requires_certificate=True)
    train(engine, boss, [a], post, cert=dt.date(2027, 1, 1))
    train(engine, boss, [b], post, cert=None)
    period = period_for(engine, boss, post, "fire_room")
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="day", days=[WEEK[0]])
    with pytest.raises(DomainError, match="over_max_continuous"):
        roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="night", days=[WEEK[0]])
    with pytest.raises(DomainError, match="uncertified"):
        roster.add_entries(engine, actor=boss, period_id=period, staff_id=b.id, shift="night", days=[WEEK[0]])
    assert len(roster.period_view(engine, actor=boss, period_id=period).entries) == 1


def published_two_shift_roster(engine, boss, people, post_name="中控室"):
    a, b = people
    post = make_post(engine, post_name, is_24x7=True, requires_training=True)
    train(engine, boss, [a, b], post)
    period = period_for(engine, boss, post, "three_crew_two_shift")
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="day", days=WEEK)
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=b.id, shift="night", days=WEEK)
    # the night before the period covers its first morning
    prior = roster.create_period(engine, actor=boss, post_id=post, first_day=WEEK[0] - dt.timedelta(days=1),
                                 last_day=WEEK[0] - dt.timedelta(days=1),
                                 template_id=roster.templates(engine)[0].id)
    roster.add_entries(engine, actor=boss, period_id=prior, staff_id=b.id, shift="night", days=[WEEK[0] - dt.timedelta(days=1)])
    roster.change_status(engine, actor=boss, period_id=period, target="published")
    return post, period


def entry_id(engine, period, day, shift):
    with session_scope(engine, write=False) as session:
        return session.exec(select(RosterEntryRecord.id).where(
            RosterEntryRecord.period_id == period, RosterEntryRecord.day == day,
            RosterEntryRecord.shift == shift)).one()


def test_S10_swap_changes_the_roster_only_once_the_supervisor_approves(engine, crew):
    boss, (a, b, *_rest) = crew
    post, period = published_two_shift_roster(engine, boss, [a, b])
    before = staffed(engine, roster.period_view(engine, actor=boss, period_id=period))
    mine, theirs = entry_id(engine, period, WEEK[2], "day"), entry_id(engine, period, WEEK[3], "night")
    first = roster.file_swap(engine, actor=a, entry_id=mine, counterpart_entry_id=theirs, reason="家中有事",
                             now=THURSDAY_BEFORE)
    assert staffed(engine, roster.period_view(engine, actor=boss, period_id=period)) == before
    roster.decide_swap(engine, actor=boss, swap_id=first, approve=False)
    assert staffed(engine, roster.period_view(engine, actor=boss, period_id=period)) == before
    with pytest.raises(Conflict):
        roster.decide_swap(engine, actor=boss, swap_id=first, approve=True)
    second = roster.file_swap(engine, actor=a, entry_id=mine, counterpart_entry_id=theirs, now=THURSDAY_BEFORE)
    with pytest.raises(NotAllowed):
        roster.decide_swap(engine, actor=a, swap_id=second, approve=True)
    roster.decide_swap(engine, actor=boss, swap_id=second, approve=True)
    after = staffed(engine, roster.period_view(engine, actor=boss, period_id=period))
    assert after[(WEEK[2], "day")] == "中控员2" and after[(WEEK[3], "night")] == "中控员1"
    assert audit_actions(engine, "roster_swap") == ["file", "rejected", "file", "approved"]


def test_staff_cannot_file_a_swap_for_someone_elses_shift(engine, crew):
    boss, (a, b, c, _d) = crew
    _post, period = published_two_shift_roster(engine, boss, [a, b])
    with pytest.raises(NotAllowed):
        roster.file_swap(engine, actor=c, entry_id=entry_id(engine, period, WEEK[2], "day"),
                         counterpart_entry_id=entry_id(engine, period, WEEK[3], "night"), now=THURSDAY_BEFORE)


def test_S15_saturday_request_for_next_week_is_refused_unless_a_supervisor_overrides(engine, crew):
    boss, (a, b, *_rest) = crew
    _post, period = published_two_shift_roster(engine, boss, [a, b])
    saturday = dt.datetime(2026, 5, 9, 10, 0, tzinfo=SH)
    args = dict(entry_id=entry_id(engine, period, WEEK[2], "day"),
                counterpart_entry_id=entry_id(engine, period, WEEK[3], "night"), now=saturday)
    with pytest.raises(DomainError, match="request_window_closed"):
        roster.file_swap(engine, actor=a, **args)
    with pytest.raises(NotAllowed):
        roster.file_swap(engine, actor=a, override=True, **args)
    assert roster.file_swap(engine, actor=boss, override=True, **args) > 0


def test_S11_front_desk_private_absence_is_rejected_official_needs_a_cover(engine, crew):
    boss, (a, b, *_rest) = crew
    admin_chief = make_user(engine, username="zhb", role="supervisor", name="综合部主管", titles=["综合部主管"])
    post = make_post(engine, "前台")
    period_for(engine, boss, post, "front_desk")
    start, end = at(DAY1, 10), at(DAY1, 11)
    _id, status = roster.file_absence(engine, actor=a, post_id=post, starts_at=start, ends_at=end, reason="private")
    assert status == "rejected"
    official, status = roster.file_absence(engine, actor=a, post_id=post, starts_at=start, ends_at=end,
                                           reason="official")
    assert status == "submitted"
    with pytest.raises(NotAllowed):  # the front desk is the 综合部主管's (seed 000 D9)
        roster.decide_absence(engine, actor=boss, absence_id=official, approve=True, cover_id=b.id)
    with pytest.raises(DomainError, match="needs_cover"):
        roster.decide_absence(engine, actor=admin_chief, absence_id=official, approve=True)
    roster.decide_absence(engine, actor=admin_chief, absence_id=official, approve=True, cover_id=b.id)
    mine = roster.requests_list(engine, actor=a, mine=True)
    assert sorted((r.reason, r.status, r.cover) for r in mine) == [("official", "approved", "中控员2"),
                                                                    ("private", "rejected", "")]
    view = roster.on_duty(engine, actor=a, now=at(DAY1, 10, 30))
    assert [(r.staff, r.cover) for r in view.absences] == [("中控员1", "中控员2")]


def test_control_room_absence_names_an_on_duty_substitute_first(engine, crew):
    boss, (a, b, c, _d) = crew
    post, _period = published_two_shift_roster(engine, boss, [a, b])
    now = dt.datetime.combine(WEEK[1], dt.time(10), tzinfo=SH)
    with pytest.raises(DomainError, match="substitute_first"):
        roster.file_absence(engine, actor=a, post_id=post, starts_at=now, ends_at=now + dt.timedelta(hours=1),
                            reason="official", cover_id=c.id, now=now)


def test_S12_check_in_at_0755_for_0800_is_flagged_0750_is_not(engine, crew):
    boss, (a, b, *_rest) = crew
    _post, period = published_two_shift_roster(engine, boss, [a, b])
    first = dt.datetime.combine(WEEK[1], dt.time(7, 55), tzinfo=SH)
    second = dt.datetime.combine(WEEK[2], dt.time(7, 50), tzinfo=SH)
    assert roster.check_in(engine, actor=a, entry_id=entry_id(engine, period, WEEK[1], "day"), now=first) == "short_notice"
    assert roster.check_in(engine, actor=a, entry_id=entry_id(engine, period, WEEK[2], "day"), now=second) == "ok"
    with pytest.raises(Conflict):
        roster.check_in(engine, actor=a, entry_id=entry_id(engine, period, WEEK[2], "day"), now=second)
    with pytest.raises(NotAllowed):
        roster.check_in(engine, actor=b, entry_id=entry_id(engine, period, WEEK[3], "day"), now=second)
    flagged = roster.flagged_check_ins(engine, actor=boss, day=WEEK[1])
    assert [(r.staff, r.check_in_status) for r in flagged] == [("中控员1", "short_notice")]


def test_on_duty_now_and_the_first_responsible_of_the_day(engine, crew):
    boss, (a, b, c, _d) = crew
    post, _period = published_two_shift_roster(engine, boss, [a, b])
    desk = make_post(engine, "前台")
    desk_period = period_for(engine, boss, desk, "front_desk", first=WEEK[1], last=WEEK[1])
    roster.add_entries(engine, actor=boss, period_id=desk_period, staff_id=c.id, shift="office", days=[WEEK[1]],
                       kind="first_responsible")
    roster.change_status(engine, actor=boss, period_id=desk_period, target="published")
    night = dt.datetime.combine(WEEK[1], dt.time(3), tzinfo=SH)
    assert [(r.post, r.staff, r.shift) for r in roster.on_duty(engine, actor=a, now=night).on_duty] == [
        ("中控室", "中控员2", "night")]
    view = roster.on_duty(engine, actor=a, now=night.replace(hour=10))
    assert sorted((r.post, r.staff) for r in view.on_duty) == [("中控室", "中控员1"), ("前台", "中控员3")]
    assert view.first_responsible == (("前台", "中控员3"),)
    assert {r["name"] for r in roster.wall_on_duty(engine, now=night.replace(hour=10))} == {"中控员1", "中控员3"}


# ---- handovers -------------------------------------------------------------------------------------

SHIFT_START = dt.datetime(2026, 5, 12, 8, 0, tzinfo=SH)
ALL_OK = {**{k: (True, "") for k in ("equipment", "incidents", "duty_log", "tools", "instructions", "hygiene")},
          **{f"five_{k}": (True, "") for k in ("problems_experience", "tools", "safety", "records", "hygiene")}}


@pytest.fixture
def control_room(engine, crew):
    boss, (out, inc, *_rest) = crew
    return boss, out, inc, make_post(engine, "中控室", is_24x7=True)


def scheduled(engine, out, inc, post, start=SHIFT_START):
    return handover.schedule(engine, actor=out, post_id=post, out_shift="night", in_shift="day", shift_start=start,
                             incoming_id=inc.id, now=start - dt.timedelta(minutes=30))


def to_signatures(engine, out, inc, hid, start=SHIFT_START, ack=()):
    handover.check_in(engine, actor=inc, handover_id=hid, now=start - dt.timedelta(minutes=15))
    handover.acknowledge(engine, actor=inc, handover_id=hid, entry_ids=list(ack))
    handover.submit_checklist(engine, actor=inc, handover_id=hid, checks=ALL_OK)


def test_S16_incoming_acknowledges_abnormal_entries_before_signing_and_outgoing_waits_for_both(engine, control_room):
    boss, out, inc, post = control_room
    for text in ("3号泵异响", "配电柜温度偏高"):
        handover.add_log_entry(engine, actor=out, post_id=post, text=text, abnormal=True,
                               now=SHIFT_START - dt.timedelta(hours=3))
    hid = scheduled(engine, out, inc, post)
    handover.check_in(engine, actor=inc, handover_id=hid, now=SHIFT_START - dt.timedelta(minutes=15))
    view = handover.get(engine, actor=inc, handover_id=hid)
    abnormal = [e.id for e in view.previous_log if e.abnormal]
    assert len(abnormal) == 2
    with pytest.raises(DomainError, match="unacknowledged_abnormal"):
        handover.acknowledge(engine, actor=inc, handover_id=hid, entry_ids=abnormal[:1])
    with pytest.raises(NotAllowed):
        handover.acknowledge(engine, actor=out, handover_id=hid, entry_ids=abnormal)
    handover.acknowledge(engine, actor=inc, handover_id=hid, entry_ids=abnormal)
    handover.submit_checklist(engine, actor=inc, handover_id=hid, checks=ALL_OK, customers="王总来电待回复")
    assert handover.sign(engine, actor=out, handover_id=hid, now=SHIFT_START) == "awaiting_signatures"
    with pytest.raises(DomainError, match="needs_both_signatures"):
        handover.may_leave(engine, actor=out, handover_id=hid)
    assert handover.sign(engine, actor=inc, handover_id=hid, now=SHIFT_START) == "completed"
    handover.may_leave(engine, actor=out, handover_id=hid)
    assert handover.get(engine, actor=out, handover_id=hid).record.customers_handed_over == "王总来电待回复"


def test_a_handover_opened_a_day_ahead_still_carries_the_abnormal_entries_logged_before_it(engine, control_room):
    boss, out, inc, post = control_room
    logged = SHIFT_START - dt.timedelta(hours=30)
    handover.add_log_entry(engine, actor=out, post_id=post, text="消防泵压力低", abnormal=True, now=logged)
    hid = handover.schedule(engine, actor=out, post_id=post, out_shift="night", in_shift="day", shift_start=SHIFT_START,
                            incoming_id=inc.id, now=logged + dt.timedelta(minutes=5))
    assert [e.text for e in handover.get(engine, actor=inc, handover_id=hid).previous_log if e.abnormal] == ["消防泵压力低"]


def test_checklist_item_not_ok_needs_a_note_and_nothing_is_saved(engine, control_room):
    boss, out, inc, post = control_room
    hid = scheduled(engine, out, inc, post)
    handover.check_in(engine, actor=inc, handover_id=hid, now=SHIFT_START - dt.timedelta(minutes=15))
    handover.acknowledge(engine, actor=inc, handover_id=hid, entry_ids=[])
    with pytest.raises(ValidationFailed) as err:
        handover.submit_checklist(engine, actor=inc, handover_id=hid, checks={**ALL_OK, "tools": (False, "")})
    assert err.value.keys() == {"handover_tools": "rotation.handover.error.note_required"}
    assert handover.get(engine, actor=inc, handover_id=hid).state == "checklist"


def test_S17_refusal_for_incomplete_tools_keeps_the_outgoing_on_duty(engine, control_room):
    boss, out, inc, post = control_room
    hid = scheduled(engine, out, inc, post)
    to_signatures(engine, out, inc, hid)
    handover.refuse(engine, actor=inc, handover_id=hid, reason="tools_incomplete", note="对讲机少一台")
    view = handover.get(engine, actor=out, handover_id=hid)
    assert view.state == "refused" and view.leave_block_key == "rotation.handover.error.refused_stay"
    assert [a.id for a in handover.alerts(engine, actor=boss)] == [hid]
    handover.resume(engine, actor=out, handover_id=hid)
    assert handover.get(engine, actor=out, handover_id=hid).state == "checklist"


def test_S18_nobody_checks_in_by_0800_blocks_release_and_alerts_the_supervisor(engine, control_room):
    boss, out, inc, post = control_room
    hid = scheduled(engine, out, inc, post)
    assert handover.sweep_no_relief(engine, actor=out, now=SHIFT_START - dt.timedelta(minutes=1)) == 0
    assert handover.sweep_no_relief(engine, actor=out, now=SHIFT_START + dt.timedelta(minutes=1)) == 1
    view = handover.get(engine, actor=boss, handover_id=hid)
    assert view.state == "no_relief" and view.record.supervisor_alert_at is not None
    with pytest.raises(DomainError, match="no_relief_stay"):
        handover.may_leave(engine, actor=out, handover_id=hid)
    assert [a.id for a in handover.alerts(engine, actor=boss)] == [hid]
    handover.check_in(engine, actor=inc, handover_id=hid, now=SHIFT_START + dt.timedelta(minutes=20))
    assert handover.get(engine, actor=boss, handover_id=hid).record.arrival.value == "late"


def test_S19_fault_logged_after_completion_belongs_to_the_incoming_shift(engine, control_room):
    boss, out, inc, post = control_room
    hid = scheduled(engine, out, inc, post)
    to_signatures(engine, out, inc, hid)
    handover.sign(engine, actor=out, handover_id=hid, now=SHIFT_START + dt.timedelta(minutes=2))
    assert handover.add_log_entry(engine, actor=out, post_id=post, text="交接中发现漏水", abnormal=True,
                                  now=SHIFT_START + dt.timedelta(minutes=1)) == "night"
    handover.sign(engine, actor=inc, handover_id=hid, now=SHIFT_START + dt.timedelta(minutes=2))
    assert handover.add_log_entry(engine, actor=inc, post_id=post, text="风机故障", abnormal=True,
                                  now=SHIFT_START + dt.timedelta(minutes=10)) == "day"


def test_S20_open_urgent_item_carries_into_the_next_handover_until_closed(engine, control_room):
    boss, out, inc, post = control_room
    first = scheduled(engine, out, inc, post)
    handover.add_item(engine, actor=out, handover_id=first, text="业主投诉电梯异响待回复")
    to_signatures(engine, out, inc, first)
    for person in (out, inc):
        handover.sign(engine, actor=person, handover_id=first, now=SHIFT_START)
    evening = SHIFT_START + dt.timedelta(hours=9)
    second = handover.schedule(engine, actor=inc, post_id=post, out_shift="day", in_shift="night",
                               shift_start=evening, incoming_id=out.id, now=evening - dt.timedelta(minutes=30))
    carried = handover.get(engine, actor=inc, handover_id=second).open_items
    assert [i.text for i in carried] == ["业主投诉电梯异响待回复"]
    handover.close_item(engine, actor=inc, handover_id=second, item_id=carried[0].id)
    to_signatures(engine, inc, out, second, start=evening)
    for person in (inc, out):
        handover.sign(engine, actor=person, handover_id=second, now=evening)
    third_start = evening + dt.timedelta(hours=15)
    third = handover.schedule(engine, actor=out, post_id=post, out_shift="night", in_shift="day",
                              shift_start=third_start, incoming_id=inc.id, now=third_start - dt.timedelta(minutes=30))
    assert handover.get(engine, actor=out, handover_id=third).open_items == ()


def test_signed_handover_is_read_only_and_a_correction_is_a_new_revision(engine, control_room):
    boss, out, inc, post = control_room
    hid = scheduled(engine, out, inc, post)
    to_signatures(engine, out, inc, hid)
    for person in (out, inc):
        handover.sign(engine, actor=person, handover_id=hid, now=SHIFT_START)
    with pytest.raises(Locked):
        handover.add_item(engine, actor=out, handover_id=hid, text="补一条")
    with pytest.raises(ValidationFailed):
        handover.correct(engine, actor=out, handover_id=hid, reason="", customers="", prospects="", instructions="")
    new = handover.correct(engine, actor=out, handover_id=hid, reason="漏记客户", customers="李先生", prospects="",
                           instructions="")
    old, fixed = handover.get(engine, actor=boss, handover_id=hid), handover.get(engine, actor=boss, handover_id=new)
    assert (old.is_current, fixed.is_current, fixed.revision) == (False, True, 2)
    assert fixed.record.customers_handed_over == "李先生" and old.record.customers_handed_over == ""
    assert [h.id for h in handover.post_handovers(engine, actor=boss, post_id=post)] == [new]
    with pytest.raises(Conflict):
        handover.correct(engine, actor=out, handover_id=hid, reason="再改", customers="", prospects="", instructions="")


def test_one_open_handover_per_post_and_only_the_parties_act(engine, control_room):
    boss, out, inc, post = control_room
    hid = scheduled(engine, out, inc, post)
    with pytest.raises(DomainError, match="open_exists"):
        scheduled(engine, out, inc, post)
    stranger = make_user(engine, username="x", name="路人")
    with pytest.raises(NotAllowed):
        handover.add_item(engine, actor=stranger, handover_id=hid, text="x")
    with pytest.raises(NotAllowed):
        handover.check_in(engine, actor=out, handover_id=hid)


def test_two_simultaneous_signatures_of_one_person_count_once(engine, control_room):
    boss, out, inc, post = control_room
    hid = scheduled(engine, out, inc, post)
    to_signatures(engine, out, inc, hid)
    results = race(lambda: handover.sign(engine, actor=out, handover_id=hid, now=SHIFT_START),
                   lambda: handover.sign(engine, actor=out, handover_id=hid, now=SHIFT_START))
    assert sorted(map(str, results)) == sorted(["awaiting_signatures", str(next(r for r in results if isinstance(r, Conflict)))])
    assert audit_actions(engine, "handover").count("sign") == 1


def test_L4_every_screen_shares_one_fold_of_the_days_events_and_carries_it_on_tap_by_tap(engine, showroom,
                                                                                          monkeypatch):
    """Issue 13 L4: the day's fold is made once for every consultant's screen, the boards' refreshes and the wall,
    and carried on by the taps added since, never folded from the start again (the load test's 2,000 taps cost
    ~100 ms a fold); what the screens show is the fold of every tap."""
    boss, people = showroom
    draw(engine, boss, people)
    tap(engine, people[0], people[0], "skip", at(DAY1, 10))
    real, folded = rotation.rules.fold, []
    monkeypatch.setattr(rotation.rules, "fold", lambda board, events, pending: folded.extend(events) or real(
        board, events, pending))
    rotation._DAY_LOGS.clear()
    screens = [rotation.board(engine, actor=who, now=at(DAY1, 10, 1)) for who in (boss, people[1], people[2])]
    assert len(folded) == 1 and {v.due_name for v in screens} == {"顾问2"}
    assert rotation.wall_queue(engine, now=at(DAY1, 10, 1))[0]["name"] == screens[0].slots[0].name
    assert len(folded) == 1
    tap(engine, people[1], people[1], "skip", at(DAY1, 10, 2))
    tap(engine, people[2], people[2], "skip", at(DAY1, 10, 3))
    assert [rotation.board(engine, actor=who, now=at(DAY1, 10, 4)).due_name for who in (boss, people[3])] == [
        "顾问4", "顾问4"]
    assert len(folded) == 3  # the two new taps, once each: the first tap was not folded again


def test_L4_the_carried_fold_equals_the_full_replay_whoever_taps_and_whatever_is_demoted(engine, showroom):
    """Issue 13 L4: the board carried on tap by tap (with a demotion made mid-day, T18, a stale screen's refusal,
    and a second engine writing as a second server would) is the board a full replay of the stored taps gives."""
    boss, people = showroom
    draw(engine, boss, people)
    other = make_engine(engine.url.render_as_string(hide_password=False))  # a second server on the same database
    writers = [engine, other]
    steps = [(people[0], "skip"), (people[1], "step_away"), (people[2], "skip"), (people[1], "back"),
             (people[3], "skip"), (people[4], "skip")]
    for minute, (who, kind) in enumerate(steps):
        tap(writers[minute % 2], who, who, kind, at(DAY1, 10, minute))
        if minute == 2:
            rotation.set_demotion(engine, actor=boss, consultant_id=people[5].id, month=DAY1.date(), reason="末位",
                                  now=at(DAY1, 10, 2) + dt.timedelta(seconds=30))
        shown = rotation.board(engine, actor=boss, now=at(DAY1, 10, minute) + dt.timedelta(seconds=40))
        with session_scope(engine, write=False) as session:
            row = rotation._day_row(session, DAY1.date())
            tz = rotation.settings.office_zone(session)
            full = rotation.rules.replay(rotation._order_of(row), [rotation._domain_event(r, tz) for r in
                                                                   rotation._records(session, row.id)],
                                         row.intern_id, rotation.rules.RotationSettings(row.groups_per_round),
                                         removals=rotation._removals(session, row, tz))
        assert [s.consultant_id for s in shown.slots] == [s.consultant for s in full.slots]
        assert (shown.due_id, shown.round_no, shown.seq) == (full.due, full.round_no, minute + 1)
    other.dispose()
    assert "顾问6" in shown.demoted
    with pytest.raises(Conflict):  # a screen that showed the board before the last two taps: told who is due now
        rotation.record_event(engine, actor=boss, consultant_id=people[0].id, event_type="skip", seen_seq=4,
                              now=at(DAY1, 11))
