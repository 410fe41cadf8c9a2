"""Register engine gaps from the family helpers (issue 14, engine_needs), on SQLite and PostgreSQL:
EG1 the guard sees a draft before it is saved, EG2 a register due again a period after its latest entry,
EG3 late fields filled by a title, EG4 an effect-opened entry is derived."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models_registers import register_table
from lib.domain import office as O
from lib.domain.errors import DomainError, NotAllowed
from lib.domain.registers import life as L
from lib.domain.registers.model import Cadence
from lib.services import registers as R
from lib.services import settings as S
from tests.db.registers_family_kit import DAY, NOW, at, make_office

D = dt.timedelta


@pytest.fixture
def office(engine):
    return engine, make_office(engine)


def _count(engine, register: str) -> int:
    tbl = register_table(register)
    with session_scope(engine, write=False) as session:
        return len(session.execute(select(tbl.c.id)).all())


def test_EG1_guard_on_create_refuses_a_draft_with_a_skipped_seal_step(office):
    """EG1 (need 4): ``guard(entry, "create")`` runs before a draft is saved: a seal draft dated 启用 without
    刻制/发放 is refused and nothing is written; a draft in order is saved."""
    engine, p = office
    values = {"seal_type": "contract", "name": "合同专用章(二)", "carved_on": DAY, "activated_on": DAY}
    with pytest.raises(DomainError) as refused:
        R.create_entry(engine, actor=p["admin_office"], register="seal", values=values, submit=False, now=NOW)
    assert refused.value.key == "registers.seal.skipped.active"
    assert _count(engine, "seal") == 0
    draft = R.create_entry(engine, actor=p["admin_office"], register="seal", submit=False, now=NOW,
                           values={**values, "activated_on": None})
    entry = R.get_entry(engine, actor=p["admin_office"], register="seal", entry_id=draft, now=NOW).entry
    assert entry.state == "draft" and entry.values["status"] == "carved"


SH = O.zone("Asia/Shanghai")
UTC = dt.timezone.utc


def test_EG2_cadence_due_adds_minutes_days_and_months_in_office_time():
    """EG2 (pure): every 15 minutes (issue 14), every 7 days, monthly (Jan 31 -> Feb 28, office clock kept) and a
    month kept in arrears due by the end of the 5th of the month after the next one (S57)."""
    at = dt.datetime(2027, 1, 31, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    assert L.cadence_due(Cadence("minutes", 15), at, every=15, day=None, tz=SH) == at + D(minutes=15)
    assert L.cadence_due(Cadence("days", 7), at, every=7, day=None, tz=SH) == at + D(days=7)
    assert L.cadence_due(Cadence("months"), at, every=1, day=None, tz=SH) == dt.datetime(2027, 2, 28, 1, 30, tzinfo=UTC)
    assert L.cadence_due(Cadence("months"), at, every=6, day=None, tz=SH) == dt.datetime(2027, 7, 31, 1, 30, tzinfo=UTC)
    jan = dt.date(2027, 1, 1)
    assert L.cadence_due(Cadence("months", day_setting="x"), jan, every=1, day=5, tz=SH) == \
        dt.datetime(2027, 3, 5, 16, 0, tzinfo=UTC)  # February's bill: by the end of 5 March, office time
    assert L.cadence_due(Cadence("months", day_setting="x"), dt.date(2027, 11, 1), every=1, day=31, tz=SH) == \
        dt.datetime(2028, 1, 31, 16, 0, tzinfo=UTC)  # December's bill by the end of 31 January, across the year
    with pytest.raises(ValueError):
        Cadence("weeks")
    assert not L.cadence_listed(at + D(days=30), at, at + D(days=22), 7)
    assert L.cadence_listed(at + D(days=30), at, at + D(days=23), 7)
    assert L.cadence_listed(at + D(minutes=15), at, at + D(minutes=8), 7)  # half the period at most


def _cadence(engine, register: str, now: dt.datetime):
    return [d for d in R.open_dues(engine, now, register=register) if d.kind == "cadence"]


def test_EG2_machine_inspection_is_due_monthly_after_the_latest_and_quarterly_by_setting(office):
    """EG2 (seed 000 D10 「定期(如每月或每季度)…进行巡检」): nothing before the first inspection; the next is due a
    month after the latest, listed a week before for the 信息中心经理 and overdue after; a new inspection moves it;
    the setting makes it quarterly."""
    engine, p = office
    assert _cadence(engine, "machine_inspection", NOW) == []
    first = R.create_entry(engine, actor=p["info_manager"], register="machine_inspection", now=NOW,
                           values={"inspected_at": NOW, "inspector_id": p["info_manager"].id})
    due_at = dt.datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
    assert _cadence(engine, "machine_inspection", NOW + D(days=1)) == []
    (soon,) = _cadence(engine, "machine_inspection", due_at - D(days=6))
    assert (soon.entry_id, soon.due_at, soon.overdue, soon.step_title) == (first, due_at, False, "信息中心经理")
    (late,) = _cadence(engine, "machine_inspection", due_at + D(hours=1))
    assert late.overdue
    assert any(d.kind == "cadence" and d.register == "machine_inspection"
               for d in R.open_dues(engine, due_at + D(hours=1)))  # every register's dues, as the inbox reads them
    again = due_at + D(hours=2)
    R.create_entry(engine, actor=p["info_manager"], register="machine_inspection", now=again,
                   values={"inspected_at": again, "inspector_id": p["info_manager"].id})
    assert _cadence(engine, "machine_inspection", again + D(minutes=1)) == []
    (next_one,) = _cadence(engine, "machine_inspection", dt.datetime(2027, 1, 19, tzinfo=UTC))
    assert next_one.due_at == dt.datetime(2027, 1, 20, 4, 0, tzinfo=UTC)
    S.change_setting(engine, actor=p["admin"], key="registers.machine_inspection.every_months", value=3)
    assert _cadence(engine, "machine_inspection", dt.datetime(2027, 1, 21, tzinfo=UTC)) == []
    (quarterly,) = _cadence(engine, "machine_inspection", dt.datetime(2027, 3, 19, tzinfo=UTC))
    assert quarterly.due_at == dt.datetime(2027, 3, 20, 4, 0, tzinfo=UTC)


def test_EG2_S57_february_never_entered_is_overdue_on_6_march(office):
    """EG2, S57 (seed 002 #1 「每月5日前」): January's bill entered, February's never: on 6 March the register is
    overdue for 行政管理中心 (行政主管), due the end of 5 March; entering February moves it to 5 April."""
    engine, p = office
    R.create_entry(engine, actor=p["admin_office"], register="phone_bill", now=dt.datetime(2027, 2, 3, tzinfo=UTC),
                   values={"month": dt.date(2027, 1, 1), "statement_total": Decimal("790.00")})
    march_6 = dt.datetime(2027, 3, 6, 2, 0, tzinfo=UTC)
    (missing,) = _cadence(engine, "phone_bill", march_6)
    assert (missing.due_at, missing.overdue, missing.step_title) == \
        (dt.datetime(2027, 3, 5, 16, 0, tzinfo=UTC), True, "行政主管")
    R.create_entry(engine, actor=p["admin_office"], register="phone_bill", now=march_6,
                   values={"month": dt.date(2027, 2, 1), "statement_total": Decimal("812.40")})
    assert _cadence(engine, "phone_bill", march_6 + D(minutes=1)) == []
    (april,) = _cadence(engine, "phone_bill", dt.datetime(2027, 4, 1, tzinfo=UTC))
    assert (april.due_at, april.overdue) == (dt.datetime(2027, 4, 5, 16, 0, tzinfo=UTC), False)


def _use(p) -> dict:
    return {"department": "销售部", "requester_id": p["applicant"].id, "requested_at": NOW, "seal_type": "contract",
            "seal": "合同专用章(一)", "document": "某公司采购合同", "purpose": "签订合同", "copies": 2}


def test_EG3_the_seal_keeper_registers_the_use_after_review_late_titles(office):
    """EG3 (needs 1, seed 001 D18 「用印审核、使用登记」): ``late_titles`` let the 印章管理员 fill 使用登记 (date,
    keeper) on another's approved use, and only those late fields; no one else, and not on a draft."""
    engine, p = office
    R.create_entry(engine, actor=p["admin_office"], register="seal", now=NOW, values={  # a seal in use (SE4)
        "seal_type": "contract", "name": "合同专用章(一)", "carved_on": DAY - D(days=3), "issued_on": DAY - D(days=2),
        "activated_on": DAY - D(days=1)})
    draft = R.create_entry(engine, actor=p["applicant"], register="seal_use", values=_use(p), submit=False, now=NOW)
    with pytest.raises(NotAllowed):
        R.edit_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=draft, now=at(1),
                     values={**_use(p), "copies": 3})
    use = R.create_entry(engine, actor=p["applicant"], register="seal_use", values=_use(p), now=at(2))
    R.approve_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=use, step_no=0, now=at(3))
    detail = R.get_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=use, now=at(4))
    assert detail.may_edit == ("used_at", "keeper_id")
    assert R.get_entry(engine, actor=p["colleague"], register="seal_use", entry_id=use, now=at(4)).may_edit == ()
    with pytest.raises(NotAllowed):
        R.edit_entry(engine, actor=p["colleague"], register="seal_use", entry_id=use, now=at(5),
                     values={"used_at": at(5), "keeper_id": p["seal_keeper"].id})
    with pytest.raises(DomainError) as locked:
        R.edit_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=use, now=at(5),
                     values={"copies": 5})
    assert locked.value.key == "registers.locked"
    R.edit_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=use, now=at(6),
                 values={"used_at": at(6), "keeper_id": p["seal_keeper"].id})
    entry = R.get_entry(engine, actor=p["applicant"], register="seal_use", entry_id=use, now=at(7)).entry
    assert (entry.values["used_at"], entry.values["keeper_id"]) == (at(6), p["seal_keeper"].id)


