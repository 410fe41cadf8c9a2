"""Rest rooms, the customer lounge and the VIP hall through the register services on SQLite and PostgreSQL (issue 16;
seed 004 D4, D7, D15): RR3, RR5–RR8, RR10–RR12 — who may act, the dues in the inbox (the notification sweeper's
feed), the departure blocker, and the ledger proposals the registers make."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models import LedgerEntryRecord, OrgUnit, User
from lib.domain.errors import NotAllowed, ValidationFailed
from lib.domain.office import zone
from lib.domain.registers.rest import LOUNGE_ITEMS
from lib.services import accounts, inbox
from lib.services import registers as R

TZ = zone("Asia/Shanghai")
NOW = dt.datetime(2024, 6, 3, 2, 0, tzinfo=dt.timezone.utc)  # Monday 3 June 10:00 in Shanghai
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

PEOPLE = {  # name -> (department, role, titles)
    "office": ("行政部", "supervisor", ("行政主管",)),
    "office_head": ("行政部", "supervisor", ("综合部主管",)),
    "chief": ("工程部", "supervisor", ("部长",)),
    "worker": ("工程部", "staff", ()),
    "lounge_staff": ("客服部", "staff", ()),
    "lounge_head": ("客服部", "supervisor", ("客服主管",)),
    "attendant": ("客服部", "staff", ()),
    "admin": ("行政部", "admin", ()),
}


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2024, 6, day, hour, minute, second, tzinfo=TZ).astimezone(dt.timezone.utc)


@pytest.fixture
def office(engine):
    departments: dict[str, int] = {}
    people = {}
    with session_scope(engine) as session:
        for name in sorted({d for d, _, _ in PEOPLE.values()}):
            unit = OrgUnit(kind="department", name=name)
            session.add(unit)
            session.flush()
            departments[name] = unit.id
        for username, (department, role, titles) in PEOPLE.items():
            user = User(username=username, name=username, password_hash="x", role=role, titles=list(titles),
                        trained_posts=[], department_id=departments[department], created_at=NOW)
            session.add(user)
            session.flush()
            people[username] = accounts.actor_of(user)
    return engine, people


def proposals(engine) -> list[tuple]:
    with session_scope(engine, write=False) as session:
        rows = session.execute(select(LedgerEntryRecord).order_by(LedgerEntryRecord.id)).scalars().all()
        return [(r.code, r.person_id, r.fine, r.compensation, r.occurred_on, r.status, r.note) for r in rows]


def dues(engine, actor, now, kind):
    view = inbox.inbox(engine, actor=actor, now=now).inbox
    return [(i.record_id, i.due_at, level) for level, items in (("overdue", view.overdue), ("soon", view.soon),
                                                                 ("other", view.other))
            for i in items if i.reason_key == f"registers.due.{kind}"]


def test_RR3_the_office_allocates_and_a_leaver_moves_out_within_a_week_or_cannot_leave(office):
    """RR3: only the office (行政主管) allocates; the allocation blocks its occupant's departure; once the leaving
    day (1 June) is entered, the move-out is in the office's inbox due by the end of 8 June and overdue after;
    moved out with the key back, the due and the blocker are gone."""
    engine, p = office
    values = {"person_id": p["worker"].id, "eligibility": "frontline", "room": "201", "locker": "A-12",
              "assigned_on": dt.date(2024, 1, 2)}
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["worker"], register="rest_allocation", values=values, now=NOW)
    entry_id = R.create_entry(engine, actor=p["office"], register="rest_allocation", values=values, now=NOW)
    assert [b.key for b in R.blockers(engine, person_id=p["worker"].id, now=NOW)] == [
        "registers.blocker.rest_allocation"]
    assert dues(engine, p["office"], NOW, "rest_move_out") == []
    R.edit_entry(engine, actor=p["office"], register="rest_allocation", entry_id=entry_id,
                 values={"leave_date": dt.date(2024, 6, 1)}, now=NOW)
    assert dues(engine, p["office"], NOW, "rest_move_out") == [(entry_id, local(9, 0), "other")]
    assert dues(engine, p["office"], local(9, 10), "rest_move_out") == [(entry_id, local(9, 0), "overdue")]
    with session_scope(engine, write=False) as session:  # the sweeper's view holds it too
        swept = inbox.open_items(session, inbox.context(session, local(9, 10)))
    # P7: for the office's title (「由管理人员收回钥匙」), whoever of the office holds it, not only who typed it in
    assert any(i.reason_key == "registers.due.rest_move_out" and i.for_titles == ("行政主管",) for i in swept)
    R.edit_entry(engine, actor=p["office"], register="rest_allocation", entry_id=entry_id,
                 values={"moved_out_at": local(5, 18)}, now=local(5, 18))
    assert R.blockers(engine, person_id=p["worker"].id, now=local(5, 19))  # the key is not back
    R.edit_entry(engine, actor=p["office"], register="rest_allocation", entry_id=entry_id,
                 values={"key_returned_at": local(5, 18, 5)}, now=local(5, 19))
    assert R.blockers(engine, person_id=p["worker"].id, now=local(5, 20)) == []
    assert dues(engine, p["office"], local(9, 10), "rest_move_out") == []


def test_RR5_RR6_a_room_change_waits_for_the_office_head_and_staying_late_for_the_chief(office):
    """RR5: the worker asks to change rooms; the office head (综合部主管) consents, nobody else. RR6: staying into
    the banned hours waits for the 部长; a time outside them is refused as a request."""
    engine, p = office
    change = R.create_entry(engine, actor=p["worker"], register="rest_room_change", now=NOW, values={
        "person_id": p["worker"].id, "from_room": "201", "to_room": "305", "grounds": "夜班同屋作息不同",
        "wanted_on": dt.date(2024, 6, 5)})
    with pytest.raises(NotAllowed):
        R.approve_entry(engine, actor=p["office"], register="rest_room_change", entry_id=change, now=NOW + H)
    R.approve_entry(engine, actor=p["office_head"], register="rest_room_change", entry_id=change, step_no=0,
                    now=NOW + H)
    assert R.get_entry(engine, actor=p["worker"], register="rest_room_change", entry_id=change,
                       now=NOW + H).entry.state == "approved"
    late = {"person_id": p["worker"].id, "on_date": dt.date(2024, 6, 4), "until": dt.time(14, 0),
            "grounds": "夜班后补休"}
    with pytest.raises(ValidationFailed) as outside:
        R.create_entry(engine, actor=p["worker"], register="rest_late_stay", now=NOW,
                       values={**late, "until": dt.time(12, 30)})
    assert outside.value.keys() == {"reg.rest_late_stay.until": "registers.rest_late_stay.outside_banned_hours"}
    stay = R.create_entry(engine, actor=p["worker"], register="rest_late_stay", values=late, now=NOW)
    with pytest.raises(NotAllowed):
        R.approve_entry(engine, actor=p["office_head"], register="rest_late_stay", entry_id=stay, now=NOW + H)
    R.approve_entry(engine, actor=p["chief"], register="rest_late_stay", entry_id=stay, step_no=0, now=NOW + H)


def test_RR7_an_inspection_fine_is_proposed_in_the_ledger_and_a_rectification_is_due(office):
    """RR7: the office records an inspection: a fine proposes its RR code for the person (waiting for the 总经理);
    限期整改 is in the inspector's inbox until rectified."""
    engine, p = office
    base = {"inspected_on": dt.date(2024, 6, 3), "room": "201", "passed": False, "person_id": p["worker"].id,
            "finding": "休息室内赌博"}
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["worker"], register="rest_inspection", now=NOW,
                       values={**base, "outcome": "none"})
    R.create_entry(engine, actor=p["office"], register="rest_inspection", now=NOW,
                   values={**base, "outcome": "fine", "code": "RR4"})
    assert proposals(engine) == [("RR4", p["worker"].id, Decimal("100.00"), Decimal("0.00"), dt.date(2024, 6, 3),
                                  "proposed", "休息室内赌博")]
    fix = R.create_entry(engine, actor=p["office"], register="rest_inspection", now=NOW, values={
        **base, "finding": "柜外摆放私人物品", "outcome": "rectify", "rectify_by": dt.date(2024, 6, 5)})
    assert dues(engine, p["office"], NOW, "rest_rectify") == [(fix, local(6, 0), "other")]
    R.edit_entry(engine, actor=p["office"], register="rest_inspection", entry_id=fix,
                 values={"rectified_at": local(4, 9)}, now=local(4, 9))
    assert dues(engine, p["office"], local(4, 10), "rest_rectify") == [] and len(proposals(engine)) == 1


