"""客户接待申请: apply, approve step by step, meal caps flagged, feedback in 2 working days (SPEC M2.5, seed 002)."""

import datetime as dt

import streamlit as st

from lib.auth import require_role
from lib.domain.reception import ReceptionClass, Venue
from lib.navigation import WRITERS
from lib.services import reception_desk
from lib.services.reception_desk import MealForm, ReceptionForm
from lib.services.settings import office_zone_now
from lib.ui import (Column, app_engine, plain, choice_labels, local_time, run_action, show_flash, show_form_error,
                    submit_callback, t, table)
from lib.services.limits import text_limit
from lib.views import linked as link

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
classes = choice_labels("reception.class", [c.value for c in ReceptionClass])
venues = choice_labels("reception.venue", [v.value for v in Venue])
states = choice_labels("reception.state", ["draft", "submitted", "dept_reviewed", "approved", "rejected",
                                           "itinerary_confirmed", "held", "feedback_filed"])
FORM_KEYS = ["rc_guests", "rc_class", "rc_start", "rc_end", "rc_reason", "rc_host", "rc_req", "rc_title", "rc_leader"]

st.title(t("nav.receptions"))
show_flash()
linked = link.linked_record("receptions")  # an inbox card's ?id=: the list, that application open first (I7)


def _create() -> None:
    s = st.session_state
    meals = tuple(MealForm(s.get(f"rc_venue_{i}", "canteen"), int(s.get(f"rc_diners_{i}", 1)),
                           str(s.get(f"rc_cost_{i}", 0)), bool(s.get(f"rc_guest_pays_{i}")))
                  for i in range(int(s.get("rc_meal_lines", 0))))
    _id, flags = reception_desk.create_application(engine, actor=user, form=ReceptionForm(
        guest_count=s.get("rc_guests"), reception_class=s.get("rc_class"), starts_on=s.get("rc_start"),
        ends_on=s.get("rc_end"), reason=s.get("rc_reason", ""), host=s.get("rc_host", ""),
        requirements=s.get("rc_req", ""), guest_title=s.get("rc_title", ""), needs_leader=bool(s.get("rc_leader")),
        meals=meals))
    s["rc_flags"] = [t(f.key, **f.params) for f in flags]


def new_tab() -> None:
    st.number_input(t("reception.meal_lines"), min_value=0, max_value=5, value=0, step=1, key="rc_meal_lines")
    with st.form("reception_form"):
        left, right = st.columns(2)
        left.number_input(t("field.reception_guest_count") + " *", min_value=0, max_value=1000, value=None, step=1,
                          key="rc_guests")
        right.selectbox(t("field.reception_class") + " *", list(classes), format_func=classes.get, index=None,
                        key="rc_class", placeholder=t("reception.pick_class"))
        left.date_input(t("field.reception_starts_on") + " *", value=None, min_value=today, key="rc_start")
        right.date_input(t("field.reception_ends_on"), value=None, min_value=today, key="rc_end")
        left.text_input(t("field.reception_host") + " *", key="rc_host", max_chars=text_limit("reception_application.host"))
        right.text_input(t("field.reception_guest_title"), key="rc_title", max_chars=text_limit("reception_application.guest_title"))
        st.text_input(t("field.reception_reason") + " *", key="rc_reason", max_chars=text_limit("reception_application.reason"))
        st.text_area(t("field.reception_requirements"), key="rc_req", max_chars=text_limit("reception_application.requirements"), height=68)
        st.checkbox(t("field.reception_needs_leader"), key="rc_leader")
        for i in range(int(st.session_state.get("rc_meal_lines", 0))):
            cols = st.columns(4)
            cols[0].selectbox(t("reception.meal_venue", index=i + 1), list(venues), format_func=venues.get,
                              key=f"rc_venue_{i}")
            cols[1].number_input(t("reception.meal_diners"), min_value=1, max_value=500, value=1, key=f"rc_diners_{i}")
            cols[2].number_input(t("reception.meal_cost"), min_value=0.0, value=0.0, step=10.0, key=f"rc_cost_{i}")
            cols[3].checkbox(t("reception.meal_guest_pays"), key=f"rc_guest_pays_{i}")
        st.form_submit_button(t("reception.create"), type="primary", on_click=submit_callback(
            _create, clear=FORM_KEYS, success_key="reception.created", error_slot="rc_error"))
    show_form_error("rc_error")
    for flag in st.session_state.pop("rc_flags", []):
        st.warning(flag)


def _advance(row) -> None:
    s = st.session_state
    reception_desk.advance(engine, actor=user, application_id=row.id, action=s.get(f"rc_action_{row.id}"),
                           note=s.get(f"rc_note_{row.id}", ""), seen_seq=row.seq)


def list_tab() -> None:
    left, right = st.columns(2)
    first = left.date_input(t("search.first"), value=today - dt.timedelta(days=7), key="rc_first")
    last = right.date_input(t("search.last"), value=today + dt.timedelta(days=30), key="rc_last")
    rows: list = []
    if not run_action(lambda: rows.extend(reception_desk.applications(engine, actor=user, first=first, last=last))):
        return
    if linked is not None and all(r.id != linked for r in rows):
        link.not_found()
    table(rows, [Column("starts_on", "field.reception_starts_on"), Column("ends_on", "field.reception_ends_on"),
                 Column("reception_class", "field.reception_class", classes.get),
                 Column("guest_count", "field.reception_guest_count"), Column("reason", "field.reception_reason"),
                 Column("host", "field.reception_host"), Column("state", "reception.col.state", states.get),
                 Column("feedback_due", "reception.col.feedback_due")],
          export_name="receptions", empty_key="reception.none", key="rc_table")
    for row in link.first(rows, linked):
        with link.mark(row.id == linked):
            _application(row)


def _application(row) -> None:
    head = t("reception.item", start=row.starts_on.isoformat(), klass=classes[row.reception_class],
             reason=plain(row.reason), state=states[row.state])
    with st.expander(head, expanded=row.feedback_overdue or row.id == linked):
        for flag in row.flags:
            st.warning(t(flag.key, **flag.params))
        if row.feedback_overdue:
            st.error(t("reception.feedback_overdue", due=row.feedback_due.isoformat()))
        for at, action, who, title, note in reception_desk.steps(engine, actor=user, application_id=row.id):
            st.text(f"{local_time(at, zone)} · {t('reception.action.' + action)} · {who} {title} {note}")
        if row.needs_chairman and st.button(t("reception.chairman_confirm"), key=f"rc_chair_{row.id}"):
            if run_action(lambda rid=row.id: reception_desk.chairman_confirm(engine, actor=user,
                                                                             application_id=rid)):
                st.rerun()
        if not row.actions:
            return
        actions = choice_labels("reception.action", list(row.actions))
        with st.form(f"rc_step_{row.id}"):
            st.selectbox(t("reception.next_step"), list(actions), format_func=actions.get,
                         key=f"rc_action_{row.id}")
            st.text_input(t("reception.note"), key=f"rc_note_{row.id}", max_chars=text_limit("reception_step.note"), help=t("reception.note_help"))
            st.form_submit_button(t("reception.do_step"), on_click=submit_callback(
                lambda r=row: _advance(r), clear=[f"rc_note_{row.id}"], success_key="reception.step_done",
                error_slot=f"rc_step_error_{row.id}"))
        show_form_error(f"rc_step_error_{row.id}")


tabs = st.tabs([t("reception.tab_new"), t("reception.tab_list")],
               default=t("reception.tab_list") if linked is not None else None)
for tab, render in zip(tabs, [new_tab, list_tab]):
    with tab:
        render()
