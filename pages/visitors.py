"""Visitor desk: check-in, expected visitors, kiosk sign-ins, who is on site, today's list, search (SPEC M2.1)."""

import datetime as dt

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS, WRITERS
from lib.services.visitors import register as visitors
from lib.services.settings import office_zone_now
from lib.ui import (LazyTab, app_engine, clear_flash, flash, form_token, lazy_tabs, local_time, renew_form_token,
                    run_action, show_flash, t, table)
from lib.views.visitors import arrivals as visitor_arrivals
from lib.views.visitors import form as visitor_form
from lib.views.visitors.actions import badge_button, table_key, visit_actions
from lib.services.limits import text_limit
from lib.views import linked as link

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
COLUMNS = visitor_form.visit_columns(zone)

st.title(t("nav.visitors"))
show_flash()
# an inbox card's ?id= (a visitor still on site): open the on-site tab once, that visitor first (issue 15 I7)
linked = link.linked_record("visitors")
if linked is not None and link.fresh_link("visitors"):
    st.session_state["v_tabs"] = t("visitor.tab_on_site")


def _prefill() -> None:
    clear_flash()  # a new phone starts the next registration: the last confirmation has been read (T16)
    found = visitors.returning_visitor(engine, actor=user, phone=st.session_state.get("v_phone", ""))
    if found is None:
        return
    st.session_state.update({"v_name": found.name, "v_company": found.company})
    if found.host_id is not None:
        st.session_state[visitor_form.host_key("v")] = found.host_id
    st.session_state["v_recognised"] = t("visitor.recognised", when=local_time(found.last_visit, zone))


def _register(seen: tuple[int, ...], check_out: tuple[int, ...]) -> None:
    visitors.register_visitor(engine, actor=user, form=visitor_form.read("v", today, zone),
                              seen_on_site=seen, check_out_ids=check_out, idem_key=form_token("v"))


def _registered() -> None:
    st.session_state.pop("v_recognised", None)
    renew_form_token("v")  # the save is confirmed: the next check-in is a new submission (R12)


def register_tab() -> None:
    st.text_input(t("field.phone"), key="v_phone", max_chars=text_limit("visitor_entry.phone"), on_change=_prefill, help=t("visitor.phone_help"))
    if st.session_state.get("v_recognised"):
        st.info(st.session_state["v_recognised"])
    form_token("v")  # made when the form is drawn, kept until a save is confirmed (R12)
    run = visitor_form.check_in_callback("v", _register, success_key="visitor.registered", after=_registered)
    visitor_form.render("v", run=run, submit_key="visitor.register", user=user, zone=zone, phone_in_form=False)


def on_site_tab() -> None:
    """One line per visitor on site with its own 签离 and badge buttons: one click, no picking (T17)."""
    rows = visitors.on_site(engine, actor=user)
    if linked is not None and all(r.id != linked for r in rows):
        link.not_found()
    if not rows:
        st.info(t("visitor.none_on_site"))
        return
    for row in link.first(rows, linked):
        with link.mark(row.id == linked):
            _on_site_row(row)


def _on_site_row(row) -> None:
    cols = st.columns([3, 1, 3, 2, 2, 1, 1])
    cols[0].text(f"{row.name}\n{row.company}")  # typed by people: plain text, never Markdown (T19)
    cols[1].text(t("visitor.persons", count=row.headcount))
    cols[2].text(row.purpose)
    cols[3].text(row.host_name or "—")
    cols[4].text(local_time(row.time_in, zone))
    if cols[5].button(t("visitor.check_out"), key=f"out_{row.id}"):
        if run_action(lambda rid=row.id: visitors.check_out_visitor(engine, actor=user, visitor_id=rid)):
            flash("visitor.checked_out")
            st.rerun()
    badge_button(row.id, user=user, key="on_site", container=cols[6])


def day_tab() -> None:
    day = today
    if user.role in SUPERVISORS:
        st.session_state.setdefault("v_day", today)
        day = st.date_input(t("visitor.day"), max_value=today, key="v_day")
    rows = visitors.day_list(engine, actor=user, day=day)
    chosen = table(rows, COLUMNS, export_name=f"visitors_{day.isoformat()}", empty_key="visitor.none_today",
                   key=table_key("v_day_t"), selectable=True)
    visit_actions(chosen, user=user, zone=zone, key="day")


def search_tab() -> None:
    supervisor = user.role in SUPERVISORS
    if not supervisor:
        st.caption(t("visitor.search_today_only"))
    with st.form("visitor_search"):
        st.text_input(t("visitor.search_text"), key="v_q", max_chars=text_limit("search"))
        start = end = today
        if supervisor:
            first, last = st.columns(2)
            start = first.date_input(t("search.first"), value=today - dt.timedelta(days=30), key="v_q_first")
            end = last.date_input(t("search.last"), value=today, key="v_q_last")
        if st.form_submit_button(t("search.submit")):
            st.session_state["v_q_range"] = (start, end)
    if "v_q_range" not in st.session_state:
        return
    start, end = st.session_state["v_q_range"]
    result: list = []
    if run_action(lambda: result.extend(visitors.search(engine, actor=user, text=st.session_state.get("v_q", ""),
                                                        first=start, last=end))):
        chosen = table(result, COLUMNS, export_name="visitor_search", empty_key="search.nothing", key=table_key("v_search_t"),
                       selectable=True)
        visit_actions(chosen, user=user, zone=zone, key="search")


# The tabs with a form are drawn every run (a half-typed form lives in the browser until it is sent); the lists
# of who is on site and of the day only while open.
lazy_tabs("v_tabs", [
    LazyTab("visitor.tab_register", register_tab, eager=True),
    LazyTab("visitor.tab_expected", lambda: visitor_arrivals.expected_tab(user, zone, today), eager=True),
    LazyTab("visitor.tab_pending", lambda: visitor_arrivals.pending_tab(user, zone, today), eager=True),
    LazyTab("visitor.tab_on_site", on_site_tab),
    LazyTab("visitor.tab_day", day_tab, keep=("v_day",)),
    LazyTab("visitor.tab_search", search_tab, eager=True),
])
