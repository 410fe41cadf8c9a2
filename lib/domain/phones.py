"""Chinese phone numbers: plausibility and one canonical form for matching a returning person."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-()（）—_.]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code 0 + 2–3 digits, then a 7–8 digit local number; optional extension.
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_SERVICE = re.compile(r"^(400|800)\d{7}$")


def normalise_phone(text: str) -> str | None:
    """Canonical digits of a plausible Chinese mobile, landline or 400/800 number, else None.

    ``+86``/``0086`` prefixes, spaces, dashes and brackets are dropped; an extension
    (``转123``, ``ext 123``, ``#123``) is not part of the match key.
    """
    value = (text or "").strip()
    value = re.split(r"(?:转|分机|ext\.?|#|x)", value, maxsplit=1, flags=re.IGNORECASE)[0]
    value = _SEPARATORS.sub("", value)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    if not value.isascii() or not value.isdigit():
        return None
    if _MOBILE.match(value) or _LANDLINE.match(value) or _SERVICE.match(value):
        return value
    return None
