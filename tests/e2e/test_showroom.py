"""The showroom day in a real browser: a walk-in registered through today's queue, a follow-up,
the manager's signature, and an edit of the signed day refused (SPEC M2.3, S25-S29).

The people, the lottery draw and an open-all-day ``workday_end`` are set up through the
services on the server's own database file; everything after that goes through Chromium.
Steps run in file order in one browser context and a failed step stops the rest.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from db.engine import make_engine
from db.migrate import upgrade
from lib.services import accounts, rotation, settings
from lib.services.showroom import read as showroom_read
from tests.db.helpers import make_user

pytestmark = pytest.mark.e2e

OFFICE_ZONE = ZoneInfo("Asia/Shanghai")
PASSWORD = "password1"  # tests.db.helpers.make_user's password
CUSTOMER = {"phone": "13912345678", "name": "钱女士", "matter": "RAV4 试驾"}
SETTLED = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    return app !== null && app.getAttribute("data-test-script-state") === "notRunning"
        && document.querySelector("[data-stale='true']") === null
        && document.querySelector("iframe[title*='cookie_manager']") === null;
}"""


def settle(page: Page) -> None:
    page.wait_for_function(SETTLED)


@pytest.fixture(scope="module")
def floor(e2e_server):
    """Admin, the sales manager and three consultants; today's draw puts 顾问一 at the front desk."""
    engine = make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")
    upgrade(engine)
    admin = accounts.create_first_admin(engine, username="admin", name="管理员", password=PASSWORD, repeat=PASSWORD)
    now = dt.datetime.now(OFFICE_ZONE)
    if now.time() >= dt.time(23, 50):  # the day would end during the scenario: start just after midnight
        time.sleep((dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 0, 5), tzinfo=OFFICE_ZONE)
                    - now).total_seconds())
    settings.change_setting(engine, actor=admin, key="workday_end", text="23:59",
                            reason="e2e: the pages read the clock")
    settings.change_setting(engine, actor=admin, key="showroom.sign_window_minutes", text="0",
                            reason="e2e: any signature during the day is an early close")
    manager = make_user(engine, username="mgr", role="supervisor", name="经理甲", titles=["销售经理"])
    people = [make_user(engine, username=f"c{i}", name=name, titles=["销售顾问"])
              for i, name in enumerate(["顾问一", "顾问二", "顾问三"], start=1)]
    rotation.record_draw(engine, actor=manager, method="recorded", consultant_ids=[p.id for p in people])
    yield {"engine": engine, "manager": manager, "people": people}
    engine.dispose()


def login(page: Page, url: str, username: str) -> None:
    page.goto(url)
    submit = page.get_by_role("button", name="登录", exact=True)
    expect(submit.first).to_be_visible()
    settle(page)
    expect(submit).to_have_count(1)  # a page still redrawing after the last logout can show two for a moment
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()  # the click's own run opens the menu (the login race)
    settle(page)


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    settle(page)


def go(page: Page, link: str) -> None:
    page.locator("[data-testid='stSidebarNavLink']").filter(has_text=link).click()
    expect(page.get_by_role("heading", name=link)).to_be_visible()
    settle(page)


def click_table_row(page: Page, index: int, within=None) -> None:
    """Click a row of a selectable ``st.dataframe`` (a canvas grid): its row-marker cell on the left."""
    grid = (within or page).get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    row_height = 35  # Streamlit's default row (and header) height
    page.mouse.click(box["x"] + 18, box["y"] + row_height * (index + 1) + row_height / 2)
    settle(page)


