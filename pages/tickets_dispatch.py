"""Dispatch list: undispatched repairs, yesterday's leftovers first as priority; out-of-town approvals (S41, S42)."""

import streamlit as st

from lib.auth import require_role
from lib.domain import complaints as rules
from lib.navigation import SUPERVISORS
from lib.services import tickets, tickets_read
from lib.services.settings import office_zone_now
from lib.services.tickets import ActionInput
from lib.ui import app_engine, t
from lib.views.tickets_common import (PAGE_ERROR, callback, label, pick_ticket, show_messages, show_slot,
                                      ticket_table)

user = require_role(*SUPERVISORS)
engine = app_engine()
zone, today = office_zone_now(engine)
view = tickets_read.dispatch_list(engine, actor=user)
staff = {p.id: f"{p.name} ({p.staff_no})" if p.staff_no else p.name for p in tickets_read.people(engine)}
seqs = {r.id: r.last_seq for r in [*view.rows, *view.approvals]}

st.title(t("nav.tickets_dispatch"))
show_messages()
priority = sum(r.priority for r in view.rows)
st.caption(t("tickets.dispatch.summary", count=len(view.rows), priority=priority))
if not view.dispatchable and view.rows:
    st.info(t("tickets.dispatch.title_needed", title=rules.title_text(view.dispatcher_titles)))


def _dispatch():
    s = st.session_state
    ticket_id = s.get("tkd_pick")
    tickets.act(engine, actor=user, ticket_id=ticket_id, action="dispatch", expected_seq=seqs.get(ticket_id),
                given=ActionInput(technician_id=s.get("tkd_technician"), note=s.get("tkd_note", "")))
    return "tickets.dispatch.done", {"id": ticket_id, "name": staff.get(s.get("tkd_technician"), "")}


def _approve(ticket_id: int):
    tickets.act(engine, actor=user, ticket_id=ticket_id, action="approve_out_of_town",
                expected_seq=seqs.get(ticket_id))
    return "tickets.dispatch.approved", {"id": ticket_id}


ticket_table(view.rows, zone, export_name=f"dispatch_{today.isoformat()}", empty_key="tickets.dispatch.empty",
             key="tkd_table")
ready = [r for r in view.rows if r.id in view.dispatchable]
if ready:
    with st.form("tkd_form"):
        left, right = st.columns(2)
        with left:
            pick_ticket(ready, key="tkd_pick", label_key="tickets.dispatch.pick",
                        placeholder_key="tickets.dispatch.pick_placeholder")
        right.selectbox(t("field.ticket_technician") + " *", list(staff), format_func=staff.get, index=None,
                        key="tkd_technician", placeholder=t("tickets.choose"))
        st.text_input(t("field.ticket_note"), key="tkd_note")
        st.form_submit_button(t("complaints.action.dispatch"), type="primary", on_click=callback(
            _dispatch, clear={"tkd_pick": None, "tkd_technician": None, "tkd_note": ""}, error_slot="tkd_error"))
    show_slot("tkd_error")

st.subheader(t("tickets.dispatch.out_of_town"))
if not view.approvals:
    st.info(t("tickets.dispatch.no_approvals"))
for row in view.approvals:
    cols = st.columns([1, 3, 4, 2])
    cols[0].write(f"#{row.id}")
    cols[1].markdown(f"**{row.customer_name}**  \n{row.address}")
    cols[2].write(t("tickets.dispatch.to", name=row.technician_name, state=label("complaints.state", row.state)))
    if row.id in view.approvable:
        cols[3].button(t("complaints.action.approve_out_of_town"), key=f"tkd_ok_{row.id}",
                       on_click=callback(lambda rid=row.id: _approve(rid), error_slot=PAGE_ERROR))
