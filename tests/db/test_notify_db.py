"""Notifications on SQLite and PostgreSQL with real receivers on 127.0.0.1 (issue 15 "Tests and figures").

N1 "a sweeper finds items that became due, overdue, or newly assigned and sends them";
N2 "an outbox table with a unique key (kind, record, due_at, recipient)";
N3 "per person and per team: which channels, which kinds, quiet hours";
N4 "a channel that is down gets retries with backoff and the failure shows";
N5 "two app servers sweeping at the same moment send one message";
N6 "the no-relief alert, SLA breaches … raised by the sweeper"; "SLA breaches kept as history".
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from db.engine import session_scope
from db.models import (NotifyDelivery, NotifyOutbox, NotifyPreference, OrgUnit, PhoneMessage, SlaBreach, Ticket)
from lib.notify.outbox import deliver_due, enqueue
from lib.notify.sweeper import sweep_once
from lib.services import handover
from tests.db.helpers import count, make_user, race

SECRET = "SEC0123456789abcdef"


class Receiver:
    """A stand-in for the 企业微信 and 钉钉 robot endpoints: checks the JSON body and the 钉钉 signature,
    fails the first ``fail_first`` requests with HTTP 500, records what it accepted."""

    def __init__(self, fail_first: int = 0):
        self.fail_first = fail_first
        self.received: list[tuple[str, dict]] = []
        self.refused: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                return

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                url = urllib.parse.urlsplit(self.path)
                status, problem = receiver.check(url, body)
                with receiver.lock:
                    if problem is None and receiver.fail_first > 0:
                        receiver.fail_first -= 1
                        status, problem = 500, "scripted failure"
                    if problem is None:
                        receiver.received.append((url.path, json.loads(body)))
                    else:
                        receiver.refused.append(problem)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"errcode": 0 if problem is None else 310000,
                                             "errmsg": problem or "ok"}).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def check(url, body: bytes):
        try:
            data = json.loads(body)
        except ValueError:
            return 400, "not json"
        if data.get("msgtype") != "text" or not isinstance(data.get("text", {}).get("content"), str):
            return 400, "bad body"
        if url.path == "/dingtalk":
            query = urllib.parse.parse_qs(url.query)
            timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
            expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(),
                                                 hashlib.sha256).digest()).decode()
            if not timestamp or sign != expected:  # parse_qs already URL-decoded the sign
                return 200, "bad sign"
        return 200, None

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch):
    rec = Receiver()
    monkeypatch.setenv("DUTYDESK_WECOM_OPS", rec.url + "/wecom?key=secret-key-1")
    monkeypatch.setenv("DUTYDESK_DINGTALK_OPS", rec.url + "/dingtalk?access_token=secret-token")
    monkeypatch.setenv("DUTYDESK_DINGTALK_OPS_SECRET", SECRET)
    yield rec
    rec.close()


def _overdue_message(engine, now, *, channels=("wecom",), quiet=(None, None), email=""):
    staff = make_user(engine, username="desk", name="前台甲")
    with session_scope(engine) as session:
        session.add(PhoneMessage(called_at=now - dt.timedelta(hours=3), caller_name="张三", matter="请回电",
                                 created_by_id=staff.id, created_at=now))
        session.add(NotifyPreference(scope="user", ref_id=staff.id, channels=list(channels), kinds=[],
                                     quiet_start=quiet[0], quiet_end=quiet[1], target="ops", email=email,
                                     updated_at=now))
    return staff


def test_N1_N2_an_overdue_message_reaches_the_wecom_robot_once(engine, receiver, now):
    _overdue_message(engine, now)
    first = sweep_once(engine, now=now, holder="a")
    assert first.swept and first.queued == 1 and first.sent == 1
    again = sweep_once(engine, now=now + dt.timedelta(minutes=5), holder="a")
    assert again.queued == 0 and again.sent == 0
    assert len(receiver.received) == 1
    path, body = receiver.received[0]
    assert path == "/wecom" and "张三" in body["text"]["content"] and "已超时" in body["text"]["content"]


def test_N5_two_sweepers_at_the_same_moment_send_one_message(engine, receiver, now):
    _overdue_message(engine, now, channels=("wecom", "dingtalk"))
    results = race(lambda: sweep_once(engine, now=now, holder="server-a"),
                   lambda: sweep_once(engine, now=now, holder="server-b"))
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r.swept for r in results) == [False, True]  # one lease winner
    assert sorted(p for p, _ in receiver.received) == ["/dingtalk", "/wecom"]
    assert receiver.refused == []  # the 钉钉 signature checked out


def test_N5_without_the_lease_the_outbox_key_and_the_claim_still_send_once(engine, receiver, now):
    _overdue_message(engine, now)
    queued = race(lambda: enqueue(engine, now=now), lambda: enqueue(engine, now=now))
    assert not any(isinstance(r, Exception) for r in queued), queued
    assert count(engine, NotifyOutbox) == 1 and count(engine, NotifyDelivery) == 1
    sent = race(lambda: deliver_due(engine, now=now, holder="a"), lambda: deliver_due(engine, now=now, holder="b"))
    assert sum(s.sent for s in sent) == 1
    assert len(receiver.received) == 1


def test_N4_a_receiver_failing_twice_then_answering_gets_one_delivery(engine, receiver, now):
    receiver.fail_first = 2
    _overdue_message(engine, now)
    assert sweep_once(engine, now=now, holder="a").failed == 1
    with session_scope(engine, write=False) as session:
        row = session.exec(select(NotifyDelivery)).one()
        assert row.state == "failed" and "HTTP 500" in row.last_error
        assert "secret-key-1" not in row.last_error  # the webhook's key never shown (N3)
        assert row.next_attempt_at == now + dt.timedelta(seconds=30)
    assert deliver_due(engine, now=now + dt.timedelta(seconds=10), holder="a").sent == 0  # backing off
    assert deliver_due(engine, now=now + dt.timedelta(seconds=31), holder="a").failed == 1
    assert deliver_due(engine, now=now + dt.timedelta(seconds=60), holder="a").sent == 0  # 60 s after the 2nd
    assert deliver_due(engine, now=now + dt.timedelta(seconds=92), holder="a").sent == 1
    assert deliver_due(engine, now=now + dt.timedelta(hours=2), holder="a").sent == 0
    assert len(receiver.received) == 1
    with session_scope(engine, write=False) as session:
        row = session.exec(select(NotifyDelivery)).one()
        assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
        assert row.sent_at == now + dt.timedelta(seconds=92)


def test_N3_quiet_hours_defer_the_message_and_never_drop_it(engine, receiver, now):
    # now is 10:00 in Shanghai; quiet 09:00-11:00 holds it until 11:00 (03:00 UTC)
    _overdue_message(engine, now, quiet=(dt.time(9, 0), dt.time(11, 0)))
    assert sweep_once(engine, now=now, holder="a").sent == 0
    assert deliver_due(engine, now=now + dt.timedelta(minutes=59), holder="a").sent == 0
    assert deliver_due(engine, now=now + dt.timedelta(hours=1), holder="a").sent == 1
    assert len(receiver.received) == 1


def test_N3_kinds_not_wanted_are_not_sent(engine, receiver, now):
    staff = _overdue_message(engine, now)
    with session_scope(engine) as session:
        pref = session.exec(select(NotifyPreference).where(NotifyPreference.ref_id == staff.id)).one()
        pref.kinds = ["ticket_due"]
    assert sweep_once(engine, now=now, holder="a").queued == 0
    assert receiver.received == []


def test_N3_a_teams_preference_covers_its_members(engine, receiver, now):
    staff = make_user(engine, username="desk", name="前台甲")
    with session_scope(engine) as session:
        team = OrgUnit(kind="team", name="前台组")
        session.add(team)
        session.flush()
        from db.models import User
        session.get(User, staff.id).team_id = team.id
        session.add(PhoneMessage(called_at=now - dt.timedelta(hours=3), caller_name="李四", matter="m",
                                 created_by_id=staff.id, created_at=now))
        session.add(NotifyPreference(scope="unit", ref_id=team.id, channels=["dingtalk"], kinds=[], target="ops",
                                     email="", updated_at=now))
    assert sweep_once(engine, now=now, holder="a").sent == 1
    assert [p for p, _ in receiver.received] == ["/dingtalk"] and receiver.refused == []


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def test_N1_e_mail_goes_through_a_real_smtp_server(engine, now, monkeypatch):
    mailbox = _Inbox()
    with socket.socket() as probe:  # a free port: the controller's start-up check cannot connect to port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("DUTYDESK_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("DUTYDESK_SMTP_PORT", str(port))
        monkeypatch.setenv("DUTYDESK_SMTP_FROM", "dutydesk@example.com")
        _overdue_message(engine, now, channels=("email",), email="desk@example.com")
        assert sweep_once(engine, now=now, holder="a").sent == 1
    finally:
        controller.stop()
    assert len(mailbox.messages) == 1
    recipients, content = mailbox.messages[0]
    assert recipients == ["desk@example.com"]
    mail = email.message_from_bytes(content.encode("utf-8"), policy=email.policy.default)  # the bytes as sent
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "已超时" in mail["Subject"] and mail["To"] == "desk@example.com"
    # N10: the body as received carries the item's text (who called, the reason, the deadline), not only a subject
    assert "张三" in body and "已超时" in body and "2026-11-20 09:00" in body


def test_N6_the_sweeper_raises_no_relief_and_keeps_sla_breaches_once(engine, now):
    out = make_user(engine, username="out", name="下班")
    relief = make_user(engine, username="in", name="接班")
    with session_scope(engine) as session:
        session.add(OrgUnit(kind="post", name="中控室", is_24x7=True))
    post_id = next(iter(handover.posts(engine)))
    handover.schedule(engine, actor=out, post_id=post_id, out_shift="night", in_shift="day",
                      shift_start=now - dt.timedelta(minutes=5), incoming_id=relief.id,
                      now=now - dt.timedelta(minutes=40))
    with session_scope(engine) as session:
        ticket = Ticket(type="complaint", flow="complaint", state="in_progress", agent_no="A1",
                        due_at=now - dt.timedelta(hours=1), due_kind="resolve", received_at=now - dt.timedelta(days=1),
                        updated_at=now)
        session.add(ticket)
    result = sweep_once(engine, now=now, holder="a")
    assert (result.no_relief, result.breaches) == (1, 1)
    assert handover.post_handovers(engine, actor=out, post_id=post_id)[0].state == "no_relief"
    assert sweep_once(engine, now=now + dt.timedelta(minutes=1), holder="a").breaches == 0
    assert count(engine, SlaBreach) == 1


def test_N7_due_soon_then_overdue_are_two_messages_and_a_third_sweep_sends_nothing(engine, receiver, now):
    """N7: "due soon" and "overdue" no longer share one outbox key, so the red message follows the amber one."""
    staff = make_user(engine, username="desk", name="前台甲")
    with session_scope(engine) as session:  # relayed within 2 h of the call: due 30 min from now (amber)
        session.add(PhoneMessage(called_at=now - dt.timedelta(minutes=90), caller_name="王五", matter="请回电",
                                 created_by_id=staff.id, created_at=now - dt.timedelta(minutes=90)))
        session.add(NotifyPreference(scope="user", ref_id=staff.id, channels=["wecom"], kinds=[], target="ops",
                                     email="", updated_at=now))
    amber = sweep_once(engine, now=now, holder="a")
    assert (amber.queued, amber.sent) == (1, 1)
    red = sweep_once(engine, now=now + dt.timedelta(hours=1), holder="a")  # 30 min past due
    assert (red.queued, red.sent) == (1, 1)
    third = sweep_once(engine, now=now + dt.timedelta(hours=1, minutes=1), holder="a")
    assert (third.queued, third.sent) == (0, 0)
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(NotifyOutbox.event, NotifyOutbox.due_at).order_by(NotifyOutbox.id)).all()
    assert [e for e, _ in rows] == ["soon", "overdue"]
    assert rows[0][1] == rows[1][1] == now + dt.timedelta(minutes=30)  # one deadline, two events
    texts = [body["text"]["content"] for _, body in receiver.received]
    assert len(texts) == 2 and "王五" in texts[0] and "已超时" in texts[1] and "已超时" not in texts[0]


def test_N7_migration_0041_keeps_the_outbox_and_its_deliveries_both_ways(engine, now):
    """N7: 0041 moves the outbox key to (kind, record, due_at, recipient, event) on a database that already has
    rows and deliveries (SQLite rebuilds the table under foreign keys); the downgrade keeps each deadline's first."""
    import importlib.util
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import inspect

    staff = make_user(engine, username="desk", name="前台甲")
    due = now + dt.timedelta(minutes=30)
    with session_scope(engine) as session:
        for event in ("soon", "overdue"):
            row = NotifyOutbox(kind="message_relay", record_id=7, due_at=due, recipient_id=staff.id, event=event,
                               text=event, created_at=now)
            session.add(row)
            session.flush()
            session.add(NotifyDelivery(outbox_id=row.id, channel="wecom", target="ops", state="sent", attempts=1,
                                       next_attempt_at=now, claimed_by="", last_error="", sent_at=now))
    spec = importlib.util.spec_from_file_location("migration_0041",
                                                  Path("db/migrations/versions/0041_notify_outbox_event.py"))
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    def run(step) -> tuple[list, list, list]:
        with engine.begin() as connection:
            with Operations.context(MigrationContext.configure(connection)):
                step()
        key = [c["column_names"] for c in inspect(engine).get_unique_constraints("notify_outbox")]
        with session_scope(engine, write=False) as session:
            rows = session.exec(select(NotifyOutbox.id, NotifyOutbox.event).order_by(NotifyOutbox.id)).all()
            deliveries = session.exec(select(NotifyDelivery.outbox_id, NotifyDelivery.sent_at)
                                      .order_by(NotifyDelivery.outbox_id)).all()
        return key, rows, deliveries

    key, rows, deliveries = run(migration.downgrade)
    assert key == [["kind", "record_id", "due_at", "recipient_id"]]
    assert [e for _, e in rows] == ["soon"] and deliveries == [(rows[0][0], now)]
    key, rows_up, deliveries_up = run(migration.upgrade)
    assert key == [["kind", "record_id", "due_at", "recipient_id", "event"]]
    assert (rows_up, deliveries_up) == (rows, deliveries)
