"""Each inbox provider is ONE indexed query over open items, never history, measured on a populated database
(issue 15 I3b): the demo office's week in every module, then years of closed history added; the statement count
of each built-in provider stays 1, and the register engine's provider reads as many statements with three years
of closed entries as with one (its count follows the registers configured, not the rows kept)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from db.engine import session_scope
from db.models import PhoneMessage, Ticket, User, VisitorEntry
from lib.demo import load_demo
from lib.services import accounts, inbox
from lib.services import registers as R
from lib.services.inbox.engine_steps import register_items
from lib.services.inbox.providers import BUILT_IN

YEAR = dt.timedelta(days=365)


def _statements(engine, provider, now):
    seen: list[str] = []
    listener = lambda _conn, _cursor, statement, *rest: seen.append(statement)  # noqa: E731
    with session_scope(engine, write=False) as session:
        ctx = inbox.context(session, now)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            found = provider(session, ctx)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    return len(seen), found


def _closed_year(engine, keeper, now, year: int) -> None:
    """One year of closed work, ``year`` years back: a general loan lent and returned each month, and a
    relayed message, a visitor signed out and a closed ticket each month (rows no inbox may read)."""
    for month in range(12):
        at = now - year * YEAR + dt.timedelta(days=30 * month)
        entry = R.create_entry(engine, actor=keeper, register="general_loan", now=at, values={
            "borrower_id": keeper.id, "content": f"安装单 {year}-{month}", "borrowed_at": at, "purpose": "核对"})
        R.edit_entry(engine, actor=keeper, register="general_loan", entry_id=entry,
                     values={"returned_at": at + dt.timedelta(days=2)}, now=at + dt.timedelta(days=2))
        with session_scope(engine) as session:
            session.add(PhoneMessage(called_at=at, caller_name="历史来电", matter="m", created_by_id=keeper.id,
                                     created_at=at, relayed_at=at + dt.timedelta(minutes=30)))
            session.add(VisitorEntry(name="历史访客", headcount=1, purpose="p", time_in=at,
                                     time_out=at + dt.timedelta(hours=1), created_by_id=keeper.id, created_at=at))
            session.add(Ticket(type="complaint", flow="complaint", state="closed", agent_no="A1",
                               assignee_id=keeper.id, due_at=at + dt.timedelta(hours=2), due_kind="resolve",
                               received_at=at, updated_at=at))


@pytest.fixture
def demo(engine, now):
    admin = accounts.create_first_admin(engine, username="admin", name="管理员", password="password1",
                                        repeat="password1")
    load_demo(engine, actor=admin, now=now)
    with session_scope(engine, write=False) as session:
        keeper = session.exec(select(User).where(User.role == "staff", User.active == True)  # noqa: E712
                              .order_by(User.id).limit(1)).scalars().first()
        return accounts.actor_of(keeper)


def test_I3b_each_provider_is_one_query_on_a_populated_database_and_registers_do_not_grow_with_history(
        engine, now, demo):
    counts, kinds, added = {}, set(), 0
    for years in (1, 3):
        while added < years:
            added += 1
            _closed_year(engine, demo, now, added)
        for provider in BUILT_IN:
            statements, found = _statements(engine, provider, now)
            assert statements == 1, (provider.__name__, years, statements)
            kinds |= {i.kind for i in found}
        counts[years], found = _statements(engine, register_items, now)
        kinds |= {i.kind for i in found}
    print("register_items statements by years of closed history:", counts)
    assert counts[1] == counts[3], counts
    # the demo week gives the providers rows to read, so the counts above are not an empty database's
    assert {"message_relay", "visitor_after_hours", "ticket_due", "callback_due", "dispatch_waiting",
            "handover_due", "handover_refused", "warning_proposal", "register_step"} <= kinds, kinds
