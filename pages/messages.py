"""Phone messages: log a call to relay, unrelayed first (SPEC M2.2, seed 000 D9)."""

import datetime as dt

import streamlit as st

from lib.auth import require_role
from lib.domain.visitors import MessageForm
from lib.navigation import WRITERS
from lib.services.visitors import register as visitors
from lib.services.settings import office_zone_now
from lib.ui import Column, app_engine, local_time, run_action, show_flash, show_form_error, submit_callback, t, table
from lib.views import linked as link
from lib.views.person_picker import key_for, person_select
from lib.services.limits import text_limit

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
RELAY_KEY = key_for("staff", "m_relay_to")
EMPTY_FORM = {"m_called_at": None, "m_caller": "", "m_phone": "", "m_matter": "", "m_related": "", RELAY_KEY: None}

st.title(t("nav.messages"))
show_flash()


def _log() -> None:
    s = st.session_state
    called_at = None
    if s.get("m_called_at") is not None:
        called_at = dt.datetime.combine(today, s["m_called_at"], tzinfo=zone)
    visitors.log_message(engine, actor=user, form=MessageForm(
        called_at=called_at, caller_name=s.get("m_caller", ""), caller_phone=s.get("m_phone", ""),
        matter=s.get("m_matter", ""), related=s.get("m_related", ""), relay_to_id=s.get(RELAY_KEY)))


with st.expander(t("message.new"), expanded=True):
    with st.form("message_form"):
        left, right = st.columns(2)
        left.time_input(t("field.called_at"), value=None, key="m_called_at", help=t("visitor.time_in_help"))
        right.text_input(t("field.caller_name") + " *", key="m_caller", max_chars=text_limit("phone_message.caller_name"))
        left.text_input(t("field.caller_phone"), key="m_phone", max_chars=text_limit("phone_message.caller_phone"))
        person_select(t("field.relay_to_id") + " *", "staff", key="m_relay_to", container=right, index=None,
                      placeholder=t("visitor.host_placeholder"))
        st.text_area(t("field.matter") + " *", key="m_matter", max_chars=text_limit("phone_message.matter"), height=68)
        st.text_input(t("field.related"), key="m_related", max_chars=text_limit("phone_message.related"))
        st.form_submit_button(t("message.save"), type="primary", on_click=submit_callback(
            _log, clear=EMPTY_FORM, success_key="message.saved", error_slot="m_error"))
    show_form_error("m_error")

rows = visitors.message_board(engine, actor=user)
linked = link.linked_record("messages")  # an inbox card's ?id=: that message first and marked (issue 15 I7)
if linked is not None and all(r.id != linked for r in rows):
    link.not_found()
open_rows = link.first([r for r in rows if r.status != "relayed"], linked)
st.subheader(t("message.open", count=len(open_rows)))
if not open_rows:
    st.info(t("message.none_open"))


def _open_row(row) -> None:
    cols = st.columns([2, 2, 4, 2, 1])
    cols[0].text(local_time(row.called_at, zone))
    cols[1].text(f"{row.caller_name}\n{row.caller_phone}")  # typed by people: plain text (T19)
    cols[2].text(row.matter)
    cols[3].text(t("message.to", name=row.relay_to_name))
    if row.status == "overdue":
        cols[3].error(t("message.status.overdue"))
    if cols[4].button(t("message.relay"), key=f"relay_{row.id}"):
        if run_action(lambda rid=row.id: visitors.relay_message(engine, actor=user, message_id=rid)):
            st.rerun()


for row in open_rows:
    with link.mark(row.id == linked):
        _open_row(row)

st.subheader(t("message.relayed_today"))
status = {s: t(f"message.status.{s}") for s in ("unrelayed", "overdue", "relayed")}
table(rows, [Column("called_at", "field.called_at", lambda v: local_time(v, zone)),
             Column("caller_name", "field.caller_name"), Column("caller_phone", "field.caller_phone"),
             Column("matter", "field.matter"), Column("related", "field.related"),
             Column("relay_to_name", "field.relay_to_id"),
             Column("relayed_at", "field.relayed_at", lambda v: local_time(v, zone)),
             Column("status", "field.status", status.get)],
      export_name=f"messages_{today.isoformat()}", empty_key="message.none", key="m_table")
