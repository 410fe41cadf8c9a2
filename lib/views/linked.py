"""A link that names a record: ``?id=<record>`` on a page's address (issue 15 I7, "each with the action one click
away"). The home page's inbox cards link to a page with the record's id; the page reads it here, opens the right
tab or row once, and shows the record first and marked.

The id is only a hint for the page: the page finds the record among what its service lets this person see (the
services check the actor), and says plainly when it is not there. Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import streamlit as st

from lib.services.limits import row_id
from lib.ui import t

_SLOT = "_dd_linked.{}"


def linked_record(page_key: str, *, warn: bool = True) -> int | None:
    """The record named by ``?id=`` on this page's address, or None.

    Anything but a positive integer (text, ``-1``, ``0``, beyond the row-id range) is ignored; with ``warn`` a
    plain warning says so (never a traceback). The link is remembered in session state under the page's key, so
    reruns of the page keep it and :func:`fresh_link` is true only on the first run that saw it; a normal
    navigation (an address without ``?id``) forgets it."""
    given = st.query_params.get("id")
    slot = _SLOT.format(page_key)
    state = st.session_state
    if not given:
        state.pop(slot, None)
        return None
    number = row_id(given)
    if number is None and warn:
        st.warning(t("linked.invalid"))
    kept = state.get(slot)
    fresh = not (isinstance(kept, tuple) and kept[0] == given)
    state[slot] = (given, number, fresh)
    return number


def fresh_link(page_key: str) -> bool:
    """True in the first run of the page with this ``?id=``: the moment to open its tab or pick its row, once,
    so the person can move on afterwards. Call after :func:`linked_record`."""
    kept = st.session_state.get(_SLOT.format(page_key))
    return bool(isinstance(kept, tuple) and kept[1] is not None and kept[2])


def not_found() -> None:
    """The page's plain message for a linked record this person cannot see here: gone, done, or not theirs."""
    st.info(t("linked.not_found"))


def mark(on: bool):
    """A bordered box with a "linked record" caption around a row when ``on``; nothing otherwise."""
    return _marked() if on else nullcontext()


@contextmanager
def _marked() -> Iterator[None]:
    with st.container(border=True):
        st.caption(t("linked.opened"))
        yield


def first(rows: list, linked: int | None, attr: str = "id") -> list:
    """``rows`` with the linked record moved to the front (the order otherwise kept)."""
    if linked is None:
        return rows
    return sorted(rows, key=lambda row: getattr(row, attr) != linked)
