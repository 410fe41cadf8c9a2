"""Notification and inbox rules, pure (issue 15): the outbox key (N2), quiet hours (N3), backoff (N4), the
钉钉 signature, the secret mask, and the inbox's provider rules (I1 whom an item is for, I2 red/amber/rest)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st

from lib.domain import notify as rules
from lib.domain.inbox import Item, Level, Viewer, is_for, level, recipients, sort_inbox

UTC = dt.timezone.utc
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai


def test_N2_outbox_key_is_kind_record_due_recipient_event_and_never_null():
    local = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    key = rules.outbox_key
    assert key("message_relay", 7, local, 3, "soon") == key("message_relay", 7, NOW, 3, "soon")
    assert key("message_relay", 7, None, 3, "assigned").due_at == rules.NO_DUE
    assert key("message_relay", 7, NOW, 3, "soon") != key("message_relay", 7, NOW, 4, "soon")


def test_N7_due_soon_and_overdue_are_two_keys_for_one_deadline():
    soon = rules.outbox_key("message_relay", 7, NOW, 3, rules.event_for("soon", NOW))
    overdue = rules.outbox_key("message_relay", 7, NOW, 3, rules.event_for("overdue", NOW))
    assert soon != overdue and (soon.event, overdue.event) == ("soon", "overdue")


def test_N1_what_is_said_about_an_item():
    assert rules.event_for("overdue", NOW) is rules.Event.overdue
    assert rules.event_for("soon", NOW) is rules.Event.soon
    assert rules.event_for("other", None) is rules.Event.assigned


def test_N3_quiet_hours_inside_outside_and_across_midnight():
    assert rules.in_quiet_hours(dt.datetime(2026, 1, 1, 22, 30), dt.time(22), dt.time(7))
    assert rules.in_quiet_hours(dt.datetime(2026, 1, 1, 6, 59), dt.time(22), dt.time(7))
    assert not rules.in_quiet_hours(dt.datetime(2026, 1, 1, 7, 0), dt.time(22), dt.time(7))
    assert not rules.in_quiet_hours(dt.datetime(2026, 1, 1, 12, 0), None, None)
    assert not rules.in_quiet_hours(dt.datetime(2026, 1, 1, 12, 0), dt.time(8), dt.time(8))


def test_N3_quiet_hours_defer_to_their_end_never_drop():
    late = dt.datetime(2026, 11, 20, 23, 0, tzinfo=SH).astimezone(UTC)
    assert rules.not_before(late, SH, dt.time(22), dt.time(7)) == dt.datetime(2026, 11, 21, 7, 0, tzinfo=SH)
    early = dt.datetime(2026, 11, 21, 6, 0, tzinfo=SH).astimezone(UTC)
    assert rules.not_before(early, SH, dt.time(22), dt.time(7)) == dt.datetime(2026, 11, 21, 7, 0, tzinfo=SH)
    assert rules.not_before(NOW, SH, dt.time(22), dt.time(7)) == NOW


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)),
       st.times(), st.times())
def test_N3_a_deferred_time_is_never_earlier_and_never_quiet(moment, start, end):
    now = moment.replace(tzinfo=UTC)
    when = rules.not_before(now, SH, start, end)
    assert when >= now
    assert not rules.in_quiet_hours(when.astimezone(SH), start, end)
    assert when - now <= dt.timedelta(days=1)


def test_N4_backoff_doubles_and_gives_up_after_the_last_attempt():
    assert [rules.backoff(n, 30).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert rules.backoff(20, 30).total_seconds() == 3600
    assert rules.after_failure(1, NOW, 3, 30) == (rules.DeliveryState.failed, NOW + dt.timedelta(seconds=30))
    assert rules.after_failure(3, NOW, 3, 30)[0] is rules.DeliveryState.dead


def test_dingtalk_signature_is_hmac_sha256_base64_urlencoded():
    secret, timestamp = "SECabc+/=", 1_700_000_000_000
    sign = rules.dingtalk_sign(timestamp, secret)
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert base64.b64decode(urllib.parse.unquote_plus(sign)) == digest
    assert "+" not in sign and "/" not in sign and "=" not in sign  # URL-encoded
    url = rules.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=x", timestamp, secret)
    assert url.endswith(f"&timestamp={timestamp}&sign={sign}")


def test_robot_body_and_secret_mask():
    assert rules.robot_body("你好") == {"msgtype": "text", "text": {"content": "你好"}}
    masked = rules.mask("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef-123")
    assert masked.startswith("https://qyapi.weixin.qq.com") and "abcdef" not in masked
    assert "SECabcdef" not in rules.mask("SECabcdef123456") and rules.mask("") == ""


def _item(**kw):
    return Item(kind=kw.pop("kind", "message_relay"), record_id=kw.pop("record_id", 1), title_key="k", **kw)


def test_I1_an_item_is_for_the_person_the_title_the_unit_or_the_role():
    me = Viewer(id=1, role="staff", titles=("前台接待员",), units=(10, 20))
    assert is_for(_item(for_user=1), me)
    assert is_for(_item(for_titles=("前台接待员",)), me)
    assert is_for(_item(for_units=(20,)), me)
    assert is_for(_item(also_users=(1,)), me)
    assert not is_for(_item(for_roles=("supervisor",)), me)
    assert not is_for(_item(for_user=2, for_titles=("总经理",), for_units=(30,)), me)
    assert recipients(_item(for_titles=("前台接待员",)), [me, Viewer(id=2, role="staff")]) == [1]


def test_I2_red_when_past_amber_within_the_kinds_window_else_the_rest():
    soon = {"message_relay": 60}
    assert level(_item(due_at=NOW), NOW, soon) is Level.overdue
    assert level(_item(due_at=NOW + dt.timedelta(minutes=60)), NOW, soon) is Level.soon
    assert level(_item(due_at=NOW + dt.timedelta(minutes=61)), NOW, soon) is Level.other
    assert level(_item(due_at=None), NOW, soon) is Level.other


def test_I2_overdue_first_then_soon_then_the_rest_each_earliest_first_and_no_duplicates():
    a = _item(record_id=1, due_at=NOW - dt.timedelta(hours=1))
    b = _item(record_id=2, due_at=NOW - dt.timedelta(hours=2))
    c = _item(record_id=3, due_at=NOW + dt.timedelta(minutes=5))
    d = _item(record_id=4)
    box = sort_inbox([d, c, a, b, a], NOW, {"message_relay": 60})
    assert [i.record_id for i in box.overdue] == [2, 1]
    assert [i.record_id for i in box.soon] == [3] and [i.record_id for i in box.other] == [4]
    assert box.total == 4
