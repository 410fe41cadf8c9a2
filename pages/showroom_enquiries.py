"""客户咨询: log a customer's question; an open one needs a promised answer time (SPEC M2.2; seed 004 D17)."""

import datetime as dt

import streamlit as st

from lib.auth import require_role
from lib.domain.showroom.enquiries import EnquiryStatus
from lib.navigation import WRITERS
from lib.services.showroom import enquiries as showroom_enquiries
from lib.services.settings import office_zone_now
from lib.ui import (Column, app_engine, choice_labels, local_time, plain, run_action, show_flash, show_form_error,
                    submit_callback, t, table)
from lib.services.limits import text_limit
from lib.views import linked as link

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
statuses = choice_labels("enquiries.status", [s.value for s in EnquiryStatus])
# Assigning the empty values resets the widgets in the browser too (a popped key would be resent).
EMPTY_FORM = {"eq_name": "", "eq_phone": "", "eq_question": "", "eq_status": next(iter(statuses)), "eq_date": None,
              "eq_time": None, "eq_answer": ""}

st.title(t("nav.showroom_enquiries"))
show_flash()


def _log() -> None:
    s = st.session_state
    promised = None
    if s.get("eq_date") is not None and s.get("eq_time") is not None:
        promised = dt.datetime.combine(s["eq_date"], s["eq_time"], tzinfo=zone)
    _id, repeats = showroom_enquiries.log_enquiry(
        engine, actor=user, question=s.get("eq_question", ""), status=s.get("eq_status") or "open",
        promised_response_at=promised, caller_name=s.get("eq_name", ""), caller_phone=s.get("eq_phone", ""),
        answer=s.get("eq_answer", ""))
    if repeats:
        s["eq_repeat"] = t("enquiries.repeat_call", count=len(repeats))


with st.expander(t("enquiry.new"), expanded=True):
    with st.form("enquiry_form"):
        left, right = st.columns(2)
        left.text_input(t("field.enquiry_caller_name"), key="eq_name", max_chars=text_limit("customer_enquiry.caller_name"))
        right.text_input(t("field.enquiry_caller_phone"), key="eq_phone", max_chars=text_limit("customer_enquiry.caller_phone"))
        st.text_area(t("field.enquiry_question") + " *", key="eq_question", max_chars=text_limit("customer_enquiry.question"), height=68)
        st.radio(t("field.enquiry_status"), list(statuses), format_func=statuses.get, horizontal=True, key="eq_status")
        left.date_input(t("field.enquiry_promised_response_at"), value=None, min_value=today, key="eq_date",
                        help=t("enquiry.promise_help"))
        right.time_input(t("enquiry.promised_time"), value=None, key="eq_time")
        st.text_area(t("field.enquiry_answer"), key="eq_answer", max_chars=text_limit("customer_enquiry.answer"), height=68, help=t("enquiry.answer_help"))
        st.form_submit_button(t("enquiry.save"), type="primary", on_click=submit_callback(
            _log, clear=EMPTY_FORM, success_key="enquiry.saved", error_slot="eq_error"))
    show_form_error("eq_error")
repeat = st.session_state.pop("eq_repeat", None)
if repeat:
    st.warning(repeat)

rows = showroom_enquiries.enquiry_board(engine, actor=user)
linked = link.linked_record("enquiries")  # an inbox card's ?id=: that enquiry first, with its answer (issue 15 I7)
if linked is not None and all(r.id != linked for r in rows):
    link.not_found()
waiting = link.first([r for r in rows if r.status == EnquiryStatus.open], linked)
st.subheader(t("enquiry.open", count=len(waiting)))
if not waiting:
    st.info(t("enquiry.none_open"))


def _open_row(row) -> None:
    cols = st.columns([2, 4, 2, 3, 1])
    cols[0].markdown(t("enquiry.row_head", name=plain(row.caller_name) or t("enquiry.caller_unnamed"),
                       phone=plain(row.caller_phone)))
    cols[1].text(row.question)
    cols[2].write(t("enquiry.promised", at=local_time(row.promised_response_at, zone)))
    if row.overdue:
        cols[2].error(t("enquiry.overdue"))
    answer = cols[3].text_input(t("field.enquiry_answer"), key=f"eq_ans_{row.id}", max_chars=text_limit("customer_enquiry.answer"), label_visibility="collapsed",
                                placeholder=t("enquiry.answer_placeholder"))
    if cols[4].button(t("enquiry.answer"), key=f"eq_btn_{row.id}"):
        if run_action(lambda rid=row.id, a=answer: showroom_enquiries.answer_enquiry(engine, actor=user,
                                                                                   enquiry_id=rid, answer=a)):
            st.rerun()


for row in waiting:
    with link.mark(row.id == linked):
        _open_row(row)

st.subheader(t("enquiry.list"))
if any(r.masked for r in rows):
    st.caption(t("privacy.enquiry_masked_hint"))
table(rows, [Column("created_at", "enquiry.col.created", lambda v: local_time(v, zone)),
             Column("caller_name", "field.enquiry_caller_name"), Column("caller_phone", "field.enquiry_caller_phone"),
             Column("question", "field.enquiry_question"), Column("status", "field.enquiry_status", statuses.get),
             Column("promised_response_at", "field.enquiry_promised_response_at", lambda v: local_time(v, zone)),
             Column("answer", "field.enquiry_answer"), Column("answered_by", "enquiry.col.answered_by")],
      export_name=f"enquiries_{today.isoformat()}", empty_key="enquiry.none", key="eq_table")
