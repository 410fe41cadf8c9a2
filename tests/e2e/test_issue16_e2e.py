"""Office phones and a leaver in a real browser (issue 16; seed 002 #1, SPEC 5.1).

P (S56): a member of staff asks for a new line on 登记簿 → 办公电话 → 线路增改申请; without a 变动理由 the form refuses
it and keeps what was typed; the 部门主管 and the 行政主管 (行政管理中心) approve; the 实施时间 is refused on screen
until the 校长 approved, then it is saved.
D (D1, D2, D4): a leaver still has a line in their name (电话台账) and a phone handover waiting for the 行政管理中心:
the admin on 用户管理 sees both listed and cannot deactivate without a reason; the 行政主管 receives the handover
(one hold left, the line), then suspends the line by a correction; the deactivation then goes through without one.

The office (departments, people with their titles, the leaver's line and handover) is made through the services in the
server's fresh database; each person keeps a browser context of their own, logged in once; steps run in file
order and a failed step stops the rest (tests/e2e/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import AuditEvent, User
from lib.services import accounts
from lib.services import registers as R
from tests.e2e.test_front_desk import settle as at_rest
from tests.e2e.test_registers_e2e import _tab
from tests.e2e.test_tickets import PASSWORD, choose, click_row, go, settle, shown, success

pytestmark = pytest.mark.e2e
WAIT_MS = 60_000  # a busy 2-core machine (other suites, benches) may take long over a first run
expect.set_options(timeout=WAIT_MS)

OFFICE_ZONE = ZoneInfo("Asia/Shanghai")  # the office.timezone setting's default
GROUNDS = "新员工入职需新增一部座机"
CHANGE = "线路增改申请"
HANDOVER = "离职电话交接"
LINE = "021-62345678"
HOLD_LINE = "名下仍有办公电话,须交接或停机。 (phone_line:{})"
HOLD_HANDOVER = "离职电话交接尚未经行政管理中心签收。 (phone_handover:{})"
PEOPLE = {  # username -> (name, department, role, titles)
    "seller": ("销售小刘", "销售部", "staff", ()),
    "head": ("销售部老张", "销售部", "supervisor", ("部门主管",)),
    "admin_center": ("行政老孙", "行政部", "supervisor", ("行政主管",)),
    "principal": ("校长老林", "行政部", "supervisor", ("校长",)),
    "leaver": ("离职小王", "销售部", "staff", ()),
}


def _engine(e2e_server):
    return make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")


@pytest.fixture(scope="module")
def office(e2e_server):
    """Two departments, the chain's title holders, and a leaver with a line in their name and a phone
    handover waiting for 行政管理中心."""
    engine = _engine(e2e_server)
    try:
        upgrade(engine)
        admin = accounts.create_first_admin(engine, username="admin", name="管理员", password=PASSWORD,
                                            repeat=PASSWORD)
        departments = {name: accounts.save_org_unit(engine, actor=admin,
                                                    form=accounts.OrgForm(kind="department", name=name))
                       for name in ("销售部", "行政部")}
        ids = {}
        for username, (name, department, role, titles) in PEOPLE.items():
            ids[username] = accounts.create_user(
                engine, actor=admin, password=PASSWORD, repeat=PASSWORD,
                form=accounts.UserForm(username=username, name=name, role=role, titles=titles,
                                       department_id=departments[department]))
        leaver = accounts.load_actor(engine, "leaver")
        line = R.create_entry(engine, actor=accounts.load_actor(engine, "admin_center"), register="phone_line",
                              values={"number": LINE, "kind": "desk", "team": "销售一组", "user_id": leaver.id,
                                      "personal": True, "status": "in_use"})
        handover = R.create_entry(engine, actor=leaver, register="phone_handover", values={
            "leaver_id": leaver.id, "line": "8001", "handset_ok": True,
            "handed_at": dt.datetime.now(dt.timezone.utc)})
    finally:
        engine.dispose()
    return {"ids": ids, "handover": handover, "line": line}


def _person(browser, e2e_server, username):
    context, tab = _tab(browser, e2e_server, username)
    tab.set_default_timeout(WAIT_MS)
    return context, tab


def _signed_in(username: str):
    """A module fixture: ``username``'s own browser, signed in once, closed at the module's end."""

    @pytest.fixture(scope="module", name=username)
    def person(browser, e2e_server, office):
        context, tab = _person(browser, e2e_server, username)
        try:
            yield tab
        finally:
            context.close()

    return person


seller, head, admin_center, principal, admin = (_signed_in(name) for name in (
    "seller", "head", "admin_center", "principal", "admin"))


def open_phones(page: Page, register: str) -> None:
    """登记簿 → 办公电话, then the register picked in the family's selector."""
    go(page, "登记簿")
    shown(page.get_by_role("tab", name="办公电话")).click()
    settle(page)
    choose(page, "登记簿", register)


