"""The inbox's later providers on SQLite and PostgreSQL (issue 15 I1, part 2): demotion decisions, proposals
waiting for the decider, the SQ1 proposal the sweeper writes once (S6), register-engine steps for the title
in the entry's department and loans due back for their keeper."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from db.engine import session_scope
from db.models import LedgerEntryRecord
from lib.domain.inbox import Item, Viewer, is_for
from lib.notify.sweeper import raise_sq1
from lib.services import inbox, ledger, rotation
from lib.services import registers as R
from lib.services.kpi import rankings as kpi
from tests.db.helpers import make_user
from tests.db.test_registers_db import NOW, loan_values
from tests.db.test_registers_db import office  # noqa: F401 - the register engine's office fixture

UTC = dt.timezone.utc
SH = dt.timezone(dt.timedelta(hours=8))


def kinds(view, kind):
    return [(i.record_id, lv) for lv, items in (("overdue", view.inbox.overdue), ("soon", view.inbox.soon),
                                                  ("other", view.inbox.other)) for i in items if i.kind == kind]


def test_I1_a_department_scoped_title_only_counts_in_that_department():
    item = Item("register_step", 1, "t", for_titles=("部门经理",), title_units=(7,))
    assert is_for(item, Viewer(1, "supervisor", ("部门经理",), (7,)))
    assert not is_for(item, Viewer(2, "supervisor", ("部门经理",), (8,)))
    assert not is_for(item, Viewer(3, "staff", (), (7,)))
    assert is_for(Item("register_step", 1, "t", for_titles=("信息查询员",)), Viewer(4, "staff", ("信息查询员",), ()))


def test_I1_register_step_for_the_entry_departments_manager_then_the_loan_for_its_keeper(office):  # noqa: F811
    """S59 through the inbox: the 部门经理 step shows for the sales manager, not the service one; once lent,
    the loan overdue shows red for the person who holds it."""
    engine, p = office
    entry_id = R.create_entry(engine, actor=p["applicant"], register="special_loan", values=loan_values(p), now=NOW)
    later = NOW + dt.timedelta(minutes=5)
    assert [r for r, _lv in kinds(inbox.inbox(engine, actor=p["manager"], now=later), "register_step")] == [entry_id]
    assert kinds(inbox.inbox(engine, actor=p["other_manager"], now=later), "register_step") == []
    assert kinds(inbox.inbox(engine, actor=p["applicant"], now=later), "register_step") == []
    R.approve_entry(engine, actor=p["manager"], register="special_loan", entry_id=entry_id, step_no=0, now=later)
    assert kinds(inbox.inbox(engine, actor=p["manager"], now=later), "register_step") == []
    late = NOW + dt.timedelta(days=8)
    assert kinds(inbox.inbox(engine, actor=p["applicant"], now=late), "register_due") == [(entry_id, "overdue")]
    assert kinds(inbox.inbox(engine, actor=p["colleague"], now=late), "register_due") == []


def _sales(engine, boss, people, month, last):
    units = {person.id: 10 - i for i, person in enumerate(people)}
    units[people[last - 1].id] = 1
    kpi.save_sales(engine, actor=boss, month=month, units=units,
                   now=dt.datetime.combine(month + dt.timedelta(days=27), dt.time(2), tzinfo=UTC))


def test_I1_a_triggered_demotion_waits_for_the_sales_manager_until_decided(engine):
    boss = make_user(engine, username="boss", role="supervisor", name="销售经理", titles=["销售经理"])
    other = make_user(engine, username="cs", role="supervisor", name="客服主管", titles=["客服主管"])
    people = [make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=("销售顾问",)) for i in range(1, 7)]
    _sales(engine, boss, people, dt.date(2026, 3, 1), last=6)
    _sales(engine, boss, people, dt.date(2026, 4, 1), last=6)
    now = dt.datetime(2026, 4, 30, 2, tzinfo=UTC)
    view = inbox.inbox(engine, actor=boss, now=now)
    (item,) = [i for i in view.inbox.overdue + view.inbox.soon + view.inbox.other if i.kind == "demotion_decision"]
    assert item.record_id == people[5].id and item.params["name"] == "顾问6"
    assert item.due_at == dt.datetime(2026, 5, 1, tzinfo=SH)  # the demotion's first day, office time
    assert kinds(inbox.inbox(engine, actor=other, now=now), "demotion_decision") == []
    kpi.decide_demotion(engine, actor=boss, consultant_id=people[5].id, trigger_month=dt.date(2026, 4, 1),
                        confirm=False, reason="新人首月，免除", now=now)
    assert kinds(inbox.inbox(engine, actor=boss, now=now), "demotion_decision") == []


def test_S6_the_sweeper_writes_one_SQ1_proposal_and_the_decider_sees_it(engine):
    """A desk left without handover becomes one SQ1 ledger proposal, however often the sweeper runs."""
    boss = make_user(engine, username="boss", role="supervisor", name="销售经理", titles=["销售经理"])
    gm = make_user(engine, username="gm", role="supervisor", name="总经理", titles=["总经理"])
    people = [make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=["销售顾问"]) for i in range(1, 7)]
    day = dt.datetime(2026, 5, 11, 9, 0, tzinfo=SH)
    rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[p.id for p in people], now=day)
    rotation.record_event(engine, actor=boss, consultant_id=people[0].id, event_type="step_away", hand_over=False,
                          now=day.replace(hour=10, minute=5))
    sweep = day.replace(hour=10, minute=6)
    assert raise_sq1(engine, now=sweep) == 1
    assert raise_sq1(engine, now=sweep + dt.timedelta(minutes=1)) == 0
    assert raise_sq1(engine, now=sweep + dt.timedelta(hours=20)) == 0  # the next day still sees it, writes nothing
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(LedgerEntryRecord.person_id, LedgerEntryRecord.code, LedgerEntryRecord.status,
                                   LedgerEntryRecord.action, LedgerEntryRecord.occurred_on)).all()
    assert rows == [(people[0].id, "SQ1", "proposed", "written_warning", dt.date(2026, 5, 11))]
    view = inbox.inbox(engine, actor=gm, now=sweep)
    assert [(i.kind, i.params["name"], i.params["code"]) for i in view.inbox.other
            if i.kind == "warning_proposal"] == [("warning_proposal", "顾问1", "SQ1")]
    assert kinds(inbox.inbox(engine, actor=boss, now=sweep), "warning_proposal") == []
    (entry_id,) = [r.id for r in ledger.pending(engine, actor=gm)]
    ledger.decide_entry(engine, actor=gm, entry_id=entry_id, confirm=True, now=sweep)
    assert kinds(inbox.inbox(engine, actor=gm, now=sweep), "warning_proposal") == []
