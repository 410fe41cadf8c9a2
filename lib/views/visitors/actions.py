"""What the desk can do with a visit opened by a click on its row (T17): check out, print the badge.

After a check-out the visitor tables get fresh keys (``table_key``), so no selection is left
pointing at whichever row moves into the checked-out visitor's place.
"""

from __future__ import annotations

import streamlit as st

from lib.services.visitors import badge as visitor_badge
from lib.services.visitors import register as visitors
from lib.services.base import Actor
from lib.ui import app_engine, flash, local_time, run_action, t


GENERATION = "v_tables_gen"


def table_key(base: str) -> str:
    gen = st.session_state.get(GENERATION, 0)
    return base if not gen else f"{base}_{gen}"


def visit_actions(row, *, user: Actor, zone, key: str) -> None:
    """The opened visit, shown as plain text, with its actions; nothing when no row is selected."""
    if row is None:
        return
    engine = app_engine()
    with st.container(border=True):
        st.text(t("visitor.opened", name=row.name, company=row.company or "—", host=row.host_name or "—",
                  time_in=local_time(row.time_in, zone)))
        left, right, _ = st.columns([1, 1, 2])
        if row.time_out is None:
            if left.button(t("visitor.check_out"), key=f"out_{key}_{row.id}", type="primary"):
                if run_action(lambda: visitors.check_out_visitor(engine, actor=user, visitor_id=row.id)):
                    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
                    flash("visitor.checked_out")
                    st.rerun()
        else:
            left.text(t("visitor.left_at", time=local_time(row.time_out, zone)))
        badge_button(row.id, user=user, key=key, container=right)


def badge_button(visitor_id: int, *, user: Actor, key: str, container) -> None:
    """Download the visit's badge PDF, built only when clicked; without a CJK font, say what to install."""
    if visitor_badge.cjk_font() is None:
        container.warning(t("badge.no_font"))
        return
    engine = app_engine()
    container.download_button(t("badge.short"), key=f"badge_{key}_{visitor_id}", on_click="ignore",
                              data=lambda: visitor_badge.badge_pdf(engine, actor=user, visitor_id=visitor_id),
                              file_name=f"badge_{visitor_badge.visit_number(visitor_id)}.pdf",
                              mime="application/pdf", help=t("badge.download"))
