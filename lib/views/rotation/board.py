"""Queue board widgets (SPEC M1 1.1): the slot cards, the one-tap buttons and the day's records.

Shared by pages/rotation_queue.py (live board) and pages/rotation_draw.py (replay of a past day).
Every tap is one service call; the board shown is what the screen saw (``seen_seq``),
so a tap on a stale screen is refused with who is due now.

The buttons are drawn by the full page run, never inside the auto-refreshing fragment: a press
is then a full rerun, which Streamlit never drops, while a press inside a fragment is dropped when
a full run has just replaced that fragment ("fragment … does not exist anymore", T7). The last
press's result is kept in session state and shown at the top until the next press.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.domain.errors import DomainError
from lib.domain.rotation.rules import EventType, SlotState
from lib.services import rotation
from lib.services.base import SUPERVISORS, Actor
from lib.services.rotation import BoardView, SlotRow
from lib.services.settings import office_zone_now
from lib.ui import Column, error_text, local_time, plain, t, table

MESSAGE = "q_message"
OUT_OF_TURN = "q_oot"
OOT_REASON = "q_oot_reason"
PER_ROW = 4


def show_message() -> None:
    """The result of the last press (success or refusal), kept until the next press (T7)."""
    kind, text = st.session_state.get(MESSAGE, (None, None))
    if kind == "error":
        st.error(text)
    elif kind:
        st.success(text)


def signature(view: BoardView) -> tuple:
    """What the buttons depend on: when a refresh reads a different board, the page redraws them."""
    return (view.day, view.seq, view.draw.id if view.draw else None, view.due_id,
            tuple((s.consultant_id, s.state) for s in view.slots))


def carry_line(view: BoardView) -> None:
    """Why today starts where it does, above the order (Q1, T8)."""
    if view.carry is None:
        return
    if view.carry.kind == "carry":
        st.caption(t("rotation.queue.carry", day=view.carry.day.isoformat(), name=plain(view.carry.name)))
    else:
        st.caption(t("rotation.queue.new_draw", day=view.carry.day.isoformat()))


def header(view: BoardView) -> None:
    """Round, who is due, today's midday group, who has had a group this round (Q5, Q10)."""
    members = [s for s in view.slots if not s.pinned]
    cols = st.columns(4)
    cols[0].metric(t("rotation.queue.round"), view.round_no)
    cols[1].metric(t("rotation.queue.due"), view.due_name or "—")
    cols[2].metric(t("rotation.queue.midday_group"), t(f"rotation.midday_group.{view.midday_group}"))
    cols[3].metric(t("rotation.queue.had_group"), f"{sum(s.had_group for s in members)} / {len(members)}")
    if view.in_midday:
        st.info(t("rotation.queue.midday_now", group=t(f"rotation.midday_group.{view.midday_group}")))
    if view.demoted:
        st.caption(t("rotation.queue.demoted_list", names=plain("、".join(view.demoted))))


def _status(slot: SlotRow) -> str:
    parts = [t(f"rotation.slot_state.{slot.state}")]
    if slot.pinned:
        parts = [t("rotation.queue.pinned")]
    elif slot.had_group:
        parts.append(t("rotation.queue.had_group_badge"))
    elif slot.skipped:
        parts.append(t("rotation.queue.skipped_badge"))
    if slot.on_midday_duty:
        parts.append(t("rotation.queue.midday_duty_badge"))
    return " · ".join(parts)


def cards(view: BoardView, key_prefix: str = "q_card") -> None:
    """One big card per slot: 1 前台, 2 销售热线, 3 接待台电脑, 4+ 替补 (S2); a page showing two boards
    (today's and yesterday's closing) gives each its own ``key_prefix``."""
    for start in range(0, len(view.slots), PER_ROW):
        for col, slot in zip(st.columns(PER_ROW), view.slots[start:start + PER_ROW]):
            with col.container(border=True, key=f"{key_prefix}_{slot.number}"):
                st.caption(" · ".join((plain(slot.number), t("rotation.position." + slot.position))))
                st.markdown(t("rotation.queue.card_due" if slot.is_due else "rotation.queue.card_name",
                              name=plain(slot.name)))
                st.caption(_status(slot))


