"""Channel secrets: webhook URLs, the 钉钉 signing secret, the SMTP password (issue 15 N3).

Read from the environment first, then ``.streamlit/secrets.toml``; never from the database, never logged.
A preference names a robot webhook by a short *name* (``sales``, ``cs``); the URL behind it lives here:

- 企业微信: ``DUTYDESK_WECOM_<NAME>`` or ``[notify.wecom] <name> = "https://qyapi.weixin.qq.com/…"``
- 钉钉: ``DUTYDESK_DINGTALK_<NAME>`` and ``DUTYDESK_DINGTALK_<NAME>_SECRET``, or ``[notify.dingtalk] <name> = "…"``
  and ``[notify.dingtalk_secret] <name> = "SEC…"``
- SMTP: ``DUTYDESK_SMTP_HOST`` ``_PORT`` ``_USER`` ``_PASSWORD`` ``_FROM`` ``_STARTTLS``, or ``[notify.smtp]``
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from db.engine import ROOT

SECRETS_FILE = Path(ROOT) / ".streamlit" / "secrets.toml"


def _env_name(*parts: str) -> str:
    return "DUTYDESK_" + "_".join(re.sub(r"[^A-Za-z0-9]", "_", p).upper() for p in parts if p)


def _toml(path: Path | None = None) -> dict:
    path = path or SECRETS_FILE
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle).get("notify", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def secret(section: str, name: str, *, suffix: str = "", path: Path | None = None) -> str:
    """The secret ``section``/``name`` (env ``DUTYDESK_<SECTION>_<NAME>[_<SUFFIX>]`` wins over secrets.toml)."""
    found = os.environ.get(_env_name(section, name, suffix))
    if found:
        return found
    table = _toml(path).get(f"{section}_{suffix.lower()}" if suffix else section, {})
    value = table.get(name, "") if isinstance(table, dict) else ""
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


def smtp(path: Path | None = None) -> SmtpConfig:
    table = _toml(path).get("smtp", {})
    table = table if isinstance(table, dict) else {}

    def get(key: str, default: str = "") -> str:
        return os.environ.get(_env_name("smtp", key)) or str(table.get(key, default) or default)

    port = get("port", "25")
    return SmtpConfig(host=get("host"), port=int(port) if port.isdigit() else 25, user=get("user"),
                      password=get("password"), sender=get("from") or get("sender"),
                      starttls=get("starttls", "false").lower() in ("1", "true", "yes"))


def robot_names(path: Path | None = None) -> dict[str, list[str]]:
    """The webhook names configured per robot channel (from secrets.toml and the environment), for pickers."""
    table = _toml(path)
    names: dict[str, set[str]] = {"wecom": set(), "dingtalk": set()}
    for channel in names:
        section = table.get(channel, {})
        if isinstance(section, dict):
            names[channel] |= {k for k, v in section.items() if isinstance(v, str)}
        prefix = _env_name(channel) + "_"
        names[channel] |= {k[len(prefix):].lower() for k in os.environ
                           if k.startswith(prefix) and not k.endswith("_SECRET")}
    return {k: sorted(v) for k, v in names.items()}
