"""T14 for the seal, lost-and-found, equipment and minor registers: the demo office fills every one of them, with
seals at several lifecycle steps, a use waiting for the 印章管理员, an overdue lost item, an open laptop loan
blocking its borrower, and minutes due; EQ4: equipment swapped and in repair, the half-yearly stocktake due."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from db.engine import session_scope
from db.models_registers import register_table
from lib.demo import load_demo
from lib.domain.registers import families
from lib.services import accounts
from lib.services import registers as R

FAMILIES = ("seals", "lost_found", "equipment", "office")


def test_T14_demo_fills_the_seal_lost_found_equipment_and_minor_registers(engine, now):
    admin = accounts.create_first_admin(engine, username="admin", name="管理员", password="password1",
                                        repeat="password1")
    load_demo(engine, actor=admin, now=now)
    keys = [rdef.key for fam in FAMILIES for rdef in families()[fam]]
    with session_scope(engine, write=False) as session:
        counts = {key: session.execute(select(func.count()).select_from(register_table(key))).scalar() for key in keys}
        statuses = set(session.execute(select(register_table("seal").c.status)).scalars())
        items = set(session.execute(select(register_table("lost_item").c.status)).scalars())
        loan = session.execute(select(register_table("laptop_loan")).where(
            register_table("laptop_loan").c.returned_at.is_(None))).one()
        uses = set(session.execute(select(register_table("seal_use").c.state)).scalars())
        stored = set(session.execute(select(register_table("equipment").c.status)).scalars())
    assert all(counts[key] > 0 for key in keys), counts
    assert {"issued", "active", "destroyed", "requested"} <= statuses  # requested: approved, not yet carved
    assert {"kept", "handed_in", "returned"} <= items and {"approved", "pending"} <= uses
    assert [b.key for b in R.blockers(engine, person_id=loan.borrower_id, now=now)] == \
        ["registers.blocker.open_laptop_loan"]
    dues = {(d.register, d.kind, d.overdue) for d in R.open_dues(engine, now)}
    assert {("lost_item", "lost_item_hand_in", True), ("meeting", "meeting_minutes", False),
            ("laptop_loan", "laptop_return", False),
            ("seal_use", "step", False)} <= dues
    # EQ4: a swap stored, a repair form open shown 维修中, the half-yearly stocktake due this week for 行政主管
    assert "swapped" in stored
    page = R.list_entries(engine, actor=admin, register="equipment", now=now,
                          query=R.Query(first=now.date() - dt.timedelta(days=30), last=now.date()))
    assert {"in_use", "repair", "swapped"} <= {e.values["status"] for e in page.rows}
    assert [(d.kind, d.overdue, d.step_title) for d in R.open_dues(engine, now) if d.register == "equipment_stocktake"] \
        == [("cadence", False, "行政主管")]
