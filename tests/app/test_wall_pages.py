"""The wall display and its display links through AppTest (SPEC M4 4.7, S55; issue 10 T10-T12, T19):
the token reaches only the wall, a revoked one says so full screen, each TV shows its link's profile,
customer-facing by default, every name escaped."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from lib.domain.display import DisplayProfile, Layout, Panel
from lib.services import display, rotation, settings
from lib.services.kpi import rankings as kpi
from lib.services.settings import office_zone_now
from tests.app.conftest import ROOT, open_page
from tests.db.helpers import make_user

INPUTS = ("text_input", "text_area", "number_input", "selectbox", "multiselect", "checkbox", "radio", "date_input",
          "time_input", "button", "segmented_control")
PHONE = re.compile(r"1\d{10}")
ROUTER = '''
import streamlit as st

from lib.views.wall.access import route_display_token

if route_display_token():
    st.stop()
st.title("router-fell-through")
'''
REVOKED = "此大屏链接已停用"


def wall(token: str | None = None, username: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/wall.py"), default_timeout=10)
    if token is not None:
        at.query_params["token"] = token
    if username:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
    at.run()
    return at


def html_text(at: AppTest) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


def input_count(at: AppTest) -> int:
    return sum(len(at.get(kind)) for kind in INPUTS)


def last_month(engine) -> dt.date:
    _, today = office_zone_now(engine)
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def floor(app_db):
    """Three consultants with sales last month, in today's queue; one has a phone number typed into his name."""
    engine, users = app_db
    people = [make_user(engine, username=f"c{i}", name=name, titles=("销售顾问",))
              for i, name in enumerate(("张三 13800138000", "李小明", "王大力"), start=1)]
    kpi.save_sales(engine, actor=users["supervisor"], month=last_month(engine),
                   units={people[0].id: 9, people[1].id: 5, people[2].id: 2})
    settings.change_setting(engine, actor=users["admin"], key="display.panel_order", text='["sales_ranking", "fund"]')
    rotation.record_draw(engine, actor=users["supervisor"], method="recorded", consultant_ids=[p.id for p in people])
    return engine, users, people


def test_S55_display_token_opens_the_wall_without_login_and_without_any_input(floor):
    engine, users, _ = floor
    _, token = display.create_link(engine, actor=users["admin"], label="展厅电视", privacy=False)
    at = wall(token=token)
    assert not at.exception
    assert [t.value for t in at.title] == ["值班台 · 公开栏"]
    assert not at.warning and not at.error
    body = html_text(at)
    assert "销量排名" in body and "李小明" in body and "张三 ***" in body and "今日排队" in body
    assert not PHONE.search(body)
    assert input_count(at) == 0
    assert any("更新于" in c.value for c in at.caption)


def test_T12_a_new_link_is_customer_safe_names_masked_but_distinguishable_no_fund_no_last_place(floor):
    engine, users, _ = floor
    _, token = display.create_link(engine, actor=users["admin"], label="大堂")
    body = html_text(wall(token=token))
    assert "李*明" in body and "王*力" in body and "李小明" not in body
    assert "末位" not in body and "部门活动经费" not in body
    assert any("第 1/1 屏" in c.value for c in wall(token=token).caption)  # the fund is not in the rotation


def test_T10_a_revoked_link_says_so_full_screen_not_a_login_form(floor):
    engine, users, _ = floor
    link_id, token = display.create_link(engine, actor=users["admin"], label="旧电视")
    display.revoke_link(engine, actor=users["admin"], link_id=link_id, reason="电视已撤")
    at = wall(token=token)
    assert REVOKED in html_text(at) and "请先登录" not in html_text(at)
    assert not at.warning and not at.title and input_count(at) == 0
    for value in ("not-a-token", ""):
        at = wall(token=value)
        assert "大屏链接无效" in html_text(at) and not at.warning and not at.title and input_count(at) == 0


def test_T10_a_revoked_link_stops_the_wall_at_its_next_refresh_and_says_why(floor):
    engine, users, _ = floor
    link_id, token = display.create_link(engine, actor=users["admin"], label="展厅电视")
    at = wall(token=token)
    assert at.title
    display.revoke_link(engine, actor=users["admin"], link_id=link_id)
    at.run()
    assert REVOKED in html_text(at) and not at.title and not at.warning


def test_T10_the_router_sends_a_token_to_the_wall_or_to_the_revoked_notice_and_never_logs_in(floor, tmp_path):
    engine, users, _ = floor
    link_id, token = display.create_link(engine, actor=users["admin"], label="展厅电视")
    script = tmp_path / "router.py"
    script.write_text(ROUTER, encoding="utf-8")

    def route(value: str) -> AppTest:
        at = AppTest.from_file(str(script), default_timeout=10)
        at.query_params["token"] = value
        return at.run()

    at = route(token)
    assert [t.value for t in at.title] == ["值班台 · 公开栏"]
    assert "_dd_authenticator" not in at.session_state
    assert [t.value for t in route(token + "x").title] == ["router-fell-through"]  # maybe a kiosk's token
    display.revoke_link(engine, actor=users["admin"], link_id=link_id)
    at = route(token)
    assert REVOKED in html_text(at) and not at.title and "_dd_authenticator" not in at.session_state


