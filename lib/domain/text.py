"""Free text typed into forms: one rule for every field (shared by every register).

Text is stripped and NFC-normalised. Control characters (NUL, escape, DEL, the C1 range),
bidi overrides and zero-width marks are refused with a message naming the field, never
silently dropped or cut, so what is stored is what was typed (issue 12 R4). Newlines and
tabs are allowed only in long text (a column of ``LONG_TEXT`` characters or more, typed in a
``text_area``); a one-line field refuses them too.
"""

from __future__ import annotations

import re
import unicodedata

from lib.domain.errors import FieldError

LONG_TEXT = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"[\t\n]")


def clean(text: object) -> str:
    """Strip and NFC-normalise; line breaks become ``\\n``. Nothing is removed: see :func:`bad_characters`."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def bad_characters(value: str, multiline: bool) -> bool:
    """True when ``value`` holds a character no field accepts (or a line break in a one-line field)."""
    if _CONTROL.search(value):
        return True
    return not multiline and bool(_LINE_BREAKS.search(value))


def check(field: str, value: str, max_len: int, errors: list[FieldError], multiline: bool | None = None) -> None:
    """Append ``field.control_chars`` / ``field.too_long`` for ``value`` (already cleaned)."""
    if bad_characters(value, max_len >= LONG_TEXT if multiline is None else multiline):
        errors.append(FieldError(field, "field.control_chars"))
    elif len(value) > max_len:
        errors.append(FieldError(field, "field.too_long", {"max": max_len}))


def required_text(field: str, text: object, max_len: int, errors: list[FieldError],
                  multiline: bool | None = None) -> str:
    """A cleaned required field; appends ``field.required`` / ``field.control_chars`` / ``field.too_long``."""
    value = clean(text)
    if not value:
        errors.append(FieldError(field, "field.required"))
    else:
        check(field, value, max_len, errors, multiline)
    return value


def optional_text(field: str, text: object, max_len: int, errors: list[FieldError],
                  multiline: bool | None = None) -> str:
    """A cleaned optional field; appends ``field.control_chars`` / ``field.too_long``."""
    value = clean(text)
    check(field, value, max_len, errors, multiline)
    return value
