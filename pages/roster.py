"""Roster calendar: week and month rosters per post, draft → published → locked, with validation (SPEC M1 1.2)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS, WRITERS
from lib.services import roster
from lib.services.settings import office_zone_now
from lib.ui import app_engine, run_action, show_flash, t
from lib.views.roster import views as roster_views

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.roster"))
show_flash()


def calendar_tab() -> None:
    period_id = roster_views.pick_period(engine, user, today)
    if period_id is None:
        return
    holder: list = []
    if run_action(lambda: holder.append(roster.period_view(engine, actor=user, period_id=period_id))):
        roster_views.calendar(holder[0], user)
        if user.role in SUPERVISORS:
            st.divider()
            roster_views.entry_forms(engine, user, holder[0])
    if user.role not in SUPERVISORS:
        st.caption(t("rotation.roster.staff_hint"))


if user.role in SUPERVISORS:
    tabs = st.tabs([t("rotation.tab.calendar"), t("rotation.tab.new_period"), t("rotation.tab.templates"),
                    t("rotation.tab.qualifications")])
    with tabs[0]:
        calendar_tab()
    with tabs[1]:
        roster_views.period_form(engine, user, today)
    with tabs[2]:
        roster_views.template_forms(engine, user)
    with tabs[3]:
        roster_views.qualification_form(engine, user)
else:
    calendar_tab()