def _tap(engine, user: Actor, slot: SlotRow, kind: str, seen_seq: int, hand_over: bool = True,
         reason: str = "") -> None:
    """One press: the service decides; its answer stays on screen until the next press (T7)."""
    st.session_state.pop(OUT_OF_TURN, None)
    try:
        rotation.record_event(engine, actor=user, consultant_id=slot.consultant_id, event_type=kind,
                              seen_seq=seen_seq, hand_over=hand_over, reason=reason)
    except DomainError as exc:
        st.session_state[MESSAGE] = ("error", error_text(exc))
        if exc.key == "rotation.error.not_your_turn":  # T6: offer the out-of-turn take with a reason
            st.session_state[OUT_OF_TURN] = (slot.consultant_id, seen_seq)
        return
    key = "rotation.queue.recorded_out_of_turn" if reason else "rotation.queue.recorded"
    st.session_state[MESSAGE] = ("success", t(key, name=plain(slot.name), event=t(f"rotation.event_type.{kind}"),
                                              time=_clock(engine)))
    st.session_state.pop(OOT_REASON, None)


def _clock(engine) -> str:
    """The office time of a press, so an old result is not mistaken for the last one."""
    zone, _ = office_zone_now(engine)
    return dt.datetime.now(zone).strftime("%H:%M:%S")


def _confirm_out_of_turn(engine, user: Actor, slot: SlotRow, seen_seq: int) -> None:
    _tap(engine, user, slot, EventType.received_new.value, seen_seq, reason=st.session_state.get(OOT_REASON, ""))
    if st.session_state.get(MESSAGE, ("",))[0] == "error" and st.session_state.get(OUT_OF_TURN) is None:
        st.session_state[OUT_OF_TURN] = (slot.consultant_id, seen_seq)  # keep the box and the typed reason


def step_key(name: str, seq: int) -> str:
    """A board button's key carries the queue step its screen showed (R10, T6).

    Streamlit runs a click's callback with the arguments of the *latest* script run of the session, which
    may be newer than the screen that was clicked (a rerun the browser had not drawn yet): with a fixed key
    a press on a stale screen would be judged against the new step and could win a turn the presser never
    saw as theirs. With the step in the key, the stale button no longer exists after that rerun, the press
    is dropped, and the person sees the current board with who is due now."""
    return f"{name}_s{seq}"


def out_of_turn_box(engine, user: Actor, view: BoardView) -> None:
    """T6: after a refusal, the consultant may take the customer out of turn only with a reason (audited)."""
    pending = st.session_state.get(OUT_OF_TURN)
    slot = next((s for s in view.slots if pending and s.consultant_id == pending[0] and not s.pinned), None)
    if slot is None:
        return
    with st.container(border=True, key="q_oot_box"):
        st.warning(t("rotation.queue.oot_prompt", name=plain(slot.name), due=plain(view.due_name or "—")))
        st.text_area(t("field.rotation_reason") + " *", key=OOT_REASON, max_chars=rotation.REASON_MAX, height=68,
                     placeholder=t("rotation.queue.oot_placeholder"))
        left, right = st.columns(2)
        left.button(t("rotation.queue.oot_confirm"), key=step_key("q_oot_yes", view.seq), type="primary", width="stretch",
                    on_click=_confirm_out_of_turn, args=(engine, user, slot, view.seq))
        right.button(t("rotation.queue.oot_cancel"), key="q_oot_no", width="stretch",
                     on_click=lambda: st.session_state.pop(OUT_OF_TURN, None))


def buttons(engine, user: Actor, view: BoardView, slot: SlotRow, section: str) -> None:
    """Big touch buttons for one consultant; the ones that cannot apply now are greyed out."""
    waiting = slot.state == SlotState.waiting
    spec = [(EventType.received_new, waiting, "primary"), (EventType.served_old, waiting, "secondary"),
            (EventType.skip, slot.is_due, "secondary"), (EventType.step_away, slot.state != SlotState.stepped_away,
                                                         "secondary"),
            (EventType.back, not waiting, "secondary")]
    for col, (kind, enabled, style) in zip(st.columns(len(spec)), spec):
        col.button(t(f"rotation.queue.button.{kind.value}"),
                   key=step_key(f"q_{section}_{kind.value}_{slot.consultant_id}", view.seq),
                   type=style, disabled=not enabled, width="stretch", on_click=_tap,
                   help=t(f"rotation.queue.button_help.{kind.value}"), args=(engine, user, slot, kind.value, view.seq))


