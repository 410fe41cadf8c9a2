"""An admin-made register end to end through AppTest (issue 14 low-code, RG-custom-6, S59): the admin defines it on
登记簿定义 (a wrong definition is refused with what to fix, typed values kept); staff add an entry under
自定义登记 (a validation error keeps typed values); the chain's title approves; exports; a locked entry offers
no edit and the service refuses one."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from db.engine import session_scope
from db.models import User
from lib.domain.errors import DomainError
from lib.services import registers as R
from lib.services.base import fresh_actor
from lib.services.registers import custom as RC
from tests.app.conftest import open_page

TODAY = dt.date.today()


def registers_page(username):
    """The register page on its 自定义登记 tab (tabs are lazy: only the open one runs)."""
    at = open_page("pages/registers.py", username)
    assert "rg.family.custom" not in {w.key for w in at.selectbox}  # a closed tab does not run
    at.session_state["rg.tabs"] = "自定义登记"
    at.run()
    return at


def press(at, label, last=False):
    buttons = [b for b in at.button if b.label == label]
    (buttons[-1] if last else buttons[0]).click().run()


def _titles(engine, users, username, *titles):
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        user.titles = list(titles)
    with session_scope(engine, write=False) as session:
        return fresh_actor(session, users[username])


def _define(at, rows, *, name="报刊签收登记", chain=()):
    at.text_input(key="ranewv0_name").set_value(name)
    for i, (key, label, kind, required, choices) in enumerate(rows):
        at.text_input(key=f"ranewv0_key{i}").set_value(key)
        at.text_input(key=f"ranewv0_label{i}").set_value(label)
        at.selectbox(key=f"ranewv0_type{i}").set_value(kind)
        at.checkbox(key=f"ranewv0_req{i}").set_value(required)
        at.text_input(key=f"ranewv0_choices{i}").set_value(choices)
    at.multiselect(key="ranewv0_chain").set_value(list(chain))
    at.selectbox(key="ranewv0_lock").set_value("on_final_approval")
    press(at, "保存定义")


def test_RG_custom_6_S59_define_enter_approve_export_and_no_edit_after_lock(app_db):
    engine, users = app_db
    lead = _titles(engine, users, "supervisor", "综合部主管")
    at = open_page("pages/admin_registers.py", "admin")
    assert not at.exception
    rows = [("paper", "报纸名称", "text", True, ""), ("copies", "份数", "int", True, ""),
            ("kind", "类别", "choice", False, "")]
    _define(at, rows, chain=["综合部主管"])
    assert not at.exception
    message = at.error[0].value
    assert "第 3 行「类别」是选项字段" in message and "登记簿名称" not in message
    assert at.text_input(key="ranewv0_label0").value == "报纸名称"  # typed values kept
    assert RC.list_definitions(engine) == []
    at.text_input(key="ranewv0_choices2").set_value("日报、晚报")
    press(at, "保存定义")
    assert not at.exception and not at.error
    (definition,) = RC.list_definitions(engine)
    assert (definition.name, [f["key"] for f in definition.fields], definition.chain, definition.lock) == (
        "报刊签收登记", ["paper", "copies", "kind"], ("综合部主管",), "on_final_approval")
    assert at.session_state["ra_pick"] == definition.id
    key = definition.key

    staff = registers_page("staff")
    assert not staff.exception
    assert "自定义登记" in [tab.label for tab in staff.tabs]
    assert staff.selectbox(key="rg.family.custom").value == key
    staff.text_input(key=f"rg.{key}.new.paper").set_value("人民日报")
    press(staff, "提交登记", last=True)
    assert not staff.exception
    message = staff.error[0].value
    assert "份数" in message and "必填" in message
    assert staff.text_input(key=f"rg.{key}.new.paper").value == "人民日报"
    staff.number_input(key=f"rg.{key}.new.copies").set_value(3)
    staff.selectbox(key=f"rg.{key}.new.kind").set_value("日报")
    press(staff, "提交登记", last=True)
    assert not staff.exception and not staff.error
    (entry,) = R.list_entries(engine, actor=users["staff"], register=key, query=R.Query(
        first=TODAY - dt.timedelta(days=1), last=TODAY + dt.timedelta(days=1))).rows
    assert (entry.values["paper"], entry.values["copies"], entry.state, entry.step_title) == (
        "人民日报", 3, "pending", "综合部主管")

    approver = registers_page("supervisor")
    assert "有 1 条登记等待您处理。" in [w.value for w in approver.warning]
    approver.button(key=f"rg.{key}.await_{entry.id}").click().run()
    approver.button(key=f"rg.{key}.act_{entry.id}.approve").click().run()
    assert not approver.exception and not approver.error
    detail = R.get_entry(engine, actor=lead, register=key, entry_id=entry.id)
    assert (detail.entry.state, detail.entry.locked) == ("approved", True)

    staff = registers_page("staff")
    assert "导出 CSV" in {b.label for b in staff.get("download_button")}
    press(staff, "生成 Excel", last=True)
    assert not staff.exception and not staff.error
    assert sum(b.label == "导出 Excel" for b in staff.get("download_button")) == 1
    staff.session_state[f"rg.{key}.open"] = entry.id
    staff.run()
    assert not staff.exception
    assert f"rg.{key}.edit{entry.id}.paper" not in {w.key for w in staff.text_input}  # no edit once locked
    assert f"rg.{key}.correct{entry.id}.paper" in {w.key for w in staff.text_input}
    with pytest.raises(DomainError) as refused:
        R.edit_entry(engine, actor=users["staff"], register=key, entry_id=entry.id, values={"copies": 4})
    assert refused.value.key == "registers.locked"