def test_RR8_a_lounge_check_with_two_failed_items_proposes_two_LG1_when_the_supervisor_approves(office):
    """RR8 (seed note 004 scenario 29): the lounge staff's daily check with two failed items proposes nothing on
    submit; the 客服主管's approval proposes two LG1 entries of ¥20 for the person on duty; the next check is due
    a day later for the 客服主管."""
    engine, p = office
    values = {**{k: True for k in LOUNGE_ITEMS}, "checked_on": dt.date(2024, 6, 3),
              "responsible_id": p["lounge_staff"].id, "item_cups": False, "item_water": False,
              "remarks": "口杯堆放;地面有水渍"}
    check = R.create_entry(engine, actor=p["lounge_staff"], register="lounge_check", values=values, now=NOW)
    assert proposals(engine) == []
    with pytest.raises(NotAllowed):
        R.approve_entry(engine, actor=p["lounge_staff"], register="lounge_check", entry_id=check, now=NOW + H)
    R.approve_entry(engine, actor=p["lounge_head"], register="lounge_check", entry_id=check, step_no=0,
                    now=NOW + H)
    assert proposals(engine) == [
        ("LG1", p["lounge_staff"].id, Decimal("20.00"), Decimal("0.00"), dt.date(2024, 6, 3), "proposed",
         LOUNGE_ITEMS[item]) for item in ("item_cups", "item_water")]
    got = R.get_entry(engine, actor=p["lounge_head"], register="lounge_check", entry_id=check, now=NOW + H).entry
    assert got.values["failed"] == 2
    due = [d for d in R.open_dues(engine, NOW + 2 * D, register="lounge_check") if d.kind == "cadence"]
    assert [(d.step_title, d.overdue) for d in due] == [("客服主管", True)]


