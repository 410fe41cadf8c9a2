"""The showroom queue in a real browser: the manager records the draw, then receive, skip, old customer,
and the next day starting with the person at the front desk at closing (SPEC M1 1.1, S2–S5, S3).

The people are created through the services on the server's own SQLite file (the admin pages are the
front-desk test's subject); everything about the queue goes through the browser. "Next day" moves the
stored queue day and the draw back by one day (the events are append-only and the board finds them by
their day), which is what a night's sleep leaves behind.
Steps share one browser context and run in file order; a failed step stops the rest (tests/e2e/conftest.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import LotteryDraw, QueueDay
from lib.services import accounts, rotation, settings

pytestmark = pytest.mark.e2e

MANAGER = {"username": "manager", "name": "吕经理", "password": "Queue-Desk-2026"}
CONSULTANTS = ["顾问甲", "顾问乙", "顾问丙", "顾问丁"]


@pytest.fixture(scope="module")
def db(e2e_server):
    engine = make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def settle(page: Page) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def expect_metric(page: Page, label: str, value: str) -> None:
    """A metric shows ``value`` (``.first``: the auto-refresh may briefly keep the previous copy beside it)."""
    expect(page.get_by_test_id("stMetric").filter(has_text=label).filter(has_text=value).first).to_be_visible()


def expect_card(page: Page, number: int, *texts: str) -> None:
    """The board card of slot ``number`` shows every one of ``texts``."""
    card = page.locator(f".st-key-q_card_{number}:not([data-stale='true'])")
    for text in texts:
        card = card.filter(has_text=text)
    expect(card.first).to_be_visible()


def tap(page: Page, key: str) -> None:
    """Click a board button (by role: a button with a help tooltip also has a hidden copy in the DOM; and
    while the auto-refresh reruns, the previous run's copy lingers marked ``data-stale``)."""
    page.locator(f"[class*='st-key-{key}_s']:not([data-stale='true'])").get_by_role("button").click()


def open_at(page: Page, server, url_path: str, heading: str) -> None:
    """Deep link to a page (the sidebar folds long menus); the login cookie carries over."""
    page.goto(f"{server.url}/{url_path}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    # The login cookie component loads after the first run and asks for one more: let it finish first,
    # or a click may land on a button that run is replacing.
    page.wait_for_load_state("networkidle")
    settle(page)


def test_manager_logs_in_with_consultants_on_file(page: Page, e2e_server, db):
    admin = accounts.create_first_admin(db, username="boss", name="管理员", password="Admin-pass-1",
                                        repeat="Admin-pass-1")
    accounts.create_user(db, actor=admin, password=MANAGER["password"], repeat=MANAGER["password"],
                         form=accounts.UserForm(username=MANAGER["username"], name=MANAGER["name"], role="supervisor",
                                                titles=("销售经理",)))
    for i, name in enumerate(CONSULTANTS, start=1):
        accounts.create_user(db, actor=admin, password="Consult-1234", repeat="Consult-1234",
                             form=accounts.UserForm(username=f"c{i}", name=name, role="staff", staff_no=f"S{i:03d}",
                                                    titles=("销售顾问",)))
    # The board re-reads itself every few seconds; slow it down while this test taps, so a click never lands
    # on a button the refresh is replacing (the last step turns it back up and watches it work).
    settings.change_setting(db, actor=admin, key="queue.board_refresh_seconds", text="600")
    login(page, e2e_server, MANAGER["username"], MANAGER["password"], MANAGER["name"])


def test_manager_records_the_physical_draw_in_order(page: Page, e2e_server, db):
    open_at(page, e2e_server, "queue-admin", "抽签与排队管理")
    page.locator(".st-key-d_method:not([data-stale='true'])").get_by_text("录入现场抽签结果", exact=True).click()
    expect(page.get_by_text("按抽签结果的先后顺序选择顾问")).to_be_visible()
    settle(page)
    picker = page.locator(".st-key-pp-consultant-d_people_recorded:not([data-stale='true'])")
    for i, name in enumerate(CONSULTANTS, start=1):
        picker.locator("input").click()
        page.get_by_role("option", name=f"{name}（S{i:03d}）").click()
        settle(page)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="保存并公布抽签结果").click()
    expect(page.get_by_text("抽签结果已保存并公布", exact=False)).to_be_visible()
    settle(page)
    expect(page.get_by_text("录入现场抽签结果，吕经理", exact=False)).to_be_visible()
    with session_scope(db, write=False) as session:
        draw = session.exec(select(LotteryDraw)).one()
    assert draw.method == "recorded" and len(draw.lottery_order) == 4


def test_S2_board_shows_the_posts_and_a_received_customer_moves_the_desk_on(page: Page, e2e_server, db):
    open_at(page, e2e_server, "queue", "展厅排队")
    expect_metric(page, "轮到接待", "顾问甲")
    for number, post, name in [(1, "前台", "顾问甲"), (2, "销售热线", "顾问乙"), (3, "接待台电脑", "顾问丙"),
                               (4, "替补", "顾问丁")]:
        expect_card(page, number, f"{number} · {post}", name)
    ids = _ids(db)
    tap(page, f"q_due_received_new_{ids['顾问甲']}")
    expect(page.get_by_text("已记录：顾问甲 接待新客户").first).to_be_visible()  # a toast may repeat it (T16)
    expect_metric(page, "轮到接待", "顾问乙")
    expect_metric(page, "本轮已接待", "1 / 4")
    settle(page)


def test_S5_skip_hands_the_desk_to_the_next(page: Page, db):
    ids = _ids(db)
    tap(page, f"q_due_skip_{ids['顾问乙']}")
    expect(page.get_by_text("已记录：顾问乙 放弃本次接待").first).to_be_visible()
    expect_metric(page, "轮到接待", "顾问丙")
    settle(page)


def test_S4_old_customer_keeps_the_place(page: Page, db):
    ids = _ids(db)
    target = page.locator(".st-key-q_target")
    target.locator("input").click()
    page.get_by_role("option", name="顾问丁（S004）").click()
    settle(page)
    tap(page, f"q_other_served_old_{ids['顾问丁']}")
    expect(page.get_by_text("已记录：顾问丁 接待老客户").first).to_be_visible()
    expect_card(page, 2, "顾问丁", "接待老客户中")
    expect_metric(page, "轮到接待", "顾问丙")
    settle(page)


def test_S3_next_day_starts_with_the_person_at_the_front_desk_at_closing(page: Page, db):
    with session_scope(db) as session:
        for row in session.exec(select(QueueDay)).all():
            row.day -= dt.timedelta(days=1)
            session.add(row)
        for row in session.exec(select(LotteryDraw)).all():
            row.drawn_on -= dt.timedelta(days=1)
            session.add(row)
    page.reload()
    expect(page.get_by_role("heading", name="展厅排队")).to_be_visible()
    settle(page)
    expect_metric(page, "轮到接待", "顾问丙")
    expect_metric(page, "本轮已接待", "0 / 4")  # a fresh day: nobody has had a group, nobody is busy
    for number, name in enumerate(["顾问丙", "顾问丁", "顾问甲", "顾问乙"], start=1):
        expect_card(page, number, name, "排队中")
    expect(page.get_by_text("接待老客户中")).to_have_count(0)


def test_a_tap_on_another_screen_shows_up_by_itself(page: Page, db):
    admin = accounts.load_actor(db, "boss")
    settings.change_setting(db, actor=admin, key="queue.board_refresh_seconds", text="2")
    page.reload()
    expect(page.get_by_role("heading", name="展厅排队")).to_be_visible()
    settle(page)
    expect_metric(page, "轮到接待", "顾问丙")
    ids = _ids(db)
    consultant = accounts.load_actor(db, "c3")
    rotation.record_event(db, actor=consultant, consultant_id=ids["顾问丙"], event_type="received_new")
    expect_metric(page, "轮到接待", "顾问丁")  # no click, no reload: the board's own refresh
    expect_metric(page, "本轮已接待", "1 / 4")


def login(page: Page, server, username: str, password: str, name: str) -> None:
    """Sign in on a fresh context and wait for the login cookie (as the manager's first step does)."""
    page.goto(server.url)
    settle(page)
    for label, value in (("用户名", username), ("密码", password)):
        box = page.get_by_label(label, exact=True)
        expect(box).to_have_count(1)
        box.fill(value)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name=f"您好，{name}")).to_be_visible()  # the click's own run (the login race)
    page.wait_for_function("document.cookie.split('; ').some(c => c.startsWith('dutydesk_auth='))")
    settle(page)


