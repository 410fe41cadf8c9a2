"""来店/来电登记: register a walk-in or a call; the receiver comes from today's queue (SPEC M2.3, seed 000 D1)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.showroom.customers import Channel
from lib.domain.errors import DomainError
from lib.navigation import ADMINS, WRITERS
from lib.services import people
from lib.services.showroom import write as showroom
from lib.services.showroom import read as showroom_read
from lib.services.settings import office_zone_now
from lib.ui import app_engine, choice_labels, error_text, plain, show_flash, show_form_error, submit_callback, t
from lib.views.person_picker import key_for, person_select

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
holders = showroom.board_holders(engine, actor=user)
receivers = people.labels(engine, "receiver")
channels = choice_labels("customers.channel", [c.value for c in Channel])

st.title(t("nav.showroom_register"))
show_flash()
if holders.front_desk_id or holders.hotline_id:
    nobody = t("showroom.post_unstaffed")
    st.info(t("showroom.board_now", front=plain(holders.front_desk_name or nobody),
              hotline=plain(holders.hotline_name or nobody)))
else:
    st.warning(t("showroom.board_empty"))

channel = st.segmented_control(t("field.showroom_channel"), list(channels), format_func=channels.get,
                               default=Channel.walk_in.value, key="sr_channel") or Channel.walk_in.value
holder = holders.front_desk_id if channel == Channel.walk_in else holders.hotline_id
holder = holder if holder in receivers else None
# A fresh receiver widget per channel and post holder, defaulting to the holder: when the turn moves on,
# the form follows the board instead of keeping the previous person.
receiver_key = key_for("receiver", f"sr_receiver_{channel}_{holder or 0}")
requested_key = key_for("receiver", "sr_requested")
# T1: assigning the empty values resets the widgets in the browser too, so a second click cannot resend them.
EMPTY_FORM = {"sr_name": "", "sr_phone": "", "sr_matter": "", "sr_details": "", "sr_recognised": False,
              "sr_reason": "", requested_key: None, receiver_key: holder}


def _lookup() -> None:
    found = showroom_read.find_customer(engine, actor=user, phone=st.session_state.get("sr_phone", ""))
    st.session_state["sr_found"] = found
    if found is not None and not found.masked and not st.session_state.get("sr_name"):  # never save a masked name
        st.session_state["sr_name"] = found.name


st.text_input(t("field.showroom_phone") + " *", key="sr_phone", on_change=_lookup, help=t("showroom.phone_help"),
              max_chars=30)
found = st.session_state.get("sr_found")
if found is not None and found.phone and st.session_state.get("sr_phone"):
    if found.owner:
        st.info(t("showroom.known_customer", name=plain(found.name), owner=plain(found.owner),
                  state=t(f"customers.state.{found.state}")))
        if st.session_state.get(receiver_key, holder) != found.owner_id:
            st.warning(t("customers.duplicate_card", phone=plain(found.phone)))
    else:
        st.info(t("showroom.known_customer_released", name=plain(found.name),
                  previous=plain(found.released_from or t("showroom.nobody"))))


def _register() -> None:
    s = st.session_state
    reason = (s.get("sr_reason") or "").strip() if user.role in ADMINS else ""
    result = showroom.register_contact(
        engine, actor=user, queue_tap=bool(s.get("sr_tap")) and channel == Channel.walk_in,
        correction_reason=reason or None, holders=holders, seen_seq=holders.seq,
        form=showroom.RegisterForm(
            channel=channel, customer_name=s.get("sr_name", ""), phone=s.get("sr_phone", ""),
            matter=s.get("sr_matter", ""), visit_date=s.get("sr_date"), details=s.get("sr_details", ""),
            receiver_id=s.get(receiver_key), requested_consultant_id=s.get(requested_key),
            recognised_by_owner=bool(s.get("sr_recognised"))))
    s["sr_last"] = result
    s.pop("sr_found", None)


with st.form("showroom_register_form"):
    left, right = st.columns(2)
    left.text_input(t("field.showroom_customer_name") + " *", key="sr_name", max_chars=50)
    right.date_input(t("field.showroom_visit_date") + " *", value=today, max_value=today, key="sr_date")
    st.text_input(t("field.showroom_matter") + " *", key="sr_matter", help=t("showroom.matter_help"), max_chars=500)
    left, right = st.columns(2)
    person_select(t("field.showroom_receiver") + " *", "receiver", key=f"sr_receiver_{channel}_{holder or 0}",
                  container=left, index=list(receivers).index(holder) if holder in receivers else None,
                  placeholder=t("showroom.pick_receiver"))
    person_select(t("field.showroom_requested"), "receiver", key="sr_requested", container=right, index=None,
                  placeholder=t("showroom.nobody_requested"))
    st.checkbox(t("field.showroom_recognised"), key="sr_recognised", help=t("showroom.recognised_help"))
    st.text_area(t("field.showroom_details"), key="sr_details", height=68, help=t("showroom.details_help"),
                 max_chars=showroom.DETAILS_MAX)
    if channel == Channel.walk_in:
        st.checkbox(t("showroom.queue_tap"), value=True, key="sr_tap", help=t("showroom.queue_tap_help"))
    if user.role in ADMINS:
        st.text_input(t("field.showroom_reason"), key="sr_reason", help=t("showroom.correction_help"), max_chars=500)
    st.form_submit_button(t("showroom.register"), type="primary", on_click=submit_callback(
        _register, clear=EMPTY_FORM, success_key="showroom.registered", error_slot="sr_error"))
show_form_error("sr_error")

last = st.session_state.pop("sr_last", None)
if last is not None:
    st.success(t("showroom.registered_to", customer=plain(last.customer_name), receiver=plain(last.receiver_name),
                 owner=plain(last.owner_name or t("showroom.nobody"))))
    if last.repeat_card:
        st.warning(t("showroom.repeat_card", previous=plain(last.previous_owner_name),
                     receiver=plain(last.receiver_name)))
    if last.correction:
        st.warning(t("showroom.saved_as_correction"))
    if isinstance(last.queue_error, DomainError):
        st.warning(t("showroom.queue_not_recorded", reason=error_text(last.queue_error)))
    elif last.queue_seq:
        st.caption(t("showroom.queue_recorded"))
