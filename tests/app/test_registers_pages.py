"""The register page through AppTest (issue 14): the form keeps typed values on a validation error and saves once
fixed; the approve button shows only to the title that may act and signs the step; exports (CSV, Excel with a
cap message); a locked entry offers only its late fields and a correction."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from db.engine import session_scope
from db.models import OrgUnit, User
from lib.services import registers as R
from tests.app.conftest import open_page

TODAY = dt.date.today()


def submit(at, label):
    next(b for b in at.button if b.label == label).click().run()


def _place(engine, users, **titles):
    """Put the staff and the supervisor in one department; give the named accounts titles."""
    with session_scope(engine) as session:
        unit = OrgUnit(kind="department", name="销售部")
        session.add(unit)
        session.flush()
        for username in ("staff", "supervisor"):
            user = session.exec(select(User).where(User.username == username)).one()
            user.department_id = unit.id
            user.titles = list(titles.get(username, ()))
    from lib.services.base import fresh_actor

    with session_scope(engine, write=False) as session:
        return {name: fresh_actor(session, users[name]) for name in ("staff", "supervisor")}


def _entries(engine, actor, register):
    return R.list_entries(engine, actor=actor, register=register,
                          query=R.Query(first=TODAY - dt.timedelta(days=1), last=TODAY + dt.timedelta(days=1))).rows


def test_a_general_query_with_a_missing_field_keeps_what_was_typed_then_saves(app_db):
    engine, users = app_db
    at = open_page("pages/registers.py", "staff")
    assert not at.exception
    assert at.selectbox(key="rg.family.information").value == "general_query"
    at.text_area(key="rg.general_query.new.content").set_value("客户联系人电话")
    at.text_input(key="rg.general_query.new.purpose").set_value("回访")
    submit(at, "提交登记")
    assert not at.exception
    message = at.error[0].value
    assert "询问人" in message and "必填" in message
    assert at.text_area(key="rg.general_query.new.content").value == "客户联系人电话"
    assert at.text_input(key="rg.general_query.new.purpose").value == "回访"
    assert _entries(engine, users["staff"], "general_query") == ()
    at.text_input(key="rg.general_query.new.enquirer").set_value("[张三](http://x)")
    submit(at, "提交登记")
    assert not at.exception and not at.error
    (entry,) = _entries(engine, users["staff"], "general_query")
    assert (entry.values["enquirer"], entry.values["content"], entry.state) == ("[张三](http://x)", "客户联系人电话",
                                                                               "recorded")
    assert at.text_area(key="rg.general_query.new.content").value == ""


def test_S59_only_the_department_manager_sees_approve_and_signs_the_special_loan(app_db):
    engine, users = app_db
    people = _place(engine, users, supervisor=("部门经理",))
    entry_id = R.create_entry(engine, actor=people["staff"], register="special_loan", values={
        "borrower_id": people["staff"].id, "content": "重要客户合同", "borrowed_at": dt.datetime.now(dt.timezone.utc),
        "purpose": "核对条款"})
    staff = open_page("pages/registers.py", "staff")
    staff.selectbox(key="rg.family.information").set_value("special_loan").run()
    assert not staff.exception and not [b for b in staff.button if b.label == "批准"]
    at = open_page("pages/registers.py", "supervisor")
    at.selectbox(key="rg.family.information").set_value("special_loan").run()
    assert not at.exception
    assert at.warning[0].value == "有 1 条登记等待您处理。"
    at.button(key=f"rg.special_loan.await_{entry_id}").click().run()
    at.button(key=f"rg.special_loan.act_{entry_id}.approve").click().run()
    assert not at.exception and not at.error
    entry = R.get_entry(engine, actor=people["staff"], register="special_loan", entry_id=entry_id).entry
    assert entry.state == "approved" and entry.values["reviewer"] == "supervisor用户"


def test_exports_csv_and_excel_and_a_clear_message_beyond_the_cap(app_db, monkeypatch):
    engine, users = app_db
    for i in range(3):
        R.create_entry(engine, actor=users["staff"], register="general_query", values={
            "asked_at": dt.datetime.now(dt.timezone.utc), "enquirer": f"客户{i}", "content": "电话", "purpose": "回访"})
    at = open_page("pages/registers.py", "staff")
    assert not at.exception
    assert "导出 CSV" in {b.label for b in at.get("download_button")}
    submit(at, "生成 Excel")
    assert not at.exception
    assert "导出 Excel" in {b.label for b in at.get("download_button")}
    monkeypatch.setattr(R, "EXCEL_CAP", 2)
    at = open_page("pages/registers.py", "staff")
    submit(at, "生成 Excel")
    assert "超过 2 行" in at.error[0].value


def test_a_locked_loan_offers_its_return_time_and_a_correction_only(app_db):
    engine, users = app_db
    entry_id = R.create_entry(engine, actor=users["staff"], register="general_loan", values={
        "borrower_id": users["staff"].id, "content": "安装单", "borrowed_at": dt.datetime.now(dt.timezone.utc),
        "purpose": "核对"})
    at = open_page("pages/registers.py", "staff")
    at.selectbox(key="rg.family.information").set_value("general_loan").run()
    at.session_state["rg.general_loan.open"] = entry_id
    at.run()
    assert not at.exception
    keys = {w.key for w in at.date_input}
    assert f"rg.general_loan.edit{entry_id}.returned_at_d" in keys
    assert f"rg.general_loan.edit{entry_id}.content" not in {w.key for w in at.text_input}
    assert f"rg.general_loan.correct{entry_id}.content" in {w.key for w in at.text_input}
