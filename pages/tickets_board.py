"""Supervisor board: open tickets by state and severity, breaches first, filters and export (SPEC M3 Pages)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.complaints import rules
from lib.domain.complaints.sla import Level
from lib.navigation import SUPERVISORS
from lib.services.tickets import read as tickets_read
from lib.services.settings import office_zone_now
from lib.services.tickets.map import OPEN_STATES
from lib.ui import app_engine, choice_labels, t
from lib.views.tickets.common import show_messages, ticket_table

user = require_role(*SUPERVISORS)
engine = app_engine()
zone, today = office_zone_now(engine)
types = choice_labels("complaints.ticket_type", [k.value for k in rules.TicketType])
states = choice_labels("complaints.state", list(OPEN_STATES))
severities = choice_labels("complaints.severity", [s.value for s in rules.Severity])
groups = choice_labels("complaints.group", [g.value for g in rules.Group])
levels = choice_labels("complaints.sla.level", [lv.value for lv in Level])

st.title(t("nav.tickets_board"))
show_messages()

with st.container(horizontal=True):
    filters = tickets_read.BoardFilter(
        type=st.selectbox(t("tickets.col.type"), list(types), format_func=types.get, index=None, key="tkb_type",
                          placeholder=t("tickets.all")),
        state=st.selectbox(t("tickets.col.state"), list(states), format_func=states.get, index=None, key="tkb_state",
                           placeholder=t("tickets.all")),
        severity=st.selectbox(t("tickets.col.severity"), list(severities), format_func=severities.get, index=None,
                              key="tkb_severity", placeholder=t("tickets.all")),
        group=st.selectbox(t("tickets.col.group"), list(groups), format_func=groups.get, index=None, key="tkb_group",
                           placeholder=t("tickets.all")),
        level=st.selectbox(t("tickets.col.level"), list(levels), format_func=levels.get, index=None, key="tkb_level",
                           placeholder=t("tickets.all")))
view = tickets_read.board(engine, actor=user, filters=filters)

cols = st.columns(3)
cols[0].metric(t("tickets.board.open"), view.open_total)
cols[1].metric(t("tickets.board.breached"), view.breached)
cols[2].metric(t("tickets.board.major"), view.majors)
if view.breached:
    st.error(t("tickets.board.breach_warning", count=view.breached))

if view.counts:
    by_state: dict[str, dict[str, int]] = {}
    for c in view.counts:
        by_state.setdefault(c.state, {})[c.severity] = c.count
    st.dataframe([{t("tickets.col.state"): states.get(s, s),
                   **{severities[sev]: by_state[s].get(sev, 0) for sev in severities}}
                  for s in OPEN_STATES if s in by_state], hide_index=True, key="tkb_counts")

st.subheader(t("tickets.board.list"))
if view.truncated:
    st.caption(t("tickets.board.truncated", limit=len(view.rows)))
ticket_table(view.rows, zone, export_name=f"ticket_board_{today.isoformat()}", empty_key="tickets.board.empty",
             key="tkb_table")
