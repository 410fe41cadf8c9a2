"""My tickets, most urgent first, and the unclaimed ones to take (SPEC M3 Pages)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import WRITERS
from lib.services.tickets import read as tickets_read
from lib.services.settings import office_zone_now
from lib.ui import app_engine, t
from lib.views.tickets.common import show_messages, ticket_table

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)

st.title(t("nav.tickets_mine"))
show_messages()


def list_tab(rows, *, name: str, empty_key: str) -> None:
    ticket_table(rows, zone, export_name=f"tickets_{name}_{today.isoformat()}", empty_key=empty_key,
                 key=f"tk_{name}")


mine = tickets_read.my_tickets(engine, actor=user)
pool = tickets_read.unclaimed(engine, actor=user)
tab_mine, tab_pool = st.tabs([t("tickets.tab_mine", count=len(mine)), t("tickets.tab_pool", count=len(pool))])
with tab_mine:
    list_tab(mine, name="mine", empty_key="tickets.none_mine")
with tab_pool:
    list_tab(pool, name="pool", empty_key="tickets.none_pool")
