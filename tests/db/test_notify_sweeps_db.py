"""The sweeper end to end on SQLite and PostgreSQL, with real receivers on 127.0.0.1 (issue 15 "Notifications").

N9 "missed control-room checks are raised by the sweeper": a check's cadence (a register due again) that passes
its due reaches the 中控员 through their channel, and no one else.
N10 the small ones: no "assigned" message to the person who made the item; the e-mail's body as received;
``python -m lib.notify --once`` against a database of its own.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from db.engine import session_scope
from db.models import NotifyOutbox, NotifyPreference, OrgUnit, User
from lib.notify.sweeper import sweep_once
from lib.services import accounts
from lib.services import registers as R
from tests.db.test_notify_db import Receiver

NOW = dt.datetime(2027, 3, 1, 0, 0, tzinfo=dt.timezone.utc)  # Monday 1 March 08:00 in Shanghai
MIN = dt.timedelta(minutes=1)
CONTROL = "中控室"


@pytest.fixture
def robots(monkeypatch):
    """Two 企业微信 robots on one local receiver: the control room's and the admin office's."""
    rec = Receiver()
    monkeypatch.setenv("DUTYDESK_WECOM_CONTROL", rec.url + "/control?key=k1")
    monkeypatch.setenv("DUTYDESK_WECOM_OFFICE", rec.url + "/office?key=k2")
    yield rec
    rec.close()


def _control_room(engine):
    people = {}
    with session_scope(engine) as session:
        units = {}
        for name in ("秩序维护部", "行政部"):
            unit = OrgUnit(kind="department", name=name)
            session.add(unit)
            session.flush()
            units[name] = unit.id
        session.add(OrgUnit(kind="post", name=CONTROL, min_staff=1, is_24x7=True))
        for username, department, titles in (("op1", "秩序维护部", ["中控员"]), ("op2", "秩序维护部", ["中控员"]),
                                             ("clerk", "行政部", [])):
            user = User(username=username, name=username, password_hash="x", role="staff", titles=titles,
                        trained_posts=[], department_id=units[department], created_at=NOW - dt.timedelta(days=1))
            session.add(user)
            session.flush()
            people[username] = accounts.actor_of(user)
        session.add(NotifyPreference(scope="user", ref_id=people["op2"].id, channels=["wecom"], kinds=[],
                                     target="control", email="", updated_at=NOW))
        session.add(NotifyPreference(scope="user", ref_id=people["clerk"].id, channels=["wecom"], kinds=[],
                                     target="office", email="", updated_at=NOW))
    return people


def test_N9_a_missed_video_check_is_sent_by_a_sweep_to_the_operator_on_duty(engine, robots):
    """N9: the video check is due 15 minutes after the last one; once missed, a sweep sends 「已超时」 with the
    register's name to the 中控员's robot, not to the clerk's; a second sweep sends nothing more."""
    p = _control_room(engine)
    R.create_entry(engine, actor=p["op1"], register="cr_check_video", now=NOW,
                   values={"post": CONTROL, "done_at": NOW, "result": "ok"})
    late = NOW + 20 * MIN
    result = sweep_once(engine, now=late, holder="a")
    assert (result.queued, result.sent, result.failed) == (1, 1, 0)
    assert [path for path, _ in robots.received] == ["/control"]
    text = robots.received[0][1]["text"]["content"]
    assert "视频浏览" in text and "已超时" in text and "03-01 08:15" in text
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(NotifyOutbox.kind, NotifyOutbox.recipient_id, NotifyOutbox.event)).all()
    assert rows == [("register_due:cr_check_video", p["op2"].id, "overdue")]  # the register in the key
    assert sweep_once(engine, now=late + MIN, holder="a").queued == 0
    assert len(robots.received) == 1 and robots.refused == []


