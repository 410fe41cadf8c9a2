"""The 销售经理's queue forms (SPEC M1 1.1): the draw, reorders with a reason, the intern pin, demotions, replay."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.domain.rotation import DrawMethod
from lib.services import rotation
from lib.services.base import Actor
from lib.ui import (Column, choice_labels, confirm_button, local_time, run_action, show_form_error, submit_callback, t,
                    table)
from lib.views import rotation_board


def _labels(people) -> dict[int, str]:
    """「姓名（工号 · 团队）」 for the consultants the services accept (T2)."""
    return {p.id: p.label for p in people}


def draw_form(engine, user: Actor) -> None:
    """Record the physical draw in its order, or let the app draw (「全体销售顾问抽签」, 「公开公正」)."""
    people = rotation.consultants(engine)
    names = _labels(people)
    methods = choice_labels("rotation.draw_method", [m.value for m in DrawMethod])
    st.caption(t("rotation.draw.help"))
    method = st.radio(t("rotation.draw.method"), list(methods), format_func=methods.get, key="d_method",
                      horizontal=True, index=list(methods).index(DrawMethod.random))

    def _save() -> None:
        s = st.session_state
        rotation.record_draw(engine, actor=user, method=s["d_method"],
                             consultant_ids=s.get(f"d_people_{s['d_method']}", []), note=s.get("d_note", ""))

    with st.form("draw_form"):
        label = "rotation.draw.order" if method == DrawMethod.recorded else "rotation.draw.participants"
        st.multiselect(t(label), list(names), format_func=names.get, key=f"d_people_{method}",
                       default=rotation.draw_defaults(people) if method == DrawMethod.random else [])
        st.text_input(t("rotation.draw.note"), key="d_note")
        st.form_submit_button(t("rotation.draw.submit"), type="primary", on_click=submit_callback(
            _save, clear=[f"d_people_{m}" for m in methods] + ["d_note"], success_key="rotation.draw.saved", error_slot="d_error"))
    show_form_error("d_error")


def reorder_form(engine, user: Actor, view: rotation.BoardView) -> None:
    """A supervisor reorders today's queue only with a reason; the audit keeps before and after (S1, Q7)."""
    members = {s.consultant_id: s.name for s in view.slots if not s.pinned}
    if not members:
        st.info(t("rotation.queue.no_draw_supervisor"))
        return

    def _save() -> None:
        s = st.session_state
        rotation.reorder(engine, actor=user, order=s.get("r_order", []), reason=s.get("r_reason", ""),
                         seen_seq=view.seq)

    with st.form("reorder_form"):
        st.multiselect(t("rotation.reorder.order"), list(members), default=list(members), format_func=members.get,
                       key="r_order", help=t("rotation.reorder.order_help"))
        st.text_area(t("field.rotation_reason") + " *", key="r_reason", height=68)
        st.form_submit_button(t("rotation.reorder.submit"), type="primary", on_click=submit_callback(
            _save, clear=["r_order", "r_reason"], success_key="rotation.reorder.saved", error_slot="r_error"))
    show_form_error("r_error")
    if view.due_id is not None:
        st.caption(t("rotation.reorder.unattended_help", name=view.due_name))
        if confirm_button("rotation.reorder.unattended", key="r_unattended"):
            if run_action(lambda: rotation.record_event(engine, actor=user, consultant_id=view.due_id,
                                                         event_type="step_away", hand_over=False, seen_seq=view.seq),
                          "rotation.reorder.unattended_saved"):
                st.rerun()


def intern_form(engine, user: Actor, view: rotation.BoardView) -> None:
    """Pin 接待台电脑 to an intern (「暂由实习销售顾问担当」), before the day's first tap."""
    interns = {p.id: p.name for p in rotation.consultants(engine) if p.is_intern}
    options = [None, *interns]
    st.caption(t("rotation.intern.current", name=view.intern or "—"))
    choice = st.selectbox(t("field.rotation_intern"), options, format_func=lambda i: interns.get(i, t("rotation.intern.none")),
                          key="i_pick")
    if st.button(t("rotation.intern.submit"), key="i_save"):
        if run_action(lambda: rotation.pin_intern(engine, actor=user, intern_id=choice), "rotation.intern.saved"):
            st.rerun()