def pick(page: Page, label: str, option: str) -> None:
    """``choose`` for a box low in a long form, once it is scrolled into view and has stopped moving: a click that
    first scrolls the page, or a grid above still growing, leaves the list it opens closed again or lying under
    another field."""
    box = shown(page.get_by_role("combobox", name=label))
    box.scroll_into_view_if_needed()
    still(page, box)
    choose(page, label, option)


def still(page: Page, locator) -> None:
    """The page at rest and ``locator`` no longer moving (a grid or a message above it may still be growing)."""
    at_rest(page)
    before, deadline = None, time.monotonic() + 10
    while (where := locator.bounding_box()) != before:  # polled until two reads agree (bounded), not a fixed sleep
        assert time.monotonic() < deadline, f"{locator} keeps moving"
        before = where
        page.wait_for_timeout(250)


def open_row(page: Page, shows, row: int = 0) -> None:
    """A row of the page's first table clicked (once the grid stands still: a click is a position on its canvas)
    until ``shows`` (a locator) is on screen; a click the grid missed is tried again, at most three in all."""
    grid = shown(page.get_by_test_id("stDataFrame")).first
    for attempt in range(3):
        still(page, grid)
        click_row(page, 0, row)
        try:
            expect(shows).to_be_visible(timeout=15_000 if attempt < 2 else WAIT_MS)
            return
        except AssertionError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")  # whatever the missed click opened (a date picker) closes


def reload(page: Page) -> None:
    """A fresh run of the page, once the login cookie has been read back (the menu answers only then)."""
    page.reload()
    expect(shown(page.get_by_role("button", name="退出登录"))).to_be_visible()
    at_rest(page)


def form_error(page: Page, text: str):
    return shown(page.get_by_test_id("stAlertContentError")).filter(has_text=text)


def approve_waiting(page: Page, register: str, title_text: str) -> None:
    """The entry waiting on the person's title is opened from the waiting list and approved."""
    open_phones(page, register)
    expect(shown(page.get_by_text("有 1 条登记等待您处理。"))).to_be_visible()
    shown(page.get_by_role("button")).filter(has_text=title_text).click()
    settle(page)
    shown(page.get_by_role("button", name="批准", exact=True)).click()
    expect(success(page, "已批准")).to_be_visible()
    settle(page)
    expect(shown(page.get_by_role("button", name="批准", exact=True))).to_have_count(0)


def tomorrow() -> str:
    return (dt.datetime.now(OFFICE_ZONE).date() + dt.timedelta(days=1)).isoformat()


def set_implemented(page: Page) -> None:
    """The seller opens their request from the list and fills 实施时间 (tomorrow, 00:00) in 补填 / 修改."""
    reload(page)
    open_phones(page, CHANGE)
    open_row(page, shown(page.get_by_text("补填 / 修改")))
    day = shown(page.get_by_role("group", name="实施时间", exact=True))
    day.get_by_role("spinbutton").first.focus()  # year, month, day: typing moves on (a click opens the calendar)
    page.keyboard.type(tomorrow().replace("-", ""))
    page.keyboard.press("Escape")  # the calendar that opened with the field closes; the typed day stays
    expect(page.locator("#stFloatingOverlayPortal [role='grid']")).to_have_count(0)
    expect(day.get_by_role("spinbutton").last).to_have_attribute("aria-valuenow", str(int(tomorrow()[-2:])))
    shown(page.get_by_role("button", name="保存", exact=True)).click()
    settle(page)


