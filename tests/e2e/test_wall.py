"""The wall display in a real browser (SPEC M4 4.7, S55): opened by a display link without a login,
it refreshes by itself (a new figure appears without a click), and a revoked link stops it.

The data is written straight into the server's database by the services, as another user
of the app would; the browser never clicks. Waits are on visible text, never sleeps.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from db.engine import make_engine
from db.migrate import upgrade
from lib.services import display, kpi, settings
from lib.services.accounts import create_first_admin
from tests.db.helpers import make_user

pytestmark = pytest.mark.e2e

REFRESH_S = 10  # the setting's minimum
WAIT_MS = (3 * REFRESH_S + 15) * 1000
STATE: dict = {}


@pytest.fixture(scope="module")
def office(e2e_server):
    """An office with three consultants and last month's figures; the wall shows only the sales panel."""
    engine = make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")
    upgrade(engine)
    admin = create_first_admin(engine, username="boss", name="王经理", password="Duty-Desk-2026",
                               repeat="Duty-Desk-2026")
    manager = make_user(engine, username="sales_mgr", role="supervisor", name="销售经理")
    people = [make_user(engine, username=f"c{i}", name=name, titles=("销售顾问",))
              for i, name in enumerate(("李一鸣", "周二强", "孙三多"), start=1)]
    _, today = settings.office_zone_now(engine)
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    kpi.save_sales(engine, actor=manager, month=month, units={p.id: 8 - i for i, p in enumerate(people)})
    settings.change_setting(engine, actor=admin, key="display.panel_order", text='["sales_ranking"]')
    settings.change_setting(engine, actor=admin, key="display.refresh_seconds", text=str(REFRESH_S))
    link_id, token = display.create_link(engine, actor=admin, label="展厅电视", privacy=False)
    yield {"engine": engine, "admin": admin, "manager": manager, "month": month, "link_id": link_id,
           "token": token}
    engine.dispose()


def test_S55_the_display_link_opens_the_wall_without_a_login(page: Page, e2e_server, office):
    # Load the router once first: until a session has run Home.py's st.navigation, Streamlit 1.67
    # would serve pages/wall.py straight from the pages/ folder and bypass the router under test.
    page.goto(e2e_server.url)
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    page.goto(f"{e2e_server.url}/wall?token={office['token']}")
    expect(page.get_by_role("heading", name="值班台 · 公开栏")).to_be_visible()
    expect(page.get_by_text("李一鸣")).to_be_visible()
    expect(page.get_by_text("销量排名")).to_be_visible()
    expect(page.get_by_text("登录", exact=True)).to_have_count(0)
    assert page.locator("input, textarea, button[kind='primary']").count() == 0
    STATE["updated"] = page.get_by_text("更新于").first.inner_text()


def test_the_wall_refreshes_by_itself_and_a_new_figure_appears_without_a_click(page: Page, office):
    newcomer = make_user(office["engine"], username="c9", name="赵新人", titles=("销售顾问",))
    kpi.save_sales(office["engine"], actor=office["manager"], month=office["month"], units={newcomer.id: 20})
    expect(page.get_by_text("赵新人")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("更新于").first).not_to_have_text(STATE["updated"])


def test_a_revoked_link_stops_the_wall_at_its_next_refresh(page: Page, office):
    display.revoke_link(office["engine"], actor=office["admin"], link_id=office["link_id"], reason="电视搬走")
    expect(page.get_by_text("赵新人")).to_have_count(0, timeout=WAIT_MS)
    expect(page.get_by_role("heading", name="值班台 · 公开栏")).to_have_count(0)
