"""Accounts, first run, lockout and settings on both backends."""

import datetime as dt

import pytest
from sqlmodel import select

from db.engine import session_scope
from db.models import AppMeta, AuditEvent, SettingValue, User
from lib.domain.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from lib.services import accounts, settings
from tests.db.helpers import audit_actions, count, make_user, race


def first_admin(engine, username="boss"):
    return accounts.create_first_admin(engine, username=username, name="老板", password="secret123",
                                       repeat="secret123")


def test_first_run_creates_the_admin_once_and_is_gone_for_good(engine):
    assert accounts.needs_first_run(engine)
    admin = first_admin(engine)
    assert admin.role == "admin"
    assert not accounts.needs_first_run(engine)
    with pytest.raises(Conflict):
        first_admin(engine, username="other")
    assert count(engine, User) == 1


def test_two_first_run_forms_at_once_create_one_admin(engine):
    results = race(lambda: first_admin(engine, "first"), lambda: first_admin(engine, "second"))
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert count(engine, User) == 1 and count(engine, AppMeta) == 1


def test_first_run_refuses_a_bad_password_and_writes_nothing(engine):
    with pytest.raises(ValidationFailed) as info:
        accounts.create_first_admin(engine, username="boss", name="老板", password="short", repeat="short")
    assert info.value.keys() == {"password": "password.too_short"}
    assert count(engine, User) == 0 and accounts.needs_first_run(engine)


def test_five_failed_logins_lock_the_account_for_fifteen_minutes_audited(engine):
    make_user(engine, username="desk")
    now = dt.datetime.now(dt.timezone.utc)
    keys = [accounts.record_login(engine, username="desk", ok=False, now=now) for _ in range(5)]
    assert keys == ["login.failed"] * 4 + ["login.locked_now"]
    with pytest.raises(DomainError) as info:
        accounts.check_can_login(engine, username="DESK", now=now + dt.timedelta(minutes=14))
    assert info.value.key == "login.locked"
    accounts.check_can_login(engine, username="desk", now=now + dt.timedelta(minutes=16))
    assert audit_actions(engine, "user") == ["login_failed"] * 4 + ["login_locked", "login_refused_locked"]


def test_T25_every_refused_login_is_audited(engine):
    """T25: unknown user, wrong password, locked and deactivated refusals each leave an audit row."""
    admin = first_admin(engine)
    desk = make_user(engine, username="desk")
    gone = make_user(engine, username="gone")
    accounts.set_active(engine, actor=admin, user_id=gone.id, active=False)
    now = dt.datetime.now(dt.timezone.utc)
    assert accounts.record_login(engine, username="Nobody-" + "x" * 60, ok=False, now=now) == "login.failed"
    assert accounts.record_login(engine, username="desk", ok=False, now=now) == "login.failed"
    with pytest.raises(DomainError):
        accounts.check_can_login(engine, username="gone", now=now)
    for _ in range(4):
        accounts.record_login(engine, username="desk", ok=False, now=now)
    for minutes in (1, 2):
        with pytest.raises(DomainError) as info:
            accounts.check_can_login(engine, username="desk", now=now + dt.timedelta(minutes=minutes))
        assert info.value.key == "login.locked"
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action.like("login%")).order_by(AuditEvent.id)).all()
        seen = [(r.action, r.username, r.user_id) for r in rows]
    assert seen == [("login_unknown", ("nobody-" + "x" * 60)[:40], None),
                    ("login_failed", "desk", desk.id),
                    ("login_refused_inactive", "gone", gone.id),
                    *[("login_failed", "desk", desk.id)] * 3, ("login_locked", "desk", desk.id),
                    ("login_refused_locked", "desk", desk.id), ("login_refused_locked", "desk", desk.id)]


def test_credentials_hold_only_active_users_with_bcrypt_hashes(engine):
    admin = first_admin(engine)
    staff = make_user(engine, username="desk")
    accounts.set_active(engine, actor=admin, user_id=staff.id, active=False)
    creds = accounts.credentials(engine)["usernames"]
    assert list(creds) == ["boss"]
    assert creds["boss"]["password"].startswith("$2")
    assert creds["boss"]["roles"] == ["admin"]
    assert accounts.load_actor(engine, "desk") is None


def test_admin_manages_users_and_only_admins_may(engine):
    admin = first_admin(engine)
    form = accounts.UserForm(username="U01", name="小张", role="staff", staff_no="017", titles=("销售顾问", " "))
    user_id = accounts.create_user(engine, actor=admin, form=form, password="password1", repeat="password1")
    created = accounts.load_actor(engine, "u01")
    assert (created.id, created.titles) == (user_id, ("销售顾问",))
    with pytest.raises(ValidationFailed) as info:
        accounts.create_user(engine, actor=admin, form=accounts.UserForm(username="u02", name="x", role="staff",
                                                                         staff_no="017"),
                             password="password1", repeat="password1")
    assert info.value.keys() == {"staff_no": "account.staff_no_taken"}
    with pytest.raises(NotAllowed):
        accounts.create_user(engine, actor=created, form=form, password="password1", repeat="password1")
    accounts.update_user(engine, actor=admin, user_id=user_id,
                         form=accounts.UserForm(username="u01", name="小张", role="supervisor", titles=("销售经理",)))
    assert accounts.load_actor(engine, "u01").role == "supervisor"
    accounts.reset_password(engine, actor=admin, user_id=user_id, password="newpass99", repeat="newpass99")
    assert audit_actions(engine, "user") == ["first_run_admin", "create", "update", "reset_password"]


