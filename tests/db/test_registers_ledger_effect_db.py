"""The register engine's ledger effect (issue 16, engine change): a hook's ``LedgerProposal`` becomes a proposed ledger
entry through the ledger service, in the register step's own transaction, on SQLite and PostgreSQL. The phone
handover's PH3 (seed 002 #1 「按电话机采购价格原价赔偿」) is the register that emits one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models import LedgerEntryRecord
from lib.domain.errors import DomainError
from lib.domain.ledger import rule_to_dict, CATALOGUE
from lib.services import ledger
from lib.services import registers as R
from lib.services.ledger import CatalogueForm
from tests.db.test_registers_phones_db import NOW, H, make_people


@pytest.fixture
def office(engine):
    return engine, make_people(engine)


def _handover(engine, p, price: str) -> int:
    return R.create_entry(engine, actor=p["seller"], register="phone_handover", now=NOW, values={
        "leaver_id": p["seller"].id, "line": "8001", "handset_ok": False, "fault": "话机摔裂", "human_caused": True,
        "purchase_price": Decimal(price), "handed_at": NOW})


def _proposals(engine) -> list[LedgerEntryRecord]:
    with session_scope(engine, write=False) as session:
        return list(session.execute(select(LedgerEntryRecord).order_by(LedgerEntryRecord.id)).scalars())


def test_EL1_an_approval_proposes_the_ledger_entry_for_the_decider(office):
    """EL1: the 行政管理中心's receipt proposes PH3 at the purchase price for the leaver, dated the handover's office
    day, proposed by the approver and citing the register entry; it waits for the 总经理 like any proposal and a
    second one counts as the second occurrence."""
    engine, p = office
    first = _handover(engine, p, "168.00")
    assert _proposals(engine) == []  # submitting proposes nothing: the receipt does
    R.approve_entry(engine, actor=p["admin_center"], register="phone_handover", entry_id=first, step_no=0,
                    now=NOW + H)
    second = _handover(engine, p, "99.50")
    R.approve_entry(engine, actor=p["admin_center"], register="phone_handover", entry_id=second, step_no=0,
                    now=NOW + 2 * H)
    rows = _proposals(engine)
    assert [(r.code, r.person_id, r.compensation, r.fine, r.status, r.occurrence_no, r.occurred_on,
             r.proposed_by_id, r.facts["register"]) for r in rows] == [
        ("PH3", p["seller"].id, Decimal("168.00"), Decimal("0.00"), "proposed", 1, dt.date(2027, 3, 1),
         p["admin_center"].id, f"phone_handover:{first}"),
        ("PH3", p["seller"].id, Decimal("99.50"), Decimal("0.00"), "proposed", 2, dt.date(2027, 3, 1),
         p["admin_center"].id, f"phone_handover:{second}")]
    assert [e.id for e in ledger.pending(engine, actor=p["admin"])] == [r.id for r in rows]


def test_EL2_a_refused_proposal_refuses_the_register_step_too(office):
    """EL2: one transaction: when the ledger refuses the proposal (PH3 switched off for the leaver's department),
    the approval is refused with the ledger's key and nothing is written — no step, no state change, no entry."""
    engine, p = office
    department = p["seller"].department_id
    rule = rule_to_dict(CATALOGUE["PH3"])
    ledger.save_catalogue_line(engine, actor=p["admin"], now=NOW, form=CatalogueForm(
        code="PH3", team_points=rule["team_points"], steps=[(s["fine"], s["action"]) for s in rule["steps"]],
        money=rule["money"], window=rule["window"], disabled_departments=[department]))
    handover = _handover(engine, p, "168.00")
    with pytest.raises(DomainError) as refused:
        R.approve_entry(engine, actor=p["admin_center"], register="phone_handover", entry_id=handover, step_no=0,
                        now=NOW + H)
    assert refused.value.key == "ledger.code_disabled"
    entry = R.get_entry(engine, actor=p["admin_center"], register="phone_handover", entry_id=handover,
                        now=NOW + H)
    assert (entry.entry.state, entry.entry.step_no) == ("pending", 0) and _proposals(engine) == []
    assert [s.action for s in entry.steps] == ["create", "submit"]
