"""Rule parameters as data: every number of SPEC is a setting with a default and a source.

Each domain module declares its own ``SETTINGS: list[SettingDef]``; the settings
service collects them all, seeds the defaults and validates an admin's edit with
``parse_value``. The label of a setting is the catalog key ``setting.<key>``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from lib.domain.errors import DomainError

KINDS = ("int", "float", "bool", "str", "time", "json", "titles")
SCOPES = ("global", "dept", "post", "policy")


@dataclass(frozen=True)
class SettingDef:
    """One rule parameter (SPEC M0 Settings: key, value, unit, scope, source)."""

    key: str
    default: object
    kind: str
    unit: str
    source: str
    scope: str = "global"
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown setting kind {self.kind!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown setting scope {self.scope!r}")


def encode(value: object) -> str:
    """Stored text form of a setting value (JSON; times as HH:MM)."""
    if isinstance(value, dt.time):
        return json.dumps(value.strftime("%H:%M"))
    return json.dumps(value, ensure_ascii=False)


def decode(definition: SettingDef, text: str) -> object:
    """The typed value of a stored setting."""
    raw = json.loads(text)
    if definition.kind == "time":
        return dt.time.fromisoformat(raw)
    return raw


def parse_titles(text: str) -> list[str]:
    """A list of job titles from a JSON list or text separated by commas, 、 or new lines; blanks and repeats dropped."""
    text = (text or "").strip()
    if text.startswith("["):
        items = json.loads(text)
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValueError(text)
    else:
        items = re.split(r"[,，、\n]", text)
    out: list[str] = []
    for item in (i.strip() for i in items):
        if item and item not in out:
            out.append(item)
    return out


def parse_value(definition: SettingDef, text: str) -> object:
    """Parse an admin's typed value, or raise ``DomainError('settings.invalid_*')`` (SPEC M0 Settings)."""
    text = (text or "").strip()
    try:
        if definition.kind == "int":
            value: object = int(text)
        elif definition.kind == "float":
            value = float(text)
        elif definition.kind == "bool":
            lowered = text.lower()
            if lowered not in {"true", "false", "1", "0", "是", "否"}:
                raise ValueError(text)
            value = lowered in {"true", "1", "是"}
        elif definition.kind == "time":
            value = dt.time.fromisoformat(text)
        elif definition.kind == "json":
            value = json.loads(text)
        elif definition.kind == "titles":
            value = parse_titles(text)
        else:
            if not text:
                raise ValueError(text)
            value = text
    except ValueError as exc:
        raise DomainError("settings.invalid_value", kind=definition.kind, value=text) from exc
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if definition.minimum is not None and value < definition.minimum:
            raise DomainError("settings.below_minimum", minimum=definition.minimum)
        if definition.maximum is not None and value > definition.maximum:
            raise DomainError("settings.above_maximum", maximum=definition.maximum)
    return value


def _shape_ok(default: object, value: object) -> bool:
    """Whether ``value`` has the shape of the setting's default: same keys, item kinds and scalar types."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, dict):
        return isinstance(value, dict) and set(value) == set(default) and all(
            _shape_ok(default[k], value[k]) for k in default)
    if isinstance(default, list):
        if not isinstance(value, list):
            return False
        return not default or all(_shape_ok(default[0], item) for item in value)
    return value is None or type(value) is type(default)


def check_value(definition: SettingDef, value: object) -> object:
    """Type, range and shape of a value from a typed settings widget (STYLE: settings have schemas; T15).

    Returns the value as stored (titles without blanks and repeats, holidays as sorted ISO dates);
    raises ``DomainError('settings.invalid_*')`` like ``parse_value``.
    """
    kind = definition.kind
    bad = DomainError("settings.invalid_value", kind=kind, value=str(value)[:80])
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad
    elif kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        if kind == "int":
            if value != int(value):
                raise bad
            value = int(value)
        value = parse_value(definition, str(value))
    elif kind == "time":
        if not isinstance(value, dt.time):
            raise bad
        value = value.replace(second=0, microsecond=0)
    elif kind == "titles":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise bad
        value = parse_titles(json.dumps(list(value), ensure_ascii=False))
    elif kind == "str":
        value = parse_value(definition, str(value))
    elif definition.unit == "dates":
        value = sorted({_iso_date(v, bad) for v in (value or [])})
    elif not _shape_ok(definition.default, value):
        raise bad
    return value


def _iso_date(item: object, bad: DomainError) -> str:
    if isinstance(item, dt.datetime):
        item = item.date()
    if isinstance(item, dt.date):
        return item.isoformat()
    try:
        return dt.date.fromisoformat(str(item)).isoformat()
    except ValueError:
        raise bad from None


def unknown_titles(values: list[str] | tuple[str, ...], managed: list[str] | tuple[str, ...]) -> list[str]:
    """Titles a rule names that the managed list ``org.titles`` does not hold (T13: titles are picked, not typed)."""
    return [v for v in values if v not in set(managed)]
