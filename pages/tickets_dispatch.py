"""Dispatch list: undispatched repairs, yesterday's leftovers first as priority; out-of-town approvals (S41, S42).

A click on a repair's row picks it for the dispatch form (T17); the technician list offers only people who
may repair (T2).
"""

import streamlit as st

from lib.auth import require_role
from lib.domain.complaints import rules
from lib.navigation import SUPERVISORS
from lib.services import people
from lib.services.tickets import write as tickets
from lib.services.tickets import read as tickets_read
from lib.services.settings import office_zone_now
from lib.services.tickets.write import ActionInput
from lib.ui import app_engine, plain, t
from lib.views.person_picker import key_for, person_select
from lib.views.tickets.common import PAGE_ERROR, callback, label, show_messages, show_slot, ticket_table
from lib.services.limits import text_limit
from lib.views import linked as link

user = require_role(*SUPERVISORS)
engine = app_engine()
zone, today = office_zone_now(engine)
view = tickets_read.dispatch_list(engine, actor=user)
seqs = {r.id: r.last_seq for r in [*view.rows, *view.approvals]}
TECH = key_for("technician", "tkd_technician")
# A new table after each dispatch: the old selection would otherwise point at the next row.
round_no = st.session_state.setdefault("tkd_round", 0)

st.title(t("nav.tickets_dispatch"))
show_messages()
priority = sum(r.priority for r in view.rows)
st.caption(t("tickets.dispatch.summary", count=len(view.rows), priority=priority))
if not view.dispatchable and view.rows:
    st.info(t("tickets.dispatch.title_needed", title=rules.title_text(view.dispatcher_titles)))


def _dispatch(ticket_id: int, technician_names: dict[int, str]):
    s = st.session_state
    tickets.act(engine, actor=user, ticket_id=ticket_id, action="dispatch", expected_seq=seqs.get(ticket_id),
                given=ActionInput(technician_id=s.get(TECH), note=s.get("tkd_note", "")))
    s["tkd_round"] = round_no + 1
    return "tickets.dispatch.done", {"id": ticket_id, "name": technician_names.get(s.get(TECH), "")}


def _approve(ticket_id: int):
    tickets.act(engine, actor=user, ticket_id=ticket_id, action="approve_out_of_town",
                expected_seq=seqs.get(ticket_id))
    return "tickets.dispatch.approved", {"id": ticket_id}


chosen = ticket_table(view.rows, zone, export_name=f"dispatch_{today.isoformat()}",
                      empty_key="tickets.dispatch.empty", key=f"tkd_table_{round_no}",
                      on_click="select" if view.dispatchable else "open")
# an inbox card's ?id=: that repair is picked for the form until a row is clicked (issue 15 I7)
linked = link.linked_record("dispatch")
if linked is not None:
    by_id = {r.id: r for r in [*view.rows, *view.approvals]}
    if linked not in by_id:
        link.not_found()
    elif chosen is None and linked in view.dispatchable:
        chosen = by_id[linked]
        st.caption(t("linked.opened"))
if view.dispatchable and chosen is None and view.rows:
    st.info(t("tickets.dispatch.click_hint"))
if chosen is not None and chosen.id in view.dispatchable:
    with st.form("tkd_form"):
        st.markdown(t("tickets.dispatch.chosen", id=chosen.id, customer=plain(chosen.customer_name),
                      address=plain(chosen.address), problem=plain(chosen.problem)))
        person_select(t("field.ticket_technician") + " *", "technician", key="tkd_technician",
                                   index=None, placeholder=t("tickets.choose"))
        st.text_input(t("field.ticket_note"), key="tkd_note", max_chars=text_limit("ticket_event.note"))
        names = people.labels(engine, "technician")
        st.form_submit_button(t("complaints.action.dispatch"), type="primary", on_click=callback(
            lambda: _dispatch(chosen.id, names), clear={TECH: None, "tkd_note": ""}, error_slot="tkd_error"))
    show_slot("tkd_error")

st.subheader(t("tickets.dispatch.out_of_town"))
if not view.approvals:
    st.info(t("tickets.dispatch.no_approvals"))


def _approval(row) -> None:
    cols = st.columns([1, 3, 4, 2])
    cols[0].text(f"#{row.id}")
    cols[1].text(f"{row.customer_name}\n{row.address}")
    cols[2].text(t("tickets.dispatch.to", name=row.technician_name, state=label("complaints.state", row.state)))
    if row.id in view.approvable:
        cols[3].button(t("complaints.action.approve_out_of_town"), key=f"tkd_ok_{row.id}",
                       on_click=callback(lambda rid=row.id: _approve(rid), error_slot=PAGE_ERROR))


for row in link.first(list(view.approvals), linked):
    with link.mark(row.id == linked):
        _approval(row)
