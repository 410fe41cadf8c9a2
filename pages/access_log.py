"""机房/中控室/消防控制室 进出登记: register, approve, sign, in and out (SPEC M2.4; seed 004 D12, D16, D20)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.access import Area, Category
from lib.navigation import WRITERS
from lib.services import access_log
from lib.services.access_log import AccessForm
from lib.ui import (Column, app_engine, choice_labels, local_time, plain, run_action, show_flash, show_form_error,
                    submit_callback, t, table)
from lib.services.settings import office_zone_now
from lib.views import linked as link
from lib.views.person_picker import key_for, person_select
from lib.services.limits import text_limit

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
areas = choice_labels("access.area", [a.value for a in Area])
categories = choice_labels("access.category", [c.value for c in Category])
ESCORT = key_for("staff", "ac_escort")
# Assigning the empty values resets the widgets in the browser too (a popped key would be resent).
EMPTY_FORM = {"ac_area": None, "ac_category": None, "ac_name": "", "ac_unit": "", "ac_purpose": "", ESCORT: None,
              "ac_escort_name": "", "ac_companion": "", "ac_signed": False}

st.title(t("nav.access_log"))
show_flash()


def _register() -> None:
    s = st.session_state
    access_log.register_entry(engine, actor=user, form=AccessForm(
        area=s.get("ac_area"), category=s.get("ac_category"), name=s.get("ac_name", ""),
        purpose=s.get("ac_purpose", ""), unit=s.get("ac_unit", ""), escort_id=s.get(ESCORT),
        escort_name=s.get("ac_escort_name", ""), companion=s.get("ac_companion", ""), signed=bool(s.get("ac_signed"))))


with st.expander(t("access.new"), expanded=True):
    with st.form("access_form"):
        left, right = st.columns(2)
        left.selectbox(t("field.access_area") + " *", list(areas), format_func=areas.get, index=None, key="ac_area",
                       placeholder=t("access.pick"))
        right.selectbox(t("field.access_category") + " *", list(categories), format_func=categories.get, index=None,
                        key="ac_category", placeholder=t("access.pick"))
        left.text_input(t("field.access_name") + " *", key="ac_name", max_chars=text_limit("access_entry.name"))
        right.text_input(t("field.access_unit"), key="ac_unit", max_chars=text_limit("access_entry.unit"))
        st.text_input(t("field.access_purpose") + " *", key="ac_purpose", max_chars=text_limit("access_entry.purpose"))
        person_select(t("field.access_escort"), "staff", key="ac_escort", container=left, index=None,
                      placeholder=t("access.escort_placeholder"), help=t("access.escort_help"))
        right.text_input(t("access.escort_name"), key="ac_escort_name", max_chars=text_limit("access_entry.escort_name"))
        left.text_input(t("field.access_companion"), key="ac_companion", max_chars=text_limit("access_entry.companion"), help=t("access.companion_help"))
        st.checkbox(t("field.access_signature"), key="ac_signed")
        st.form_submit_button(t("access.register"), type="primary", on_click=submit_callback(
            _register, clear=EMPTY_FORM, success_key="access.registered", error_slot="ac_error"))
    show_form_error("ac_error")

rows = access_log.register_today(engine, actor=user)
linked = link.linked_record("access-log")  # an inbox card's ?id=: that entry first, with its approve (issue 15 I7)
if linked is not None and all(r.id != linked for r in rows):
    link.not_found()
waiting = link.first([r for r in rows if r.time_out is None], linked)
st.subheader(t("access.open", count=len(waiting)))
if not waiting:
    st.info(t("access.none_open"))


def _open_row(row) -> None:
    cols = st.columns([3, 3, 3, 1, 1, 1])
    cols[0].markdown(t("access.row_head", name=plain(row.name), unit=plain(row.unit), area=areas[row.area],
                        category=categories[row.category]))
    cols[1].text(row.purpose)
    cols[2].caption(t("access.approval_state", given=plain(row.approvals) or t("access.none_given"),
                      needs=plain(row.needs) or t("access.none_needed")))
    if row.time_in is None:
        if cols[3].button(t("access.approve"), key=f"ac_ok_{row.id}"):
            if run_action(lambda rid=row.id: access_log.approve_entry(engine, actor=user, entry_id=rid)):
                st.rerun()
        signed = cols[4].checkbox(t("access.signed_short"), value=row.signed, key=f"ac_sig_{row.id}")
        if cols[5].button(t("access.mark_in"), key=f"ac_in_{row.id}"):
            if run_action(lambda rid=row.id, s=signed: access_log.mark_in(engine, actor=user, entry_id=rid, signed=s)):
                st.rerun()
    else:
        cols[3].caption(local_time(row.time_in, zone))
        if cols[5].button(t("access.mark_out"), key=f"ac_out_{row.id}"):
            if run_action(lambda rid=row.id: access_log.mark_out(engine, actor=user, entry_id=rid)):
                st.rerun()


for row in waiting:
    with link.mark(row.id == linked):
        _open_row(row)

st.subheader(t("access.today"))
yes_no = {True: t("showroom.yes"), False: ""}
table(rows, [Column("created_at", "access.col.registered", lambda v: local_time(v, zone)),
             Column("area", "field.access_area", areas.get),
             Column("category", "field.access_category", categories.get),
             Column("name", "field.access_name"), Column("unit", "field.access_unit"),
             Column("purpose", "field.access_purpose"), Column("escort", "field.access_escort"),
             Column("companion", "field.access_companion"), Column("approvals", "access.col.approvals"),
             Column("signed", "field.access_signature", yes_no.get),
             Column("time_in", "access.col.time_in", lambda v: local_time(v, zone)),
             Column("time_out", "access.col.time_out", lambda v: local_time(v, zone))],
      export_name=f"access_{today.isoformat()}", empty_key="access.none_today", key="ac_table")