def test_EG3_the_admin_centre_writes_a_phone_faults_progress(office):
    """EG3 (phones need 5, seed 002 #1): 行政管理中心 (行政主管) writes 维修中/已修复 on a fault another reported."""
    engine, p = office
    fault = R.create_entry(engine, actor=p["applicant"], register="phone_fault", now=NOW,
                           values={"line": "8001", "reporter_id": p["applicant"].id, "reported_at": NOW,
                                   "description": "无拨号音"})
    with pytest.raises(NotAllowed):
        R.edit_entry(engine, actor=p["colleague"], register="phone_fault", entry_id=fault, now=at(1),
                     values={"repairing_at": at(1)})
    R.edit_entry(engine, actor=p["admin_office"], register="phone_fault", entry_id=fault, now=at(2),
                 values={"repairing_at": at(2)})
    R.edit_entry(engine, actor=p["admin_office"], register="phone_fault", entry_id=fault, now=at(3),
                 values={"repaired_at": at(3)})
    entry = R.get_entry(engine, actor=p["applicant"], register="phone_fault", entry_id=fault, now=at(4)).entry
    assert entry.values["status"] == "repaired"


def test_EG4_an_entry_opened_by_an_effect_is_derived(office):
    """EG4 (need 7): the 印章配置申请 approval opens the new seals (OpenEntry) with their derived status
    (``requested``: not carved yet), not NULL until someone edits them."""
    engine, p = office
    request = R.create_entry(engine, actor=p["applicant"], register="seal_config", now=NOW, values={
        "requester_id": p["applicant"].id, "requested_at": NOW, "seal_type": "other", "name": "销售部业务专用章",
        "quantity": 2, "grounds": "新设销售部门需要业务用章"})
    R.approve_entry(engine, actor=p["admin_office"], register="seal_config", entry_id=request, step_no=0, now=at(2))
    seal = register_table("seal")
    with session_scope(engine, write=False) as session:
        rows = session.execute(select(seal.c.state, seal.c.status, seal.c.request_id)).all()
    assert sorted(tuple(r) for r in rows) == [("draft", "requested", request)] * 2


def test_EG2_I1_a_register_due_again_is_in_the_inbox_of_the_title_that_keeps_it(office):
    """EG2 + issue 15 I1: the monthly machine-room inspection, overdue, is on the 信息中心经理's inbox whoever
    entered the last one, and on nobody else's."""
    from lib.services import inbox

    engine, p = office
    R.create_entry(engine, actor=p["admin"], register="machine_inspection", now=NOW,
                   values={"inspected_at": NOW, "inspector_id": p["info_manager"].id})
    late = dt.datetime(2026, 12, 20, 3, 0, tzinfo=UTC)

    def cadence_items(person):
        view = inbox.inbox(engine, actor=person, now=late).inbox
        return [i for i in view.overdue + view.soon + view.other if i.reason_key == "registers.due.cadence"]

    (item,) = cadence_items(p["info_manager"])
    assert item.due_at == dt.datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
    assert cadence_items(p["clerk"]) == [] and cadence_items(p["admin"]) == []
