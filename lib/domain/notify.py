"""Notification rules (issue 15 "Notifications"): channels, quiet hours, retries, the outbox key, the 钉钉 signature.

Pure: the clock and the secret come in as arguments.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import hmac
import urllib.parse
from dataclasses import dataclass

from lib.domain.settings import SettingDef

# The outbox key's due_at for an item without a deadline ("newly assigned"): a fixed moment, never NULL,
# because NULLs never collide in a UNIQUE constraint.
NO_DUE = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

SETTINGS: list[SettingDef] = [
    SettingDef("notify.max_attempts", 6, "int", "attempts", "(assumed) issue 15 retries with backoff",
               minimum=1, maximum=50),
    SettingDef("notify.backoff_seconds", 30, "int", "seconds", "(assumed) first retry; doubles each time",
               minimum=1, maximum=3600),
]


class Channel(enum.StrEnum):
    wecom = "wecom"  # 企业微信 group robot webhook
    dingtalk = "dingtalk"  # 钉钉 robot webhook with its signing secret
    email = "email"  # SMTP


class Event(enum.StrEnum):
    assigned = "assigned"
    soon = "soon"
    overdue = "overdue"


class DeliveryState(enum.StrEnum):
    pending = "pending"
    claimed = "claimed"
    sent = "sent"
    failed = "failed"  # will be retried at next_attempt_at
    dead = "dead"  # gave up after max attempts: shown on the admin page


@dataclass(frozen=True)
class OutboxKey:
    """UNIQUE (kind, record, due_at, recipient, event): one message per deadline, per person and per event
    (issue 15 N2). The event is part of it so an item announced as due soon is announced again when it
    turns overdue (issue 15 N7)."""

    kind: str
    record_id: int
    due_at: dt.datetime
    recipient_id: int
    event: str


def outbox_key(kind: str, record_id: int, due_at: dt.datetime | None, recipient_id: int,
               event: str) -> OutboxKey:
    """The key a notification is stored under; an item without a deadline uses :data:`NO_DUE` (issue 15 N2)."""
    return OutboxKey(str(kind), int(record_id), (due_at or NO_DUE).astimezone(dt.timezone.utc), int(recipient_id),
                     str(event))


def event_for(level: str, due_at: dt.datetime | None) -> Event | None:
    """What to say about an item now: overdue, due soon, or (no deadline yet) newly assigned; else nothing.

    An item first seen with a far deadline is announced once as assigned under :data:`NO_DUE`, then under its
    real ``due_at`` once when it turns amber and once more when it turns red (issue 15 N1, N7)."""
    if level == "overdue":
        return Event.overdue
    if level == "soon":
        return Event.soon
    return Event.assigned


@dataclass(frozen=True)
class Preference:
    """Who gets what, where and when: channels, kinds (empty = every kind), quiet hours (issue 15 N3)."""

    channels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    target: str = ""  # the secret name of the team's robot webhook (wecom/dingtalk)
    email: str = ""

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


def in_quiet_hours(local: dt.datetime, start: dt.time | None, end: dt.time | None) -> bool:
    """Whether a local wall time falls in the quiet window ``[start, end)``; a window may cross midnight."""
    if start is None or end is None or start == end:
        return False
    t = local.time().replace(tzinfo=None)
    if start < end:
        return start <= t < end
    return t >= start or t < end


def not_before(now: dt.datetime, tz, start: dt.time | None, end: dt.time | None) -> dt.datetime:
    """When a message may go out: now, or the end of the quiet hours it falls in (deferred, never dropped; N3)."""
    local = now.astimezone(tz)
    if not in_quiet_hours(local, start, end):
        return now
    day = local.date() if local.time().replace(tzinfo=None) < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=tz).astimezone(dt.timezone.utc)


def backoff(attempts: int, base_seconds: int = 30, cap_seconds: int = 3600) -> dt.timedelta:
    """Wait before retry number ``attempts`` (1 = after the first failure): base × 2^(n-1), capped (N4)."""
    return dt.timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(attempts - 1, 0)))


def after_failure(attempts: int, now: dt.datetime, max_attempts: int, base_seconds: int) -> tuple[DeliveryState,
                                                                                                   dt.datetime]:
    """The delivery's next state and retry time after its ``attempts``-th failed try (N4)."""
    if attempts >= max_attempts:
        return DeliveryState.dead, now
    return DeliveryState.failed, now + backoff(attempts, base_seconds)


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """钉钉 robot 加签: HmacSHA256 of "timestamp\\nsecret" keyed by the secret, Base64, then URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_url(webhook: str, timestamp_ms: int, secret: str) -> str:
    """The webhook with ``&timestamp=…&sign=…`` appended (钉钉 custom robot, signed mode)."""
    joiner = "&" if "?" in webhook else "?"
    return f"{webhook}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(timestamp_ms, secret)}"


def robot_body(text: str) -> dict:
    """The JSON both robots accept for plain text: {"msgtype": "text", "text": {"content": ...}}."""
    return {"msgtype": "text", "text": {"content": text}}


def mask(secret: str) -> str:
    """A secret shown back: its scheme and host at most, the rest starred (never in full; issue 15 N3)."""
    if not secret:
        return ""
    parsed = urllib.parse.urlsplit(secret)
    if parsed.scheme and parsed.netloc:
        return f"{parsed.scheme}://{parsed.netloc}/…****"
    return secret[:2] + "****" if len(secret) > 6 else "****"
