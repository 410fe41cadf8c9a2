"""The 销售经理's queue forms (SPEC M1 1.1): the draw, reorders with a reason, the intern pin, demotions, replay."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.domain.errors import Conflict
from lib.domain.rotation.rules import DrawMethod
from lib.services import rotation
from lib.services.base import Actor
from lib.ui import (Column, choice_labels, confirm_button, lazy_expander, local_time, plain, run_action,
                    show_form_error, submit_callback, t, table)
from lib.views.rotation import board as rotation_board
from lib.services.limits import text_limit


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
                             consultant_ids=s.get(f"pp.consultant.d_people_{s['d_method']}", []), note=s.get("d_note", ""))

    with st.form("draw_form"):
        label = "rotation.draw.order" if method == DrawMethod.recorded else "rotation.draw.participants"
        st.multiselect(t(label), list(names), format_func=names.get, key=f"pp.consultant.d_people_{method}",
                       default=rotation.draw_defaults(people) if method == DrawMethod.random else [], placeholder=t("ui.choose_many"))
        st.text_input(t("rotation.draw.note"), key="d_note", max_chars=text_limit("lottery_draw.note"))
        st.form_submit_button(t("rotation.draw.submit"), type="primary", on_click=submit_callback(
            _save, clear=[f"pp.consultant.d_people_{m}" for m in methods] + ["d_note"], success_key="rotation.draw.saved", error_slot="d_error"))
    show_form_error("d_error")


def _move(consultant_id: int, step: int) -> None:
    order = st.session_state["r_order"]
    i = order.index(consultant_id)
    j = i + step
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]


def _restart_order() -> None:
    st.session_state.pop("r_base", None)


def reorder_form(engine, user: Actor, view: rotation.BoardView) -> None:
    """A supervisor reorders today's queue with move-up/move-down per row and a reason; the audit keeps
    before and after (S1, Q7, T18). The arrangement is kept while the board's members stay the same."""
    members = [s.consultant_id for s in view.slots if not s.pinned]
    if not members:
        st.info(t("rotation.queue.no_draw_supervisor"))
        return
    labels = {**{s.consultant_id: s.name for s in view.slots}, **_labels(rotation.consultants(engine))}
    base = st.session_state.get("r_base")
    if base is None or set(base[1]) != set(members) or set(st.session_state.get("r_order", ())) != set(members):
        st.session_state["r_base"] = (view.seq, tuple(members))
        st.session_state["r_order"] = list(members)
    seen_seq = st.session_state["r_base"][0]
    order = st.session_state["r_order"]
    st.caption(t("rotation.reorder.order_help"))
    for i, person in enumerate(order):
        number, name, up, down = st.columns([1, 8, 2, 2], vertical_alignment="center")
        number.text(str(i + 1))
        name.text(labels.get(person, str(person)))
        up.button(t("rotation.reorder.up"), key=f"r_up_{person}", disabled=i == 0, on_click=_move, args=(person, -1),
                  width="stretch")
        down.button(t("rotation.reorder.down"), key=f"r_down_{person}", disabled=i == len(order) - 1,
                    on_click=_move, args=(person, 1), width="stretch")

    def _save() -> None:
        s = st.session_state
        try:
            rotation.reorder(engine, actor=user, order=list(s["r_order"]), reason=s.get("r_reason", ""),
                             seen_seq=seen_seq)
        except Conflict:
            _restart_order()  # someone tapped meanwhile: start again from the board as it is now
            raise
        _restart_order()

    st.text_area(t("field.rotation_reason") + " *", key="r_reason", height=68, max_chars=rotation.REASON_MAX)
    save, reset = st.columns(2)
    save.button(t("rotation.reorder.submit"), type="primary", key="r_save", on_click=submit_callback(
        _save, clear={"r_reason": ""}, success_key="rotation.reorder.saved", error_slot="r_error"))
    reset.button(t("rotation.reorder.reset"), key="r_reset", on_click=_restart_order)
    show_form_error("r_error")
    if view.due_id is not None:
        st.caption(t("rotation.reorder.unattended_help", name=view.due_name))
        if confirm_button("rotation.reorder.unattended", key="r_unattended"):
            if run_action(lambda: rotation.record_event(engine, actor=user, consultant_id=view.due_id,
                                                         event_type="step_away", hand_over=False, seen_seq=view.seq),
                          "rotation.reorder.unattended_saved"):
                st.rerun()


def intern_form(engine, user: Actor, view: rotation.BoardView) -> None:
    """Pin 接待台电脑 to an intern (「暂由实习销售顾问担当」), before the day's first tap; a pinned intern is not drawn (T9)."""
    interns = {p.id: p.label for p in rotation.consultants(engine) if p.is_intern}
    options = [None, *interns]
    st.caption(t("rotation.intern.current", name=plain(view.intern or "—")))
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
        rotation.set_demotion(engine, actor=user, consultant_id=s.get("pp.consultant.dm_who"), month=s.get("dm_month", today),
                              reason=s.get("dm_reason", ""))

    with st.form("demotion_form"):
        left, right = st.columns(2)
        left.selectbox(t("field.rotation_consultant") + " *", list(names), format_func=names.get, index=None, placeholder=t("rotation.choose"),
                       key="pp.consultant.dm_who")
        right.date_input(t("rotation.demotion.month"), value=today, key="dm_month")
        st.text_input(t("field.rotation_reason") + " *", key="dm_reason", max_chars=text_limit("queue_event.reason"))
        st.form_submit_button(t("rotation.demotion.submit"), type="primary", on_click=submit_callback(
            _save, clear=["pp.consultant.dm_who", "dm_reason"], success_key="rotation.demotion.saved", error_slot="dm_error"))
    show_form_error("dm_error")
    if rows:
        labels = {r.id: f"{r.name} {r.month_start:%Y-%m}" for r in rows}
        pick = st.selectbox(t("rotation.demotion.revoke_pick"), list(labels), format_func=labels.get, key="dm_rev")
        reason = st.text_input(t("field.rotation_reason"), key="dm_rev_reason", max_chars=text_limit("queue_event.reason"))
        if confirm_button("rotation.demotion.revoke", key="dm_revoke"):
            if run_action(lambda: rotation.revoke_demotion(engine, actor=user, demotion_id=pick, reason=reason),
                          "rotation.demotion.revoked"):
                st.rerun()


def previous_closing(engine, user: Actor, view: rotation.BoardView, zone) -> None:
    """The board as it was at the last queue day's close: order, positions, rounds (Q1, T8)."""
    if view.previous_day is None:
        return

    def render() -> None:  # yesterday's board is folded only while its expander is open
        closing = rotation.board(engine, actor=user, day=view.previous_day)
        rotation_board.carry_line(closing)
        st.caption(t("rotation.closing.round", round_no=closing.round_no))
        rotation_board.cards(closing, key_prefix="q_closing_card")
        if closing.report:
            rotation_board.records(closing, zone)

    lazy_expander(t("rotation.closing.title", day=view.previous_day.isoformat()), "q_closing_open", render)


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
                 "out_of_turn": t("rotation.flag_kind.out_of_turn"),
                 rotation.FLAG_LEFT_DESK: t("rotation.queue.flag_left_desk")}
        table(found, [Column("day", "rotation.col.day"), Column("at", "rotation.col.at", lambda v: local_time(v, zone)),
                      Column("kind", "rotation.col.flag", kinds.get), Column("consultant", "rotation.col.consultant"),
                      Column("due", "rotation.col.due"), Column("reason", "rotation.col.reason")],
              export_name="queue_notices", empty_key="rotation.replay.no_notices", key="h_notices")
