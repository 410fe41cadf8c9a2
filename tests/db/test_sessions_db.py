"""Login lockout under a burst (R1) and server-side sessions (R2), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import bcrypt
import pytest
from sqlmodel import select

from db.engine import make_engine, session_scope
from db.models import AuditEvent, User, UserSession
from lib.auth import login_from_cookie
from lib.domain.errors import NotAllowed
from lib.services import accounts, sessions, settings
from tests.db.helpers import make_user

KEY = os.environ["DUTYDESK_COOKIE_KEY"]


def admin_of(engine):
    return accounts.create_first_admin(engine, username="boss", name="老板", password="secret123", repeat="secret123")


def login(engine, username="desk", password="password1"):
    result = accounts.authenticate(engine, username=username, password=password)
    assert result.actor is not None, result
    return result.session_secret, sessions.encode_token(result.session_secret, KEY)


def opens(engine, token) -> bool:
    user, _ = login_from_cookie(engine, token, KEY)
    return user is not None


def user_row(engine, username="desk") -> User:
    with session_scope(engine, write=False) as session:
        return session.exec(select(User).where(User.username == username)).one()


def login_audits(engine) -> list[str]:
    with session_scope(engine, write=False) as session:
        return list(session.exec(select(AuditEvent.action).where(AuditEvent.action.like("login%"))
                                 .order_by(AuditEvent.id)).all())


# ---- R1 -------------------------------------------------------------------------------------------


def test_R1_thirty_guesses_at_once_get_at_most_the_limit_of_checks_and_lock_the_account(engine, monkeypatch):
    """R1: 30 concurrent wrong passwords: at most auth.max_failed_logins real checks, account locked, all audited."""
    make_user(engine, username="desk")
    real_hash = user_row(engine).password_hash
    checked_real, lock = [], threading.Lock()
    original = accounts.check_password

    def slow_check(password, hashed):
        if hashed == real_hash:
            with lock:
                checked_real.append(password)
        time.sleep(0.05)  # a real bcrypt takes ~300 ms: the burst overlaps the checks
        return original(password, hashed)

    monkeypatch.setattr(accounts, "check_password", slow_check)
    barrier = threading.Barrier(30)
    results: list = [None] * 30

    def guess(i):
        barrier.wait()
        try:
            results[i] = accounts.authenticate(engine, username="desk", password=f"wrong-guess-{i}")
        except Exception as exc:  # noqa: BLE001 - inspected below
            results[i] = exc

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert all(r.actor is None for r in results)
    with session_scope(engine, write=False) as session:
        limit = int(settings.get(session, "auth.max_failed_logins"))
    assert 1 <= len(checked_real) <= limit, len(checked_real)
    row = user_row(engine)
    assert row.locked_until is not None and row.locked_until > dt.datetime.now(dt.timezone.utc)
    audits = login_audits(engine)
    assert len(audits) == 30 and audits.count("login_locked") == 1, audits
    assert set(audits) <= {"login_failed", "login_locked", "login_refused_locked"}
    refused = [r for r in results if r.message_key == "login.locked"]
    assert len(refused) == 30 - len(checked_real) and all(r.message_args["minutes"] >= 1 for r in refused)
    # the right password is refused too while the lock holds
    assert accounts.authenticate(engine, username="desk", password="password1").message_key == "login.locked"


def test_R1_unknown_deactivated_locked_and_real_users_each_cost_one_bcrypt_check_of_the_same_cost(engine, monkeypatch):
    """R1: no user enumeration by time: every answer is one bcrypt check, with a dummy hash of the same cost."""
    admin = admin_of(engine)
    make_user(engine, username="desk")
    gone = make_user(engine, username="gone")
    accounts.set_active(engine, actor=admin, user_id=gone.id, active=False)
    calls: list[bytes] = []
    original = bcrypt.checkpw

    def counting(password, hashed):
        calls.append(hashed)
        return original(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    cost = user_row(engine).password_hash[:7].encode()  # "$2b$04$"
    for username in ("desk", "nobody", "gone"):
        calls.clear()
        result = accounts.authenticate(engine, username=username, password="wrong-password")
        assert result.message_key == "login.failed", username  # the same words for all three
        assert len(calls) == 1 and calls[0][:7] == cost, (username, calls)
    for _ in range(5):
        accounts.authenticate(engine, username="desk", password="wrong-password")
    calls.clear()
    assert accounts.authenticate(engine, username="desk", password="wrong").message_key == "login.locked"
    assert len(calls) == 1 and calls[0] != user_row(engine).password_hash.encode()  # the dummy, not the real


def test_R1_a_right_password_clears_the_count_and_every_refusal_is_audited(engine):
    """R1/T25: failures counted, a success resets them; unknown, deactivated and locked refusals audited."""
    make_user(engine, username="desk")
    for _ in range(3):
        accounts.authenticate(engine, username="desk", password="nope-nope")
    assert user_row(engine).failed_logins == 3
    secret, _ = login(engine, username="DESK ")
    assert secret and user_row(engine).failed_logins == 0
    assert accounts.authenticate(engine, username="ghost", password="whatever1").message_key == "login.failed"
    assert accounts.authenticate(engine, username="desk", password="x" * 100).message_key == "login.failed"
    assert login_audits(engine) == ["login_failed"] * 3 + ["login", "login_unknown", "login_failed"]


# ---- R2 -------------------------------------------------------------------------------------------


def test_R2_a_cookie_copied_before_logout_opens_nothing_afterwards(engine):
    """R2: logout ends the server session, so a copy of the cookie is no login."""
    make_user(engine, username="desk")
    secret, token = login(engine)
    assert opens(engine, token)
    sessions.logout(engine, secret=secret)
    assert not opens(engine, token)
    with session_scope(engine, write=False) as session:
        assert session.exec(select(UserSession.ended_reason)).all() == ["logout"]
        assert "logout" in session.exec(select(AuditEvent.action)).all()


@pytest.mark.parametrize("change", ["password_reset", "deactivated", "role_changed", "title_changed"])
def test_R2_a_cookie_copied_before_a_reset_deactivation_or_role_change_opens_nothing(engine, change):
    """R2: a password reset, deactivation, or a role or title change ends every session of that person."""
    admin = admin_of(engine)
    desk = make_user(engine, username="desk")
    _, phone = login(engine)
    _, desktop = login(engine)
    _, boss_token = login(engine, "boss", "secret123")
    if change == "password_reset":
        accounts.reset_password(engine, actor=admin, user_id=desk.id, password="newpass123", repeat="newpass123")
    elif change == "deactivated":
        accounts.set_active(engine, actor=admin, user_id=desk.id, active=False)
    else:
        form = accounts.UserForm(username="desk", name="desk", role="supervisor" if change == "role_changed" else
                                 "staff", titles=("值班经理",) if change == "title_changed" else ())
        if change == "title_changed":
            settings.change_setting(engine, actor=admin, key="org.titles",
                                    value=[*settings.managed_titles(engine), "值班经理"])
        accounts.update_user(engine, actor=admin, user_id=desk.id, form=form)
    assert not opens(engine, phone) and not opens(engine, desktop)
    assert opens(engine, boss_token)  # other people keep their logins


def test_R2_editing_a_user_without_touching_role_or_titles_keeps_their_sessions(engine):
    admin = admin_of(engine)
    desk = make_user(engine, username="desk")
    _, token = login(engine)
    accounts.update_user(engine, actor=admin, user_id=desk.id,
                         form=accounts.UserForm(username="desk", name="新名字", role="staff", staff_no="101"))
    assert opens(engine, token)


def test_R2_changing_my_password_keeps_this_session_and_ends_the_others(engine):
    desk = make_user(engine, username="desk")
    here, here_token = login(engine)
    _, elsewhere = login(engine)
    accounts.change_own_password(engine, actor=desk, old="password1", password="password2", repeat="password2",
                                 keep_session=here)
    assert opens(engine, here_token) and not opens(engine, elsewhere)


def test_R2_two_app_servers_on_one_database_both_see_a_session_ended_by_the_other(engine):
    """R2: a session ended through one engine (app server) no longer opens anything through another."""
    admin = admin_of(engine)
    desk = make_user(engine, username="desk")
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        _, token = login(engine)
        assert opens(other, token)
        sessions.end_sessions_by_admin(other, actor=admin, user_id=desk.id)
        assert not opens(engine, token) and not opens(other, token)
        _, token2 = login(other)
        assert opens(engine, token2)
        sessions.logout_everywhere(engine, actor=desk)
        assert not opens(other, token2)
    finally:
        other.dispose()


def test_R2_an_idle_session_ends_after_the_setting_and_last_seen_is_written_at_most_once_a_minute(engine):
    make_user(engine, username="desk")
    start = dt.datetime.now(dt.timezone.utc)
    secret = sessions.start(engine, user_id=user_row(engine).id, now=start)

    def last_seen():
        with session_scope(engine, write=False) as session:
            return session.exec(select(UserSession.last_seen_at)).one()

    assert sessions.resume(engine, secret=secret, now=start + dt.timedelta(seconds=30)) is not None
    assert last_seen() == start
    later = start + dt.timedelta(minutes=479)
    assert sessions.resume(engine, secret=secret, now=later) is not None
    assert abs((last_seen() - later).total_seconds()) < 1
    assert sessions.resume(engine, secret=secret, now=later + dt.timedelta(minutes=481)) is None
    with session_scope(engine, write=False) as session:
        assert session.exec(select(UserSession.ended_reason)).one() == "idle"
    assert sessions.resume(engine, secret=secret, now=later + dt.timedelta(minutes=1)) is None  # stays ended


def test_R2_the_admin_lists_and_ends_a_users_sessions_and_nobody_else_may(engine):
    admin = admin_of(engine)
    desk = make_user(engine, username="desk")
    login(engine)
    login(engine)
    rows = sessions.list_sessions(engine, actor=admin, user_id=desk.id)
    assert len(rows) == 2 and all(r.open and len(r.id) == 12 for r in rows)
    with pytest.raises(NotAllowed):
        sessions.list_sessions(engine, actor=desk, user_id=admin.id)
    with pytest.raises(NotAllowed):
        sessions.end_sessions_by_admin(engine, actor=desk, user_id=admin.id)
    assert sessions.end_sessions_by_admin(engine, actor=admin, user_id=desk.id) == 2
    rows = sessions.list_sessions(engine, actor=admin, user_id=desk.id)
    assert [(r.open, r.ended_reason) for r in rows] == [(False, "admin")] * 2


def test_R2_the_session_id_is_stored_hashed(engine):
    make_user(engine, username="desk")
    secret, _ = login(engine)
    with session_scope(engine, write=False) as session:
        stored = session.exec(select(UserSession.id)).one()
    assert secret not in stored and len(stored) == 64