def may_record_for_anyone(user: Actor, view: BoardView) -> bool:
    """Supervisors and whoever holds 接待台电脑 record for anyone (seed 000 D1: the PC registers visits)."""
    mine = next((s for s in view.slots if s.consultant_id == user.id), None)
    return user.role in SUPERVISORS or (mine is not None and mine.position == "reception_pc")


def my_actions(engine, user: Actor, view: BoardView) -> None:
    """The signed-in consultant's own buttons, above the board so a phone shows them first (T18)."""
    mine = next((s for s in view.slots if s.consultant_id == user.id and not s.pinned), None)
    if mine is not None:
        st.subheader(t("rotation.queue.my_buttons", name=plain(mine.name)))
        buttons(engine, user, view, mine, "me")
    elif not may_record_for_anyone(user, view):
        st.info(t("rotation.queue.not_in_queue"))


def others_actions(engine, user: Actor, view: BoardView, labels: dict[int, str]) -> None:
    """The reception-PC holder and supervisors record for the person due and for anyone picked (seed 000 D1)."""
    if not may_record_for_anyone(user, view):
        return
    by_id = {s.consultant_id: s for s in view.slots if not s.pinned}
    due = by_id.get(view.due_id)
    if due is not None and due.consultant_id != user.id:
        st.subheader(t("rotation.queue.due_buttons", name=plain(due.name)))
        buttons(engine, user, view, due, "due")
    names = {i: labels.get(i, s.name) for i, s in by_id.items()}  # T2: 「姓名（工号 · 团队）」
    st.selectbox(t("rotation.queue.for_someone_else"), list(names), format_func=names.get, index=None,
                 key="q_target", placeholder=t("rotation.queue.record_for"))
    chosen = by_id.get(st.session_state.get("q_target"))
    if chosen is not None and chosen.consultant_id not in (user.id, view.due_id):
        st.subheader(t("rotation.queue.other_buttons", name=plain(chosen.name)))
        buttons(engine, user, view, chosen, "other")


def records(view: BoardView, zone) -> None:
    """The day's taps in order (append-only), the notices for the manager and groups per round (Q5, Q8)."""
    types = {e.value: t(f"rotation.event_type.{e.value}") for e in EventType}
    flags = {"": "", "possible_grab": t("rotation.flag_kind.possible_grab"),
             "out_of_turn": t("rotation.flag_kind.out_of_turn"), rotation.FLAG_LEFT_DESK: t("rotation.queue.flag_left_desk")}
    table(view.events, [Column("seq", "rotation.col.seq"), Column("at", "rotation.col.at", lambda v: local_time(v, zone)),
                        Column("type", "rotation.col.event", types.get), Column("consultant", "rotation.col.consultant"),
                        Column("next_consultant", "rotation.col.next_consultant"),
                        Column("reason", "rotation.col.reason"), Column("flag", "rotation.col.flag", flags.get),
                        Column("recorded_by", "rotation.col.recorded_by")],
          export_name=f"queue_{view.day.isoformat()}", empty_key="rotation.queue.no_events", key=f"q_ev_{view.day}")
    for notice in view.notices:
        st.warning(t(f"rotation.queue.notice.{notice.kind}", name=plain(notice.consultant), due=plain(notice.due),
                     at=local_time(notice.at, zone), reason=plain(notice.reason)))
    if view.report and view.round_no:
        rounds = range(1, len(view.report[0][1]) + 1)
        st.caption(t("rotation.queue.report_title"))
        st.dataframe([{t("rotation.col.consultant"): name, **{t("rotation.col.round", n=r): groups[r - 1] for r in rounds}}
                      for name, groups in view.report], hide_index=True, width="stretch")


def draw_info(view: BoardView, zone) -> None:
    """「公开公正」: the lottery order, how it was drawn, by whom and when, shown to everyone."""
    if view.draw is None:
        return
    d = view.draw
    st.caption(t("rotation.queue.draw_caption", method=t(f"rotation.draw_method.{d.method}"), by=plain(d.drawn_by),
                 at=local_time(d.drawn_at, zone), day=d.drawn_on.isoformat()))
    st.text(" → ".join(f"{i}. {name}" for i, name in enumerate(d.names, start=1)))  # plain text: "1." stays (T19)
    if d.note:
        st.text(d.note)
    if view.intern:
        st.caption(t("rotation.queue.intern_caption", name=plain(view.intern)))
