"""Roster calendar and the supervisor's roster forms (SPEC M1 1.2)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.domain.roster.rules import EntryKind, RosterStatus
from lib.domain.roster.presets import Preset
from lib.services import roster
from lib.services.base import SUPERVISORS, Actor
from lib.ui import (Column, choice_labels, confirm_button, export_buttons, plain, run_action, show_form_error, submit_callback,
                    t, table)
from lib.services.limits import text_limit


# status → (next status, button, success note)
NEXT_STATUS = {
    RosterStatus.draft: (RosterStatus.published, "rotation.roster.to_published", "rotation.roster.now_published"),
    RosterStatus.published: (RosterStatus.locked, "rotation.roster.to_locked", "rotation.roster.now_locked"),
}


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def pick_period(engine, user: Actor, today: dt.date) -> int | None:
    """Choose a month, then one of its rosters (staff see published and locked ones)."""
    month = st.date_input(t("rotation.roster.month"), value=today, key="ro_month")
    first, last = month_bounds(month)
    periods = roster.periods(engine, actor=user, first=first, last=last)
    if not periods:
        st.info(t("rotation.roster.none_supervisor" if user.role in SUPERVISORS else "rotation.roster.none"))
        return None
    labels = {p.id: t("rotation.roster.period_label", post=p.post, first=p.first_day.isoformat(),
                      last=p.last_day.isoformat(), status=t(f"rotation.roster_status.{p.status}")) for p in periods}
    current = next((i for i, p in enumerate(periods) if p.first_day <= today <= p.last_day), 0)
    return st.selectbox(t("rotation.roster.period"), list(labels), format_func=labels.get, index=current,
                        key="ro_period")


def calendar(view: roster.PeriodView, user: Actor) -> None:
    """Days down, shifts across, names in the cells; ★ marks the 第一责任人 (seed 000 D9)."""
    p = view.period
    st.caption(t("rotation.roster.period_caption", post=plain(p.post), template=plain(p.template),
                 status=t(f"rotation.roster_status.{p.status}")))
    headers = [t("rotation.col.day"), *(t(f"rotation.shift.{code}") for code in view.shift_codes)]
    cells: dict[tuple[dt.date, str], list[str]] = {}
    for e in view.entries:
        name = t("rotation.roster.first_mark", name=e.name) if e.kind == EntryKind.first_responsible else e.name
        cells.setdefault((e.day, e.shift), []).append(name)
    days = [p.first_day + dt.timedelta(days=i) for i in range((p.last_day - p.first_day).days + 1)]
    values = [[f"{d:%m-%d} {t(f'rotation.weekday.{d.weekday()}')}",
               *("、".join(cells.get((d, code), [])) for code in view.shift_codes)] for d in days]
    st.dataframe([dict(zip(headers, row)) for row in values], hide_index=True, width="stretch")
    export_buttons(headers, values, export_name=f"roster_{p.post}_{p.first_day}", key=f"ro_x_{p.id}")
    if user.role in SUPERVISORS and p.status == RosterStatus.draft:
        problems(view)


def problems(view: roster.PeriodView) -> None:
    """Every reason publishing is blocked, and the warnings (S13, S14)."""
    if not view.problems:
        st.success(t("rotation.roster.no_problems"))
        return
    for problem in view.problems:
        text = t(problem.key, **problem.params)
        (st.error if problem.severity == "block" else st.warning)(text)


def template_forms(engine, user: Actor) -> None:
    presets = choice_labels("rotation.preset", [p.value for p in Preset])
    with st.form("template_form"):
        left, right = st.columns(2)
        left.selectbox(t("field.roster_preset"), list(presets), format_func=presets.get, key="tp_preset")
        right.text_input(t("field.roster_template_name") + " *", key="tp_name", max_chars=text_limit("shift_template.name"))
        st.form_submit_button(t("rotation.roster.template_submit"), type="primary", on_click=submit_callback(
            lambda: roster.create_template(engine, actor=user, preset=st.session_state["tp_preset"],
                                           name=st.session_state.get("tp_name", "")),
            clear=["tp_name"], success_key="rotation.roster.template_saved", error_slot="tp_error"))
    show_form_error("tp_error")
    table(roster.templates(engine), [Column("name", "field.roster_template_name"),
                                     Column("preset", "field.roster_preset", presets.get),
                                     Column("shifts_text", "rotation.col.shifts")],
          export_name="shift_templates", empty_key="rotation.roster.no_templates", key="tp_table")


def period_form(engine, user: Actor, today: dt.date) -> None:
    posts = {o.id: o.name for o in roster.posts(engine)}
    templates = {tp.id: tp.name for tp in roster.templates(engine)}
    if not templates:
        st.info(t("rotation.roster.no_templates"))
        return
    monday = today + dt.timedelta(days=7 - today.weekday())

    def _save() -> None:
        s = st.session_state
        roster.create_period(engine, actor=user, post_id=s.get("pf_post"), template_id=s.get("pf_template"),
                             first_day=s.get("pf_first", monday), last_day=s.get("pf_last", monday))

    with st.form("period_form"):
        a, b, c, d = st.columns(4)
        a.selectbox(t("field.roster_post") + " *", list(posts), format_func=posts.get, index=None, placeholder=t("rotation.choose"), key="pf_post")
        b.selectbox(t("field.roster_template") + " *", list(templates), format_func=templates.get, index=None, placeholder=t("rotation.choose"),
                    key="pf_template")
        c.date_input(t("rotation.roster.first_day"), value=monday, key="pf_first")
        d.date_input(t("field.roster_last_day"), value=monday + dt.timedelta(days=6), key="pf_last")
        st.form_submit_button(t("rotation.roster.period_submit"), on_click=submit_callback(
            _save, success_key="rotation.roster.period_saved", error_slot="pf_error"))
    show_form_error("pf_error")


def entry_forms(engine, user: Actor, view: roster.PeriodView) -> None:
    """Put a person on a shift for a run of days (drafts only), take entries off, publish, lock."""
    p = view.period
    if p.status == RosterStatus.draft:
        staff = {o.id: o.name for o in roster.staff(engine)}
        shifts = {code: t(f"rotation.shift.{code}") for code in view.shift_codes}
        kinds = choice_labels("rotation.entry_kind", [k.value for k in EntryKind])
        weekdays = {i: t(f"rotation.weekday.{i}") for i in range(7)}

        def _add() -> None:
            s = st.session_state
            first, last = s.get("en_first", p.first_day), s.get("en_last", p.last_day)
            days = [first + dt.timedelta(days=i) for i in range(max(0, (last - first).days + 1))]
            roster.add_entries(engine, actor=user, period_id=p.id, staff_id=s.get("en_staff"), shift=s["en_shift"],
                               days=[d for d in days if d.weekday() in s.get("en_weekdays", [])], kind=s["en_kind"])

        with st.form("entry_form"):
            a, b, c = st.columns(3)
            a.selectbox(t("field.roster_staff") + " *", list(staff), format_func=staff.get, index=None, placeholder=t("rotation.choose"), key="en_staff")
            b.selectbox(t("field.roster_shift"), list(shifts), format_func=shifts.get, key="en_shift")
            c.selectbox(t("rotation.roster.kind"), list(kinds), format_func=kinds.get, key="en_kind")
            a.date_input(t("rotation.roster.first_day"), value=p.first_day, min_value=p.first_day,
                         max_value=p.last_day, key="en_first")
            b.date_input(t("field.roster_last_day"), value=p.last_day, min_value=p.first_day, max_value=p.last_day,
                         key="en_last")
            c.multiselect(t("field.roster_days"), list(weekdays), default=list(weekdays), format_func=weekdays.get,
                          key="en_weekdays", placeholder=t("ui.choose_many"))
            st.form_submit_button(t("rotation.roster.add_submit"), type="primary", on_click=submit_callback(
                _add, success_key="rotation.roster.entries_added", error_slot="en_error"))
        show_form_error("en_error")
        entries = {e.id: f"{e.day} {shifts.get(e.shift, e.shift)} {e.name}" for e in view.entries}
        if entries:
            pick = st.selectbox(t("rotation.roster.remove_pick"), list(entries), format_func=entries.get, key="en_rm")
            if st.button(t("rotation.roster.remove"), key="en_rm_btn"):
                if run_action(lambda: roster.remove_entry(engine, actor=user, entry_id=pick)):
                    st.rerun()
    step = NEXT_STATUS.get(RosterStatus(p.status))
    if step is not None and confirm_button(step[1], key=f"ro_status_{p.id}"):
        if run_action(lambda: roster.change_status(engine, actor=user, period_id=p.id, target=step[0].value), step[2]):
            st.rerun()


def qualification_form(engine, user: Actor) -> None:
    """Who is trained for a control post and until when their certificate holds (seed 004 D12, D20)."""
    staff = {o.id: o.name for o in roster.staff(engine)}
    posts = {o.id: o.name for o in roster.posts(engine)}
    with st.form("qual_form"):
        a, b = st.columns(2)
        a.selectbox(t("field.roster_staff") + " *", list(staff), format_func=staff.get, index=None, placeholder=t("rotation.choose"), key="pp.staff.q_staff")
        b.selectbox(t("field.roster_post") + " *", list(posts), format_func=posts.get, index=None, placeholder=t("rotation.choose"), key="q_post")
        a.checkbox(t("rotation.roster.trained"), value=True, key="q_trained")
        b.date_input(t("rotation.roster.cert_until"), value=None, key="q_cert")
        st.form_submit_button(t("rotation.roster.qual_submit"), on_click=submit_callback(
            lambda: roster.set_qualification(
                engine, actor=user, staff_id=st.session_state.get("pp.staff.q_staff"), post_id=st.session_state.get("q_post"),
                trained=st.session_state.get("q_trained", True), cert_valid_until=st.session_state.get("q_cert")),
            success_key="rotation.roster.qual_saved", error_slot="q_error"))
    show_form_error("q_error")
