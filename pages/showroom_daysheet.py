"""当日来访表: completion of today's 来店/来电 rows, the manager's signature and the 过期不补 lock (seed 000 D1 B1, B2)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import ADMINS, SUPERVISORS, WRITERS
from lib.services import showroom, showroom_read
from lib.services.settings import office_zone_now
from lib.ui import Column, app_engine, choice_labels, local_time, show_flash, show_form_error, submit_callback, t
from lib.views.showroom_table import lazy_table as table

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
channels = choice_labels("customers.channel", ["walk_in", "call"])
yes_no = {True: t("showroom.yes"), False: ""}

st.title(t("nav.showroom_daysheet"))
show_flash()
day = today
if user.role in SUPERVISORS:
    day = st.date_input(t("showroom.sheet_day"), value=today, max_value=today, key="ds_day")
sheet = showroom_read.day_sheet(engine, actor=user, day=day)

badge = {"open": st.info, "signed": st.success, "expired": st.warning}[sheet.state]
badge(t(f"showroom.sheet_state.{sheet.state}", day=sheet.day.isoformat(), deadline=sheet.deadline.strftime("%H:%M"),
        signer=sheet.signer, title=sheet.signer_title, at=local_time(sheet.signed_at, zone)))
cols = st.columns(4)
cols[0].metric(t("showroom.walk_ins"), sheet.walk_ins)
cols[1].metric(t("showroom.calls"), sheet.calls)
cols[2].metric(t("showroom.incomplete"), sheet.incomplete)
cols[3].metric(t("showroom.traffic"), "—" if sheet.traffic_count is None else sheet.traffic_count)

table(sheet.contacts, [
    Column("at", "showroom.col.at", lambda v: local_time(v, zone)), Column("channel", "field.showroom_channel",
                                                                          channels.get),
    Column("customer_name", "field.showroom_customer_name"), Column("phone", "field.showroom_phone"),
    Column("matter", "field.showroom_matter"), Column("details", "field.showroom_details"),
    Column("corrected_details", "showroom.col.corrected"), Column("receiver", "field.showroom_receiver"),
    Column("requested", "field.showroom_requested"), Column("recognised", "field.showroom_recognised", yes_no.get),
    Column("repeat_card", "showroom.col.repeat_card", yes_no.get),
    Column("is_correction", "showroom.col.correction", yes_no.get)],
    export_name=f"showroom_{sheet.day.isoformat()}", empty_key="showroom.sheet_empty", key="ds_table")

mine = sorted((c for c in sheet.contacts if user.role in SUPERVISORS or c.receiver_id == user.id),
              key=lambda c: c.complete)  # rows still to complete first
labels = {c.id: f"{local_time(c.at, zone)} {c.customer_name} · {c.matter}" for c in mine}

if sheet.state == "open" and mine:
    st.subheader(t("showroom.complete_title"))

    def _complete() -> None:
        showroom.complete_details(engine, actor=user, contact_id=st.session_state.get("ds_contact"),
                                  details=st.session_state.get("ds_details", ""))

    with st.form("ds_complete_form"):
        st.selectbox(t("showroom.pick_contact"), list(labels), format_func=labels.get, key="ds_contact")
        st.text_area(t("field.showroom_details") + " *", key="ds_details", height=68, help=t("showroom.details_help"))
        st.form_submit_button(t("showroom.save_details"), type="primary", on_click=submit_callback(
            _complete, clear=["ds_details"], success_key="showroom.details_saved", error_slot="ds_error"))
    show_form_error("ds_error")

if sheet.can_sign:
    st.subheader(t("showroom.sign_title"))
    st.caption(t("showroom.sign_help"))

    def _sign() -> None:
        showroom.sign_day(engine, actor=user, day=sheet.day, traffic_count=int(st.session_state.get("ds_traffic", 0)),
                          seen_version=sheet.version)

    with st.form("ds_sign_form"):
        st.number_input(t("showroom.traffic") + " *", min_value=0, max_value=100000, value=sheet.walk_ins, step=1,
                        key="ds_traffic")
        st.form_submit_button(t("showroom.sign"), on_click=submit_callback(
            _sign, clear=["ds_traffic"], success_key="showroom.signed", error_slot="ds_sign_error"))
    show_form_error("ds_sign_error")

if sheet.state != "open" and user.role in ADMINS and sheet.contacts:
    st.subheader(t("showroom.correct_title"))
    every = {c.id: f"{local_time(c.at, zone)} {c.customer_name} · {c.matter}" for c in sheet.contacts}

    def _correct() -> None:
        s = st.session_state
        showroom.correct_contact(engine, actor=user, contact_id=s.get("ds_fix_contact"), details=s.get("ds_fix", ""),
                                 reason=s.get("ds_fix_reason", ""))

    with st.form("ds_correct_form"):
        st.selectbox(t("showroom.pick_contact"), list(every), format_func=every.get, key="ds_fix_contact")
        st.text_area(t("field.showroom_details") + " *", key="ds_fix", height=68)
        st.text_input(t("field.showroom_reason") + " *", key="ds_fix_reason")
        st.form_submit_button(t("showroom.correct"), on_click=submit_callback(
            _correct, clear=["ds_fix", "ds_fix_reason"], success_key="showroom.corrected", error_slot="ds_fix_error"))
    show_form_error("ds_fix_error")
