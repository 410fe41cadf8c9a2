"""The entrance tablet in a real browser (T21b, T10): the kiosk link opens the sign-in form alone, with no
"Page not found" modal and no menu; a sign-in waits for the desk; a revoked link says so.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from db.engine import make_engine
from db.migrate import upgrade
from lib.services import accounts
from lib.services.visitors import kiosk as visitor_kiosk

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def kiosk(e2e_server):
    engine = make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")
    upgrade(engine)
    admin = accounts.create_first_admin(engine, username="admin", name="管理员", password="Kiosk-Desk-2026",
                                        repeat="Kiosk-Desk-2026")
    kiosk_id, token = visitor_kiosk.create_kiosk(engine, actor=admin, label="一楼大门平板")
    yield engine, admin, kiosk_id, token
    engine.dispose()


def settle(page: Page) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def test_T21_T10_the_kiosk_link_opens_the_sign_in_alone_without_a_modal(page: Page, e2e_server, kiosk):
    _engine, _admin, _kiosk_id, token = kiosk
    page.goto(f"{e2e_server.url}/kiosk?token={token}")
    expect(page.get_by_role("heading", name="欢迎来访，请签到")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)


def test_T21_a_visitor_signs_in_and_the_form_clears_for_the_next(page: Page, e2e_server, kiosk):
    engine, admin, _kiosk_id, _token = kiosk
    page.get_by_role("tab", name="现场登记").click()
    page.get_by_label("来访人姓名 *").fill("赵来宾")
    page.get_by_label("来访事由 *").fill("送资料")
    page.get_by_role("button", name="签到").last.click()
    expect(page.get_by_text("谢谢，签到已收到！").first).to_be_visible()
    settle(page)
    expect(page.get_by_label("来访人姓名 *")).to_have_value("")
    pending = visitor_kiosk.pending_sign_ins(engine, actor=admin)
    assert [p.name for p in pending] == ["赵来宾"]
    expect(page.get_by_text("赵来宾")).to_have_count(0)  # the kiosk shows no visitor data back


def test_T10_the_kiosk_link_opened_again_later_has_no_modal_either(page: Page, e2e_server, kiosk):
    """Not the first request after a start any more: the router serves the kiosk alone, without a modal."""
    _engine, _admin, _kiosk_id, token = kiosk
    page.goto(f"{e2e_server.url}/kiosk?token={token}")
    expect(page.get_by_role("heading", name="欢迎来访，请签到")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_T21_a_revoked_kiosk_link_says_so(page: Page, e2e_server, kiosk):
    engine, admin, kiosk_id, token = kiosk
    visitor_kiosk.revoke_kiosk(engine, actor=admin, kiosk_id=kiosk_id, reason="平板丢失")
    page.goto(f"{e2e_server.url}/kiosk?token={token}")
    expect(page.get_by_text("此自助签到链接已被停用。").first).to_be_visible()
    settle(page)
    expect(page.get_by_role("button", name="登录")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)
