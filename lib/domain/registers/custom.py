"""Registers an admin makes without code (issue 14, the low-code part): a definition is data, checked here.

An admin names the register, lists its fields (a type from the engine's list, required or not, choices for a
choice field), the approval chain (titles from ``org.titles``, in order) and the lock rule. Each save is a new
version of the definition (versions are never changed); a field removed from the current version is *retired*:
it stays on the entries made with it and on their display, but a form no longer asks for it.

Pure: no streamlit, no SQL. ``build_definition`` turns a stored spec into the ``RegisterDef`` the engine runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from lib.domain.errors import FieldError
from lib.domain.registers.model import COMMON_COLUMNS, FIELD_TYPES, LOCK_RULES, FieldDef, RegisterDef

FAMILY = "custom"
TITLES_SETTING = "org.titles"  # the titles an approval chain may name
KEY_PREFIX = "custom_"
NAME_MAX = 40
LABEL_MAX = 40
CHOICE_MAX = 40
MAX_FIELDS = 30
MAX_CHOICES = 30
MAX_CHAIN = 6
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
# Names the entry table or SQL already use for something else (JSON keys are safe in SQL, but a field key is
# also a widget key and a CSV header source; keep it to plain identifiers that no common column takes).
RESERVED = frozenset(COMMON_COLUMNS) | {"register", "definition_id", "definition_version", "field_values",
                                        "values", "select", "from", "where", "order", "group"}


def key_of(definition_id: int) -> str:
    return f"{KEY_PREFIX}{definition_id}"


def id_of(key: object) -> int | None:
    """The definition id of a custom register key (``custom_12`` → 12), else None."""
    if not isinstance(key, str) or not key.startswith(KEY_PREFIX):
        return None
    tail = key[len(KEY_PREFIX):]
    return int(tail) if tail.isdigit() and tail[0] != "0" and len(tail) < 10 else None


def _clean(value: object) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def split_choices(text: object) -> list[str]:
    """Choices typed as one line: separated by commas (, ，) or 、; blanks and repeats dropped, order kept."""
    if isinstance(text, (list, tuple)):
        parts = [_clean(p) for p in text]
    else:
        parts = [_clean(p) for p in re.split(r"[,，、;；\n]", str(text or ""))]
    out: list[str] = []
    for part in parts:
        if part and part not in out:
            out.append(part)
    return out


def normalise_fields(rows: Iterable[Mapping[str, object]]) -> list[dict]:
    """The admin's field rows as spec entries; a row with neither key nor label is an unused blank row."""
    out = []
    for row in rows:
        key = _clean(row.get("key")).lower()
        label = _clean(row.get("label"))
        if not key and not label:
            continue
        kind = _clean(row.get("type")) or "text"
        out.append({"key": key, "label": label, "type": kind, "required": bool(row.get("required")),
                    "choices": split_choices(row.get("choices")) if kind == "choice" else []})
    return out