def demotion_forms(engine, user: Actor, today: dt.date) -> None:
    """Demotions by hand until the KPI module sets them (seed 000 D1, S8): out of the queue, no new customers."""
    rows = rotation.demotions(engine, actor=user, around=today)
    table(rows, [Column("name", "rotation.col.consultant"), Column("month_start", "rotation.col.month_start"),
                 Column("end_day", "rotation.col.end_day"), Column("reason", "rotation.col.reason"),
                 Column("set_by", "rotation.col.set_by")],
          export_name="queue_demotions", empty_key="rotation.demotion.none", key="dm_table")
    names = _labels(rotation.consultants(engine))

    def _save() -> None:
        s = st.session_state
        rotation.set_demotion(engine, actor=user, consultant_id=s.get("dm_who"), month=s.get("dm_month", today),
                              reason=s.get("dm_reason", ""))

    with st.form("demotion_form"):
        left, right = st.columns(2)
        left.selectbox(t("field.rotation_consultant") + " *", list(names), format_func=names.get, index=None, placeholder=t("rotation.choose"),
                       key="dm_who")
        right.date_input(t("rotation.demotion.month"), value=today, key="dm_month")
        st.text_input(t("field.rotation_reason") + " *", key="dm_reason")
        st.form_submit_button(t("rotation.demotion.submit"), type="primary", on_click=submit_callback(
            _save, clear=["dm_who", "dm_reason"], success_key="rotation.demotion.saved", error_slot="dm_error"))
    show_form_error("dm_error")
    if rows:
        labels = {r.id: f"{r.name} {r.month_start:%Y-%m}" for r in rows}
        pick = st.selectbox(t("rotation.demotion.revoke_pick"), list(labels), format_func=labels.get, key="dm_rev")
        reason = st.text_input(t("field.rotation_reason"), key="dm_rev_reason")
        if confirm_button("rotation.demotion.revoke", key="dm_revoke"):
            if run_action(lambda: rotation.revoke_demotion(engine, actor=user, demotion_id=pick, reason=reason),
                          "rotation.demotion.revoked"):
                st.rerun()


def replay(engine, user: Actor, today: dt.date, zone) -> None:
    """Replay any past day from its order and events, and the manager's notices over a range (Q5, Q8, SQ1)."""
    day = st.date_input(t("rotation.replay.day"), value=today, max_value=today, key="h_day")
    view = rotation.board(engine, actor=user, day=day)
    if not view.slots:
        st.info(t("rotation.replay.no_queue"))
    else:
        rotation_board.cards(view)
        rotation_board.records(view, zone)
    st.subheader(t("rotation.replay.notices_title"))
    with st.form("notices_form"):
        left, right = st.columns(2)
        first = left.date_input(t("search.first"), value=today - dt.timedelta(days=30), key="h_first")
        last = right.date_input(t("search.last"), value=today, key="h_last")
        submitted = st.form_submit_button(t("search.submit"))
    found: list = []
    if submitted and run_action(lambda: found.extend(rotation.notices(engine, actor=user, first=first, last=last))):
        kinds = {"possible_grab": t("rotation.flag_kind.possible_grab"),
                 rotation.FLAG_LEFT_DESK: t("rotation.queue.flag_left_desk")}
        table(found, [Column("day", "rotation.col.day"), Column("at", "rotation.col.at", lambda v: local_time(v, zone)),
                      Column("kind", "rotation.col.flag", kinds.get), Column("consultant", "rotation.col.consultant"),
                      Column("due", "rotation.col.due")],
              export_name="queue_notices", empty_key="rotation.replay.no_notices", key="h_notices")
