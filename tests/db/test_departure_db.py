"""Leaving the company (issue 16) on SQLite and PostgreSQL: deactivating a person lists what still holds them from
every register's blockers, open tickets and customers (D1), refuses without a reason (D2), deactivates with one
and audits what held them (D3), and needs nothing once everything is handed over (D4)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models import AuditEvent, User
from db.models_showroom import ShowroomCustomer
from lib.domain.errors import DomainError
from lib.services import accounts
from lib.services import registers as R
from tests.db.test_registers_phones_db import make_people

NOW = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.timezone.utc)
H = dt.timedelta(hours=1)


@pytest.fixture
def office(engine):
    people = make_people(engine)
    p = people
    loan = R.create_entry(engine, actor=p["seller"], register="laptop_loan", now=NOW, values={
        "borrower_id": p["seller"].id, "asset_no": "NB-007", "purpose": "外出投标", "lent_at": NOW})
    handover = R.create_entry(engine, actor=p["seller"], register="phone_handover", now=NOW, values={
        "leaver_id": p["seller"].id, "line": "8001", "handset_ok": True, "handed_at": NOW})
    with session_scope(engine) as session:
        customer = ShowroomCustomer(name="李先生", phone="13800138000", phone_norm="13800138000",
                                    owner_id=p["seller"].id, created_at=NOW)
        session.add(customer)
        session.flush()
        customer_id = customer.id
    return engine, people, {"loan": loan, "handover": handover, "customer": customer_id}


def test_D1_holds_list_every_register_blocker_and_customers(office):
    """D1: the laptop on loan, the phone handover not yet received and the customer owned are listed."""
    engine, p, ids = office
    holds = accounts.departure_holds(engine, person_id=p["seller"].id, now=NOW + H)
    assert sorted((h.ref, h.key) for h in holds) == sorted([
        (f"laptop_loan:{ids['loan']}", "registers.blocker.open_laptop_loan"),
        (f"phone_handover:{ids['handover']}", "registers.blocker.phone_handover"),
        (f"customer:{ids['customer']}", "account.hold.customer")])
    assert accounts.departure_holds(engine, person_id=p["head"].id) == []


def test_D2_an_admin_cannot_deactivate_a_held_person_without_a_reason(office):
    """D2: refused with the count; the person stays active."""
    engine, p, _ = office
    for reason in ("", "   "):
        with pytest.raises(DomainError) as refused:
            accounts.set_active(engine, actor=p["admin"], user_id=p["seller"].id, active=False, reason=reason)
        assert (refused.value.key, refused.value.params) == ("account.departure_blocked", {"count": 3})
    with session_scope(engine, write=False) as session:
        assert session.get(User, p["seller"].id).active


def test_D3_with_a_reason_the_deactivation_is_audited_with_what_held_the_person(office):
    """D3: a reason lets the admin deactivate; the audit keeps the reason and the holds."""
    engine, p, ids = office
    accounts.set_active(engine, actor=p["admin"], user_id=p["seller"].id, active=False, reason="急离职,物品由主管代收")
    with session_scope(engine, write=False) as session:
        assert not session.get(User, p["seller"].id).active
        row = session.execute(select(AuditEvent).where(AuditEvent.entity == "user",
                                                       AuditEvent.action == "deactivate_despite_holds")).scalar_one()
        assert row.reason == "急离职,物品由主管代收" and row.entity_id == str(p["seller"].id)
        assert f"phone_handover:{ids['handover']} registers.blocker.phone_handover" in str(row.after)


def test_D4_once_handed_over_no_reason_is_needed(office):
    """D4: loan returned, phone handover received, customer handed to a colleague: deactivation goes through."""
    engine, p, ids = office
    R.edit_entry(engine, actor=p["seller"], register="laptop_loan", entry_id=ids["loan"], values={"returned_at": NOW + H},
                 now=NOW + H)
    R.approve_entry(engine, actor=p["admin_center"], register="phone_handover", entry_id=ids["handover"], step_no=0,
                    now=NOW + 2 * H)
    with session_scope(engine) as session:
        session.get(ShowroomCustomer, ids["customer"]).owner_id = p["head"].id
    assert accounts.departure_holds(engine, person_id=p["seller"].id, now=NOW + 3 * H) == []
    accounts.set_active(engine, actor=p["admin"], user_id=p["seller"].id, active=False)
    with session_scope(engine, write=False) as session:
        assert not session.get(User, p["seller"].id).active


def test_D6_an_open_ticket_holds_a_leaver_until_closed_and_deactivation_needs_a_reason(engine):
    """D6 (issue 16 "open tickets and customers to hand over"): a complaint ticket assigned to the leaver is listed
    among the holds; without a reason the admin cannot deactivate; once the ticket is closed nothing holds them (a
    closed ticket is history) and no reason is needed."""
    from db.models import Ticket

    p = make_people(engine)
    with session_scope(engine) as session:
        ticket = Ticket(type="complaint", flow="complaint", state="in_progress", agent_no="A1",
                        assignee_id=p["seller"].id, due_at=NOW + H, due_kind="resolve", received_at=NOW,
                        updated_at=NOW)
        closed = Ticket(type="complaint", flow="complaint", state="closed", agent_no="A2", assignee_id=p["seller"].id,
                        due_at=NOW - 30 * 24 * H, received_at=NOW - 31 * 24 * H, updated_at=NOW)
        session.add_all([ticket, closed])
        session.flush()
        ticket_id = ticket.id
    holds = accounts.departure_holds(engine, person_id=p["seller"].id, now=NOW + H)
    assert [(h.ref, h.key) for h in holds] == [(f"ticket:{ticket_id}", "account.hold.open_ticket")]
    with pytest.raises(DomainError) as refused:
        accounts.set_active(engine, actor=p["admin"], user_id=p["seller"].id, active=False)
    assert (refused.value.key, refused.value.params) == ("account.departure_blocked", {"count": 1})
    with session_scope(engine) as session:
        session.get(Ticket, ticket_id).state = "closed"
    assert accounts.departure_holds(engine, person_id=p["seller"].id, now=NOW + 2 * H) == []
    accounts.set_active(engine, actor=p["admin"], user_id=p["seller"].id, active=False)
    with session_scope(engine, write=False) as session:
        assert not session.get(User, p["seller"].id).active
        assert session.execute(select(AuditEvent).where(
            AuditEvent.action == "deactivate_despite_holds")).first() is None
