"""当日来访表: completion of today's 来店/来电 rows, the manager's signature and the 过期不补 lock (seed 000 D1 B1, B2)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import ADMINS, SUPERVISORS, WRITERS
from lib.services.showroom import write as showroom
from lib.services.showroom import read as showroom_read
from lib.services.settings import office_zone_now
from lib.ui import (Column, app_engine, choice_labels, local_time, plain, show_flash, show_form_error, submit_callback,
                    t, table)
from lib.views import linked as link
from lib.views import showroom_sheet

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
channels = choice_labels("customers.channel", ["walk_in", "call"])
yes_no = {True: t("showroom.yes"), False: ""}

st.title(t("nav.showroom_daysheet"))
show_flash()
# an inbox card's ?id= names today's unsigned sheet (the only one the inbox lists): today's sheet is shown, with
# a note of what is left (issue 15 I7). The sheet's view carries no id, so the day stands for it.
linked = link.linked_record("day-sheet")
if linked is not None and link.fresh_link("day-sheet") and user.role in SUPERVISORS:
    st.session_state["ds_day"] = today
day = today
if user.role in SUPERVISORS:
    day = st.date_input(t("showroom.sheet_day"), value=today, max_value=today, key="ds_day")
sheet = showroom_read.day_sheet(engine, actor=user, day=day)
if linked is not None and day == today:
    if sheet.state == "open":
        with link.mark(True):
            st.markdown(t("linked.day_sheet"))
    else:
        link.not_found()

badge = {"open": st.info, "signed": st.success, "expired": st.warning}[sheet.state]
state_key = "signed_early" if sheet.state == "signed" and sheet.early_close_reason else sheet.state
badge(t(f"showroom.sheet_state.{state_key}", day=sheet.day.isoformat(), deadline=sheet.deadline.strftime("%H:%M"),
        signer=plain(sheet.signer), title=plain(sheet.signer_title), at=local_time(sheet.signed_at, zone),
        reason=plain(sheet.early_close_reason)))
cols = st.columns(4)
cols[0].metric(t("showroom.walk_ins"), sheet.walk_ins)
cols[1].metric(t("showroom.calls"), sheet.calls)
cols[2].metric(t("showroom.incomplete"), sheet.incomplete)
cols[3].metric(t("showroom.traffic"), t("showroom.traffic_unconfirmed") if sheet.traffic_count is None
               else sheet.traffic_count)

BRIEF = [Column("at", "showroom.col.at", lambda v: local_time(v, zone)),
         Column("customer_name", "field.showroom_customer_name"), Column("phone", "field.showroom_phone"),
         Column("matter", "field.showroom_matter"), Column("receiver", "field.showroom_receiver")]
# T17: a click on a row opens it for completion (or, once locked, an admin's correction).
chosen = table(sheet.contacts, [
    Column("at", "showroom.col.at", lambda v: local_time(v, zone)), Column("channel", "field.showroom_channel",
                                                                          channels.get),
    Column("customer_name", "field.showroom_customer_name"), Column("phone", "field.showroom_phone"),
    Column("matter", "field.showroom_matter"), Column("details", "field.showroom_details"),
    Column("corrected_details", "showroom.col.corrected"), Column("receiver", "field.showroom_receiver"),
    Column("requested", "field.showroom_requested"), Column("recognised", "field.showroom_recognised", yes_no.get),
    Column("repeat_card", "showroom.col.repeat_card", yes_no.get),
    Column("is_correction", "showroom.col.correction", yes_no.get)],
    export_name=f"showroom_{sheet.day.isoformat()}", empty_key="showroom.sheet_empty", key="ds_table",
    selectable=bool(sheet.contacts) and (sheet.state == "open" or user.role in ADMINS))

if any(c.masked for c in sheet.contacts):
    st.caption(t("privacy.showroom_masked_hint"))


def chosen_line() -> None:
    st.text(f"{local_time(chosen.at, zone)}  {chosen.customer_name} · {chosen.phone} · {chosen.matter}")


if sheet.state == "open" and sheet.contacts:
    st.subheader(t("showroom.complete_title"))
    if chosen is None:
        st.caption(t("showroom.click_row_to_complete"))
    else:
        chosen_line()
        details_key = f"ds_details_{chosen.id}"

        def _complete() -> None:
            showroom.complete_details(engine, actor=user, contact_id=chosen.id,
                                      details=st.session_state.get(details_key, ""))

        with st.form("ds_complete_form"):
            st.text_area(t("field.showroom_details") + " *", value=chosen.details, key=details_key, height=68,
                         help=t("showroom.details_help"), max_chars=showroom.DETAILS_MAX)
            st.form_submit_button(t("showroom.save_details"), type="primary", on_click=submit_callback(
                _complete, success_key="showroom.details_saved", error_slot="ds_error"))
        show_form_error("ds_error")

if sheet.can_sign:
    showroom_sheet.sign_box(engine, user, sheet, BRIEF)

if sheet.state != "open" and user.role in ADMINS and sheet.contacts:
    st.subheader(t("showroom.correct_title"))
    if chosen is None:
        st.caption(t("showroom.click_row_to_correct"))
    else:
        chosen_line()

        def _correct() -> None:
            s = st.session_state
            showroom.correct_contact(engine, actor=user, contact_id=chosen.id, details=s.get("ds_fix", ""),
                                     reason=s.get("ds_fix_reason", ""))

        with st.form("ds_correct_form"):
            st.text_area(t("field.showroom_details") + " *", key="ds_fix", height=68,
                         max_chars=showroom.DETAILS_MAX)
            st.text_input(t("field.showroom_reason") + " *", key="ds_fix_reason", max_chars=500)
            st.form_submit_button(t("showroom.correct"), on_click=submit_callback(
                _correct, clear={"ds_fix": "", "ds_fix_reason": ""}, success_key="showroom.corrected",
                error_slot="ds_fix_error"))
        show_form_error("ds_fix_error")
