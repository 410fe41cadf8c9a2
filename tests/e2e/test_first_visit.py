"""T10: the first visitor after a server start who opens a deep link gets the login form, never Streamlit's
English "Page not found" modal (seen 2026-12-07: ``/queue``, whose file is ``pages/rotation_queue.py``, as the
first request of a fresh server showed the modal over the login form; ``lib/launch.py`` is the fix), and after
logging in stays on the page the address names."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import WAIT_MS
from tests.e2e.test_queue import settle

pytestmark = pytest.mark.e2e

PASSWORD = "First-Visit-2026"


def test_T10_a_deep_link_as_the_first_request_after_a_start_is_the_login_form_without_a_modal(
        page: Page, e2e_server, lone_admin):
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{e2e_server.url}/queue")
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    settle(page)
    page.wait_for_timeout(1000)  # a modal comes with the first run's messages; give it time to show, then look
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_label("用户名", exact=True).fill("admin")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="展厅排队")).to_be_visible()
    assert page.url.endswith("/queue")
