"""The wall display in a real browser at TV size (SPEC M4 4.7, S55; issue 10 T10-T12).

The server starts fresh and the TV's display link is its very first visitor, as after a
night's restart (Streamlit would otherwise run pages/wall.py from its folder, outside the
router). No "Page not found" modal ever appears, on the link or on /home; the wall fits
1920×1080 with the queue on screen, no sidebar and no logout; a revoked link says so.

The data is written straight into the server's database by the services, as another user
of the app would; the browser never clicks on the TV. Waits are on the script state and on
the wall's own refresh, never blind sleeps.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from db.engine import make_engine
from db.migrate import upgrade
from lib.services import display, rotation, settings
from lib.services.kpi import rankings as kpi
from lib.services.accounts import create_first_admin
from tests.db.helpers import make_user

pytestmark = pytest.mark.e2e

REFRESH_S = 10  # the setting's minimum
WAIT_MS = (3 * REFRESH_S + 15) * 1000
WATCH_S = 60
TV = {"width": 1920, "height": 1080}
NAMES = ("李一鸣", "周二强", "孙三多", "吴思远", "郑晓峰", "王建国", "冯子豪", "陈立新", "褚明亮", "卫东升", "蒋文博",
         "沈嘉怡")
STATE: dict = {}


@pytest.fixture(scope="module")
def office(e2e_server):
    """Twelve consultants in today's queue with last month's sales; the wall rotates sales and the fund."""
    engine = make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")
    upgrade(engine)
    admin = create_first_admin(engine, username="boss", name="王经理", password="Duty-Desk-2026",
                               repeat="Duty-Desk-2026")
    manager = make_user(engine, username="sales_mgr", role="supervisor", name="销售经理")
    make_user(engine, username="tv", role="display", name="大堂电视")
    people = [make_user(engine, username=f"c{i}", name=name, titles=("销售顾问",)) for i, name in enumerate(NAMES)]
    _, today = settings.office_zone_now(engine)
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    kpi.save_sales(engine, actor=manager, month=month, units={p.id: 20 - i for i, p in enumerate(people)})
    rotation.record_draw(engine, actor=manager, method="recorded", consultant_ids=[p.id for p in people])
    settings.change_setting(engine, actor=admin, key="display.panel_order", text='["sales_ranking", "fund"]')
    settings.change_setting(engine, actor=admin, key="display.refresh_seconds", text=str(REFRESH_S))
    link_id, token = display.create_link(engine, actor=admin, label="展厅电视", privacy=False)
    _, showroom = display.create_link(engine, actor=admin, label="展厅排队", layout="queue_only")
    yield {"engine": engine, "admin": admin, "manager": manager, "month": month, "link_id": link_id,
           "token": token, "showroom": showroom}
    engine.dispose()


def settle(page: Page) -> None:
    expect(page.locator("[data-test-script-state='notRunning']")).to_have_count(1)


def no_modal(page: Page) -> None:
    expect(page.locator("[role=dialog]")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def fits_the_tv(page: Page, shot: str) -> None:
    """T11: no vertical scroll at 1920×1080, no sidebar, no logout button; a screenshot for the report."""
    settle(page)
    assert page.evaluate("document.documentElement.scrollHeight") <= TV["height"]
    assert page.evaluate("document.scrollingElement.scrollHeight") <= TV["height"]
    expect(page.locator("[data-testid='stSidebar']")).to_have_count(0)
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)
    page.screenshot(path=shot)


def tab(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport=TV, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(url)
    settle(page)
    return page


def log_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    settle(page)


def test_T10_the_first_visitor_after_a_start_is_the_tv_and_gets_the_wall_alone(page: Page, e2e_server, office):
    page.set_viewport_size(TV)
    page.goto(f"{e2e_server.url}/wall?token={office['token']}")
    expect(page.get_by_role("heading", name="值班台 · 公开栏")).to_be_visible()
    expect(page.get_by_text("李一鸣").first).to_be_visible()
    expect(page.get_by_text("销量排名")).to_be_visible()
    expect(page.get_by_text("今日排队")).to_be_visible()
    settle(page)
    no_modal(page)
    expect(page.locator("[data-testid='stSidebarNavLink']")).to_have_count(0)  # no file list of pages/
    expect(page.get_by_text("登录", exact=True)).to_have_count(0)
    assert page.locator("input, textarea, button[kind='primary']").count() == 0


def test_T10_no_page_not_found_modal_over_60_s_on_the_link_and_on_home(page: Page, browser, e2e_server, office):
    """The TV, /home logged out and /home logged in, watched side by side: the wall's refreshes and the
    other tabs' script runs are the points we look at, for a full minute."""
    logged_out = tab(browser, f"{e2e_server.url}/home")
    expect(logged_out.get_by_text("请输入用户名和密码登录。")).to_be_visible()
    logged_in = tab(browser, e2e_server.url)
    log_in(logged_in, "boss", "Duty-Desk-2026")
    expect(logged_in.get_by_role("heading", name="您好，王经理")).to_be_visible()
    logged_in.goto(f"{e2e_server.url}/home")
    expect(logged_in.get_by_role("heading", name="您好，王经理")).to_be_visible()
    tabs = (page, logged_out, logged_in)
    deadline = time.monotonic() + WATCH_S
    looks = 0
    while time.monotonic() < deadline:
        stamp = page.get_by_text("更新于").first.inner_text()
        for each in tabs:
            settle(each)
            no_modal(each)
        looks += 1
        expect(page.get_by_text("更新于").first).not_to_have_text(stamp, timeout=WAIT_MS)  # the wall's next refresh
    for each in tabs:
        no_modal(each)
    assert looks >= 4
    assert "token=" in page.url
    for each in (logged_out, logged_in):
        each.context.close()


