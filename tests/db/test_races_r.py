"""Issue 12, one winner everywhere (R9, R10, R11) and nothing half-written (R15): races on SQLite and PostgreSQL.

Each race is run many times inside one test (a lost race on PostgreSQL shows within a few rounds); every round
asserts one winner, a translated refusal for the loser and the invariant the issue found broken.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, update
from sqlmodel import SQLModel, select

from db.engine import session_scope
from db.models import (LedgerEntryRecord, OrgUnit, QueueDay, QueueEventRecord, RosterEntryRecord,
                       ShowroomContactRecord, User)
from lib.domain.errors import Conflict, DomainError
from lib.i18n import catalog, translate
from lib.services import ledger, roster, rotation
from lib.services.showroom import write as showroom
from lib.services.ledger import ViolationFacts
from lib.services.showroom.write import RegisterForm
from tests.db.helpers import make_user, race

SH = dt.timezone(dt.timedelta(hours=8))
WEEK = [dt.date(2026, 5, 11) + dt.timedelta(days=i) for i in range(7)]
THURSDAY_BEFORE = dt.datetime(2026, 5, 7, 10, 0, tzinfo=SH)
ROUNDS = 50


def refused_in_chinese(exc: BaseException) -> str:
    """The loser's refusal is a domain error whose key has a Chinese (and English) text."""
    assert isinstance(exc, DomainError), repr(exc)
    assert exc.key in catalog("zh_CN") and exc.key in catalog("en"), exc.key
    return translate(exc.key, **exc.params)


# ---- R9: two swaps of one shift approved at once ---------------------------------------------------

@pytest.fixture
def two_shift_post(engine):
    boss = make_user(engine, username="chief", role="supervisor", name="值班经理", titles=["值班经理"])
    a, b = (make_user(engine, username=f"s{i}", name=f"中控员{i}") for i in (1, 2))
    with session_scope(engine) as session:
        post = OrgUnit(kind="post", name="中控室", min_staff=1, is_24x7=True, requires_training=True)
        session.add(post)
        session.flush()
        post_id = post.id
    for person in (a, b):
        roster.set_qualification(engine, actor=boss, staff_id=person.id, post_id=post_id, trained=True,
                                 cert_valid_until=None)
    template = roster.create_template(engine, actor=boss, preset="three_crew_two_shift", name="两班")
    period = roster.create_period(engine, actor=boss, post_id=post_id, template_id=template, first_day=WEEK[0],
                                  last_day=WEEK[-1])
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="day", days=WEEK)
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=b.id, shift="night", days=WEEK)
    prior = roster.create_period(engine, actor=boss, post_id=post_id, template_id=template,
                                 first_day=WEEK[0] - dt.timedelta(days=1), last_day=WEEK[0] - dt.timedelta(days=1))
    roster.add_entries(engine, actor=boss, period_id=prior, staff_id=b.id, shift="night",
                       days=[WEEK[0] - dt.timedelta(days=1)])
    roster.change_status(engine, actor=boss, period_id=period, target="published")
    return boss, a, b, period


def _entries(engine, period) -> dict[tuple[dt.date, str], int]:
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(RosterEntryRecord).where(RosterEntryRecord.period_id == period)).all()
        return {(r.day, r.shift): r.staff_id for r in rows}


def _entry_id(engine, period, day, shift) -> int:
    with session_scope(engine, write=False) as session:
        return session.exec(select(RosterEntryRecord.id).where(
            RosterEntryRecord.period_id == period, RosterEntryRecord.day == day,
            RosterEntryRecord.shift == shift)).one()


