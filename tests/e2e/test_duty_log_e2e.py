"""A control-room duty-log page corrected in a real browser (issue 16, S60; seed 004 D2, REGISTERS.md §1.5).

S60: 「记录必须字迹清楚,整洁干净,不得有乱涂乱画或缺页、丢页现象」 — a 中控员 opens 登记簿 → 中控室 → 值班记录, writes
a fault for the post 中控室 (No. 1 of that post); the page is locked at once: it offers a correction (a new
version, with a reason) and only the late fields (上报, 关闭) to fill in, never the text itself, and no delete
anywhere. After the correction the new version is open: it is the next page of the post's log (No. 2, version 2,
with the reason); version 1 stays, opened from the list of versions, marked as corrected. In the store both rows
remain and a DELETE is refused by the table's trigger.

The office (a department, the post, the operator) is made through the services in the server's fresh database;
the steps share one logged-in browser and run in file order (a failed step stops the rest, tests/e2e/conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models_registers import register_table
from lib.services import accounts
from tests.e2e.test_tickets import PASSWORD, choose, click_row, go, log_in, settle, shown, success

pytestmark = pytest.mark.e2e
WAIT_MS = 40_000  # a busy 2-core machine (other suites, benches) may take long over a first run
expect.set_options(timeout=WAIT_MS)

POST = "中控室"
FIRST = "SCADA 报警: 2号水泵故障"
FIXED = "SCADA 报警: 2号水泵故障,现场确认为3号泵"
REASON = "泵号记错,现场确认为3号泵"


def _engine(e2e_server):
    return make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")


@pytest.fixture(scope="module")
def office(e2e_server):
    """秩序维护部, the post 中控室 (24x7) and one 中控员 in it."""
    engine = _engine(e2e_server)
    try:
        upgrade(engine)
        admin = accounts.create_first_admin(engine, username="admin", name="管理员", password=PASSWORD,
                                            repeat=PASSWORD)
        department = accounts.save_org_unit(engine, actor=admin,
                                            form=accounts.OrgForm(kind="department", name="秩序维护部"))
        accounts.save_org_unit(engine, actor=admin, form=accounts.OrgForm(kind="post", name=POST, is_24x7=True,
                                                                           min_staff=1))
        accounts.create_user(engine, actor=admin, password=PASSWORD, repeat=PASSWORD,
                             form=accounts.UserForm(username="op1", name="中控员小周", role="staff",
                                                    titles=("中控员",), department_id=department))
    finally:
        engine.dispose()
    return True


def heading(page: Page, no: int, version: int):
    return shown(page.get_by_role("heading", name=f"值班记录 第 {no} 号（第 {version} 版）"))


def expander(page: Page, label: str):
    return shown(page.get_by_test_id("stExpander")).filter(has_text=label)


def test_S60_e2e_operator_writes_a_duty_log_page(page: Page, e2e_server, office):
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    page.goto(e2e_server.url)
    settle(page)
    log_in(page, "op1")
    go(page, "登记簿")
    shown(page.get_by_role("tab", name=POST, exact=True)).click()
    settle(page)
    expect(shown(page.get_by_role("combobox", name="登记簿"))).to_have_value("值班记录")
    shown(page.get_by_text("新登记：值班记录")).click()
    shown(page.get_by_role("textbox", name="岗位")).fill(POST)
    choose(page, "类别", "故障")
    shown(page.get_by_role("textbox", name="情况记录")).fill(FIRST)
    shown(page.get_by_role("textbox", name="处理办法")).fill("已通知工程部到场")
    shown(page.get_by_role("button", name="提交登记")).click()
    expect(success(page, "已保存")).to_be_visible()
    settle(page)
    shown(page.get_by_text("新登记：值班记录")).click()  # folded again: the list comes up to the screen
    expect(shown(page.get_by_role("textbox", name="情况记录"))).to_have_count(0)
    settle(page)


def test_S60_e2e_the_locked_page_offers_a_correction_and_no_delete(page: Page):
    shown(page.get_by_test_id("stDataFrame")).first.scroll_into_view_if_needed()
    click_row(page, 0)
    expect(heading(page, 1, 1)).to_be_visible()
    expect(shown(page.get_by_text("已锁定", exact=False)).first).to_be_visible()
    expect(expander(page, "提交更正（新版本）")).to_have_count(1)
    # only the late fields (上报, 关闭) may still be filled in; the text written is not changed in place
    late = expander(page, "补填 / 修改")
    expect(late.get_by_role("textbox", name="情况记录")).to_have_count(0)
    expect(late.get_by_role("combobox", name="类别")).to_have_count(0)
    expect(late.get_by_text("关闭时间").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("删除"))).to_have_count(0)
    expect(page.get_by_text("删除")).to_have_count(0)


def test_S60_e2e_duty_log_entry_then_correction_shows_both_versions(page: Page, e2e_server):
    correction = expander(page, "提交更正（新版本）")
    correction.get_by_text("提交更正（新版本）").click()
    description = shown(correction.get_by_role("textbox", name="情况记录"))
    expect(description).to_have_value(FIRST)  # the correction starts from the page as written
    description.fill(FIXED)
    shown(correction.get_by_role("textbox", name="更正原因")).fill(REASON)
    shown(correction.get_by_role("button", name="保存更正")).click()
    expect(success(page, "已更正，原登记保留可查。")).to_be_visible()
    settle(page)
    # the correction is the post's next page (nothing torn out or written over), opened at once, with its reason
    expect(heading(page, 2, 2)).to_be_visible()
    expect(shown(page.get_by_text(f"更正原因：{REASON}"))).to_be_visible()
    expect(shown(page.get_by_text("各版本："))).to_be_visible()
    current = shown(page.get_by_role("button", name="第 2 版（已登记）"))
    expect(current).to_be_disabled()
    expect(shown(page.get_by_text("这条登记已被更正版本取代"))).to_have_count(0)
    # version 1 is still there, opened from the versions, marked as corrected and no longer correctable
    shown(page.get_by_role("button", name="第 1 版（已登记）")).click()
    settle(page)
    expect(heading(page, 1, 1)).to_be_visible()
    expect(shown(page.get_by_text("这条登记已被更正版本取代，请打开最新版本。"))).to_be_visible()
    expect(shown(page.get_by_role("button", name="第 1 版（已登记）"))).to_be_disabled()
    expect(expander(page, "提交更正（新版本）")).to_have_count(0)
    expect(expander(page, "补填 / 修改")).to_have_count(0)
    # the store holds both pages of the post, linked; deleting one is refused (S60)
    engine = _engine(e2e_server)
    try:
        tbl = register_table("cr_duty_log")
        with session_scope(engine, write=False) as session:
            rows = session.execute(select(tbl.c.id, tbl.c.no, tbl.c.version, tbl.c.post, tbl.c.description,
                                          tbl.c.superseded_by_id, tbl.c.reason).order_by(tbl.c.id)).all()
        (one, two) = rows
        assert (one.no, one.version, one.post, one.description, one.superseded_by_id) == (1, 1, POST, FIRST, two.id)
        assert (two.no, two.version, two.post, two.description, two.superseded_by_id, two.reason) == (
            2, 2, POST, FIXED, None, REASON)
        with pytest.raises(DBAPIError, match="never deleted"):
            with session_scope(engine) as session:
                session.execute(text("DELETE FROM reg_cr_duty_log"))
    finally:
        engine.dispose()
