"""Every page, every role: allowed roles render without an exception, others get the guard and no form."""

import pytest

from lib.navigation import PAGES
from tests.app.conftest import ROLES, open_page

CASES = [(spec.path, role) for spec in PAGES for role in ROLES]


@pytest.mark.parametrize("path,role", CASES, ids=[f"{p.split('/')[-1]}-{r}" for p, r in CASES])
def test_page_guard_by_role(app_db, path, role):
    spec = next(s for s in PAGES if s.path == path)
    at = open_page(path, role)
    assert not at.exception, at.exception
    if role in spec.roles:
        assert at.title, "the page rendered nothing"
        assert not [e for e in at.error if "无权" in e.value]
    else:
        assert [e.value for e in at.error] == ["您的角色无权使用此功能。如需权限，请联系管理员。"]
        assert len(at.text_input) == 0 and len(at.button) == 0


@pytest.mark.parametrize("path", [spec.path for spec in PAGES])
def test_logged_out_visitor_is_stopped_by_the_guard(app_db, path):
    at = open_page(path, None)
    assert [w.value for w in at.warning] == ["请先登录。"]
    assert len(at.text_input) == 0


def test_deactivated_user_is_treated_as_logged_out(app_db):
    engine, users = app_db
    from lib.services.accounts import set_active

    set_active(engine, actor=users["admin"], user_id=users["staff"].id, active=False)
    at = open_page("pages/visitors.py", "staff")
    assert [w.value for w in at.warning] == ["请先登录。"]


def test_home_router_shows_first_run_on_an_empty_install(tmp_path, monkeypatch):
    import streamlit as st

    from tests.conftest import sqlite_engine

    engine = sqlite_engine(tmp_path)
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    st.cache_resource.clear()
    at = open_page("Home.py", None)
    assert [t.value for t in at.title] == ["首次使用设置"]
    at.text_input(key="setup_username").input("Boss")
    at.text_input(key="setup_name").input("老板")
    at.text_input(key="setup_password").input("secret123")
    at.text_input(key="setup_repeat").input("secret12")
    at.button[0].click().run()
    assert "两次输入的密码不一致" in at.error[0].value
    assert at.text_input(key="setup_name").value == "老板"
    at.text_input(key="setup_repeat").input("secret123")
    at.button[0].click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["管理员已创建并已登录。"]
    at.run()
    assert [t.value for t in at.title] == ["您好，老板"]
    from lib.services.accounts import needs_first_run

    assert not needs_first_run(engine)


def test_home_router_shows_login_when_set_up_and_logged_out(app_db):
    at = open_page("Home.py", None)
    assert [t.value for t in at.title] == ["值班台"]
    at.text_input(key="login_user").input("admin")
    at.text_input(key="login_password").input("wrong-pass")
    at.button[0].click().run()
    assert at.error[0].value == "用户名或密码不正确。"
    at.text_input(key="login_password").input("password1")
    at.button[0].click().run()
    # The login race: the login happens in the button's callback, so the same run already shows the admin's home page
    assert [t.value for t in at.title] == ["您好，管理员"] and not at.error
    assert at.session_state["_dd_cookie_pending"], "the cookie is written by the runs that follow"


def test_menu_is_built_for_the_role(app_db):
    at = open_page("Home.py", "staff")
    assert not at.exception
    assert [t.value for t in at.title] == ["您好，staff用户"]


def test_language_is_per_user_and_english_shows_english(app_db):
    engine, users = app_db
    from lib.services.accounts import set_language

    set_language(engine, actor=users["staff"], lang="en")
    at = open_page("pages/visitors.py", "staff")
    assert [t.value for t in at.title] == ["Visitors"]
    assert "Register visitor" in {b.label for b in at.button}
    at = open_page("pages/visitors.py", "supervisor")
    assert [t.value for t in at.title] == ["来访登记"]
