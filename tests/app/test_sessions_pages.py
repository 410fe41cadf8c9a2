"""R2 through AppTest: a login is a server session; ending it closes a page already open in a browser; the
account page logs out everywhere; the users page lists a user's sessions and ends them."""

from __future__ import annotations

from sqlmodel import select

from db.engine import session_scope
from db.models import UserSession
from lib.services import accounts, sessions
from tests.app.conftest import open_page


def open_sessions(engine, user_id: int) -> int:
    with session_scope(engine, write=False) as session:
        return len(session.exec(select(UserSession.id).where(UserSession.user_id == user_id,
                                                             UserSession.ended_at.is_(None))).all())


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def test_R2_logging_in_through_the_form_opens_a_server_session(app_db):
    engine, users = app_db
    at = open_page("Home.py", None)
    at.text_input(key="login_user").input("staff")
    at.text_input(key="login_password").input("password1")
    at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["您好，staff用户"]  # the same run shows the home page (the login race)
    secret = at.session_state["_dd_session"]
    assert secret and sessions.resume(engine, secret=secret).username == "staff"
    assert open_sessions(engine, users["staff"].id) == 1


def test_R2_logout_shows_the_login_in_the_same_run_and_drops_the_cookie_until_the_browser_confirms(app_db):
    """R2: 退出登录 ends the server session, and the run of the click already shows the login form; the cookie's
    delete stays pending (drawn in every run) until the browser answers, so a run cut short cannot leave the
    ended session's cookie in the browser (seen in CI: the cookie stayed after a logout)."""
    engine, users = app_db
    at = open_page("Home.py", None)
    at.text_input(key="login_user").input("staff")
    at.text_input(key="login_password").input("password1")
    at.button[0].click().run()
    secret = at.session_state["_dd_session"]
    at.button(key="dd_logout_button").click().run()
    assert not at.exception
    assert sessions.resume(engine, secret=secret) is None
    assert open_sessions(engine, users["staff"].id) == 0
    assert [f.key for f in at.text_input] == ["login_user", "login_password"]
    tag = at.session_state["_dd_cookie_delete"]
    assert tag
    at.run()  # no answer from the browser yet: still pending, drawn again
    assert at.session_state["_dd_cookie_delete"] == tag
    at.session_state[f"dd_cookie_del_{tag}"] = True  # the browser's answer
    at.run()
    assert "_dd_cookie_delete" not in at.session_state
    assert [f.key for f in at.text_input] == ["login_user", "login_password"]


def test_R2_a_page_already_open_closes_when_its_session_is_ended_elsewhere(app_db):
    """R2: the admin ends a user's sessions: the user's open browser shows the login prompt on its next run."""
    engine, users = app_db
    at = open_page("pages/account.py", "staff")
    assert not at.exception and [f for f in at.text_input if f.key == "pw_old"]
    assert open_sessions(engine, users["staff"].id) == 1
    sessions.end_sessions_by_admin(engine, actor=users["admin"], user_id=users["staff"].id)
    at.run()
    assert not at.exception
    assert warnings(at) == ["请先登录。"]
    assert not [f for f in at.text_input if f.key == "pw_old"]


def test_R2_a_deactivated_user_is_out_on_the_next_run(app_db):
    engine, users = app_db
    at = open_page("pages/visitors.py", "staff")
    assert not warnings(at)
    accounts.set_active(engine, actor=users["admin"], user_id=users["staff"].id, active=False)
    at.run()
    assert warnings(at) == ["请先登录。"]


def test_R2_log_out_everywhere_on_the_account_page_ends_every_session_after_a_confirmation(app_db):
    engine, users = app_db
    staff = users["staff"].id
    other = sessions.start(engine, user_id=staff)  # the same person logged in on a phone
    at = open_page("pages/account.py", "staff")
    assert open_sessions(engine, staff) == 2
    at.button(key="logout_everywhere").click().run()
    assert open_sessions(engine, staff) == 2, "the first click only asks"
    at.button(key="logout_everywhere_yes").click().run()
    assert not at.exception
    assert open_sessions(engine, staff) == 0
    assert sessions.resume(engine, secret=other) is None
    assert warnings(at) == ["请先登录。"]


def test_R2_changing_my_password_keeps_me_logged_in_here_and_ends_my_other_logins(app_db):
    engine, users = app_db
    other = sessions.start(engine, user_id=users["staff"].id)
    at = open_page("pages/account.py", "staff")
    at.text_input(key="pw_old").input("password1")
    at.text_input(key="pw_new").input("password2")
    at.text_input(key="pw_repeat").input("password2")
    at.button[0].click().run()
    assert not at.exception and not warnings(at)
    assert sessions.resume(engine, secret=other) is None
    assert sessions.resume(engine, secret=at.session_state["_dd_session"]) is not None


def test_R2_the_admin_sees_a_users_sessions_and_ends_them(app_db):
    engine, users = app_db
    staff = users["staff"].id
    sessions.start(engine, user_id=staff)
    sessions.start(engine, user_id=staff)
    at = open_page("pages/admin_users.py", "admin")
    index = [u.id for u in accounts.list_users(engine)].index(staff)
    at.session_state["u_table_rows"] = {"selection": {"rows": [index], "columns": []}}
    at.run()
    assert not at.exception
    assert "该用户当前有 2 个有效登录。" in [c.value for c in at.caption]
    at.button(key=f"end_sessions_{staff}").click().run()
    at.button(key=f"end_sessions_{staff}_yes").click().run()
    assert not at.exception
    assert open_sessions(engine, staff) == 0
    assert "该用户当前没有有效登录。" in [c.value for c in at.caption]
    assert "已结束该用户的全部登录，其所有设备需要重新登录。" in [s.value for s in at.success]
