"""Swap and absence requests, and the supervisor's inbox (SPEC M1 1.3)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.domain.errors import DomainError
from lib.domain.roster.requests import AbsenceReason
from lib.services import handover, roster
from lib.services.base import SUPERVISORS, Actor
from lib.ui import Column, choice_labels, local_time, plain, run_action, show_form_error, submit_callback, t, table
from lib.services.limits import text_limit


ALERTS = {"no_relief": "rotation.request.alert_no_relief", "refused": "rotation.request.alert_refused"}
SUMMARIES = {"swap": "rotation.request.summary_swap", "absence": "rotation.request.summary_absence"}


def _shift_label(row: roster.ShiftRow) -> str:
    return t("rotation.request.shift_label", day=row.day.isoformat(), shift=t(f"rotation.shift.{row.shift}"),
             post=row.post, name=row.staff)


def swap_form(engine, user: Actor) -> None:
    """Ask the 主管 to swap one of one's published shifts with a colleague's (S10); closes at the cut-off (S15)."""
    staff_id = user.id
    if user.role in SUPERVISORS:
        people = {o.id: o.name for o in roster.staff(engine)}
        staff_id = st.selectbox(t("rotation.request.for_whom"), list(people), format_func=people.get, index=None, placeholder=t("rotation.choose"),
                                key="pp.staff.sw_whom")
        if staff_id is None:
            return
    mine, others = roster.swappable(engine, actor=user, staff_id=staff_id)
    if not mine:
        st.info(t("rotation.request.no_shifts"))
        return
    own = {r.entry_id: _shift_label(r) for r in mine}
    theirs = {r.entry_id: _shift_label(r) for r in others}

    def _save() -> None:
        s = st.session_state
        roster.file_swap(engine, actor=user, entry_id=s.get("sw_mine"), counterpart_entry_id=s.get("sw_theirs"),
                         reason=s.get("sw_reason", ""), override=s.get("sw_override", False))

    with st.form("swap_form"):
        st.selectbox(t("field.roster_entry") + " *", list(own), format_func=own.get, index=None, placeholder=t("rotation.choose"), key="sw_mine")
        st.selectbox(t("field.roster_counterpart") + " *", list(theirs), format_func=theirs.get, index=None, placeholder=t("rotation.choose"),
                     key="sw_theirs")
        st.text_input(t("rotation.request.reason"), key="sw_reason", max_chars=text_limit("roster_swap.reason"))
        if user.role in SUPERVISORS:
            st.checkbox(t("rotation.request.override"), key="sw_override", help=t("rotation.request.override_help"))
        st.form_submit_button(t("rotation.request.swap_submit"), type="primary", on_click=submit_callback(
            _save, clear=["sw_mine", "sw_theirs", "sw_reason"], success_key="rotation.request.swap_filed",
            error_slot="sw_error"))
    show_form_error("sw_error")


def absence_form(engine, user: Actor, today: dt.date, zone) -> None:
    """Leave a post for a while: front-desk 私事 is refused (S11); the control room names a substitute first."""
    posts = {o.id: o.name for o in roster.posts(engine)}
    people = {o.id: o.name for o in roster.staff(engine) if o.id != user.id}
    reasons = choice_labels("rotation.absence_reason", [r.value for r in AbsenceReason])

    def _save() -> None:
        s = st.session_state
        day = s.get("ab_day", today)
        start = dt.datetime.combine(day, s["ab_start"], tzinfo=zone) if s.get("ab_start") else None
        end = dt.datetime.combine(day, s["ab_end"], tzinfo=zone) if s.get("ab_end") else None
        _id, status = roster.file_absence(engine, actor=user, post_id=s.get("ab_post"), starts_at=start, ends_at=end,
                                          reason=s["ab_reason"], cover_id=s.get("pp.staff.ab_cover"), note=s.get("ab_note", ""))
        if status == "rejected":  # stored for the record, refused at once by the rule: say so, not "filed"
            raise DomainError("rotation.absence.private_not_allowed")

    with st.form("absence_form"):
        a, b, c = st.columns(3)
        a.selectbox(t("field.roster_post") + " *", list(posts), format_func=posts.get, index=None, placeholder=t("rotation.choose"), key="ab_post")
        b.selectbox(t("field.roster_absence_reason"), list(reasons), format_func=reasons.get, key="ab_reason")
        c.selectbox(t("rotation.request.cover"), list(people), format_func=people.get, index=None, placeholder=t("rotation.choose"), key="pp.staff.ab_cover")
        a.date_input(t("rotation.request.day"), value=today, min_value=today, key="ab_day")
        b.time_input(t("field.roster_starts_at") + " *", value=None, key="ab_start")
        c.time_input(t("field.roster_ends_at") + " *", value=None, key="ab_end")
        st.text_input(t("field.note"), key="ab_note", max_chars=text_limit("roster_absence.note"))
        st.form_submit_button(t("rotation.request.absence_submit"), type="primary", on_click=submit_callback(
            _save, clear=["ab_post", "pp.staff.ab_cover", "ab_start", "ab_end", "ab_note"],
            success_key="rotation.request.absence_filed", error_slot="ab_error"))
    show_form_error("ab_error")


def _columns(zone) -> list[Column]:
    kinds = {"swap": t("rotation.request.kind_swap"), "absence": t("rotation.request.kind_absence")}
    statuses = {**choice_labels("rotation.swap_status", ["requested", "approved", "rejected"]),
                **choice_labels("rotation.absence_status", ["submitted"])}
    reasons = choice_labels("rotation.absence_reason", [r.value for r in AbsenceReason])
    return [Column("kind", "rotation.col.kind", kinds.get), Column("staff", "rotation.col.consultant"),
            Column("post", "field.roster_post"), Column("detail", "rotation.col.detail"),
            Column("counterpart", "rotation.col.counterpart"), Column("cover", "rotation.request.cover"),
            Column("reason", "rotation.col.reason", lambda v: reasons.get(v, v)),
            Column("status", "field.status", statuses.get),
            Column("filed_at", "rotation.col.filed_at", lambda v: local_time(v, zone))]


def my_requests(engine, user: Actor, zone) -> None:
    table(roster.requests_list(engine, actor=user, mine=True), _columns(zone), export_name="my_requests",
          empty_key="rotation.request.none_mine", key="rq_mine")


def inbox(engine, user: Actor, today: dt.date, zone) -> None:
    """Pending requests to decide, handovers with nobody to relieve or refused (S17, S18), late check-ins (S12)."""
    for alert in handover.alerts(engine, actor=user):
        st.error(t(ALERTS[alert.state], post=plain(alert.post), name=plain(alert.outgoing),
                   at=local_time(alert.shift_start, zone)))
    for late in roster.flagged_check_ins(engine, actor=user, day=today):
        st.warning(t("rotation.request.late_check_in", name=plain(late.staff), post=plain(late.post),
                     status=t(f"rotation.check_in_status.{late.check_in_status}"),
                     at=local_time(late.checked_in_at, zone)))
    pending = roster.requests_list(engine, actor=user, pending_only=True)
    if not pending:
        st.info(t("rotation.request.none_pending"))
    people = {o.id: o.name for o in roster.staff(engine)}
    for row in pending:
        with st.container(border=True):
            st.markdown(t(SUMMARIES[row.kind], name=plain(row.staff), post=plain(row.post), detail=plain(row.detail),
                          counterpart=plain(row.counterpart), reason=plain(row.reason or "—"),
                          cover=plain(row.cover or "—")))
            cols = st.columns([2, 1, 1])
            cover = None
            if row.kind == "absence":
                cover = cols[0].selectbox(t("rotation.request.cover"), list(people), format_func=people.get,
                                          index=None, placeholder=t("rotation.choose"), key=f"rq_cover_{row.id}")
            decide = roster.decide_swap if row.kind == "swap" else roster.decide_absence
            extra = {} if row.kind == "swap" else {"cover_id": cover}
            id_arg = "swap_id" if row.kind == "swap" else "absence_id"
            if cols[1].button(t("rotation.request.approve"), key=f"rq_ok_{row.kind}_{row.id}", type="primary"):
                if run_action(lambda: decide(engine, actor=user, approve=True, **{id_arg: row.id}, **extra)):
                    st.rerun()
            if cols[2].button(t("rotation.request.reject"), key=f"rq_no_{row.kind}_{row.id}"):
                if run_action(lambda: decide(engine, actor=user, approve=False, **{id_arg: row.id})):
                    st.rerun()