def test_P_S56_e2e_line_change_refused_without_a_reason_typed_values_stay(seller: Page):
    open_phones(seller, CHANGE)
    shown(seller.get_by_text(f"新登记：{CHANGE}")).click()
    expect(shown(seller.get_by_role("button", name="提交登记"))).to_be_visible()  # the form has unfolded
    settle(seller)
    pick(seller, "类别 *", "增加")
    shown(seller.get_by_role("textbox", name="部门 *")).fill("销售部")
    shown(seller.get_by_role("button", name="提交登记")).click()
    expect(form_error(seller, "变动理由")).to_be_visible()
    settle(seller)
    expect(shown(seller.get_by_role("textbox", name="部门 *"))).to_have_value("销售部")
    expect(shown(seller.get_by_role("combobox", name="类别 *"))).to_have_value("增加")
    shown(seller.get_by_role("textbox", name="变动理由 *")).fill(GROUNDS)
    shown(seller.get_by_role("button", name="提交登记")).click()
    expect(success(seller, "已保存")).to_be_visible()
    settle(seller)


def test_P_S56_e2e_line_change_department_then_admin_center_approve(head: Page, admin_center: Page):
    approve_waiting(head, CHANGE, GROUNDS)
    approve_waiting(admin_center, CHANGE, GROUNDS)


def test_P_S56_e2e_line_change_not_implemented_before_the_principal(seller: Page, e2e_server):
    set_implemented(seller)
    expect(form_error(seller, "校长审核批准后方可实施")).to_be_visible()
    engine = _engine(e2e_server)
    try:
        (row,) = R.list_entries(engine, actor=accounts.load_actor(engine, "seller"), register="phone_change",
                                query=R.Query(first=dt.date.today() - dt.timedelta(days=2),
                                              last=dt.date.today() + dt.timedelta(days=2))).rows
    finally:
        engine.dispose()
    assert (row.state, row.values["implemented_at"], row.values["approved_by"]) == ("pending", None, "")


def test_P_S56_e2e_line_change_principal_approves_then_it_is_implemented(principal: Page, seller: Page, e2e_server):
    approve_waiting(principal, CHANGE, GROUNDS)
    set_implemented(seller)
    expect(success(seller, "已保存")).to_be_visible()
    engine = _engine(e2e_server)
    try:
        (row,) = R.list_entries(engine, actor=accounts.load_actor(engine, "seller"), register="phone_change",
                                query=R.Query(first=dt.date.today() - dt.timedelta(days=2),
                                              last=dt.date.today() + dt.timedelta(days=2))).rows
    finally:
        engine.dispose()
    implemented = dt.datetime.combine(dt.date.fromisoformat(tomorrow()), dt.time(0, 0), tzinfo=OFFICE_ZONE)
    assert (row.state, row.values["approved_by"], row.values["implemented_at"]) == (
        "approved", PEOPLE["principal"][0], implemented)


def open_leaver(page: Page, e2e_server) -> None:
    """用户管理: the leaver's row clicked in the users table (its place read from the same list the page shows),
    then 编辑用户."""
    reload(page)
    go(page, "用户管理")
    engine = _engine(e2e_server)
    try:
        row = [u.username for u in accounts.list_users(engine)].index("leaver")
    finally:
        engine.dispose()
    shown(page.get_by_role("tab", name="编辑用户")).click()
    expect(shown(page.get_by_text("点击上方表格中的一行，即可在这里编辑该用户。"))).to_be_visible()
    open_row(page, shown(page.get_by_role("heading", name=f"正在编辑：{PEOPLE['leaver'][0]}（leaver）")), row)
    at_rest(page)


