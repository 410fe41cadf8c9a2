"""Rule parameters as data: every number of SPEC is a setting with a default and a source.

Each domain module declares its own ``SETTINGS: list[SettingDef]``; the settings
service collects them all, seeds the defaults and validates an admin's edit with
``parse_value``. The label of a setting is the catalog key ``setting.<key>``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lib.domain.errors import DomainError

KINDS = ("int", "float", "bool", "str", "time", "json", "titles")
SCOPES = ("global", "dept", "post", "policy")

# Limits checked before any parsing, so a hostile value cannot exhaust the parser (issue 12 R8).
MAX_TEXT = 4000  # setting_value.value is VARCHAR(4000): the stored JSON text must fit
MAX_DEPTH = 6
STR_MAX = 200  # the settings page's text box
TITLE_MAX = 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")

Validator = Callable[[object], "str | None"]


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
    # the setting's schema beyond kind, range and the default's shape: a catalog key naming the problem, or None
    validate: Validator | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown setting kind {self.kind!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown setting scope {self.scope!r}")


@dataclass(frozen=True)
class CrossRule:
    """A rule between settings that the domain assumes (issue 12 R8): ``holds(*values)`` in the order of ``keys``.

    Declared beside the settings in a module's ``CROSS_RULES``; checked when any of ``keys`` is saved, with the
    others at their values in force. ``message`` is a catalog key whose text names every setting involved."""

    keys: tuple[str, ...]
    holds: Callable[..., bool]
    message: str


def broken_rule(rules: Iterable[CrossRule], values: dict[str, object]) -> CrossRule | None:
    """The first rule the values break (each rule given all its keys), else None."""
    for rule in rules:
        try:
            fine = rule.holds(*(values[k] for k in rule.keys))
        except (TypeError, ValueError, KeyError, AttributeError):
            fine = False
        if not fine:
            return rule
    return None


def clock(value: object) -> dt.time:
    """A setting's time of day, whether stored as ``dt.time`` or as ``"HH:MM"`` inside a JSON value."""
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def minutes_between(start: object, end: object) -> int:
    """Minutes from ``start`` to ``end`` on one day (negative when ``end`` is earlier)."""
    first, last = clock(start), clock(end)
    return (last.hour * 60 + last.minute) - (first.hour * 60 + first.minute)


def encode(value: object) -> str:
    """Stored text form of a setting value (JSON; times as HH:MM)."""
    if isinstance(value, dt.time):
        return json.dumps(value.strftime("%H:%M"))
    return json.dumps(value, ensure_ascii=False)


def decode(definition: SettingDef, text: str) -> object:
    """The typed value of a stored setting (size and nesting limited before parsing)."""
    _check_text_limits(text)
    raw = json.loads(text, parse_constant=_no_constant)
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
    """Parse an admin's typed value, or raise ``DomainError('settings.invalid_*')`` (SPEC M0 Settings).

    The text is limited in length and nesting before it is parsed; the parsed value then goes through
    the same schema as a typed value (:func:`check_value`)."""
    text = (text or "").strip()
    if definition.kind in ("json", "titles"):
        _check_text_limits(text)
    elif len(text) > MAX_TEXT:
        raise DomainError("settings.too_long", limit=MAX_TEXT)
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
            value = json.loads(text, parse_constant=_no_constant)
        elif definition.kind == "titles":
            value = parse_titles(text)
        else:
            value = text
    except (ValueError, TypeError, RecursionError) as exc:
        raise DomainError("settings.invalid_value", kind=definition.kind, value=text[:80]) from exc
    return check_value(definition, value)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number a setting may hold")