def test_R9_two_swaps_of_one_shift_approved_at_once_apply_once_and_keep_every_count(engine, two_shift_post):
    """R9: A's day shift is offered to B twice (for two different nights); both approvals race; exactly one
    applies, the other is refused in Chinese, and A and B keep their seven shifts each."""
    boss, a, b, period = two_shift_post
    start = _entries(engine, period)
    shared = _entry_id(engine, period, WEEK[2], "day")
    nights = [_entry_id(engine, period, WEEK[3], "night"), _entry_id(engine, period, WEEK[4], "night")]
    for _round in range(ROUNDS):
        with session_scope(engine) as session:  # put the roster back as published
            for (day, shift), staff_id in start.items():
                session.execute(update(RosterEntryRecord).where(
                    RosterEntryRecord.period_id == period, RosterEntryRecord.day == day,
                    RosterEntryRecord.shift == shift).values(staff_id=staff_id))
        swaps = [roster.file_swap(engine, actor=a, entry_id=shared, counterpart_entry_id=night,
                                  now=THURSDAY_BEFORE) for night in nights]
        results = race(*(lambda s=s: roster.decide_swap(engine, actor=boss, swap_id=s, approve=True)
                         for s in swaps))
        after = _entries(engine, period)
        assert Counter(after.values()) == Counter(start.values())  # 7 shifts each, nobody gained or lost one
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(refused) == 1, results
        assert isinstance(refused[0], Conflict) and refused[0].key == "rotation.swap.error.shift_moved"
        assert "换班" in refused_in_chinese(refused[0])
        moved = {k for k in start if after[k] != start[k]}
        winner = results.index(None)
        assert moved == {(WEEK[2], "day"), (WEEK[3 + winner], "night")}  # one swap's two entries, nothing else
        statuses = {r.id: r.status for r in roster.requests_list(engine, actor=boss)
                    if r.kind == "swap" and r.id in swaps}
        assert statuses[swaps[winner]] == "approved" and statuses[swaps[1 - winner]] == "requested"
        roster.decide_swap(engine, actor=boss, swap_id=swaps[1 - winner], approve=False)


# ---- R11: one decision per ledger entry state -----------------------------------------------------

LEDGER_NOW = dt.datetime(2026, 7, 20, 2, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def ledger_office(engine):
    gm = make_user(engine, username="gm", role="supervisor", name="总经理老周", titles=("总经理",))
    boss = make_user(engine, username="boss", role="supervisor", name="主管老李")
    staff = make_user(engine, username="s", name="孙悦")
    with session_scope(engine) as session:
        dept = OrgUnit(kind="department", name="客服部")
        session.add(dept)
        session.flush()
        team = OrgUnit(kind="team", name="一队", parent_id=dept.id)
        session.add(team)
        session.flush()
        user = session.get(User, staff.id)
        user.team_id, user.department_id = team.id, dept.id
        session.add(user)
    return gm, boss, staff


def test_R11_waive_and_reverse_of_one_confirmed_entry_at_once_have_one_winner(engine, ledger_office):
    """R11: a confirmed entry is waived and reversed at the same moment, many times over: exactly one decision
    stands each time (waived and not reversed, or reversed and still confirmed), the other is refused in Chinese."""
    gm, boss, staff = ledger_office
    rounds = 30
    for i in range(rounds):
        entry = ledger.propose_entry(engine, actor=boss, person_id=staff.id, code="PH1",
                                     occurred_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
                                     facts=ViolationFacts(), now=LEDGER_NOW)[0]
        ledger.decide_entry(engine, actor=gm, entry_id=entry, confirm=True, now=LEDGER_NOW)
        calls = [lambda: ledger.decide_entry(engine, actor=gm, entry_id=entry, confirm=False, reason="查无实据",
                                             now=LEDGER_NOW),
                 lambda: ledger.reverse_entry(engine, actor=gm, entry_id=entry, reason="更正", now=LEDGER_NOW)]
        results = race(*(calls if i % 2 else calls[::-1]))  # either may start first
        with session_scope(engine, write=False) as session:
            status = session.get(LedgerEntryRecord, entry).status
            reversals = session.exec(select(LedgerEntryRecord.id).where(
                LedgerEntryRecord.reverses_id == entry)).all()
        assert (status, len(reversals)) in {("waived", 0), ("confirmed", 1)}, (status, reversals, results)
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(refused) == 1, results
        refused_in_chinese(refused[0])


# ---- R10: a walk-in registered through the queue carries the step its screen showed ----------------

SHOWROOM_DAY = dt.datetime(2026, 5, 11, 10, 0, tzinfo=SH)  # a Monday


@pytest.fixture
def showroom_floor(engine):
    boss = make_user(engine, username="boss", role="supervisor", name="经理甲", titles=["销售经理"])
    people = [make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=["销售顾问"]) for i in range(1, 6)]
    rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[p.id for p in people],
                         now=SHOWROOM_DAY)
    return boss, people