def test_RR10_a_lounge_loss_proposes_LG2_the_loss_plus_20(office):
    """RR10: the approved loss proposes LG2 for the person responsible: ¥20 fine plus the loss as compensation."""
    engine, p = office
    loss = R.create_entry(engine, actor=p["lounge_staff"], register="lounge_loss", now=NOW, values={
        "found_on": dt.date(2024, 6, 2), "item": "咖啡豆一袋", "loss": Decimal("88.00"),
        "responsible_id": p["lounge_staff"].id, "cause": "下班未锁柜"})
    R.approve_entry(engine, actor=p["lounge_head"], register="lounge_loss", entry_id=loss, step_no=0, now=NOW + H)
    assert proposals(engine) == [("LG2", p["lounge_staff"].id, Decimal("20.00"), Decimal("88.00"),
                                  dt.date(2024, 6, 2), "proposed", "咖啡豆一袋")]


def test_RR11_the_boarding_reminder_escort_and_sms_reach_the_attendants_inbox_in_turn(office):
    """RR11: a visit registered 2½ minutes after the ticket was shown is flagged; the reminder is in the
    attendant's inbox for 11:15 (boarding 11:30), overdue after; once reminded the escort is next, then the SMS."""
    engine, p = office
    visit = R.create_entry(engine, actor=p["attendant"], register="vip_visit", now=local(3, 10, 3), values={
        "guest": "王先生", "train": "G1234", "boarding_at": local(3, 11, 30), "entry_card": "金卡",
        "presented_at": local(3, 10), "registered_at": local(3, 10, 2, 30), "seated": True})
    got = R.get_entry(engine, actor=p["attendant"], register="vip_visit", entry_id=visit, now=local(3, 10, 3)).entry
    assert got.values["registered_late"] is True
    assert dues(engine, p["attendant"], local(3, 10, 5), "vip_reminder") == [(visit, local(3, 11, 15), "soon")]
    assert dues(engine, p["attendant"], local(3, 11, 16), "vip_reminder") == [(visit, local(3, 11, 15), "overdue")]
    R.edit_entry(engine, actor=p["attendant"], register="vip_visit", entry_id=visit,
                 values={"reminded_at": local(3, 11, 14)}, now=local(3, 11, 14))
    assert dues(engine, p["attendant"], local(3, 11, 15), "vip_reminder") == []
    assert [d[:2] for d in dues(engine, p["attendant"], local(3, 11, 15), "vip_escort")] == [
        (visit, local(3, 11, 30))]
    R.edit_entry(engine, actor=p["attendant"], register="vip_visit", entry_id=visit,
                 values={"escorted_at": local(3, 11, 25)}, now=local(3, 11, 25))
    assert [d[:2] for d in dues(engine, p["attendant"], local(3, 11, 26), "vip_sms")] == [
        (visit, local(3, 12, 25))]


def test_RR12_a_missed_train_without_a_reminder_proposes_VL1_for_the_attendant(office):
    """RR12: only the 厅经理 (客服主管) records a missed train; without a reminder VL1 carries the losses to the
    attendant; after a reminder the record stays without a charge."""
    engine, p = office
    values = {"visit_no": 1, "attendant_id": p["attendant"].id, "train": "G1234", "missed_at": local(3, 11, 40),
              "reminded": False, "loss": Decimal("300.00"), "account": "礼宾员未提醒上车"}
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["attendant"], register="vip_missed_train", values=values, now=local(3, 12))
    R.create_entry(engine, actor=p["lounge_head"], register="vip_missed_train", values=values, now=local(3, 12))
    R.create_entry(engine, actor=p["lounge_head"], register="vip_missed_train", now=local(3, 13),
                   values={**values, "reminded": True, "account": "已提醒,客人未及时上车"})
    assert proposals(engine) == [("VL1", p["attendant"].id, Decimal("0.00"), Decimal("300.00"), dt.date(2024, 6, 3),
                                  "proposed", "G1234")]
