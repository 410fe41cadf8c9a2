"""One ticket by its number (or ``?id=``), with its timeline and the actions this user may take (SPEC M3)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import WRITERS
from lib.services.settings import office_zone_now
from lib.ui import app_engine, t
from lib.services.limits import ROW_ID_MAX
from lib.views.linked import fresh_link, linked_record
from lib.views.tickets.common import show_messages
from lib.views.tickets.detail import render_ticket

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)

st.title(t("nav.ticket_detail"))
show_messages()

linked = linked_record("ticket", warn=False)  # the shared reading of ?id= (issue 15 I7)
if st.query_params.get("id") and linked is None:
    st.warning(t("tickets.detail.invalid_id", maximum=f"{ROW_ID_MAX:,}"))  # a bad link, not an incident (R3)
if linked is not None and fresh_link("ticket"):
    st.session_state["tkt_number"] = linked  # a row clicked on a list or an inbox card opens its ticket (T17)
number = st.number_input(t("tickets.detail.number"), min_value=1, max_value=ROW_ID_MAX, step=1, value=linked,
                         key="tkt_number", placeholder=t("tickets.detail.number_placeholder"))
if number is None:
    st.info(t("tickets.detail.hint"))
else:
    st.query_params["id"] = str(number)
    render_ticket(engine, user, int(number), zone, today, scope="detail")
