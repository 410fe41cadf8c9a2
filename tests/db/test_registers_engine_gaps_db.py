"""Register engine gaps from the family helpers (issue 14, engine_needs), on SQLite and PostgreSQL:
EG1 the guard sees a draft before it is saved, EG2 a register due again a period after its latest entry,
EG3 late fields filled by a title, EG4 an effect-opened entry is derived."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models_registers import register_table
from lib.domain.errors import DomainError
from lib.services import registers as R
from tests.db.registers_family_kit import DAY, NOW, make_office

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