def refresh_every(db, seconds: int) -> None:
    settings.change_setting(db, actor=accounts.load_actor(db, "boss"), key="queue.board_refresh_seconds",
                            text=str(seconds))


def _received_today(db) -> list[int]:
    admin = accounts.load_actor(db, "boss")
    return [e.consultant for e in rotation.board(db, actor=admin).events if e.type == "received_new"]


def test_T6_two_consultants_pressing_at_once_in_two_browsers_one_wins(browser, e2e_server, db):
    """T6: 顾问丁 (due) and 顾问甲 (next) press 接待新客户 at the same moment: one turn is recorded, the
    other browser is refused and told who is due."""
    ids = _ids(db)
    before = _received_today(db)
    refresh_every(db, 600)  # the pages load to rest (the login cookie's extra run included) before the race
    contexts = [browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                    timezone_id="Asia/Shanghai") for _ in range(2)]
    try:
        pages = [context.new_page() for context in contexts]
        for tab, (user, name) in zip(pages, (("c4", "顾问丁"), ("c1", "顾问甲"))):
            login(tab, e2e_server, user, "Consult-1234", name)
            open_at(tab, e2e_server, "queue", "展厅排队")
        buttons = [tab.locator(f"[class*='st-key-q_me_received_new_{ids[name]}_s']:not([data-stale='true'])").get_by_role("button")
                   for tab, name in zip(pages, ("顾问丁", "顾问甲"))]
        for button in buttons:
            expect(button).to_be_enabled()
        for button in buttons:  # back to back, without waiting for either run: milliseconds apart
            button.click(no_wait_after=True)
        expect(pages[0].get_by_text("已记录：顾问丁 接待新客户").first).to_be_visible()
        expect(pages[1].get_by_test_id("stAlertContentError").filter(has_text="顾问")).to_be_visible()
        assert "现在轮到" in pages[1].get_by_test_id("stAlertContentError").first.inner_text()
        assert _received_today(db) == [*before, "顾问丁"]
    finally:
        for context in contexts:
            context.close()


