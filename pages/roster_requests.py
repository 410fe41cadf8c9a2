"""Swaps and absences: staff ask, the 主管 decides; staff never edit a published roster (SPEC M1 1.3)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS, WRITERS
from lib.services.settings import office_zone_now
from lib.ui import app_engine, show_flash, t
from lib.views.roster import inbox as roster_inbox

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.requests"))
show_flash()

names = ["rotation.tab.swap", "rotation.tab.absence", "rotation.tab.my_requests"]
if user.role in SUPERVISORS:
    names.insert(0, "rotation.tab.inbox")
tabs = dict(zip(names, st.tabs([t(n) for n in names])))
if "rotation.tab.inbox" in tabs:
    with tabs["rotation.tab.inbox"]:
        roster_inbox.inbox(engine, user, today, zone)
with tabs["rotation.tab.swap"]:
    st.caption(t("rotation.request.swap_help"))
    roster_inbox.swap_form(engine, user)
with tabs["rotation.tab.absence"]:
    roster_inbox.absence_form(engine, user, today, zone)
with tabs["rotation.tab.my_requests"]:
    roster_inbox.my_requests(engine, user, zone)