def _walk_in(engine, actor, holders, phone, now):
    form = RegisterForm(channel="walk_in", customer_name="王先生", phone=phone, matter="卡罗拉试驾",
                        visit_date=now.date())
    return showroom.register_contact(engine, actor=actor, form=form, queue_tap=True, holders=holders,
                                     seen_seq=holders.seq, now=now)


def test_R10_two_walk_ins_registered_from_one_screen_at_once_one_is_refused_naming_who_is_due(engine,
                                                                                                showroom_floor):
    """R10: two desks showing the same queue step register a walk-in each for the front-desk holder at once:
    one is saved with its turn, the other is refused naming who is due now and saves nothing; no 抢客 flag."""
    boss, _people = showroom_floor
    for i in range(10):
        now = SHOWROOM_DAY + dt.timedelta(minutes=5 * i)
        holders = showroom.board_holders(engine, actor=boss, now=now)
        results = race(*(lambda p=p: _walk_in(engine, boss, holders, p, now)
                         for p in (f"1381234{i:02d}01", f"1381234{i:02d}02")))
        saved = [r for r in results if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(saved) == 1 and len(refused) == 1, results
        assert saved[0].receiver_id == holders.front_desk_id and saved[0].queue_error is None
        assert refused[0].key in rotation.STALE_SCREEN_KEYS
        due_now = rotation.board(engine, actor=boss, now=now).due_name
        assert due_now in refused_in_chinese(refused[0])
    with session_scope(engine, write=False) as session:
        contacts = session.exec(select(ShowroomContactRecord)).all()
        events = session.exec(select(QueueEventRecord)).all()
    assert len(contacts) == 10 and len(events) == 10
    assert sorted(e.contact_id for e in events) == sorted(c.id for c in contacts)  # every walk-in has its turn
    assert [e.flag for e in events if e.flag] == []  # no false 疑似抢客


# ---- R15: a refused first queue action of the day writes nothing -----------------------------------

def _row_counts(engine) -> dict[str, int]:
    with session_scope(engine, write=False) as session:
        return {table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
                for table in SQLModel.metadata.sorted_tables}


def test_R15_a_refused_first_queue_action_of_the_day_leaves_every_table_as_it_was(engine, showroom_floor):
    """R15: the day's first tap is refused (not this consultant's turn, no reason): no queue_day, no audit row,
    nothing in any table; the same through a registration, where the contact stays but the queue is untouched."""
    boss, people = showroom_floor
    before = _row_counts(engine)
    with pytest.raises(DomainError) as refused:
        rotation.record_event(engine, actor=people[2], consultant_id=people[2].id, event_type="received_new",
                              now=SHOWROOM_DAY)
    assert refused.value.key == "rotation.error.not_your_turn"
    assert _row_counts(engine) == before
    form = RegisterForm(channel="walk_in", customer_name="李女士", phone="13900001111", matter="询价",
                        visit_date=SHOWROOM_DAY.date(), receiver_id=people[2].id)
    result = showroom.register_contact(engine, actor=boss, form=form, queue_tap=True, now=SHOWROOM_DAY)
    assert result.queue_error is not None and result.queue_error.key == "rotation.error.not_your_turn"
    after = _row_counts(engine)
    assert after["showroom_contact"] == before["showroom_contact"] + 1
    assert (after["queue_day"], after["queue_event"]) == (before["queue_day"], before["queue_event"]) == (0, 0)
    with session_scope(engine, write=False) as session:
        assert session.exec(select(QueueDay)).first() is None
