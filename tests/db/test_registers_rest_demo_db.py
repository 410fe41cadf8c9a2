"""T14 for the rest-room, customer-lounge and VIP-hall registers (issue 16): the demo office fills them — a leaver
whose move-out is due and who cannot leave yet, a room change waiting for the office head, today's lounge check
waiting for the 客服主管 with no fine proposed, and a VIP guest's boarding reminder coming up."""

from __future__ import annotations

from sqlalchemy import func, select

from db.engine import session_scope
from db.models import LedgerEntryRecord
from db.models_registers import register_table
from lib.demo import load_demo
from lib.domain.registers import families
from lib.services import accounts
from lib.services import registers as R

LEDGER_MAKERS = ("lounge_loss", "vip_missed_train")  # every entry would propose a fine: left to the reader


def test_T14_RR3_RR8_RR11_demo_fills_the_rest_lounge_and_vip_registers(engine, now):
    admin = accounts.create_first_admin(engine, username="admin", name="管理员", password="password1",
                                        repeat="password1")
    load_demo(engine, actor=admin, now=now)
    keys = [rdef.key for rdef in families()["rest"] if rdef.key not in LEDGER_MAKERS]
    with session_scope(engine, write=False) as session:
        counts = {key: session.execute(select(func.count()).select_from(register_table(key))).scalar() for key in keys}
        leaver = session.execute(select(register_table("rest_allocation")).where(
            register_table("rest_allocation").c.leave_date.is_not(None))).one()
        fines = [r.facts.get("register") for r in session.execute(select(LedgerEntryRecord)).scalars()
                 if (r.facts or {}).get("register")]  # proposals made by a register
    assert all(counts[key] > 0 for key in keys), counts
    assert [b.key for b in R.blockers(engine, person_id=leaver.person_id, now=now)] == [
        "registers.blocker.rest_allocation"]
    dues = {(d.register, d.kind, d.overdue) for d in R.open_dues(engine, now)}
    assert {("rest_allocation", "rest_move_out", False), ("rest_inspection", "rest_rectify", False),
            ("vip_visit", "vip_reminder", False), ("lounge_check", "step", False)} <= dues
    assert {(r, k) for r, k, _ in dues} >= {("rest_room_change", "step")}  # asked a day ago: past its 24 hours
    assert fines == []
