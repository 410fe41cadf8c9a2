"""Warnings ladder (SPEC M4 4.5, seed 004 D3; seed 000 D1): each person's case and its next step (S54),
and the 劝退/开除 flags of the ledger waiting for the 总经理's decision (T24)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.discipline import WarningTrack
from lib.navigation import SUPERVISORS
from lib.services.kpi import warning_cases as kpi_warnings
from lib.services.settings import office_zone_now
from lib.ui import (
    Column,
    app_engine,
    choice_labels,
    local_time,
    selected_row,
    show_flash,
    show_form_error,
    submit_callback,
    t,
    table,
)
from lib.views import linked as link
from lib.views.kpi import cases as kpi_cases
from lib.views.person_picker import key_for, person_select
from lib.services.limits import text_limit

user = require_role(*SUPERVISORS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.warnings"))
show_flash()
# an inbox card's ?id= names a 劝退/开除 case: its decision card on top, unless a row of the table is picked
# (the same card is then drawn there) (issue 15 I7)
linked = link.linked_record("warnings")
if linked is not None:
    found = [c for c in kpi_warnings.decision_cases(engine, actor=user) if c.id == linked]
    if not found:
        link.not_found()
    elif selected_row("wc_table") is None:
        with link.mark(True):
            kpi_cases.decide_card(user, found[0])
kpi_cases.decisions(user, zone)

st.subheader(t("discipline.page.ladder"))
st.caption(t("discipline.page.rule"))
listed = kpi_warnings.manager_list(engine, actor=user)
if listed:
    st.warning(t("discipline.page.manager_list", names="、".join(listed)))

PERSON = key_for("staff", "warning_person")
tracks = choice_labels("discipline.warning_track", [w.value for w in WarningTrack])
events = {e: t("discipline.page.violation") if e == kpi_warnings.VIOLATION else t(f"discipline.warning_event.{e}")
          for e in kpi_warnings.EVENTS}
stages = lambda s: t(f"discipline.warning_stage.{s}")  # noqa: E731
cases = kpi_warnings.cases(engine, actor=user)
clicked = table(cases, [Column("name", "discipline.page.person"), Column("track", "discipline.page.track", tracks.get),
                        Column("stage", "discipline.page.stage", stages),
                        Column("at", "discipline.page.at", lambda v: local_time(v, zone)),
                        Column("note", "discipline.page.note")],
                export_name="warnings", empty_key="discipline.page.none", key="w_table", selectable=True)
if clicked is not None and st.session_state.get("w_opened") != (clicked.person_id, clicked.track):
    # a row click opens that case below (T17); the pickers stay free to change afterwards
    st.session_state["w_opened"] = (clicked.person_id, clicked.track)
    st.session_state[PERSON], st.session_state["w_track"] = clicked.person_id, clicked.track

st.subheader(t("discipline.page.record"))
current = {(c.person_id, c.track): c for c in cases}


def _record() -> None:
    s = st.session_state
    case = current.get((s.get(PERSON), s.get("w_track")))
    kpi_warnings.record_step(engine, actor=user, person_id=s.get(PERSON), track=s.get("w_track", "cs"),
                             event=s.get("w_event"), note=s.get("w_note", ""), seen_seq=case.seq if case else 0)


left, right = st.columns(2)
person_select(t("field.warning_person") + " *", "staff", key="warning_person", container=left, index=None,
              placeholder=t("ledger.pick_person"))
right.selectbox(t("field.warning_track"), list(tracks), format_func=tracks.get, key="w_track")
case = current.get((st.session_state.get(PERSON), st.session_state.get("w_track")))
st.caption(t("discipline.page.now", stage=stages(case.stage)) if case else t("discipline.page.no_case"))
with st.form("warning_form"):
    # no step is preselected: every choice here records something (T17)
    st.selectbox(t("field.warning_event") + " *", list(events), format_func=events.get, index=None,
                 placeholder=t("discipline.event_pick"), key="w_event")
    st.text_input(t("field.warning_note"), key="w_note", max_chars=text_limit("kpi_warning_event.note"))
    st.form_submit_button(t("discipline.page.save"), type="primary", on_click=submit_callback(
        _record, clear={"w_note": "", "w_event": None}, success_key="discipline.page.saved", error_slot="w_error"))
show_form_error("w_error")

if case:
    steps = kpi_warnings.history(engine, actor=user, person_id=case.person_id, track=case.track)
    table(steps, [Column("seq", "discipline.page.seq"), Column("event", "discipline.page.event", events.get),
                  Column("stage", "discipline.page.stage", stages), Column("by", "discipline.page.by"),
                  Column("at", "discipline.page.at", lambda v: local_time(v, zone)),
                  Column("note", "discipline.page.note")],
          export_name="warning_history", empty_key="discipline.page.none", key="w_history")