def test_N10_python_m_lib_notify_once_runs_one_sweep_on_its_database_and_exits_0(sqlite_only, robots):
    """N10: the cron entry point, as an operator runs it: ``DATABASE_URL=… python -m lib.notify --once`` migrates,
    sweeps once (its own clock) and exits 0; the sweep really ran: the overdue message is in the outbox and
    its robot got it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from db.models import PhoneMessage
    from tests.db.helpers import make_user

    engine = sqlite_only
    staff = make_user(engine, username="desk", name="前台甲")
    called = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)
    with session_scope(engine) as session:
        session.add(PhoneMessage(called_at=called, caller_name="赵六", matter="请回电", created_by_id=staff.id,
                                 created_at=called))
        session.add(NotifyPreference(scope="user", ref_id=staff.id, channels=["wecom"], kinds=[], target="control",
                                     email="", updated_at=called))
    engine.dispose()  # the file is the other process's now
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "DUTYDESK_SWEEP_SECONDS": "0"}
    done = subprocess.run([sys.executable, "-m", "lib.notify", "--once"], cwd=Path(__file__).resolve().parents[2],
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "swept=True" in done.stdout and "queued=1" in done.stdout and "sent=1" in done.stdout, done.stdout
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(NotifyOutbox.kind, NotifyOutbox.recipient_id, NotifyOutbox.event)).all()
    assert rows == [("message_relay", staff.id, "overdue")]
    assert [path for path, _ in robots.received] == ["/control"] and "赵六" in robots.received[0][1]["text"]["content"]


def test_N10_no_new_item_message_to_the_person_who_made_it_but_its_deadline_reaches_them(engine, robots, now):
    """N10: a phone message taken by one receptionist is announced as new to the other front-desk staff only;
    when it turns due soon, the one who took it is told too."""
    from db.models import PhoneMessage
    from tests.db.helpers import make_user

    taker = make_user(engine, username="desk1", name="前台甲", titles=("前台接待员",))
    other = make_user(engine, username="desk2", name="前台乙", titles=("前台接待员",))
    with session_scope(engine) as session:  # relay within 2 h: due 90 minutes from now, not yet amber
        session.add(PhoneMessage(called_at=now - 30 * MIN, caller_name="孙七", matter="请回电",
                                 created_by_id=taker.id, created_at=now - 30 * MIN))
        for person, robot in ((taker, "control"), (other, "office")):
            session.add(NotifyPreference(scope="user", ref_id=person.id, channels=["wecom"], kinds=[], target=robot,
                                         email="", updated_at=now))
    first = sweep_once(engine, now=now, holder="a")
    assert (first.queued, first.sent) == (1, 1)
    assert [path for path, _ in robots.received] == ["/office"]  # the other receptionist: new
    assert sweep_once(engine, now=now + MIN, holder="a").queued == 0  # still nothing for the taker
    soon = sweep_once(engine, now=now + 40 * MIN, holder="a")  # 50 minutes left: amber, for both
    assert (soon.queued, soon.sent) == (2, 2)
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(NotifyOutbox.recipient_id, NotifyOutbox.event).order_by(NotifyOutbox.id)).all()
    assert sorted(rows) == sorted([(other.id, "assigned"), (taker.id, "soon"), (other.id, "soon")])


def test_N9_two_checks_missed_at_the_same_moment_are_two_messages(engine, robots):
    """N9: each register numbers its entries on its own, so the video check and the device check can both be
    entry 1 and fall due at the same moment; the operator still gets one message for each missed check."""
    from lib.services import settings as settings_service
    from tests.db.helpers import make_user

    p = _control_room(engine)
    admin = make_user(engine, username="root", role="admin", name="管理员")
    for key in ("registers.cr_check_video.minutes", "registers.cr_shift.minutes"):  # both checks hourly
        settings_service.change_setting(engine, actor=admin, key=key, value=60, reason="one cadence for both")
    for register in ("cr_check_video", "cr_check_devices"):
        R.create_entry(engine, actor=p["op1"], register=register, now=NOW,
                       values={"post": CONTROL, "done_at": NOW, "result": "ok"})
    result = sweep_once(engine, now=NOW + 65 * MIN, holder="a")
    assert (result.queued, result.sent) == (2, 2)
    texts = sorted(body["text"]["content"] for _, body in robots.received)
    assert len(texts) == 2 and any("视频浏览" in t for t in texts) and any("器械检查" in t for t in texts)
