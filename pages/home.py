"""Home: what needs attention now."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import ALL
from lib.services.dashboard import front_desk_summary
from lib.ui import app_engine, plain, t

user = require_role(*ALL)
st.title(t("home.title", name=plain(user.name)))

if user.role == "display":
    st.info(t("home.display_note"))
    st.stop()

summary = front_desk_summary(app_engine(), actor=user)
cols = st.columns(4)
cols[0].metric(t("home.on_site"), summary.on_site)
cols[1].metric(t("home.visitors_today"), summary.visitors_today)
cols[2].metric(t("home.messages_open"), summary.messages_open)
cols[3].metric(t("home.messages_overdue"), summary.messages_overdue)
if summary.messages_overdue:
    st.warning(t("home.overdue_warning", count=summary.messages_overdue))