def test_T11_the_split_wall_fits_1920_by_1080_with_twelve_in_the_queue(page: Page, office):
    expect(page.get_by_text(NAMES[-1]).first).to_be_visible()
    fits_the_tv(page, "/tmp/wall_default.png")


def test_T11_T12_a_showroom_tv_shows_the_queue_alone_masked_and_fits(browser, e2e_server, office):
    tv = tab(browser, f"{e2e_server.url}/wall?token={office['showroom']}")
    expect(tv.get_by_text("今日排队")).to_be_visible()
    expect(tv.get_by_text("李*鸣")).to_be_visible()
    expect(tv.get_by_text("李一鸣")).to_have_count(0)
    expect(tv.get_by_text("销量排名")).to_have_count(0)
    no_modal(tv)
    fits_the_tv(tv, "/tmp/wall_showroom_queue_only.png")
    tv.context.close()


def test_T11_the_display_account_signed_in_gets_the_wall_without_menu_or_logout(browser, e2e_server, office):
    tv = tab(browser, e2e_server.url)
    log_in(tv, "tv", "password1")
    expect(tv.get_by_role("heading", name="值班台 · 公开栏")).to_be_visible()
    no_modal(tv)
    fits_the_tv(tv, "/tmp/wall_display_account.png")
    tv.context.close()


def test_the_wall_refreshes_by_itself_and_a_new_figure_appears_without_a_click(page: Page, office):
    newcomer = make_user(office["engine"], username="c99", name="赵新人", titles=("销售顾问",))
    kpi.save_sales(office["engine"], actor=office["manager"], month=office["month"], units={newcomer.id: 30})
    expect(page.get_by_text("赵新人")).to_be_visible(timeout=WAIT_MS)


def test_T10_a_revoked_link_says_so_full_screen_at_its_next_refresh_not_a_login(page: Page, office):
    page.bring_to_front()  # the earlier steps opened other tabs: a page behind them may have its timers slowed
    display.revoke_link(office["engine"], actor=office["admin"], link_id=office["link_id"], reason="电视搬走")
    expect(page.get_by_text("此大屏链接已停用")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("赵新人")).to_have_count(0)
    expect(page.get_by_role("heading", name="值班台 · 公开栏")).to_have_count(0)
    expect(page.get_by_label("用户名", exact=True)).to_have_count(0)
    no_modal(page)
    page.reload()
    expect(page.get_by_text("此大屏链接已停用")).to_be_visible(timeout=WAIT_MS)
    no_modal(page)
    page.screenshot(path="/tmp/wall_revoked.png")