def check_spec(name: str, fields: list[dict], chain: list[str], lock: str, *, known_titles: Iterable[str],
               taken_names: Iterable[str], earlier: Mapping[str, str] | None = None) -> list[FieldError]:
    """Every problem with a definition at once, each saying what to fix (``regdef.*`` catalog keys).

    ``taken_names``: the other registers' names; ``earlier``: field key → type of every field this register
    had in earlier versions (a key keeps its type, since old entries hold values of it)."""
    errors: list[FieldError] = []
    name = _clean(name)
    if not name:
        errors.append(FieldError("regdef.name", "field.required"))
    elif len(name) > NAME_MAX:
        errors.append(FieldError("regdef.name", "regdef.too_long", {"max": NAME_MAX}))
    elif name.casefold() in {_clean(n).casefold() for n in taken_names}:
        errors.append(FieldError("regdef.name", "regdef.name_taken", {"name": name}))
    if not fields:
        errors.append(FieldError("regdef.fields", "regdef.no_fields"))
    if len(fields) > MAX_FIELDS:
        errors.append(FieldError("regdef.fields", "regdef.too_many_fields", {"max": MAX_FIELDS}))
    seen: set[str] = set()
    seen_labels: set[str] = set()
    earlier = dict(earlier or {})
    for row_no, f in enumerate(fields, start=1):
        key, label, kind = f["key"], f["label"], f["type"]
        where = {"row": row_no, "code": key, "label": label}
        if not KEY_RE.match(key):
            errors.append(FieldError("regdef.fields", "regdef.bad_key", where))
        elif key in RESERVED:
            errors.append(FieldError("regdef.fields", "regdef.reserved_key", where))
        elif key in seen:
            errors.append(FieldError("regdef.fields", "regdef.duplicate_key", where))
        seen.add(key)
        if not label:
            errors.append(FieldError("regdef.fields", "regdef.label_required", where))
        elif len(label) > LABEL_MAX:
            errors.append(FieldError("regdef.fields", "regdef.label_too_long", {**where, "max": LABEL_MAX}))
        elif label in seen_labels:
            errors.append(FieldError("regdef.fields", "regdef.duplicate_label", where))
        seen_labels.add(label)
        if kind not in FIELD_TYPES:
            errors.append(FieldError("regdef.fields", "regdef.bad_type", where))
        elif key in earlier and earlier[key] != kind:
            errors.append(FieldError("regdef.fields", "regdef.type_changed",
                                     {**where, "old": earlier[key], "new": kind}))
        if kind == "choice":
            choices = f.get("choices") or []
            if not choices:
                errors.append(FieldError("regdef.fields", "regdef.no_choices", where))
            elif len(choices) > MAX_CHOICES or any(len(c) > CHOICE_MAX for c in choices):
                errors.append(FieldError("regdef.fields", "regdef.bad_choices",
                                         {**where, "max": MAX_CHOICES, "len": CHOICE_MAX}))
    known = set(known_titles)
    if len(chain) > MAX_CHAIN:
        errors.append(FieldError("regdef.chain", "regdef.chain_too_long", {"max": MAX_CHAIN}))
    for title in chain:
        if title not in known:
            errors.append(FieldError("regdef.chain", "regdef.unknown_title", {"title": title}))
    if len(set(chain)) != len(chain):
        errors.append(FieldError("regdef.chain", "regdef.chain_repeats"))
    if lock not in LOCK_RULES:
        errors.append(FieldError("regdef.lock", "regdef.bad_lock"))
    return errors


def retired_after(previous: Mapping[str, object] | None, fields: list[dict]) -> list[dict]:
    """The fields the new version no longer has, with those retired before (kept for old entries' display)."""
    if not previous:
        return []
    current = {f["key"] for f in fields}
    out = [f for f in previous.get("retired", []) if f["key"] not in current]
    known = {f["key"] for f in out}
    out += [f for f in previous.get("fields", []) if f["key"] not in current and f["key"] not in known]
    return out


def earlier_types(previous: Mapping[str, object] | None) -> dict[str, str]:
    if not previous:
        return {}
    return {f["key"]: f["type"] for f in [*previous.get("retired", []), *previous.get("fields", [])]}


def _field(f: Mapping[str, object], *, retired: bool) -> FieldDef:
    kind = str(f["type"])
    return FieldDef(str(f["key"]), kind, required=bool(f.get("required")) and not retired,
                    choices=tuple(f.get("choices") or ()), label=str(f.get("label") or f["key"]),
                    derived=retired)


def build_definition(definition_id: int, version: int, spec: Mapping[str, object]) -> RegisterDef:
    """The engine's definition of an admin-made register: the current fields, then the retired ones (shown on
    old entries, never asked for: the engine treats them like derived fields)."""
    fields = tuple(_field(f, retired=False) for f in spec.get("fields", [])) + tuple(
        _field(f, retired=True) for f in spec.get("retired", []))
    title_field = next((f.key for f in fields if f.type == "text" and not f.derived), None)
    return RegisterDef(
        key_of(definition_id), FAMILY, f"admin v{version}", fields=fields, lock=str(spec.get("lock") or "on_submit"),
        title=str(spec.get("name") or ""), chain_titles=tuple(spec.get("chain") or ()), title_field=title_field,
        custom_id=definition_id, custom_version=version)
