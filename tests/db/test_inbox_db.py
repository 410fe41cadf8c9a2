"""Inbox providers against SQLite and PostgreSQL (issue 15 I1 "every module contributes its open items through
one interface"; I3 "each provider is one indexed query over open items (never history)")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, inspect

from db.engine import session_scope
from db.models import PhoneMessage, ShowroomCustomer, Ticket, VisitorEntry
from lib.services import inbox
from lib.services.inbox.providers import BUILT_IN
from tests.db.helpers import make_user

# (table, leading column) each provider's WHERE reads through
INDEXED = [("access_entry", "time_out"), ("reception_application", "state"), ("roster_swap", "status"),
           ("roster_absence", "status"), ("roster_period", "first_day"), ("ticket", "state"),
           ("showroom_customer", "due_at"), ("showroom_day_sheet", "day"), ("phone_message", "relayed_at"),
           ("handover", "state"), ("kpi_discipline_case", "status"), ("visitor_entry", "time_out"),
           ("customer_enquiry", "status")]


def test_I3_every_provider_reads_through_an_index(engine):
    found = inspect(engine)
    for table, column in INDEXED:
        leading = {ix["column_names"][0] for ix in found.get_indexes(table)}
        leading |= {uq["column_names"][0] for uq in found.get_unique_constraints(table)}
        assert column in leading, f"{table}.{column} has no index"


def test_I3_each_provider_is_one_query(engine, now):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with session_scope(engine, write=False) as session:
        ctx = inbox.context(session, now)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            for provider in BUILT_IN:
                statements.clear()
                provider(session, ctx)
                assert len(statements) == 1, provider.__name__
        finally:
            event.remove(engine, "before_cursor_execute", listener)


def test_I1_I2_each_person_gets_their_own_items_ordered_by_urgency(engine, now):
    desk = make_user(engine, username="desk", name="前台", titles=("前台接待员",))
    agent = make_user(engine, username="agent", name="客服", titles=("客服专员",))
    seller = make_user(engine, username="seller", name="顾问")
    with session_scope(engine) as session:
        session.add(PhoneMessage(called_at=now - dt.timedelta(hours=3), caller_name="张三", matter="m",
                                 created_by_id=desk.id, created_at=now))
        session.add(VisitorEntry(name="来访者", headcount=1, purpose="p", time_in=now - dt.timedelta(hours=1),
                                 created_by_id=desk.id, created_at=now))
        session.add(Ticket(type="complaint", flow="complaint", state="in_progress", agent_no="A1",
                           assignee_id=agent.id, due_at=now + dt.timedelta(minutes=30), due_kind="resolve",
                           received_at=now - dt.timedelta(hours=1), updated_at=now))
        session.add(Ticket(type="complaint", flow="complaint", state="closed", agent_no="A1", assignee_id=agent.id,
                           due_at=now - dt.timedelta(days=30), received_at=now - dt.timedelta(days=31),
                           updated_at=now))  # history: never in an inbox
        session.add(ShowroomCustomer(name="客户", phone="1", phone_norm="1", owner_id=seller.id, state="owned_following",
                                     due_at=now + dt.timedelta(days=2), created_at=now))
    desk_box = inbox.inbox(engine, actor=desk, now=now).inbox
    assert [i.kind for i in desk_box.overdue] == ["message_relay"]
    assert [i.kind for i in desk_box.other] == ["visitor_after_hours"]  # due at 18:00 today, not yet amber
    agent_box = inbox.inbox(engine, actor=agent, now=now).inbox
    assert [(i.kind, i.params["number"]) for i in agent_box.soon] == [("ticket_due", 1)] and agent_box.total == 1
    seller_box = inbox.inbox(engine, actor=seller, now=now).inbox
    assert [i.kind for i in seller_box.soon] == ["customer_lapse"] and seller_box.total == 1
    late = inbox.inbox(engine, actor=desk, now=now + dt.timedelta(hours=9)).inbox  # 19:00 in Shanghai
    assert {i.kind for i in late.overdue} == {"message_relay", "visitor_after_hours"}


def test_I3_customers_provider_reads_owned_customers_never_released_history(engine, now):
    """The owned states lead the index, then the due range: SQLite no longer walks every released customer
    (their due_at is the lapse, in the past, piling up year after year) on the due_at index alone (make bench,
    issue 15)."""
    from lib.services.inbox.providers import customers

    assert "ix_showroom_customer_state_due" in {ix["name"] for ix in inspect(engine).get_indexes("showroom_customer")}
    seen = []
    listener = lambda conn, cursor, statement, parameters, *rest: seen.append((statement, parameters))  # noqa: E731
    with session_scope(engine, write=False) as session:
        ctx = inbox.context(session, now)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            customers(session, ctx)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(seen) == 1
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + seen[0][0], seen[0][1]))
        assert "ix_showroom_customer_state_due (state=? AND due_at<?)" in plan, plan
