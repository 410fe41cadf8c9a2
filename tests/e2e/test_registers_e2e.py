"""An admin-made register in a real browser (issue 14 low-code, RG-custom-7, S59): the admin defines 报刊签收登记 on
登记簿定义; a member of staff adds an entry under 登记簿 → 自定义登记 (a missing required field is refused and the
typed text stays); the 综合部主管 approves it; the list is exported (CSV streamed, Excel); the locked entry offers
no edit, only a correction.

The people are created straight in the server's fresh database; each keeps a browser context of their own, logged
in once; steps run in file order and a failed step stops the rest (tests/e2e/conftest.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from db.engine import make_engine
from db.migrate import upgrade
from lib.services.accounts import create_first_admin
from lib.services.registers import custom
from tests.db.helpers import make_user
from tests.e2e.test_tickets import PASSWORD, choose, click_row, go, log_in, settle, shown, success, tick

pytestmark = pytest.mark.e2e
WAIT_MS = 40_000  # a busy 2-core machine (other suites, benches) may take long over a first run
expect.set_options(timeout=WAIT_MS)

NAME = "报刊签收登记"


@pytest.fixture(scope="module")
def office(e2e_server):
    engine = make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")
    upgrade(engine)
    create_first_admin(engine, username="admin", name="管理员", password=PASSWORD, repeat=PASSWORD)
    make_user(engine, username="clerk", role="staff", name="前台小李")
    make_user(engine, username="lead", role="supervisor", name="综合部老陈", titles=["综合部主管"])
    engine.dispose()
    return True


def _tab(browser, e2e_server, username):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    tab.goto(e2e_server.url)
    settle(tab)
    log_in(tab, username)
    return context, tab


@pytest.fixture(scope="module")
def clerk(browser, e2e_server, office):
    context, tab = _tab(browser, e2e_server, "clerk")
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="module")
def lead(browser, e2e_server, office):
    context, tab = _tab(browser, e2e_server, "lead")
    try:
        yield tab
    finally:
        context.close()


def open_custom(page: Page) -> None:
    go(page, "登记簿")
    shown(page.get_by_role("tab", name="自定义登记")).click()
    settle(page)


def test_RG_custom_7_admin_defines_a_register(page: Page, e2e_server, office):
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    page.goto(e2e_server.url)
    settle(page)
    log_in(page, "admin")
    go(page, "登记簿定义")
    shown(page.get_by_role("textbox", name="登记簿名称")).fill(NAME)
    shown(page.get_by_role("textbox", name="字段 1 · 代码")).fill("paper")
    shown(page.get_by_role("textbox", name="字段 1 · 名称")).fill("报纸名称")
    tick(page, "字段 1 · 必填")
    shown(page.get_by_role("textbox", name="字段 2 · 代码")).fill("copies")
    shown(page.get_by_role("textbox", name="字段 2 · 名称")).fill("份数")
    choose(page, "字段 2 · 类型", "整数")
    tick(page, "字段 2 · 必填")
    choose(page, "审批链", "综合部主管")
    page.keyboard.press("Escape")
    choose(page, "锁定规则", "最终审批后锁定")
    shown(page.get_by_role("button", name="保存定义")).click()
    expect(success(page, "登记簿定义已保存")).to_be_visible()
    settle(page)
    # the definitions list is a data grid (canvas, no text to find): the saved chain is read back from the store
    engine = make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")
    try:
        (saved,) = [d for d in custom.list_definitions(engine) if d.name == NAME]
    finally:
        engine.dispose()
    assert list(saved.chain) == ["综合部主管"]


def test_RG_custom_7_staff_enter_after_a_validation_error(clerk: Page):
    open_custom(clerk)
    shown(clerk.get_by_text(f"新登记：{NAME}")).click()
    shown(clerk.get_by_role("textbox", name="报纸名称")).fill("人民日报")
    shown(clerk.get_by_role("button", name="提交登记")).click()
    error = shown(clerk.get_by_test_id("stAlertContentError")).filter(has_text="份数")
    expect(error).to_be_visible()
    settle(clerk)
    expect(shown(clerk.get_by_role("textbox", name="报纸名称"))).to_have_value("人民日报")
    shown(clerk.get_by_role("spinbutton", name="份数")).fill("3")
    shown(clerk.get_by_role("button", name="提交登记")).click()
    expect(success(clerk, "已保存")).to_be_visible()
    settle(clerk)


def test_RG_custom_7_S59_the_chain_title_approves(lead: Page):
    open_custom(lead)
    expect(shown(lead.get_by_text("有 1 条登记等待您处理。"))).to_be_visible()
    shown(lead.get_by_role("button", name="第 1 号")).click()
    settle(lead)
    shown(lead.get_by_role("button", name="批准", exact=True)).click()
    expect(success(lead, "已批准")).to_be_visible()
    settle(lead)


def test_RG_custom_7_export_and_no_edit_after_lock(clerk: Page):
    clerk.reload()
    settle(clerk)
    open_custom(clerk)
    with clerk.expect_download() as download:
        shown(clerk.get_by_role("button", name="导出 CSV")).click()
    body = open(download.value.path(), encoding="utf-8-sig").read()
    assert body.splitlines()[0].startswith("编号,报纸名称,份数") and "人民日报" in body and "已批准" in body
    shown(clerk.get_by_role("button", name="生成 Excel")).click()
    settle(clerk)
    with clerk.expect_download() as download:
        shown(clerk.get_by_role("button", name="导出 Excel")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    click_row(clerk, 0)
    expect(shown(clerk.get_by_text("已锁定", exact=False)).first).to_be_visible()
    expect(shown(clerk.get_by_text("提交更正（新版本）"))).to_be_visible()
    expect(shown(clerk.get_by_text("补填 / 修改"))).to_have_count(0)
