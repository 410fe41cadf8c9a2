"""T14 for the register engine: the demo office fills every information register (seed 000 D14, seed 001 D17)."""

from __future__ import annotations


from sqlalchemy import func, select

from db.engine import session_scope
from db.models_registers import register_table
from lib.demo import load_demo
from lib.domain.registers import REGISTRY
from lib.services import accounts
from lib.services import registers as R

INFORMATION = [key for key, rdef in REGISTRY.items() if rdef.family == "information"]  # the others: their own tests


def test_T14_demo_fills_every_information_register_with_signed_waiting_overdue_and_corrected_entries(engine, now):
    admin = accounts.create_first_admin(engine, username="admin", name="管理员", password="password1",
                                        repeat="password1")
    load_demo(engine, actor=admin, now=now)
    with session_scope(engine, write=False) as session:
        counts = {key: session.execute(select(func.count()).select_from(register_table(key))).scalar()
                  for key in INFORMATION}
        states = {key: set(session.execute(select(register_table(key).c.state)).scalars()) for key in INFORMATION}
        corrected = session.execute(select(func.count()).select_from(register_table("general_query")).where(
            register_table("general_query").c.supersedes_id.is_not(None))).scalar()
    assert all(counts[key] > 0 for key in INFORMATION), counts
    assert {"approved", "pending"} <= states["info_request"] and {"approved", "pending"} <= states["special_loan"]
    assert {"approved", "pending"} <= states["archive_access"] and corrected == 1
    dues = R.open_dues(engine, now)
    assert any(d.register == "general_loan" and d.overdue and d.kind == "loan_return" for d in dues)
    assert any(d.register == "info_request" and d.kind == "step" and d.step_title == "部门经理" for d in dues)
