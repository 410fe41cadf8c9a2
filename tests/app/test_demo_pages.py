"""T14: after the demo, every page opened by the person who uses it renders with data, not its empty state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import select

from db.engine import session_scope
from db.models import User
from lib.demo import load_demo
from lib.navigation import ADMINS, LINK_ONLY, PAGES
from lib.services.accounts import create_first_admin
from tests.app.conftest import open_page
from tests.conftest import sqlite_engine

# page -> the title of the person who uses it ("admin": the administrator, "display": the wall account)
USER_OF = {
    "pages/home.py": "销售顾问", "pages/visitors.py": "前台接待员", "pages/messages.py": "前台接待员",
    "pages/visitor_prereg.py": "销售经理",
    "pages/registers.py": "信息查询员",
    "pages/admin_audit.py": "admin", "pages/account.py": "销售顾问",
    "pages/rotation_queue.py": "销售顾问", "pages/on_duty.py": "中控员", "pages/roster.py": "部长",
    "pages/roster_requests.py": "综合部主管", "pages/handover.py": "中控员", "pages/rotation_draw.py": "销售经理",
    "pages/tickets_intake.py": "客服专员", "pages/tickets_mine.py": "客服专员", "pages/tickets_board.py": "客服部经理",
    "pages/tickets_dispatch.py": "客服部经理", "pages/tickets_callbacks.py": "客服专员",
    "pages/ticket_detail.py": "客服部经理",
    "pages/showroom_register.py": "销售顾问", "pages/showroom_daysheet.py": "销售经理",
    "pages/showroom_customers.py": "销售顾问", "pages/showroom_ownership.py": "销售经理",
    "pages/showroom_enquiries.py": "前台接待员", "pages/access_log.py": "部长", "pages/receptions.py": "综合部主管",
    "pages/kpi_dashboard.py": "客服部经理", "pages/sales_ranking.py": "销售经理", "pages/quarterly.py": "客服部经理",
    "pages/ledger.py": "客服部经理", "pages/warning_cases.py": "客服部经理", "pages/wall.py": "display",
}
# pages that legitimately show no table or figure after the demo, with the reason
ALLOW_EMPTY: dict[str, str] = {
    "pages/account.py": "a form to change one's own password and language; nothing to list",
    "pages/tickets_intake.py": "the intake form; a caller's history appears once a phone number is typed",
    "pages/ticket_detail.py": "opens the one ticket chosen on a list page; nothing is listed here",
    "pages/showroom_register.py": "the registration form; today's holders show as text above it",
    "pages/wall.py": "the TV renders its panels as HTML, not tables (tests/e2e/test_wall.py reads it)",
    "pages/roster_requests.py": "the approver's inbox shows each pending request as a card with approve/reject "
                                "buttons, not a table (test_T14_requests_inbox_has_requests_to_decide checks them)",
}
# empty states of secondary sections that are legitimately empty for the page's user, with the reason
TOLERATED_EMPTY: dict[str, str] = {
    "rotation.request.none_mine": "the supervisor deciding requests files none of their own",
}
ROOT = Path(__file__).resolve().parents[2]
# the kiosk is in nobody's menu: a tablet opens it by its link (tests/e2e/test_kiosk.py)
MENU_PAGES = [p for p in PAGES if p.roles != LINK_ONLY]


def _empty_texts() -> dict[str, str]:
    """Every empty-state message of the zh_CN catalog: keys ending in .none*, .empty*, .no_*."""
    texts = {}
    for path in (ROOT / "lib/locales/zh_CN").glob("*.json"):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            last = key.rsplit(".", 1)[-1]
            if last.startswith(("none", "empty", "no_")) and isinstance(value, str):
                texts[value] = key
    return texts


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    engine = sqlite_engine(tmp_path_factory.mktemp("demo"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", str(engine.url))
        st.cache_resource.clear()
        admin = create_first_admin(engine, username="admin", name="管理员", password="password1", repeat="password1")
        load_demo(engine, actor=admin)
        with session_scope(engine, write=False) as session:
            users = session.exec(select(User).order_by(User.id)).all()
            by_title = {"admin": "admin", "display": "wall"}
            for user in users:
                for title in user.titles:
                    by_title.setdefault(title, user.username)
        yield engine, by_title
        st.cache_resource.clear()
    engine.dispose()


def _user_for(spec) -> str:
    if spec.roles == ADMINS:
        return "admin"
    return USER_OF[spec.path]


@pytest.mark.parametrize("spec", MENU_PAGES, ids=[p.url_path for p in MENU_PAGES])
def test_T14_every_page_shows_demo_data_to_its_user(demo_db, spec):
    """T14: a newcomer sees every page with data: no exception, a table or figure with rows, no empty state."""
    _engine, by_title = demo_db
    at = open_page(spec.path, by_title[_user_for(spec)])
    assert not at.exception, [e.value for e in at.exception]
    empties = {_empty_texts().get(i.value) for i in at.info} - {None}
    has_data = any(len(df.value) > 0 for df in at.dataframe) or len(at.metric) > 0
    assert not empties - set(TOLERATED_EMPTY), f"{spec.path}: empty states shown: {sorted(empties)}"
    if spec.path not in ALLOW_EMPTY:
        assert has_data, f"{spec.path}: no table or metric with data"


def test_T14_requests_inbox_has_requests_to_decide(demo_db):
    """T14: the 综合部主管 opens the requests page on a pending front-desk absence with a cover and a pending swap."""
    _engine, by_title = demo_db
    at = open_page("pages/roster_requests.py", by_title["综合部主管"])
    assert not at.exception, [e.value for e in at.exception]
    approve = [b.key for b in at.button if (b.key or "").startswith("rq_ok_")]
    assert any(k.startswith("rq_ok_absence_") for k in approve), approve
    assert any(k.startswith("rq_ok_swap_") for k in approve), approve
    absences = [m.value for m in at.markdown if "**离岗**" in m.value]
    assert absences and all("顶岗：—" not in a for a in absences), absences  # the cover is named


def test_T14_every_page_has_a_user_in_the_demo(demo_db):
    """T14: each page names a person of the demo office who uses it (a new page must be added here)."""
    _engine, by_title = demo_db
    missing = [p.path for p in MENU_PAGES if _user_for(p) not in by_title]
    assert not missing


def _first_run_script():
    from lib.first_run import first_run_page

    first_run_page()


def test_T14_first_run_page_loads_the_demo_week(tmp_path, monkeypatch):
    """T14: the first-run page's "with demo data" button fills every module, not only people and visitors."""
    from streamlit.testing.v1 import AppTest

    from db.models import QueueDay, Ticket
    from tests.db.helpers import count

    engine = sqlite_engine(tmp_path)
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    st.cache_resource.clear()
    at = AppTest.from_function(_first_run_script, default_timeout=10)
    at.run()
    at.text_input(key="setup_username").input("boss")
    at.text_input(key="setup_name").input("老板")
    at.text_input(key="setup_password").input("secret123")
    at.text_input(key="setup_repeat").input("secret123")
    next(b for b in at.button if b.label == "创建管理员并载入演示数据").click().run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("演示数据" in s.value for s in at.success)
    assert count(engine, Ticket) > 0 and count(engine, QueueDay) > 0
    st.cache_resource.clear()
    engine.dispose()
