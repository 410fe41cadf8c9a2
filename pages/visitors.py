"""Visitor desk: quick registration, who is on site, today's list, search (SPEC M2.1)."""

import datetime as dt

import streamlit as st

from lib.auth import require_role
from lib.domain.visitors import Destination, Level, VisitorForm
from lib.navigation import SUPERVISORS, WRITERS
from lib.services import visitors
from lib.services.settings import office_zone_now
from lib.ui import (Column, app_engine, choice_labels, local_time, run_action, show_flash, show_form_error,
                    submit_callback, t, table)

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
staff = {s.id: f"{s.name} ({s.staff_no})" if s.staff_no else s.name for s in visitors.staff_options(engine)}
destinations = choice_labels("visitor.destination", [d.value for d in Destination])
levels = choice_labels("visitor.level", [lv.value for lv in Level])
EMPTY_FORM = {"v_phone": "", "v_name": "", "v_headcount": 1, "v_purpose": "", "v_company": "", "v_host": None,
              "v_appt": False, "v_dest": Destination.RECEPTION_AREA.value, "v_level": Level.STANDARD.value,
              "v_time_in": None, "v_note": ""}
COLUMNS = [Column("time_in", "field.time_in", lambda v: local_time(v, zone)),
           Column("time_out", "field.time_out", lambda v: local_time(v, zone)),
           Column("name", "field.visitor_name"), Column("headcount", "field.headcount"),
           Column("purpose", "field.purpose"), Column("company", "field.company"), Column("phone", "field.phone"),
           Column("host_name", "field.host_id"), Column("destination", "field.destination", destinations.get),
           Column("level", "field.level", levels.get)]

st.title(t("nav.visitors"))
show_flash()


def _prefill() -> None:
    found = visitors.returning_visitor(engine, actor=user, phone=st.session_state.get("v_phone", ""))
    if found is None:
        return
    st.session_state.update(v_name=found.name, v_company=found.company, v_host=found.host_id)
    st.session_state["v_recognised"] = t("visitor.recognised", when=local_time(found.last_visit, zone))


def _register() -> None:
    s = st.session_state
    time_in = None
    if s.get("v_time_in") is not None:
        time_in = dt.datetime.combine(today, s["v_time_in"], tzinfo=zone)
    visitors.register_visitor(engine, actor=user, form=VisitorForm(
        name=s.get("v_name", ""), headcount=s.get("v_headcount", 1), purpose=s.get("v_purpose", ""),
        company=s.get("v_company", ""), phone=s.get("v_phone", ""), host_id=s.get("v_host"),
        has_appointment=s.get("v_appt", False), destination=s.get("v_dest", "reception_area"),
        level=s.get("v_level", "standard"), time_in=time_in, note=s.get("v_note", "")))
    s.pop("v_recognised", None)


def register_tab() -> None:
    st.text_input(t("field.phone"), key="v_phone", on_change=_prefill, help=t("visitor.phone_help"))
    if st.session_state.get("v_recognised"):
        st.info(st.session_state["v_recognised"])
    with st.form("visitor_form"):
        left, right = st.columns(2)
        left.text_input(t("field.visitor_name") + " *", key="v_name")
        right.number_input(t("field.headcount") + " *", min_value=0, max_value=100000, value=1, step=1,
                           key="v_headcount")
        left.text_input(t("field.purpose") + " *", key="v_purpose")
        right.text_input(t("field.company"), key="v_company")
        left.selectbox(t("field.host_id"), list(staff), format_func=staff.get, index=None, key="v_host",
                       placeholder=t("visitor.host_placeholder"))
        right.time_input(t("field.time_in"), value=None, key="v_time_in", help=t("visitor.time_in_help"))
        left.selectbox(t("field.destination"), list(destinations), format_func=destinations.get, key="v_dest")
        right.selectbox(t("field.level"), list(levels), format_func=levels.get, key="v_level", index=1)
        st.checkbox(t("field.has_appointment"), key="v_appt")
        st.text_area(t("field.note"), key="v_note", height=68)
        st.form_submit_button(t("visitor.register"), type="primary", on_click=submit_callback(
            _register, clear=EMPTY_FORM, success_key="visitor.registered", error_slot="v_error"))
    show_form_error("v_error")


def on_site_tab() -> None:
    rows = visitors.on_site(engine, actor=user)
    if not rows:
        st.info(t("visitor.none_on_site"))
        return
    for row in rows:
        cols = st.columns([3, 1, 3, 2, 2, 1])
        cols[0].markdown(f"**{row.name}**  \n{row.company}", unsafe_allow_html=False)
        cols[1].write(t("visitor.persons", count=row.headcount))
        cols[2].write(row.purpose)
        cols[3].write(row.host_name or "—")
        cols[4].write(local_time(row.time_in, zone))
        if cols[5].button(t("visitor.check_out"), key=f"out_{row.id}"):
            if run_action(lambda rid=row.id: visitors.check_out_visitor(engine, actor=user, visitor_id=rid)):
                st.rerun()


def day_tab() -> None:
    day = today
    if user.role in SUPERVISORS:
        day = st.date_input(t("visitor.day"), value=today, max_value=today, key="v_day")
    rows = visitors.day_list(engine, actor=user, day=day)
    table(rows, COLUMNS, export_name=f"visitors_{day.isoformat()}", empty_key="visitor.none_today", key="v_day_t")


def search_tab() -> None:
    with st.form("visitor_search"):
        text = st.text_input(t("visitor.search_text"), key="v_q")
        first, last = st.columns(2)
        start = first.date_input(t("search.first"), value=today - dt.timedelta(days=30), key="v_q_first")
        end = last.date_input(t("search.last"), value=today, key="v_q_last")
        submitted = st.form_submit_button(t("search.submit"))
    if submitted:
        result = []
        if run_action(lambda: result.extend(visitors.search(engine, actor=user, text=text, first=start, last=end))):
            table(result, COLUMNS, export_name="visitor_search", empty_key="search.nothing", key="v_search_t")


tab_names = ["visitor.tab_register", "visitor.tab_on_site", "visitor.tab_day"]
if user.role in SUPERVISORS:
    tab_names.append("visitor.tab_search")
tabs = st.tabs([t(name) for name in tab_names])
for tab, render in zip(tabs, [register_tab, on_site_tab, day_tab, search_tab]):
    with tab:
        render()