def test_the_last_admin_cannot_be_demoted_or_deactivated(engine):
    admin = first_admin(engine)
    with pytest.raises(DomainError) as info:
        accounts.update_user(engine, actor=admin, user_id=admin.id,
                             form=accounts.UserForm(username="boss", name="老板", role="staff"))
    assert info.value.key == "account.last_admin"
    with pytest.raises(DomainError):
        accounts.set_active(engine, actor=admin, user_id=admin.id, active=False)
    assert accounts.load_actor(engine, "boss").role == "admin"


def test_settings_change_is_versioned_and_audited_and_bad_values_change_nothing(engine):
    admin = first_admin(engine)
    staff = make_user(engine, username="desk")
    with pytest.raises(NotAllowed):
        settings.change_setting(engine, actor=staff, key="phone.relay_overdue", text="3")
    with pytest.raises(DomainError):
        settings.change_setting(engine, actor=admin, key="phone.relay_overdue", text="soon")
    with pytest.raises(DomainError):
        settings.change_setting(engine, actor=admin, key="office.timezone", text="Mars/Base")
    assert count(engine, SettingValue) == 0
    settings.change_setting(engine, actor=admin, key="phone.relay_overdue", text="3", reason="新规定")
    row = next(r for r in settings.list_settings(engine) if r.key == "phone.relay_overdue")
    assert (row.value, row.default, row.changed, row.unit) == (3, 2, True, "h")
    assert count(engine, AuditEvent, AuditEvent.entity == "setting", AuditEvent.reason == "新规定") == 1


def test_T13_user_titles_come_from_the_managed_list(engine):
    """T13: a title not in org.titles is refused with the title named; list titles are saved."""
    admin = first_admin(engine)
    with pytest.raises(ValidationFailed) as info:
        accounts.create_user(engine, actor=admin, password="password1", repeat="password1",
                             form=accounts.UserForm(username="u01", name="小张", role="staff", titles=("保洁领班",)))
    assert info.value.keys() == {"titles": "account.unknown_titles"}
    assert info.value.errors[0].params == {"titles": "保洁领班"}
    user_id = accounts.create_user(engine, actor=admin, password="password1", repeat="password1",
                                   form=accounts.UserForm(username="u01", name="小张", role="staff",
                                                          titles=("客服部经理",)))
    settings.change_setting(engine, actor=admin, key="org.titles", value=[*settings.managed_titles(engine), "保洁领班"])
    accounts.update_user(engine, actor=admin, user_id=user_id,
                         form=accounts.UserForm(username="u01", name="小张", role="staff", titles=("保洁领班",)))
    assert accounts.load_actor(engine, "u01").titles == ("保洁领班",)


def test_T13_training_and_certificate_are_edited_with_the_account(engine):
    admin = first_admin(engine)
    post = accounts.save_org_unit(engine, actor=admin, form=accounts.OrgForm(kind="post", name="中控室"))
    team = accounts.save_org_unit(engine, actor=admin, form=accounts.OrgForm(kind="team", name="一组"))
    form = dict(username="u01", name="小张", role="staff", titles=("中控员",))
    user_id = accounts.create_user(engine, actor=admin, password="password1", repeat="password1",
                                   form=accounts.UserForm(**form, trained_posts=(post,),
                                                          cert_valid_until=dt.date(2027, 6, 30)))
    row = next(u for u in accounts.list_users(engine) if u.id == user_id)
    assert (row.trained_posts, row.cert_valid_until) == ((post,), dt.date(2027, 6, 30))
    with pytest.raises(ValidationFailed) as info:
        accounts.update_user(engine, actor=admin, user_id=user_id,
                             form=accounts.UserForm(**form, trained_posts=(team,)))
    assert info.value.keys() == {"trained_posts": "field.bad_choice"}
    accounts.update_user(engine, actor=admin, user_id=user_id, form=accounts.UserForm(**form))
    row = next(u for u in accounts.list_users(engine) if u.id == user_id)
    assert row.trained_posts == (post,), "a form without training leaves it as it was"
    accounts.update_user(engine, actor=admin, user_id=user_id,
                         form=accounts.UserForm(**form, trained_posts=(), cert_valid_until=None))
    row = next(u for u in accounts.list_users(engine) if u.id == user_id)
    assert (row.trained_posts, row.cert_valid_until) == ((), None)


def test_T13_rule_titles_only_name_managed_titles_and_the_list_keeps_titles_in_use(engine):
    admin = first_admin(engine)
    with pytest.raises(DomainError) as info:
        settings.change_setting(engine, actor=admin, key="repair.dispatcher_titles", value=["部门经理", "客服经理"])
    assert (info.value.key, info.value.params) == ("settings.unknown_titles", {"titles": "客服经理"})
    with pytest.raises(DomainError) as info:
        settings.change_setting(engine, actor=admin, key="repair.dispatcher_titles", text="部门经理、客服经理")
    assert info.value.key == "settings.unknown_titles"
    managed = settings.managed_titles(engine)
    with pytest.raises(DomainError) as info:
        settings.change_setting(engine, actor=admin, key="org.titles", value=[t for t in managed if t != "维修人员"])
    assert info.value.key == "settings.titles_in_use"
    assert info.value.params["titles"] == "维修人员"
    assert "people.technician_titles" in info.value.params["settings"]
    settings.change_setting(engine, actor=admin, key="repair.dispatcher_titles", value=["客服部经理"])
    with session_scope(engine, write=False) as session:
        assert settings.get(session, "repair.dispatcher_titles") == ["客服部经理"]
