"""R12 and R14 against SQLite and PostgreSQL: a save whose connection drops after COMMIT is written once on
retry; a refused connection and a timeout reach the person as the friendly Chinese message; the engine
reconnects by itself."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import DatabaseUnavailable, make_engine, session_scope
from db.models import Ticket, VisitorEntry
from lib.domain.visitors import VisitorForm
from lib.i18n import translate
from lib.services.tickets import write as tickets
from lib.services.visitors import register as visitors
from lib.services.tickets.write import TicketForm
from tests.conftest import postgres_engine, sqlite_engine
from tests.db.helpers import count, make_user
from tests.faults.helpers import Proxy, lost_after_commit

FRIENDLY = "数据库暂时无法连接，请稍后再按一次保存；您填写的内容还在。"
VISIT = VisitorForm(name="张三", headcount=1, purpose="送货", company="华为", phone="13800138000")
REPAIR = TicketForm(type="repair", phone="13800001234", customer_name="王芳", address="幸福小区3号楼",
                    problem="暖气不热", problem_confirmed=True, address_confirmed=True, name_confirmed=True,
                    phone_confirmed=True, agent_no="017")


def _friendly(exc: DatabaseUnavailable) -> str:
    text_ = translate(exc.key, "zh_CN", **exc.params)
    assert text_ == FRIENDLY
    for leak in ("locked", "Traceback", "sqlalchemy", "psycopg", "SELECT", "INSERT"):
        assert leak not in text_
    return text_


def test_R12_visitor_saved_before_the_connection_dropped_is_not_written_twice(engine):
    clerk = make_user(engine, username="desk")
    with lost_after_commit(VisitorEntry), pytest.raises(DatabaseUnavailable) as lost:
        visitors.register_visitor(engine, actor=clerk, form=VISIT, idem_key="form-1")
    _friendly(lost.value)
    assert count(engine, VisitorEntry) == 1  # it did reach the database
    again = visitors.register_visitor(engine, actor=clerk, form=VISIT, idem_key="form-1")
    assert count(engine, VisitorEntry) == 1
    assert [r.id for r in visitors.on_site(engine, actor=clerk)] == [again]
    visitors.register_visitor(engine, actor=clerk, form=VisitorForm(name="李四", headcount=1, purpose="面试"),
                              idem_key="form-2")
    assert count(engine, VisitorEntry) == 2  # a new form is a new visit


def test_R12_ticket_saved_before_the_connection_dropped_is_not_written_twice(engine):
    clerk = make_user(engine, username="agent")
    with lost_after_commit(Ticket), pytest.raises(DatabaseUnavailable):
        tickets.log_ticket(engine, actor=clerk, form=REPAIR, idem_key="intake-1")
    assert count(engine, Ticket) == 1
    again = tickets.log_ticket(engine, actor=clerk, form=REPAIR, idem_key="intake-1")
    assert count(engine, Ticket) == 1
    assert again.repeat_kind is None  # the retry is the same ticket, not a 重复投诉
    assert again.customer_name == "王芳"
    second = tickets.log_ticket(engine, actor=clerk, form=REPAIR, idem_key="intake-2")
    assert count(engine, Ticket) == 2 and second.id != again.id


def test_R12_without_a_key_two_saves_are_two_rows(engine):
    """The key is what makes the retry safe: the old behaviour (no key) still writes twice."""
    clerk = make_user(engine, username="desk")
    visitors.register_visitor(engine, actor=clerk, form=VISIT)
    visitors.register_visitor(engine, actor=clerk, form=VISIT, seen_on_site=(1,))
    assert count(engine, VisitorEntry) == 2


def test_R14_sqlite_write_lock_held_elsewhere_ends_in_the_friendly_message(tmp_path, monkeypatch):
    monkeypatch.setenv("DUTYDESK_SQLITE_BUSY_TIMEOUT_MS", "300")
    engine = make_engine(str(sqlite_engine(tmp_path).url))
    clerk = make_user(engine, username="desk")
    holder = sqlite3.connect(make_url(str(engine.url)).database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable) as waited:
            visitors.register_visitor(engine, actor=clerk, form=VISIT, idem_key="k")
        assert time.monotonic() - started < 5
        _friendly(waited.value)
        assert "locked" in str(waited.value.__cause__)  # the log keeps the real reason
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    visitors.register_visitor(engine, actor=clerk, form=VISIT, idem_key="k")  # the lock is gone: it saves
    assert count(engine, VisitorEntry) == 1
    engine.dispose()


def test_R14_postgres_row_lock_held_elsewhere_fires_lock_timeout(monkeypatch):
    monkeypatch.setenv("DUTYDESK_DB_LOCK_TIMEOUT_MS", "300")
    engine, drop = postgres_engine()
    try:
        clerk = make_user(engine, username="desk")
        visit = visitors.register_visitor(engine, actor=clerk, form=VISIT)
        with engine.connect() as other:
            other.execute(text("SELECT id FROM visitor_entry WHERE id = :id FOR UPDATE"), {"id": visit})
            started = time.monotonic()
            with pytest.raises(DatabaseUnavailable) as waited:
                visitors.check_out_visitor(engine, actor=clerk, visitor_id=visit)
            assert time.monotonic() - started < 5
            _friendly(waited.value)
            other.rollback()
        visitors.check_out_visitor(engine, actor=clerk, visitor_id=visit)
    finally:
        drop()


def test_R14_postgres_connections_carry_the_configured_limits(monkeypatch):
    monkeypatch.setenv("DUTYDESK_DB_STATEMENT_TIMEOUT_MS", "1234")
    monkeypatch.setenv("DUTYDESK_DB_LOCK_TIMEOUT_MS", "567")
    engine, drop = postgres_engine()
    try:
        with session_scope(engine, write=False) as session:
            assert session.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
            assert session.execute(text("SHOW lock_timeout")).scalar() == "567ms"
        with pytest.raises(DatabaseUnavailable):
            with session_scope(engine, write=False) as session:
                session.execute(text("SELECT pg_sleep(3)"))  # statement_timeout cancels it
    finally:
        drop()


def test_R12_postgres_cut_and_back_reconnects_by_itself(monkeypatch):
    monkeypatch.setenv("DUTYDESK_DB_CONNECT_TIMEOUT", "2")
    real, drop = postgres_engine()
    url = real.url
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    engine = make_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    try:
        clerk = make_user(engine, username="desk")
        visitors.register_visitor(engine, actor=clerk, form=VISIT, idem_key="a")
        proxy.cut()  # the database goes away mid-session: pooled connections die, new ones are refused
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable) as down:
            visitors.register_visitor(engine, actor=clerk, form=VisitorForm(name="李四", headcount=1,
                                                                          purpose="面试"), idem_key="b")
        assert time.monotonic() - started < 10
        _friendly(down.value)
        proxy.restore()  # it comes back: the next call works without a restart (pre-ping, reconnect)
        visitors.register_visitor(engine, actor=clerk, form=VisitorForm(name="李四", headcount=1, purpose="面试"),
                                  idem_key="b")
        assert count(engine, VisitorEntry) == 2
    finally:
        proxy.cut()
        engine.dispose()
        drop()
