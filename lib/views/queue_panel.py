"""The wall display's queue panel (SPEC M4 4.7, seed 000 D1 「公开公正」): pure rendering, no widgets.

The wall runs under the ``display`` role: it shows position, post, name and group only,
names masked in privacy mode, nothing else (S55).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.domain import display
from lib.services import rotation
from lib.ui import t


def queue_panel_rows(engine, *, day: dt.date | None = None, privacy: bool = False) -> list[dict[str, object]]:
    """The panel's table: one translated row per queue slot, cleaned by the wall's allow-list."""
    panel = display.wall_panels({display.Panel.QUEUE: rotation.wall_queue(engine, day=day)}, privacy)[0]
    return [{t("rotation.panel.position"): row.get("position"),
             t("rotation.panel.post"): t(f"rotation.position.{row.get('post')}"),
             t("rotation.panel.name"): row.get("name", ""),
             t("rotation.panel.group"): row.get("group", "")} for row in panel.rows]


def render_queue_panel(engine, *, day: dt.date | None = None, privacy: bool = False) -> None:
    """Today's queue (or ``day``'s) as a big table for the wall; says so when there is no queue yet."""
    st.subheader(t("display.panel.queue"))
    rows = queue_panel_rows(engine, day=day, privacy=privacy)
    if not rows:
        st.info(t("rotation.panel.empty"))
        return
    st.table(rows)
