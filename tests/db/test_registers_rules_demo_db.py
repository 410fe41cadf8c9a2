"""T14 for the office-phone, 涉密 and control-room registers (issue 16): the demo office fills every one of them, each
visible to the title that keeps it — a sales line still repairing with its user sharing a colleague's phone, a line
change waiting for the 校长, last month's bill paid so this month's is due by the 5th; a person waiting for the
保密工作领导小组, a 脱密期 running, a copy waiting for the 总经理, this year's inventory due; a fault reported to 工程部,
an alarm reset by two people, the next video check due soon, a CCTV request signed by the 部长."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from db.engine import session_scope
from db.models import LedgerEntryRecord, User
from db.models_registers import register_table
from lib.demo import load_demo
from lib.domain.registers import families
from lib.services import accounts
from lib.services import registers as R

# the title each family's registers are kept by (the phones': 行政管理中心, read as 行政主管)
KEEPERS = {"phones": "行政主管", "secrecy": "保密员", "control_room": "中控员"}
KEPT_BY = {"cr_cctv_request": "部长"}  # a request is seen by its requester, the 部长 and the 中控员


def _keeper(engine, title: str):
    with session_scope(engine, write=False) as session:
        user = next(u for u in session.execute(select(User)).scalars() if title in (u.titles or []))
        return accounts.actor_of(user)


def test_T14_demo_fills_the_phone_secrecy_and_control_room_registers(engine, now):
    admin = accounts.create_first_admin(engine, username="admin", name="管理员", password="password1",
                                        repeat="password1")
    load_demo(engine, actor=admin, now=now)
    keys = {rdef.key: family for family in KEEPERS for rdef in families()[family]}
    with session_scope(engine, write=False) as session:
        counts = {key: session.execute(select(func.count()).select_from(register_table(key))).scalar() for key in keys}
        faults = set(session.execute(select(register_table("phone_fault").c.status)).scalars())
        period = session.execute(select(register_table("secrecy_period"))).one()
        carrier = session.execute(select(register_table("secrecy_carrier")).where(
            register_table("secrecy_carrier").c.classification == "secret")).one()
        alarm = session.execute(select(register_table("cr_alarm"))).one()
        fault = session.execute(select(register_table("cr_duty_log")).where(
            register_table("cr_duty_log").c.type == "fault")).one()
        numbers = session.execute(select(register_table("cr_duty_log").c.stream, register_table("cr_duty_log").c.no)
                                  ).all()
        fines = [r.facts.get("register") for r in session.execute(select(LedgerEntryRecord)).scalars()
                 if (r.facts or {}).get("register", "").startswith("phone_")]
    assert all(counts[key] > 0 for key in keys), counts
    today = now.date()
    year = R.Query(first=today - dt.timedelta(days=365), last=today)
    for key, family in keys.items():  # visible to the title that keeps it, not only in the table
        reader = _keeper(engine, KEPT_BY.get(key, KEEPERS[family]))
        assert R.list_entries(engine, actor=reader, register=key, query=year, now=now).rows, key
    assert {"repaired", "repairing"} <= faults
    assert period.ends_on > now.date() and period.starts_on is not None  # 脱密期 running
    assert carrier.serial_no
    assert alarm.onsite_id != alarm.console_id and alarm.outcome == "reset"
    assert (fault.reported_to, fault.closed_at is not None) == ("engineering", True)
    for post in {s for s, _ in numbers}:  # numbered per post, no gap
        assert sorted(n for s, n in numbers if s == post) == list(range(1, 1 + sum(s == post for s, _ in numbers)))
    assert fines == []
    dues = {(d.register, d.kind, d.step_title, d.overdue) for d in R.open_dues(engine, now)}
    assert {("phone_change", "step", "校长", False), ("secrecy_person", "step", "保密工作领导小组", False),
            ("secrecy_copy", "step", "总经理", False)} <= dues
    cadence = {d.register: d for d in R.open_dues(engine, now) if d.kind == "cadence"}
    assert not cadence["cr_check_video"].overdue and cadence["cr_check_video"].due_at - now < dt.timedelta(minutes=15)
    assert not cadence["secrecy_inventory"].overdue and cadence["secrecy_inventory"].step_title == "保密员"
    first_next = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # this month's bill, listed on the 3rd
    (bill,) = R.open_dues(engine, now + dt.timedelta(days=(first_next - today).days + 2), register="phone_bill")
    assert (bill.kind, bill.overdue, bill.step_title) == ("cadence", False, "行政主管")
