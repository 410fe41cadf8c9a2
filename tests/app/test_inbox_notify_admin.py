"""AppTest: the notifications admin page (issue 15 N3 "per person and per team: which channels, which kinds,
quiet hours … never shown back in full in the UI"; N4 "the failure shows on an admin page")."""

from __future__ import annotations


from db.engine import session_scope
from db.models import NotifyDelivery, NotifyOutbox
from lib.notify import admin
from lib.services.base import utcnow
from tests.app.conftest import open_page

HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=TOPSECRET-0000"


def _everything(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success") for e in at.get(kind)]
    parts += [str(df.value.to_dict()) for df in at.dataframe]
    return "\n".join(parts)


def test_N3_N4_admin_sees_failures_and_masked_channels_never_the_secret(app_db, monkeypatch):
    engine, users = app_db
    monkeypatch.setenv("DUTYDESK_WECOM_FRONT", HOOK)
    now = utcnow()
    with session_scope(engine) as session:
        box = NotifyOutbox(kind="message_relay", record_id=1, due_at=now, recipient_id=users["staff"].id,
                           event="overdue", text="【值班台】已超时", created_at=now)
        session.add(box)
        session.flush()
        session.add(NotifyDelivery(outbox_id=box.id, channel="wecom", target="front", state="dead", attempts=6,
                                   next_attempt_at=now, claimed_by="", last_error="HTTP 500 from https://qyapi…"))
    at = open_page("pages/admin_notify.py", "admin")
    assert not at.exception
    shown = _everything(at)
    assert "HTTP 500" in shown and "staff用户" in shown
    assert "qyapi.weixin.qq.com" in shown and "TOPSECRET" not in shown


def test_N3_a_preference_saved_through_the_form(app_db):
    engine, users = app_db
    at = open_page("pages/admin_notify.py", "admin")
    at.selectbox(key="pp.staff.np_ref").set_value(users["staff"].id)
    at.multiselect[0].set_value(["wecom", "email"])
    at.text_input[0].set_value("front")
    at.text_input[1].set_value("desk@example.com")
    at.button[-1].click().run()
    assert not at.exception
    rows = admin.preferences(engine, actor=users["admin"])
    assert [(r.scope, r.ref_id, r.channels, r.target, r.email) for r in rows] == [
        ("user", users["staff"].id, ("wecom", "email"), "front", "desk@example.com")]


def test_N3_bad_preferences_are_refused_at_their_field(app_db):
    engine, users = app_db
    at = open_page("pages/admin_notify.py", "admin")
    at.multiselect[0].set_value(["dingtalk"])
    at.text_input[0].set_value("not a name!")
    at.button[-1].click().run()
    assert any("群机器人名称" in e.value for e in at.error)
    assert admin.preferences(engine, actor=users["admin"]) == []
    assert at.text_input[0].value == "not a name!"


def test_N3_only_the_admin_opens_it(app_db):
    for role in ("supervisor", "staff"):
        at = open_page("pages/admin_notify.py", role)
        assert not at.button and not at.dataframe and not at.text_input
