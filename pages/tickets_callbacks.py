"""Callback queue: completed repairs to call back now, and callbacks booked for later (seed 000 D2; S43)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import WRITERS
from lib.services.tickets import read as tickets_read
from lib.services.settings import office_zone_now
from lib.ui import app_engine, t
from lib.views import linked as link
from lib.views.tickets.common import show_messages, ticket_table
from lib.views.tickets.detail import render_ticket

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
queue = tickets_read.callback_queue(engine, actor=user)

st.title(t("nav.tickets_callbacks"))
show_messages()
st.caption(t("tickets.callbacks.help"))

# an inbox card's ?id=: that repair's ticket, with its callback action, above the queue (issue 15 I7)
linked = link.linked_record("callbacks")
if linked is not None:
    if any(r.id == linked for r in [*queue.due, *queue.later]):
        with link.mark(True):
            render_ticket(engine, user, linked, zone, today, scope="callback")
    else:
        link.not_found()

st.subheader(t("tickets.callbacks.due", count=len(queue.due)))
ticket_table(queue.due, zone, export_name=f"callbacks_{today.isoformat()}", empty_key="tickets.callbacks.none_due",
             key="tkc_due")

st.subheader(t("tickets.callbacks.later", count=len(queue.later)))
ticket_table(queue.later, zone, export_name=f"callbacks_later_{today.isoformat()}",
             empty_key="tickets.callbacks.none_later", key="tkc_later")
