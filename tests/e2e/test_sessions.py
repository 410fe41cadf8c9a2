"""R2 in a real browser: a login cookie copied before logout no longer opens 用户管理 afterwards.

The copy is replayed in a second browser context (another machine, as far as the server can tell). Before
logout the copy does open the page (so the check can fail); after logout it shows the login page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_front_desk import ADMIN, expect_login_page, land_logged_in, logout, settle

pytestmark = pytest.mark.e2e

COPIED: dict[str, dict] = {}


def users_heading(page: Page):
    return page.get_by_role("heading", name="用户管理")


def open_with_copy(browser, url: str):
    """A fresh browser context holding only the copied cookie, on the users page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.add_cookies([COPIED["cookie"]])
    other = context.new_page()
    other.goto(f"{url}/users")
    return context, other


def test_R2_first_run_and_the_cookie_is_copied(page: Page, e2e_server):
    page.goto(e2e_server.url)
    expect(page.get_by_role("heading", name="首次使用设置")).to_be_visible()
    settle(page)
    page.locator(".st-key-setup_username input").fill(ADMIN["username"])
    page.locator(".st-key-setup_name input").fill(ADMIN["name"])
    page.locator(".st-key-setup_password input").fill(ADMIN["password"])
    page.locator(".st-key-setup_repeat input").fill(ADMIN["password"])
    page.get_by_role("button", name="创建管理员", exact=True).click()
    page.get_by_role("button", name="进入值班台").click()  # after 管理员已创建并已登录。
    land_logged_in(page)
    COPIED["cookie"] = next(c for c in page.context.cookies() if c["name"] == "dutydesk_auth")


def test_R2_the_copy_opens_the_users_page_while_the_session_lives(browser, e2e_server):
    context, other = open_with_copy(browser, e2e_server.url)
    try:
        expect(users_heading(other)).to_be_visible()
        settle(other)
    finally:
        context.close()


def test_R2_after_logout_the_copied_cookie_opens_only_the_login_page(page: Page, browser, e2e_server):
    """R2: a cookie copied before logout no longer opens 用户管理 as admin afterwards."""
    logout(page)
    context, other = open_with_copy(browser, e2e_server.url)
    try:
        expect_login_page(other)
        expect(users_heading(other)).to_have_count(0)
        expect(other.get_by_text("Traceback")).to_have_count(0)
    finally:
        context.close()


def test_R2_a_forged_cookie_is_the_login_page_not_a_traceback(browser, e2e_server):
    COPIED["cookie"] = {**COPIED["cookie"], "value": "eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0."}
    context, other = open_with_copy(browser, e2e_server.url)
    try:
        expect_login_page(other)
        expect(other.get_by_text("Traceback")).to_have_count(0)
    finally:
        context.close()