def test_T11_the_display_account_gets_the_wall_with_no_sidebar_and_no_logout(floor):
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=10)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "display"
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["值班台 · 公开栏"]
    assert not at.sidebar.children and input_count(at) == 0
    staff = open_page("Home.py", "staff")
    assert staff.sidebar.children  # everyone else keeps the menu, language and logout


def test_S55_display_role_sees_the_wall_and_no_phone(floor):
    at = wall(username="display")
    assert [t.value for t in at.title] == ["值班台 · 公开栏"] and input_count(at) == 0
    assert not PHONE.search(html_text(at))


def test_T11_split_wall_keeps_the_queue_on_screen_beside_the_rotating_panel(floor):
    at = wall(username="display")
    body = html_text(at)
    assert "今日排队" in body and "销量排名" in body
    assert len(at.columns) == 2


def test_T12_queue_only_profile_shows_the_queue_alone(floor):
    engine, users, _ = floor
    _, token = display.create_link(engine, actor=users["admin"], label="展厅", layout="queue_only")
    body = html_text(wall(token=token))
    assert "今日排队" in body and "销量排名" not in body


def test_T12_a_link_with_the_fund_allowed_rotates_it(floor):
    engine, users, _ = floor
    _, token = display.create_link(engine, actor=users["admin"], label="办公室", layout="panels", privacy=False,
                                   show_fund=True, panels=["sales_ranking"])
    at = wall(token=token)
    assert "今日排队" not in html_text(at) and any("第 1/2 屏" in c.value for c in at.caption)
    at.run()
    assert "部门活动经费" in html_text(at)


def test_T19_names_on_the_wall_are_escaped_text_never_markup(app_db):
    engine, users = app_db
    people = [make_user(engine, username=f"x{i}", name=name, titles=("销售顾问",))
              for i, name in enumerate(("<b>坏</b>[链](http://x)", "1. 王五"))]
    rotation.record_draw(engine, actor=users["supervisor"], method="recorded", consultant_ids=[p.id for p in people])
    _, token = display.create_link(engine, actor=users["admin"], label="t", privacy=False)
    body = html_text(wall(token=token))
    assert "&lt;b&gt;坏&lt;/b&gt;[链](http://x)" in body and "<b>坏" not in body and "<td>1. 王五</td>" in body


def test_T12_an_admin_creates_a_link_with_its_profile_then_edits_it_by_clicking_its_row(app_db):
    engine, users = app_db
    at = open_page("pages/display_links.py", "admin")
    at.text_input(key="dl_label").input("展厅电视")
    at.radio(key="dl_layout").set_value("queue_only")
    assert at.checkbox(key="dl_privacy").value is True and at.checkbox(key="dl_fund").value is False
    next(b for b in at.button if b.label == "生成链接").click().run()
    assert not at.exception
    url = at.code[0].value
    token = url.split("token=")[1]
    assert url.endswith(f"/wall?token={token}")
    access = display.wall_access(engine, token)
    assert access.profile.layout is Layout.QUEUE_ONLY and access.profile.privacy and not access.profile.show_fund
    [row] = display.links(engine, actor=users["admin"])

    at = open_page("pages/display_links.py", "admin")
    assert f"dl_revoke_{row.id}" not in {b.key for b in at.button}  # T17: a row click opens it, no picker
    assert any("点击上表中的一行" in c.value for c in at.caption)
    at.session_state["dl_table_rows"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    prefix = f"dl_edit_{row.id}"
    at.radio(key=f"{prefix}_layout").set_value("split")
    at.multiselect(key=f"{prefix}_panels").set_value(["on_duty"])
    at.checkbox(key=f"{prefix}_fund").check()
    next(b for b in at.button if b.label == "保存显示设置").click().run()
    assert not at.exception and not at.error
    assert display.wall_access(engine, token).profile == DisplayProfile(Layout.SPLIT, (Panel.ON_DUTY,), True, True)

    at.button(key=f"dl_revoke_{row.id}").click().run()
    at.button(key=f"dl_revoke_{row.id}_yes").click().run()
    assert not at.exception and not display.wall_token_valid(engine, token)


def test_T12_a_profile_without_panels_is_refused_with_what_to_do(app_db):
    at = open_page("pages/display_links.py", "admin")
    at.text_input(key="dl_label").input("空屏")
    at.radio(key="dl_layout").set_value("panels")
    at.multiselect(key="dl_panels").set_value([])
    next(b for b in at.button if b.label == "生成链接").click().run()
    assert not at.exception
    assert any("至少选择一项轮播内容" in e.value for e in at.error)
    assert at.text_input(key="dl_label").value == "空屏"
