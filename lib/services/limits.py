"""Text limits come from the column (STYLE: limits come from the column; issue 12 R4).

``column_max("visitor.name")`` is the declared length a widget shows as ``max_chars``; the
services check the same number with ``lib.domain.text``. As a last line, every flush is
checked here: a string longer than its column, or holding a control character, is refused
with a ``ValidationFailed`` naming the field, so SQLite (which enforces no length) and
PostgreSQL (which raises a DataError with the SQL) answer alike and nothing is cut.
"""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

import db.models  # noqa: F401  (every model module registers its tables on the metadata)
import db.models_kpi  # noqa: F401
import db.models_rotation  # noqa: F401
import db.models_showroom  # noqa: F401
import db.models_tickets  # noqa: F401
from lib.domain.errors import FieldError, ValidationFailed
from lib.domain.text import bad_characters
from lib.i18n import catalog


# Text kept inside a JSON column, or never stored (a search, a password), has no column of its
# own: its limit is declared here once, for the widget and the service alike.
FREE_TEXT = {
    "handover.customers": 1000, "handover.prospects": 1000, "handover.instructions": 1000,
    "handover.check_note": 200, "handover.item_text": 200, "handover.refusal_note": 500,
    "ledger_rule.params": 200, "ledger_rule.source": 100, "search": 50, "password": 72,
}


def text_limit(name: str) -> int:
    """The ``max_chars`` of a text widget: a ``FREE_TEXT`` name or a ``"table.column"``."""
    return FREE_TEXT.get(name) or column_max(name)


@lru_cache(maxsize=None)
def column_max(name: str) -> int:
    """The declared length of ``"table.column"``; a KeyError for an unknown or unbounded column."""
    table, column = name.split(".", 1)
    length = getattr(SQLModel.metadata.tables[table].columns[column].type, "length", None)
    if not length:
        raise KeyError(f"{name} has no declared length")
    return length


@lru_cache(maxsize=None)
def field_for(table: str, column: str) -> str:
    """The form field a column is typed in, as the catalog names it (``field.<name>``)."""
    words = table.split("_")
    for prefix in (table, words[-1], words[0], "_".join(words[1:])):
        if prefix and f"field.{prefix}_{column}" in catalog("zh_CN"):
            return f"{prefix}_{column}"
    return column


def _changed_text(obj) -> list[tuple[str, str, int]]:
    state = inspect(obj)
    table = getattr(type(obj), "__table__", None)
    if table is None:
        return []
    found = []
    for column in table.columns:
        length = getattr(column.type, "length", None)  # SQLModel's AutoString is a TypeDecorator over String
        if not isinstance(column.type, sa.String) and not isinstance(getattr(column.type, "impl", None), sa.String):
            continue
        attr = state.attrs.get(column.key) if column.key in state.attrs else None
        if attr is None or not isinstance(attr.value, str):
            continue
        if state.persistent and not attr.history.has_changes():
            continue
        found.append((column.key, attr.value, length or 0))
    return found


@event.listens_for(Session, "before_flush")
def _refuse_text_outside_its_column(session, _context, _instances) -> None:
    errors: list[FieldError] = []
    for obj in list(session.new) + list(session.dirty):
        table = getattr(type(obj), "__tablename__", "")
        for column, value, length in _changed_text(obj):
            field = field_for(table, column)
            if bad_characters(value, multiline=True):
                errors.append(FieldError(field, "field.control_chars"))
            elif length and len(value) > length:
                errors.append(FieldError(field, "field.too_long", {"max": length}))
    if errors:
        raise ValidationFailed(errors)


# Row ids are INTEGER on PostgreSQL: a larger number from an address or a form is not an id (R3), and asking the
# database about it raises a DataError instead of finding nothing.
ROW_ID_MAX = 2**31 - 1


def row_id(value: object) -> int | None:
    """``value`` (an int, or text from an address) as a row id, or None when it cannot name a row: not ASCII
    digits (``²``, ``-1``, NUL), zero, or beyond ``ROW_ID_MAX``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 1 <= number <= ROW_ID_MAX else None