def test_reception_pc_registers_a_walk_in_through_the_queue(page: Page, e2e_server, floor):
    login(page, e2e_server.url, "c3")  # 顾问三 holds the reception PC today
    go(page, "来店/来电登记")
    expect(page.get_by_text("前台 顾问一，销售热线 顾问二")).to_be_visible()
    page.get_by_label("联系方式 *", exact=True).fill(CUSTOMER["phone"])
    page.get_by_label("联系方式 *", exact=True).press("Enter")
    settle(page)
    page.get_by_label("客户姓名 *", exact=True).fill(CUSTOMER["name"])
    page.get_by_label("咨询事项 *", exact=True).fill(CUSTOMER["matter"])
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_text(f"已登记客户 {CUSTOMER['name']}，接待顾问 顾问一，客户现归属 顾问一。")).to_be_visible()
    expect(page.get_by_text("已在今日排队中记录本次接待。").first).to_be_visible()  # a toast may repeat it (T16)
    settle(page)
    # T1: the browser's form is empty after the save, so a second click cannot send the same customer again.
    for label in ("联系方式 *", "客户姓名 *", "咨询事项 *"):
        expect(page.get_by_label(label, exact=True)).to_have_value("")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_text("必填").first).to_be_visible()
    settle(page)
    assert len(showroom_read.day_sheet(floor["engine"], actor=floor["manager"]).contacts) == 1
    # The turn moved on: the front desk is now the next person in the lottery order.
    board = rotation.board(floor["engine"], actor=floor["manager"])
    assert [s.name for s in board.slots][:1] == ["顾问二"]
    logout(page)


def test_owner_follows_up_from_my_customers(page: Page, e2e_server, floor):
    login(page, e2e_server.url, "c1")
    go(page, "我的客户")
    expect(page.get_by_test_id("stMetric").filter(has_text="我的客户")).to_contain_text("1")
    page.get_by_role("tab", name="记录回访", exact=True).click()
    settle(page)
    click_table_row(page, 0, within=page.get_by_role("tabpanel", name="记录回访"))  # T17: open it from the table
    expect(page.get_by_text(re.compile(f"{CUSTOMER['name']} · {CUSTOMER['phone']}"))).to_be_visible()
    page.get_by_label("回访记录", exact=True).fill("电话回访，约周末试驾")
    page.get_by_role("button", name="记录回访", exact=True).click()
    # the confirmation at the form (a toast repeats it, T16: both may be on screen at once)
    expect(page.get_by_test_id("stAlertContentSuccess").get_by_text("回访已记录，归属期限已顺延。")).to_be_visible()
    settle(page)
    found = showroom_read.find_customer(floor["engine"], actor=floor["people"][0], phone=CUSTOMER["phone"])
    assert (found.owner, found.state) == ("顾问一", "owned_following")
    logout(page)


def test_manager_signs_the_day_sheet(page: Page, e2e_server, floor):
    login(page, e2e_server.url, "mgr")
    go(page, "当日来访表")
    expect(page.get_by_test_id("stMetric").filter(has_text="来店")).to_contain_text("1")
    page.get_by_role("button", name="签字并锁定", exact=True).click()
    settle(page)
    # T3: one click only opens the confirmation; before the closing window an early close needs a reason.
    confirm = page.get_by_role("button", name="确认签字并锁定", exact=True)
    expect(confirm).to_be_disabled()
    page.get_by_text("提前收班，今天不再登记来店/来电").click()
    settle(page)
    page.get_by_label("提前收班原因 *", exact=True).fill("盘点提前闭店")
    page.get_by_label("提前收班原因 *", exact=True).press("Enter")
    settle(page)
    expect(confirm).to_be_enabled()
    confirm.click()
    expect(page.get_by_text("已签字，当日来访表已锁定。").first).to_be_visible()
    expect(page.get_by_text("提前收班签字锁定（原因：盘点提前闭店）").first).to_be_visible()
    settle(page)
    logout(page)


def test_an_edit_of_the_signed_day_is_refused(page: Page, e2e_server, floor):
    login(page, e2e_server.url, "c1")
    go(page, "当日来访表")
    expect(page.get_by_text("签字锁定（原因：盘点提前闭店），不能新增或修改").first).to_be_visible()
    expect(page.get_by_role("button", name="保存", exact=True)).to_have_count(0)  # no completion form any more
    go(page, "来店/来电登记")
    page.get_by_label("联系方式 *", exact=True).fill("13800001111")
    page.get_by_label("联系方式 *", exact=True).press("Enter")
    settle(page)
    page.get_by_label("客户姓名 *", exact=True).fill("孙先生")
    page.get_by_label("咨询事项 *", exact=True).fill("补登昨天的客户")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_text("由 经理甲 签字锁定（提前收班：盘点提前闭店），不能新增或修改").first).to_be_visible()
    settle(page)
    expect(page.get_by_label("客户姓名 *", exact=True)).to_have_value("孙先生")
    sheet = showroom_read.day_sheet(floor["engine"], actor=floor["manager"])
    assert [c.customer_name for c in sheet.contacts] == [CUSTOMER["name"]]
