"""Equipment on the register engine (seed 003 X6#20–26, seed 000 D10; REGISTERS.md §1.9), on SQLite and
PostgreSQL: EQ1 a laptop loan blocks its borrower's departure until it is returned, EQ2 the ledger numbers each
asset once and its repairs get their 维修记录 after lock, EQ3 the machine room lets a visitor in and a change be
made only after 信息中心 approves, EQ4 the ledger's 调换 and 维修中 statuses and its half-yearly 盘点清查."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models_registers import register_table
from lib.domain.errors import DomainError, NotAllowed, ValidationFailed
from lib.services import inbox
from lib.services import registers as R
from tests.db.registers_family_kit import DAY, NOW, at, make_office

H = dt.timedelta(hours=1)


@pytest.fixture
def office(engine):
    return engine, make_office(engine)


def test_EQ1_laptop_loan_blocks_departure_until_returned(office):
    """EQ1: 《笔记本电脑借用单》: recorded at once, due back on its date, overdue after; an open loan is a departure
    blocker (REGISTERS.md §2.2) until 归还时间 is filled."""
    engine, p = office
    loan = R.create_entry(engine, actor=p["applicant"], register="laptop_loan", now=NOW, values={
        "borrower_id": p["applicant"].id, "asset_no": "NB-007", "purpose": "外出投标演示", "lent_at": NOW,
        "due_back": DAY + dt.timedelta(days=2)})
    assert [(b.register, b.entry_id, b.key) for b in R.blockers(engine, person_id=p["applicant"].id, now=at(1))] == \
        [("laptop_loan", loan, "registers.blocker.open_laptop_loan")]
    assert R.blockers(engine, person_id=p["colleague"].id, now=at(1)) == []
    (due,) = R.open_dues(engine, at(1), register="laptop_loan")
    assert (due.kind, due.due_at, due.overdue) == ("laptop_return", NOW + dt.timedelta(days=3), False)
    (late,) = R.open_dues(engine, NOW + dt.timedelta(days=3, minutes=1), register="laptop_loan")
    assert late.overdue
    with pytest.raises(ValidationFailed) as before:
        R.edit_entry(engine, actor=p["applicant"], register="laptop_loan", entry_id=loan, values={"returned_at": NOW - H},
                     now=at(5))
    assert before.value.keys() == {"reg.laptop_loan.returned_at": "registers.returned_before_lent"}
    R.edit_entry(engine, actor=p["applicant"], register="laptop_loan", entry_id=loan, values={"returned_at": NOW + 50 * H},
                 now=NOW + 50 * H)
    assert R.blockers(engine, person_id=p["applicant"].id, now=NOW + 51 * H) == []
    assert R.open_dues(engine, NOW + 100 * H, register="laptop_loan") == []
    other = R.create_entry(engine, actor=p["colleague"], register="laptop_loan", now=NOW, values={
        "borrower_id": p["colleague"].id, "asset_no": "NB-008", "purpose": "出差", "lent_at": NOW})
    (due,) = R.open_dues(engine, at(1), register="laptop_loan")
    assert (due.entry_id, due.due_at) == (other, NOW + dt.timedelta(days=7))  # registers.laptop_loan.days


def test_EQ2_ledger_numbers_each_asset_once_and_repairs_are_recorded_after_lock(office):
    """EQ2: 「对部门领取的设备进行编号」: an asset number is used once; 报废 dated once (status derived); a repair form
    is filled by the 部门主管 with its 维修记录 once the repair is done."""
    engine, p = office
    asset = {"asset_no": "PC-2026-001", "category": "computer", "name": "联想台式机", "department": "销售部",
             "holder_id": p["applicant"].id, "issued_on": DAY, "warranty_end": DAY + dt.timedelta(days=365)}
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["applicant"], register="equipment", values=asset, now=NOW)
    first = R.create_entry(engine, actor=p["admin_office"], register="equipment", values=asset, now=NOW)
    with pytest.raises(ValidationFailed) as twice:
        R.create_entry(engine, actor=p["admin_office"], register="equipment", values=asset, now=at(1))
    assert twice.value.keys() == {"reg.equipment.asset_no": "registers.duplicate"}
    repair = R.create_entry(engine, actor=p["supervisor"], register="equipment_repair", now=at(2), values={
        "asset_no": "PC-2026-001", "fault": "无法开机", "in_warranty": True, "reported_at": at(2)})
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["applicant"], register="equipment_repair", now=at(2), values={
            "asset_no": "PC-2026-001", "fault": "无法开机", "reported_at": at(2)})
    with pytest.raises(ValidationFailed):
        R.edit_entry(engine, actor=p["supervisor"], register="equipment_repair", entry_id=repair, now=at(3),
                     values={"finished_at": at(1)})
    R.edit_entry(engine, actor=p["supervisor"], register="equipment_repair", entry_id=repair, now=at(60), values={
        "repair_record": "供应商上门更换电源", "finished_at": at(60), "repairer": "联想服务站"})
    done = R.get_entry(engine, actor=p["supervisor"], register="equipment_repair", entry_id=repair, now=at(61)).entry
    assert done.values["repair_record"] == "供应商上门更换电源" and done.locked
    R.edit_entry(engine, actor=p["admin_office"], register="equipment", entry_id=first, now=at(90),
                 values={"scrapped_on": DAY + dt.timedelta(days=400)})
    entry = R.get_entry(engine, actor=p["admin_office"], register="equipment", entry_id=first, now=at(91)).entry
    assert entry.values["status"] == "scrapped"


def test_EQ3_machine_room_access_and_changes_wait_for_the_information_centre(office):
    """EQ3 (seed 000 D10): a non-staff visitor enters only after 信息中心 approves (then the time they left is
    filled); a hardware change is made only after the 负责人's written approval; device history, inspections and
    major faults are recorded at once."""
    engine, p = office
    visit = R.create_entry(engine, actor=p["clerk"], register="machine_access", now=NOW, values={
        "visitor": "张工(供应商)", "organisation": "某网络公司", "purpose": "更换交换机", "entered_at": NOW,
        "escort_id": p["clerk"].id})
    with pytest.raises((ValidationFailed, DomainError)):
        R.edit_entry(engine, actor=p["clerk"], register="machine_access", entry_id=visit, values={"left_at": at(30)},
                     now=at(30))
    R.approve_entry(engine, actor=p["info_manager"], register="machine_access", entry_id=visit, step_no=0, now=at(1))
    R.edit_entry(engine, actor=p["clerk"], register="machine_access", entry_id=visit, values={"left_at": at(40)},
                 now=at(40))
    entry = R.get_entry(engine, actor=p["clerk"], register="machine_access", entry_id=visit, now=at(41)).entry
    assert (entry.state, entry.values["approved_by"], entry.values["left_at"]) == ("approved", "info_manager", at(40))
    change = R.create_entry(engine, actor=p["clerk"], register="machine_change", now=NOW, values={
        "device": "核心交换机", "change": "更换为千兆交换机", "requested_at": NOW, "requester_id": p["clerk"].id})
    with pytest.raises((ValidationFailed, DomainError)):
        R.edit_entry(engine, actor=p["clerk"], register="machine_change", entry_id=change, values={"done_at": at(5)},
                     now=at(5))
    R.approve_entry(engine, actor=p["info_manager"], register="machine_change", entry_id=change, now=at(6))
    R.edit_entry(engine, actor=p["clerk"], register="machine_change", entry_id=change, values={"done_at": at(7)},
                 now=at(7))
    for register, values in (
            ("machine_history", {"device": "核心交换机", "event": "change", "occurred_at": at(7),
                                 "description": "更换为千兆交换机", "operator_id": p["clerk"].id}),
            ("machine_inspection", {"inspected_at": at(8), "inspector_id": p["clerk"].id, "ups_ok": True,
                                    "fire_ok": True}),
            ("machine_fault", {"occurred_at": at(9), "device": "UPS", "description": "市电中断", "reported_to": "信息中心经理"})):
        entry_id = R.create_entry(engine, actor=p["clerk"], register=register, values=values, now=at(10))
        entry = R.get_entry(engine, actor=p["clerk"], register=register, entry_id=entry_id, now=at(11)).entry
        assert (entry.state, entry.locked) == ("recorded", True), register


# ------------------------------------------------------------------------------ EQ4: 调换, 维修中, 盘点清查
ASSET = {"asset_no": "PC-2026-010", "category": "computer", "name": "联想台式机", "department": "销售部",
         "issued_on": DAY}


def test_EQ4a_a_swap_is_dated_once_names_the_other_asset_and_the_status_reads_swapped(office):
    """EQ4a (seed 003 X6#20 [EQ-a] 「维修保养、设备调换」): the ledger's status is {在用, 维修, 调换, 报废}; a swap is
    filled after lock with its date and the asset it was swapped for (both, not itself, not before issue), once;
    报废 afterwards wins."""
    engine, p = office
    entry_id = R.create_entry(engine, actor=p["admin_office"], register="equipment", values=ASSET, now=NOW)
    for values, keys in (
            ({"swapped_on": DAY + dt.timedelta(days=30)}, {"reg.equipment.swapped_for": "registers.equipment.swap_needs_both"}),
            ({"swapped_on": DAY + dt.timedelta(days=30), "swapped_for": "PC-2026-010"},
             {"reg.equipment.swapped_for": "registers.equipment.swapped_for_itself"}),
            ({"swapped_on": DAY - dt.timedelta(days=1), "swapped_for": "PC-2026-011"},
             {"reg.equipment.swapped_on": "registers.equipment.swapped_before_issued"})):
        with pytest.raises(ValidationFailed) as bad:
            R.edit_entry(engine, actor=p["admin_office"], register="equipment", entry_id=entry_id, values=values,
                         now=at(60))
        assert bad.value.keys() == keys
    R.edit_entry(engine, actor=p["admin_office"], register="equipment", entry_id=entry_id, now=at(60),
                 values={"swapped_on": DAY + dt.timedelta(days=30), "swapped_for": "PC-2026-011"})
    entry = R.get_entry(engine, actor=p["admin_office"], register="equipment", entry_id=entry_id, now=at(61)).entry
    assert (entry.values["status"], entry.values["swapped_for"], entry.locked) == ("swapped", "PC-2026-011", True)
    with pytest.raises(DomainError):  # set once: a different swap is a correction
        R.edit_entry(engine, actor=p["admin_office"], register="equipment", entry_id=entry_id, now=at(62),
                     values={"swapped_for": "PC-2026-012"})
    R.edit_entry(engine, actor=p["admin_office"], register="equipment", entry_id=entry_id, now=at(63),
                 values={"scrapped_on": DAY + dt.timedelta(days=400)})
    entry = R.get_entry(engine, actor=p["admin_office"], register="equipment", entry_id=entry_id, now=at(64)).entry
    assert entry.values["status"] == "scrapped"


def test_EQ4b_an_open_repair_form_shows_the_asset_in_repair_without_editing_the_locked_ledger(office):
    """EQ4b (seed 003 X6#22 [EQ-c]): while a repair form of an asset is open (no 修复时间) the ledger's list, entry
    and export show it 维修中; the locked ledger row itself is never written by the repair (its stored status
    stays 在用, no step is added); once repaired it reads 在用 again. Another asset is not affected; a scrapped
    one stays 报废."""
    engine, p = office
    first = R.create_entry(engine, actor=p["admin_office"], register="equipment", values=ASSET, now=NOW)
    other = R.create_entry(engine, actor=p["admin_office"], register="equipment", now=NOW,
                           values={**ASSET, "asset_no": "PC-2026-011"})
    steps_before = len(R.get_entry(engine, actor=p["admin_office"], register="equipment", entry_id=first,
                                   now=at(1)).steps)
    repair = R.create_entry(engine, actor=p["supervisor"], register="equipment_repair", now=at(2), values={
        "asset_no": "PC-2026-010", "fault": "无法开机", "in_warranty": True, "reported_at": at(2)})

    def shown(when):
        page = R.list_entries(engine, actor=p["admin_office"], register="equipment", now=when,
                              query=R.Query(first=DAY, last=DAY))
        return {e.values["asset_no"]: e.values["status"] for e in page.rows}

    assert shown(at(3)) == {"PC-2026-010": "repair", "PC-2026-011": "in_use"}
    detail = R.get_entry(engine, actor=p["admin_office"], register="equipment", entry_id=first, now=at(3))
    assert detail.entry.values["status"] == "repair" and len(detail.steps) == steps_before
    csv_text = b"".join(R.export_csv(engine, actor=p["admin_office"], register="equipment",
                                     query=R.Query(first=DAY, last=DAY), now=at(3))).decode("utf-8-sig")
    assert "维修中" in csv_text or "In repair" in csv_text
    with session_scope(engine, write=False) as session:
        stored = session.execute(select(register_table("equipment").c.status, register_table("equipment").c.updated_at)
                                 .where(register_table("equipment").c.id == first)).one()
    assert stored.status == "in_use" and stored.updated_at == NOW  # written at submit, never since
    R.edit_entry(engine, actor=p["supervisor"], register="equipment_repair", entry_id=repair, now=at(60), values={
        "repair_record": "更换电源", "finished_at": at(60)})
    assert shown(at(61)) == {"PC-2026-010": "in_use", "PC-2026-011": "in_use"}
    R.create_entry(engine, actor=p["supervisor"], register="equipment_repair", now=at(70), values={
        "asset_no": "PC-2026-011", "fault": "屏幕损坏", "reported_at": at(70)})
    R.edit_entry(engine, actor=p["admin_office"], register="equipment", entry_id=other, now=at(71),
                 values={"scrapped_on": DAY + dt.timedelta(days=1)})
    assert shown(at(72)) == {"PC-2026-010": "in_use", "PC-2026-011": "scrapped"}


def test_EQ4c_the_stocktake_is_due_every_half_year_in_the_ledger_keepers_inbox(office):
    """EQ4c (seed 003 X6#23 [EQ-e] 「每半年盘点清查一次,作到账物相符」): the stocktake is a register due six months
    (a setting) after the latest count, listed a week before, overdue after, in the inbox of the 行政主管 who keeps
    the ledger (nobody else's); a count that does not match says what differs; the next count clears it."""
    engine, p = office
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["applicant"], register="equipment_stocktake", now=NOW, values={
            "counted_on": DAY, "counter_id": p["applicant"].id, "items_counted": 10, "matched": True})
    with pytest.raises(ValidationFailed) as unsaid:
        R.create_entry(engine, actor=p["admin_office"], register="equipment_stocktake", now=NOW, values={
            "counted_on": DAY, "counter_id": p["admin_office"].id, "items_counted": 42, "matched": False})
    assert unsaid.value.keys() == {"reg.equipment_stocktake.findings": "registers.equipment_stocktake.findings_required"}
    R.create_entry(engine, actor=p["admin_office"], register="equipment_stocktake", now=NOW, values={
        "counted_on": DAY, "counter_id": p["admin_office"].id, "items_counted": 42, "matched": False,
        "findings": "XZ-004 投影仪不在行政部,已借给销售部未登记"})
    due = dt.datetime(2027, 5, 19, 16, 0, tzinfo=dt.timezone.utc)  # 2027-05-20 00:00 in Shanghai

    def stocktake(when):
        return [(d.kind, d.due_at, d.overdue, d.step_title) for d in R.open_dues(engine, when)
                if d.register == "equipment_stocktake"]

    assert stocktake(NOW + dt.timedelta(days=150)) == []
    assert stocktake(due - dt.timedelta(days=3)) == [("cadence", due, False, "行政主管")]
    late = due + dt.timedelta(days=1)
    assert stocktake(late) == [("cadence", due, True, "行政主管")]
    keeper = inbox.inbox(engine, actor=p["admin_office"], now=late).inbox.overdue
    assert "registers.title.equipment_stocktake" in [i.title_key for i in keeper]
    for other in ("applicant", "supervisor", "info_manager"):
        view = inbox.inbox(engine, actor=p[other], now=late).inbox
        assert "registers.title.equipment_stocktake" not in [i.title_key for i in view.overdue], other
    R.create_entry(engine, actor=p["admin_office"], register="equipment_stocktake", now=late, values={
        "counted_on": late.date(), "counter_id": p["admin_office"].id, "items_counted": 43, "matched": True})
    assert stocktake(late + dt.timedelta(hours=1)) == []
