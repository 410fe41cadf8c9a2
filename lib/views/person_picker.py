"""The one person picker: name, 工号 and team, only people who may hold the role (T2).

Every widget key starts with ``pp.<kind>.`` so the page walker test can check each picker's
options against ``people.options(kind)``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import streamlit as st

from lib.ui import app_engine
from lib.services import people


def key_for(kind: str, name: str) -> str:
    return f"pp.{kind}.{name}"


def person_select(label: str, kind: str, *, key: str, container: Any = None, exclude: tuple[int, ...] = (),
                  only: Collection[int] | None = None, multi: bool = False, **kwargs: Any):
    """A selectbox (or multiselect) of the people who may hold ``kind`` (within ``only`` when given, e.g. a
    supervisor's team); returns the chosen id(s)."""
    choices = {i: text for i, text in people.labels(app_engine(), kind).items()
               if i not in exclude and (only is None or i in only)}
    where = container or st
    widget = where.multiselect if multi else where.selectbox
    kwargs.setdefault("format_func", lambda i: choices.get(i, str(i)))
    return widget(label, list(choices), key=key_for(kind, key), **kwargs)