def deactivate(page: Page) -> None:
    shown(page.get_by_role("button", name="停用账号")).click()
    settle(page)
    shown(page.get_by_role("button", name="确定", exact=True)).click()
    settle(page)


def leaver_row(e2e_server) -> tuple[bool, list[str]]:
    engine = _engine(e2e_server)
    try:
        with session_scope(engine, write=False) as session:
            user = session.execute(select(User).where(User.username == "leaver")).scalar_one()
            actions = session.execute(select(AuditEvent.action).where(
                AuditEvent.entity == "user", AuditEvent.entity_id == str(user.id))).scalars().all()
            return user.active, list(actions)
    finally:
        engine.dispose()


def test_D1_D2_e2e_leaver_blocked_holds_listed_and_no_deactivation_without_a_reason(admin: Page, e2e_server,
                                                                                    office):
    open_leaver(admin, e2e_server)
    expect(shown(admin.get_by_text("此人仍有 2 项未交接:"))).to_be_visible()
    expect(shown(admin.get_by_text(HOLD_LINE.format(office["line"])))).to_be_visible()
    expect(shown(admin.get_by_text(HOLD_HANDOVER.format(office["handover"])))).to_be_visible()
    deactivate(admin)
    expect(shown(admin.get_by_test_id("stAlertContentError")).filter(
        has_text="仍有 2 项未交接,须填写原因后才能停用。")).to_be_visible()
    active, actions = leaver_row(e2e_server)
    assert active and "deactivate" not in actions


def test_D4_e2e_handover_received_the_line_still_holds(admin_center: Page, admin: Page, e2e_server, office):
    reload(admin_center)
    approve_waiting(admin_center, HANDOVER, "8001")
    open_leaver(admin, e2e_server)
    expect(shown(admin.get_by_text("此人仍有 1 项未交接:"))).to_be_visible()
    expect(shown(admin.get_by_text(HOLD_LINE.format(office["line"])))).to_be_visible()
    expect(shown(admin.get_by_text(HOLD_HANDOVER.format(office["handover"])))).to_have_count(0)


def test_D4_e2e_line_suspended_then_deactivated_without_a_reason(admin_center: Page, admin: Page, e2e_server):
    reload(admin_center)
    open_phones(admin_center, "电话台账")
    open_row(admin_center, shown(admin_center.get_by_text("提交更正（新版本）")))
    shown(admin_center.get_by_text("提交更正（新版本）")).click()
    expect(shown(admin_center.get_by_role("button", name="保存更正"))).to_be_visible()  # unfolded
    settle(admin_center)
    pick(admin_center, "状态 *", "停机")
    shown(admin_center.get_by_role("textbox", name="更正原因 *")).fill("离职停机")
    shown(admin_center.get_by_role("button", name="保存更正")).click()
    expect(success(admin_center, "已更正")).to_be_visible()
    settle(admin_center)
    engine = _engine(e2e_server)
    try:
        leaver = accounts.load_actor(engine, "leaver")
        lines = R.list_entries(engine, actor=accounts.load_actor(engine, "admin_center"), register="phone_line",
                               query=R.Query(first=dt.date.today() - dt.timedelta(days=2),
                                             last=dt.date.today() + dt.timedelta(days=2))).rows
        held = accounts.departure_holds(engine, person_id=leaver.id)
    finally:
        engine.dispose()
    assert held == [], [(e.id, e.version, e.state, e.values.get("status")) for e in lines]
    open_leaver(admin, e2e_server)
    expect(shown(admin.get_by_role("button", name="停用账号"))).to_be_visible()
    expect(shown(admin.get_by_text("项未交接"))).to_have_count(0)
    deactivate(admin)
    expect(success(admin, "已保存")).to_be_visible()
    active, actions = leaver_row(e2e_server)
    assert not active and "deactivate" in actions and "deactivate_despite_holds" not in actions
