"""The router's error boundary through AppTest (R3, R12): hostile addresses, unplanned errors and a database
that drops a save show a Chinese message, never a traceback, and what was typed stays."""

from __future__ import annotations

import logging
import re

import pytest
from streamlit.testing.v1 import AppTest

from db.models import Ticket, VisitorEntry
from lib.navigation import PAGES
from lib.services.tickets import write as tickets
from tests.app.conftest import ROLES, ROOT
from tests.db.helpers import count
from tests.faults.helpers import lost_after_commit

LEAKS = ("Traceback", 'File "', "sqlalchemy", "psycopg", "sqlite3", "/work/", "site-packages")
FRIENDLY = "数据库暂时无法连接，请稍后再按一次保存；您填写的内容还在。"
INCIDENT = re.compile(r"系统出错了，已记录（编号 (\d{6}-[A-Z0-9]{6})）。请重试；如果再次出现，请把编号告诉管理员。")


def routed(username: str, page: str | None = None) -> AppTest:
    """The real router (Home.py), logged in as ``username``, on ``page`` (a path of lib.navigation.PAGES)."""
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.run()  # AppTest finds st.navigation's pages only after a first run
    if page:
        at.switch_page(page).run()
    return at


def shown_text(at: AppTest) -> str:
    """Every element's protobuf as text: whatever the browser would get."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def assert_clean(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    text = shown_text(at)
    for leak in LEAKS:
        assert leak not in text, (where, leak)


# Only the ticket page reads ``id``; every page gets a hostile ``id`` and ``token`` together, the ticket page each
# bad id on its own.
BAD_IDS = ("²", "99999999999999999999", "2147483648", "-1", "0", "\x00", "%00", "1e3", " 7")
MIXED = ({"id": "²", "token": "<script>alert(1)</script>"}, {"id": "99999999999999999999", "token": "\x00"})
TICKET_PAGE = "pages/ticket_detail.py"


def assert_no_incident(at: AppTest, where: object) -> None:
    """An incident number means an exception nobody handled: a bad address must be refused, not crash (R3)."""
    incidents = [e.value for e in at.error if INCIDENT.search(e.value)]
    assert not incidents, (where, incidents)


@pytest.mark.parametrize("role", ROLES)
def test_R3_every_page_with_hostile_query_parameters_shows_no_traceback_and_no_incident(app_db, role):
    """R3: each demo role walks each page it may open with hostile query parameters: no traceback text, no
    incident (an unhandled exception), and the ticket page says a bad number is not a ticket number."""
    at = routed(role)
    assert_clean(at, "home")
    titles = set()
    for spec in PAGES:
        if role not in spec.roles:
            continue
        for params in MIXED if spec.path != TICKET_PAGE else [{"id": bad} for bad in BAD_IDS]:
            at.switch_page(spec.path)
            at.query_params.clear()
            at.query_params.update(params)
            at.run()
            where = (role, spec.path, params)
            assert_clean(at, where)
            assert_no_incident(at, where)
            titles.update(t.value for t in at.title)
            if spec.path == TICKET_PAGE:
                assert "工单号" in " ".join(w.value for w in at.warning), where  # refused, with the reason
    assert len(titles) >= {"admin": 30, "supervisor": 25, "staff": 20, "display": 1}[role], titles


def test_R3_unplanned_error_is_logged_with_a_number_and_the_typed_text_stays(app_db, monkeypatch, caplog):
    at = routed("staff", "pages/tickets_intake.py")
    at.text_input(key="tk_phone").set_value("13800001234").run()  # outside the form: in session state now

    def broken(*_args, **_kwargs):
        raise RuntimeError('secret: File "/srv/app/x.py", SELECT * FROM app_user')

    with monkeypatch.context() as patch, caplog.at_level(logging.ERROR, logger="dutydesk.incident"):
        patch.setattr(tickets, "agent_number", broken)
        at.run()
    assert_clean(at, "broken intake")
    [message] = [e.value for e in at.error]
    number = INCIDENT.fullmatch(message).group(1)
    [logged] = [r for r in caplog.records if number in r.getMessage()]
    assert logged.exc_info and "SELECT * FROM app_user" in str(logged.exc_info[1])  # the log keeps it all
    at.run()
    assert not at.error
    assert at.text_input(key="tk_phone").value == "13800001234"  # nothing typed is lost


def test_R12_page_that_cannot_reach_the_database_says_so_in_chinese(app_db, monkeypatch):
    from sqlalchemy.exc import OperationalError

    at = routed("staff", "pages/tickets_intake.py")

    def refused(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused at 127.0.0.1:5432"))

    monkeypatch.setattr(tickets, "agent_number", refused)
    at.run()
    assert_clean(at, "refused")
    assert [e.value for e in at.error] == [FRIENDLY]


def _fill_visit(at: AppTest) -> None:
    at.text_input(key="v_name").set_value("张三")
    at.text_input(key="v_purpose").set_value("送货")
    at.text_input(key="v_company").set_value("华为")


def test_R12_visitor_save_lost_after_commit_keeps_the_form_and_a_retry_writes_one_visit(app_db):
    engine, _ = app_db
    at = routed("staff", "pages/visitors.py")
    _fill_visit(at)
    with lost_after_commit(VisitorEntry):
        next(b for b in at.button if b.label == "登记来访").click().run()
    assert_clean(at, "lost visitor save")
    assert FRIENDLY in [e.value for e in at.error]
    assert at.text_input(key="v_name").value == "张三" and at.text_input(key="v_purpose").value == "送货"
    assert count(engine, VisitorEntry) == 1
    next(b for b in at.button if b.label == "登记来访").click().run()  # the person presses save again
    assert_clean(at, "retry")
    assert count(engine, VisitorEntry) == 1
    assert "来访已登记。" in [s.value for s in at.success]
    assert at.text_input(key="v_name").value == ""
    _fill_visit(at)
    at.text_input(key="v_name").set_value("李四")
    next(b for b in at.button if b.label == "登记来访").click().run()
    assert count(engine, VisitorEntry) == 2  # after a confirmed save the next form is a new visit


def test_R12_ticket_intake_lost_after_commit_keeps_the_form_and_a_retry_writes_one_ticket(app_db):
    engine, _ = app_db
    at = routed("staff", "pages/tickets_intake.py")
    at.segmented_control(key="tk_type").set_value("inquiry").run()
    at.text_area(key="tk_problem").set_value("营业时间")
    at.text_input(key="tk_agent_no").set_value("017")
    with lost_after_commit(Ticket):
        next(b for b in at.button if b.label == "保存工单").click().run()
    assert_clean(at, "lost intake")
    assert FRIENDLY in [e.value for e in at.error]
    assert at.text_area(key="tk_problem").value == "营业时间"
    assert count(engine, Ticket) == 1
    next(b for b in at.button if b.label == "保存工单").click().run()
    assert_clean(at, "retry")
    assert count(engine, Ticket) == 1
    assert not at.error
    assert at.text_area(key="tk_problem").value == ""
    at.text_area(key="tk_problem").set_value("发票")
    next(b for b in at.button if b.label == "保存工单").click().run()
    assert count(engine, Ticket) == 2