def test_T7_presses_during_the_auto_refresh_are_never_lost_and_their_result_stays(browser, e2e_server, db):
    """T7: with the board refreshing every 2 s, every press is recorded and its result stays on screen
    through later refreshes, until the next press (on a phone, the consultant's own buttons first)."""
    ids = _ids(db)
    admin = accounts.load_actor(db, "boss")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        tab = context.new_page()
        login(tab, e2e_server, "c2", "Consult-1234", "顾问乙")
        open_at(tab, e2e_server, "queue", "展厅排队")
        refresh_every(db, 2)  # from the first press on, the board re-reads itself every 2 s between presses
        mine = tab.locator(f"[class*='st-key-q_me_served_old_{ids['顾问乙']}_s']").first
        card = tab.locator(".st-key-q_card_1").first
        assert mine.bounding_box()["y"] < card.bounding_box()["y"]  # T18: own buttons above the board
        start = len(rotation.board(db, actor=admin).events)
        presses = ["served_old", "back"] * 3
        for kind in presses:
            tap(tab, f"q_me_{kind}_{ids['顾问乙']}")
            label = {"served_old": "接待老客户", "back": "回到队列"}[kind]
            expect(tab.get_by_test_id("stAlertContentSuccess").filter(has_text=f"已记录：顾问乙 {label}")).to_be_visible()
        assert [e.type for e in rotation.board(db, actor=admin).events[start:]] == presses
        # another screen taps: this page's refresh redraws the board, and the last result is still shown
        rotation.record_event(db, actor=accounts.load_actor(db, "c1"), consultant_id=ids["顾问甲"],
                              event_type="served_old")
        expect_metric(tab, "轮到接待", "顾问乙")
        expect(tab.get_by_test_id("stAlertContentSuccess").filter(has_text="已记录：顾问乙 回到队列")).to_be_visible()
    finally:
        context.close()


def _ids(db) -> dict[str, int]:
    return {u.name: u.id for u in accounts.list_users(db) if u.name in CONSULTANTS}
