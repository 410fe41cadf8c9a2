"""Cleaning of free text typed into forms (shared by every register)."""

from __future__ import annotations

import re
import unicodedata

from lib.domain.errors import FieldError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def clean(text: object) -> str:
    """Strip, NFC-normalise and drop control / bidi characters; newlines and tabs are kept."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFC", str(text))
    value = _CONTROL.sub("", value)
    return value.strip()


def required_text(field: str, text: object, max_len: int, errors: list[FieldError]) -> str:
    """A cleaned required field; appends ``field.required`` / ``field.too_long`` to ``errors``."""
    value = clean(text)
    if not value:
        errors.append(FieldError(field, "field.required"))
    elif len(value) > max_len:
        errors.append(FieldError(field, "field.too_long", {"max": max_len}))
    return value


def optional_text(field: str, text: object, max_len: int, errors: list[FieldError]) -> str:
    """A cleaned optional field; appends ``field.too_long`` to ``errors`` when over ``max_len``."""
    value = clean(text)
    if len(value) > max_len:
        errors.append(FieldError(field, "field.too_long", {"max": max_len}))
    return value
