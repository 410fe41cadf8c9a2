"""Ticket intake: one quick form for the agent on the phone, with the caller's history (SPEC M3; seed 000 D2)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.complaints import rules
from lib.navigation import WRITERS
from lib.services.tickets import write as tickets
from lib.services.tickets import read as tickets_read
from lib.services.settings import office_zone_now
from lib.services.tickets.write import TicketForm
from lib.ui import app_engine, choice_labels, form_token, plain, renew_form_token, t
from lib.views.tickets.common import callback, field_label, show_messages, show_slot, ticket_table
from lib.views.tickets.intake import received_at, saved_message
from lib.services.limits import text_limit

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
my_no = tickets.agent_number(engine, actor=user)
types = choice_labels("complaints.ticket_type", [k.value for k in rules.TicketType])
channels = choice_labels("complaints.channel", [c.value for c in rules.Channel])
categories = choice_labels("complaints.category", [c.value for c in rules.Category])
causes = choice_labels("complaints.cause", [c.value for c in rules.Cause])
kinds = choice_labels("complaints.service_kind", [k.value for k in rules.ServiceKind])
REPAIRS = ("repair", "service_request")
CLEAR = {**dict.fromkeys(["tk_phone", "tk_name", "tk_address", "tk_problem", "tk_model", "tk_spec", "tk_place",
                          "tk_fault", "tk_recv_reason"], ""),
         **dict.fromkeys(["tk_problem_ok", "tk_address_ok", "tk_name_ok", "tk_phone_ok", "tk_comp", "tk_resident",
                          "tk_far"], False),
         **dict.fromkeys(["tk_category", "tk_cause", "tk_kind", "tk_bought_on", "tk_recv_day", "tk_recv_time"], None),
         "tk_warranty": True, "tk_quality": True}

for flag in ("tk_warranty", "tk_quality"):
    st.session_state.setdefault(flag, True)  # in warranty and a quality fault unless the caller says otherwise

st.title(t("nav.tickets_intake"))
show_messages()
show_slot("tk_intake_notice", "warning", once=True)
st.caption(t("tickets.intake.agent", number=my_no) if my_no else t("tickets.intake.no_number"))


def _prefill() -> None:
    card = tickets_read.find_customer(engine, actor=user, phone=st.session_state.get("tk_phone", ""))
    if card is not None:
        for key, value in (("tk_name", card.name), ("tk_address", card.address)):
            if not st.session_state.get(key):
                st.session_state[key] = value


def _save():
    s = st.session_state
    result = tickets.log_ticket(engine, actor=user, form=TicketForm(
        type=s.get("tk_type"), channel=s.get("tk_channel"), phone=s.get("tk_phone", ""),
        customer_name=s.get("tk_name", ""), address=s.get("tk_address", ""), problem=s.get("tk_problem", ""),
        problem_confirmed=s.get("tk_problem_ok", False), address_confirmed=s.get("tk_address_ok", False),
        name_confirmed=s.get("tk_name_ok", False), phone_confirmed=s.get("tk_phone_ok", False),
        category=s.get("tk_category"), cause=s.get("tk_cause"), compensation_involved=s.get("tk_comp", False),
        resident=s.get("tk_resident", False), product_model=s.get("tk_model", ""), product_spec=s.get("tk_spec", ""),
        purchase_date=s.get("tk_bought_on"), purchase_place=s.get("tk_place", ""), fault=s.get("tk_fault", ""),
        service_kind=s.get("tk_kind"), in_warranty=s.get("tk_warranty", True),
        quality_fault=s.get("tk_quality", True), out_of_town=s.get("tk_far", False),
        agent_no=s.get("tk_agent_no", ""), received_at=received_at(s, today, zone),
        received_reason=s.get("tk_recv_reason", "")), idem_key=form_token("tk_intake"))
    renew_form_token("tk_intake")  # the save is confirmed: the next intake is a new submission (R12)
    if result.repeat_kind:
        s["tk_intake_notice"] = t(f"tickets.intake.repeat.{result.repeat_kind}", id=result.repeat_of)
    return saved_message(result, zone)


left, right = st.columns([3, 2])
with left:
    kind = st.segmented_control(field_label("type") + " *", list(types), format_func=types.get, key="tk_type",
                                default="repair")
    st.text_input(field_label("phone") + (" *" if kind in REPAIRS else ""), key="tk_phone", max_chars=text_limit("ticket.phone"), on_change=_prefill,
                  help=t("tickets.intake.phone_help"))
with right:
    card = tickets_read.find_customer(engine, actor=user, phone=st.session_state.get("tk_phone", ""))
    if card is None:
        st.caption(t("tickets.intake.new_caller"))
    else:
        st.info(t("tickets.intake.known", name=plain(card.name) or t("tickets.intake.anonymous"), open=len(card.open),
                  past=len(card.past)))
repair = kind in REPAIRS

form_token("tk_intake")  # made when the form is drawn, kept until a save is confirmed (R12)
with st.form("tk_intake_form"):
    a, b = st.columns(2)
    a.selectbox(field_label("channel"), list(channels), format_func=channels.get, key="tk_channel")
    b.selectbox(field_label("category"), list(categories), format_func=categories.get, index=None,
                key="tk_category", placeholder=t("tickets.choose"))
    st.text_area(field_label("problem") + " *", key="tk_problem", max_chars=text_limit("ticket.problem"), height=80)
    a, b = st.columns(2)
    a.text_input(field_label("address") + (" *" if repair else ""), key="tk_address", max_chars=text_limit("ticket.address"))
    b.text_input(field_label("customer_name") + (" *" if repair else ""), key="tk_name", max_chars=text_limit("ticket.customer_name"))
    if kind == "repair":
        st.caption(t("tickets.intake.readback_help"))
        ticks = st.columns(4)
        for col, name in zip(ticks, ("problem", "address", "name", "phone")):
            col.checkbox(field_label(f"{name}_confirmed"), key=f"tk_{name}_ok")
    if repair:
        a, b, c = st.columns(3)
        a.text_input(field_label("product_model"), key="tk_model", max_chars=text_limit("ticket.product_model"))
        b.text_input(field_label("product_spec"), key="tk_spec", max_chars=text_limit("ticket.product_spec"))
        c.text_input(field_label("fault"), key="tk_fault", max_chars=text_limit("ticket.fault"))
        a.date_input(field_label("purchase_date"), value=None, max_value=today, key="tk_bought_on")
        b.text_input(field_label("purchase_place"), key="tk_place", max_chars=text_limit("ticket.purchase_place"))
        c.selectbox(field_label("service_kind"), list(kinds), format_func=kinds.get, index=None, key="tk_kind",
                    placeholder=t("tickets.choose"))
        a.checkbox(field_label("in_warranty"), key="tk_warranty")
        b.checkbox(field_label("quality_fault"), key="tk_quality")
        c.checkbox(field_label("out_of_town"), key="tk_far")
    else:
        a, b, c = st.columns(3)
        a.selectbox(field_label("cause"), list(causes), format_func=causes.get, index=None, key="tk_cause",
                    placeholder=t("tickets.choose"))
        b.checkbox(field_label("compensation_involved"), key="tk_comp", help=t("tickets.intake.major_help"))
        c.checkbox(field_label("resident"), key="tk_resident")
    a, b, c = st.columns([1, 1, 2])
    a.date_input(field_label("received_day"), value=None, max_value=today, key="tk_recv_day")
    b.time_input(field_label("received_at"), value=None, step=60, key="tk_recv_time",
                 help=t("tickets.intake.received_help"))
    c.text_input(field_label("received_reason"), key="tk_recv_reason", max_chars=text_limit("audit_event.reason"), help=t("tickets.intake.reason_help"))
    if not my_no:
        st.text_input(field_label("agent_no") + " *", key="tk_agent_no", max_chars=text_limit("ticket.agent_no"))
    st.form_submit_button(t("tickets.intake.save"), type="primary", on_click=callback(
        _save, clear=CLEAR, error_slot="tk_intake_error"))
show_slot("tk_intake_error")

if card is not None:
    st.subheader(t("tickets.intake.open_of", name=plain(card.name or card.phone)))
    ticket_table(card.open, zone, export_name="customer_open", empty_key="tickets.intake.no_open", key="tk_card_open")
    st.subheader(t("tickets.intake.past"))
    ticket_table(card.past, zone, export_name="customer_past", empty_key="tickets.intake.no_past", key="tk_card_past")
