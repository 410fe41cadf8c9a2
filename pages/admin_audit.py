"""Audit log viewer with filters and export (SPEC M0 Audit)."""

import datetime as dt

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS
from lib.services import audit_log
from lib.services.settings import office_zone_now
from lib.ui import Column, app_engine, local_time, run_action, t, table

user = require_role(*SUPERVISORS)
engine = app_engine()
zone, today = office_zone_now(engine)

st.title(t("nav.audit"))
with st.form("audit_filter"):
    c1, c2, c3, c4, c5 = st.columns(5)
    first = c1.date_input(t("search.first"), value=today - dt.timedelta(days=7), key="a_first")
    last = c2.date_input(t("search.last"), value=today, key="a_last")
    entity = c3.selectbox(t("audit.entity"), [""] + audit_log.entities(engine, actor=user), key="a_entity",
                          format_func=lambda v: v or t("audit.all"))
    username = c4.text_input(t("field.username"), key="a_user")
    action = c5.text_input(t("audit.action"), key="a_action")
    st.form_submit_button(t("search.submit"))

rows: list = []
if run_action(lambda: rows.extend(audit_log.search_audit(engine, actor=user, first=first, last=last, entity=entity,
                                                         username=username, action=action))):
    if len(rows) >= audit_log.AUDIT_LIMIT:
        st.warning(t("audit.truncated", limit=audit_log.AUDIT_LIMIT))
    table(rows, [Column("at", "audit.at", lambda v: local_time(v, zone)), Column("username", "field.username"),
                 Column("entity", "audit.entity"), Column("entity_id", "audit.entity_id"),
                 Column("action", "audit.action"), Column("reason", "audit.reason"),
                 Column("before", "audit.before"), Column("after", "audit.after")],
          export_name="audit", empty_key="audit.none", key="a_table")
