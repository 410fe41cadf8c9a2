"""Sending one text to one channel: 企业微信 and 钉钉 group robots (JSON over HTTPS) and e-mail over SMTP.

Each sender raises :class:`ChannelError` with a message that never carries the secret (the URL, the
signing secret, the password), so the admin page can show it (issue 15 N4).
"""

from __future__ import annotations

import json
import smtplib
import socket
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

from lib.domain.notify import Channel, dingtalk_url, mask, robot_body
from lib.notify import secrets

TIMEOUT_S = 10


class ChannelError(Exception):
    """A delivery that did not arrive; the text is safe to show an admin."""


def _post_json(url: str, body: dict, shown: str) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - admin-configured URL
            answer = response.read(4096)
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code} from {shown}") from None
    except (urllib.error.URLError, socket.timeout, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelError(f"{type(reason).__name__} reaching {shown}") from None
    try:
        result = json.loads(answer or b"{}")
    except ValueError:
        raise ChannelError(f"not JSON from {shown}") from None
    code = result.get("errcode", 0) if isinstance(result, dict) else 0
    if code not in (0, "0"):
        raise ChannelError(f"errcode {code} from {shown}: {str(result.get('errmsg', ''))[:200]}")


def send_wecom(name: str, text: str) -> None:
    """企业微信 group robot: POST {"msgtype":"text","text":{"content":…}} to the webhook named ``name``."""
    url = secrets.secret("wecom", name)
    if not url:
        raise ChannelError(f"no 企业微信 webhook named {name!r}")
    _post_json(url, robot_body(text), mask(url))


def send_dingtalk(name: str, text: str) -> None:
    """钉钉 robot: the same JSON, to the webhook with ``&timestamp=&sign=`` when a signing secret is set.

    The timestamp is the real wall clock in ms: 钉钉 refuses one more than an hour off its own."""
    url = secrets.secret("dingtalk", name)
    if not url:
        raise ChannelError(f"no 钉钉 webhook named {name!r}")
    key = secrets.secret("dingtalk", name, suffix="secret")
    signed = dingtalk_url(url, int(time.time() * 1000), key) if key else url
    _post_json(signed, robot_body(text), mask(url))


def send_email(address: str, subject: str, text: str) -> None:
    """One plain-text mail through the configured SMTP server (STARTTLS and login when configured)."""
    config = secrets.smtp()
    if not config.configured:
        raise ChannelError("SMTP not configured")
    if not address or "@" not in address:
        raise ChannelError("no e-mail address")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config.sender, address, subject
    message.set_content(text)
    try:
        with smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_S) as server:
            if config.starttls:
                server.starttls()
            if config.user:
                server.login(config.user, config.password)
            server.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(f"SMTP {type(exc).__name__} via {config.host}:{config.port}") from None


def send(channel: str, target: str, text: str, subject: str) -> None:
    if channel == Channel.wecom:
        send_wecom(target, text)
    elif channel == Channel.dingtalk:
        send_dingtalk(target, text)
    elif channel == Channel.email:
        send_email(target, subject, text)
    else:
        raise ChannelError(f"unknown channel {channel!r}")