def _text_depth(text: str) -> int:
    """Deepest bracket nesting of JSON text, counted without parsing (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _check_text_limits(text: str) -> None:
    if len(text) > MAX_TEXT:
        raise DomainError("settings.too_long", limit=MAX_TEXT)
    if _text_depth(text) > MAX_DEPTH:
        raise DomainError("settings.too_deep", limit=MAX_DEPTH)


def _check_depth(value: object) -> None:
    """Refuse a value nested deeper than ``MAX_DEPTH`` (walked without recursion, so cycles end too)."""
    level = [value]
    for _ in range(MAX_DEPTH + 1):
        level = [child for item in level if isinstance(item, (list, tuple, dict))
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return
        if len(level) > MAX_TEXT:
            raise DomainError("settings.too_long", limit=MAX_TEXT)
    raise DomainError("settings.too_deep", limit=MAX_DEPTH)


def bad_text(value: str, limit: int) -> bool:
    """Empty, longer than ``limit`` or holding a control / bidi / zero-width character (one line of text)."""
    return not value.strip() or len(value) > limit or bool(_CONTROL.search(value))


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
    """Type, range, shape and schema of a value (STYLE: settings have schemas; T15, issue 12 R8).

    Returns the value as stored (titles without blanks and repeats, holidays as sorted ISO dates);
    raises ``DomainError('settings.*')`` naming what to fix, never another exception."""
    _check_depth(value)
    kind = definition.kind
    try:
        value = _checked_kind(definition, value)
        if kind in ("json", "titles", "str") and len(json.dumps(value, ensure_ascii=False, allow_nan=False)) > MAX_TEXT:
            raise DomainError("settings.too_long", limit=MAX_TEXT)
        problem = definition.validate(value) if definition.validate else None
    except DomainError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise DomainError("settings.invalid_value", kind=kind, value=_preview(value)) from exc
    if problem:
        raise DomainError(problem, setting=definition.key)
    return value


def _preview(value: object) -> str:
    try:
        return str(value)[:80]
    except Exception:  # noqa: BLE001 - a preview for a message must never fail
        return "?"


def _checked_kind(definition: SettingDef, value: object) -> object:
    kind = definition.kind
    bad = DomainError("settings.invalid_value", kind=kind, value=_preview(value))
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad
    elif kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        if not math.isfinite(value):
            raise DomainError("settings.not_finite")
        if kind == "int":
            if value != int(value):
                raise bad
            value = int(value)
        else:
            value = float(value)
        if definition.minimum is not None and value < definition.minimum:
            raise DomainError("settings.below_minimum", minimum=definition.minimum)
        if definition.maximum is not None and value > definition.maximum:
            raise DomainError("settings.above_maximum", maximum=definition.maximum)
    elif kind == "time":
        if not isinstance(value, dt.time):
            raise bad
        value = value.replace(second=0, microsecond=0, tzinfo=None)
    elif kind == "titles":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise bad
        value = parse_titles(json.dumps(list(value), ensure_ascii=False))
        if any(bad_text(v, TITLE_MAX) for v in value):
            raise DomainError("settings.bad_title", limit=TITLE_MAX)
    elif kind == "str":
        if not isinstance(value, str):
            raise bad
        value = value.strip()
        if bad_text(value, STR_MAX):
            raise DomainError("settings.bad_text", limit=STR_MAX)
    elif definition.unit == "dates":
        if not isinstance(value, (list, tuple)):
            raise bad
        value = sorted({_iso_date(v, bad) for v in value})
    else:
        if not _finite(value):
            raise DomainError("settings.not_finite")
        if not _shape_ok(definition.default, value):
            raise bad
    return value


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    return True


def _iso_date(item: object, bad: DomainError) -> str:
    if isinstance(item, dt.datetime):
        item = item.date()
    if isinstance(item, dt.date):
        return item.isoformat()
    try:
        return dt.date.fromisoformat(str(item)).isoformat()
    except ValueError:
        raise bad from None


def _whole(value: object, low: float, high: float) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _number(value: object, low: float, high: float) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and low <= value <= high)


def record_of(message: str, **fields: tuple[str, float, float]) -> Validator:
    """A record with exactly these fields, each ``("int" | "number", low, high)``; ``message`` when not."""
    def check(value: object) -> str | None:
        if not isinstance(value, dict) or set(value) != set(fields):
            return message
        for name, (kind, low, high) in fields.items():
            if not (_whole if kind == "int" else _number)(value[name], low, high):
                return message
        return None
    return check


def whole_list(message: str, *, low: int, high: int, length: int | None = None, unique: bool = False,
               ascending: bool = False) -> Validator:
    """A list of whole numbers within ``low``–``high`` (of ``length`` items; without repeats; rising)."""
    def check(value: object) -> str | None:
        if not isinstance(value, list) or not all(_whole(v, low, high) for v in value):
            return message
        if (length is not None and len(value) != length) or (unique and len(set(value)) != len(value)):
            return message
        if ascending and any(a >= b for a, b in zip(value, value[1:])):
            return message
        return None
    return check


def members_of(message: str, allowed: Iterable[str]) -> Validator:
    """A non-empty list of known values, each at most once."""
    known = set(allowed)

    def check(value: object) -> str | None:
        if not isinstance(value, list) or not value or len(set(map(str, value))) != len(value):
            return message
        return None if all(isinstance(v, str) and v in known for v in value) else message
    return check


def iso_date(message: str) -> Validator:
    """A calendar date as ``YYYY-MM-DD``."""
    def check(value: object) -> str | None:
        try:
            dt.date.fromisoformat(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return message
        return None if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)) else message
    return check


def short_text(message: str, limit: int) -> Validator:
    """One line of at most ``limit`` characters (e.g. a job title)."""
    def check(value: object) -> str | None:
        return None if isinstance(value, str) and len(value) <= limit else message
    return check


def time_window(message: str) -> Validator:
    """Two times ``[HH:MM, HH:MM]``, the first earlier."""
    def check(value: object) -> str | None:
        if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) for v in value):
            return message
        if not all(re.fullmatch(r"\d{2}:\d{2}", v) for v in value):
            return message
        try:
            start, end = (dt.time.fromisoformat(v) for v in value)
        except ValueError:
            return message
        return None if start < end else message
    return check


def time_zone(message: str) -> Validator:
    """An IANA time zone name the system knows (e.g. ``Asia/Shanghai``)."""
    def check(value: object) -> str | None:
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*", value):
            return message
        try:
            ZoneInfo(value)
        except Exception:  # noqa: BLE001 - ZoneInfo raises several kinds for an unknown or odd name
            return message
        return None
    return check


def unknown_titles(values: list[str] | tuple[str, ...], managed: list[str] | tuple[str, ...]) -> list[str]:
    """Titles a rule names that the managed list ``org.titles`` does not hold (T13: titles are picked, not typed)."""
    return [v for v in values if v not in set(managed)]
