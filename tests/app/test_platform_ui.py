"""Shared UI behaviour through AppTest: confirmations that stay (T16) and a login form drawn once (T19)."""

from lib.services import accounts
from tests.app.conftest import open_page


def change_password(at, old, new, repeat):
    at.text_input(key="pw_old").set_value(old)
    at.text_input(key="pw_new").set_value(new)
    at.text_input(key="pw_repeat").set_value(repeat)
    next(b for b in at.button if b.label == "修改密码").click().run()


def test_T16_confirmation_shows_at_the_top_and_as_a_toast_and_stays_until_the_next_action(app_db):
    at = open_page("pages/account.py", "staff")
    change_password(at, "password1", "password2", "password2")
    assert not at.exception
    assert [s.value for s in at.success] == ["密码已修改。"]
    assert [t.value for t in at.toast] == ["密码已修改。"]
    at.run()  # any rerun that is not an action (a widget change, a refresh of the session)
    assert [s.value for s in at.success] == ["密码已修改。"], "the confirmation vanished on the next render"
    assert [t.value for t in at.toast] == [], "the toast pops up once, not on every rerun"
    change_password(at, "wrong-old", "password3", "password3")
    assert [s.value for s in at.success] == []
    assert "原密码不正确" in at.error[0].value


def test_T16_confirmation_does_not_follow_the_user_to_another_page(app_db):
    at = open_page("Home.py", "admin")
    at.switch_page("pages/account.py").run()
    change_password(at, "password1", "password2", "password2")
    assert [s.value for s in at.success] == ["密码已修改。"]
    at.switch_page("pages/admin_org.py").run()
    assert not at.exception
    assert [s.value for s in at.success] == []
    at.switch_page("pages/account.py").run()
    assert [t.value for t in at.title] == ["我的账号"]
    assert [s.value for s in at.success] == [], "an old confirmation came back on returning to its page"


def test_T16_a_form_error_replaces_the_last_confirmation(app_db):
    engine, users = app_db
    at = open_page("pages/account.py", "staff")
    change_password(at, "password1", "password2", "password2")
    change_password(at, "password2", "short", "short")
    assert [s.value for s in at.success] == []
    assert at.error, "the error of the second action is shown"


def test_T19_login_form_keeps_its_place_between_runs(app_db):
    """T19: the authenticator's cookie component is drawn only in its first run; drawn straight into the page it
    moved the login form by one place in the next run, and the browser showed the stale form under the new one."""
    at = open_page("Home.py", None)
    first = [type(c).__name__ for c in at.main.children.values()]
    at.run()
    second = [type(c).__name__ for c in at.main.children.values()]
    assert first.index("Title") == second.index("Title")
    assert len([w for w in at.text_input if w.label == "用户名"]) == 1


def test_T19_failed_login_on_the_form_is_audited(app_db):
    engine, users = app_db
    at = open_page("Home.py", None)
    at.text_input(key="login_user").input("ghost")
    at.text_input(key="login_password").input("whatever1")
    at.button[0].click().run()
    assert at.error[0].value == "用户名或密码不正确。"
    from tests.db.helpers import audit_actions

    assert audit_actions(engine, "user")[-1] == "login_unknown"
    assert accounts.load_actor(engine, "ghost") is None
