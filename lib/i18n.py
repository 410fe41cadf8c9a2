"""UI text catalogs: ``lib/locales/<lang>/*.json``, merged per language.

Each module keeps its own JSON file so modules never edit the same catalog.
``zh_CN`` is the default; ``en`` is the switch. A test fails when a key is
missing in either language.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANG = "zh_CN"
LANGS = ("zh_CN", "en")


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """All keys of one language, merged from every module file (a key defined twice is an error)."""
    merged: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, text in data.items():
            if key in merged:
                raise ValueError(f"catalog key {key!r} defined twice ({path.name})")
            merged[key] = text
    return merged


def translate(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``params``; the key itself when unknown."""
    text = catalog(lang if lang in LANGS else DEFAULT_LANG).get(key)
    if text is None:
        text = catalog(DEFAULT_LANG).get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text
