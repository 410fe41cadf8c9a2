"""Queue board widgets (SPEC M1 1.1): the slot cards, the one-tap buttons and the day's records.

Shared by pages/queue.py (live board) and pages/rotation_draw.py (replay of a past day).
Every tap is one service call; the board shown is what the screen saw (``seen_seq``),
so a tap on a stale screen is refused with who is due now.
"""

from __future__ import annotations

import streamlit as st

from lib.domain.errors import DomainError
from lib.domain.rotation import EventType, SlotState
from lib.services import rotation
from lib.services.base import SUPERVISORS, Actor
from lib.services.rotation import BoardView, SlotRow
from lib.ui import Column, error_text, local_time, t, table

MESSAGE = "q_message"
PER_ROW = 4


def show_message() -> None:
    kind, text = st.session_state.pop(MESSAGE, (None, None))
    if kind == "error":
        st.error(text)
    elif kind:
        st.success(text)


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
        st.caption(t("rotation.queue.demoted_list", names="、".join(view.demoted)))


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


def cards(view: BoardView) -> None:
    """One big card per slot: 1 前台, 2 销售热线, 3 接待台电脑, 4+ 替补 (S2)."""
    for start in range(0, len(view.slots), PER_ROW):
        for col, slot in zip(st.columns(PER_ROW), view.slots[start:start + PER_ROW]):
            with col.container(border=True, key=f"q_card_{slot.number}"):
                st.caption(f"{slot.number} · {t('rotation.position.' + slot.position)}")
                st.markdown(t("rotation.queue.card_due" if slot.is_due else "rotation.queue.card_name", name=slot.name))
                st.caption(_status(slot))


def _tap(engine, user: Actor, slot: SlotRow, kind: str, seen_seq: int, hand_over: bool = True) -> None:
    try:
        rotation.record_event(engine, actor=user, consultant_id=slot.consultant_id, event_type=kind,
                              seen_seq=seen_seq, hand_over=hand_over)
    except DomainError as exc:
        st.session_state[MESSAGE] = ("error", error_text(exc))
        return
    st.session_state[MESSAGE] = ("success", t("rotation.queue.recorded", name=slot.name,
                                              event=t(f"rotation.event_type.{kind}")))


def buttons(engine, user: Actor, view: BoardView, slot: SlotRow, section: str) -> None:
    """Big touch buttons for one consultant; the ones that cannot apply now are greyed out."""
    waiting = slot.state == SlotState.waiting
    spec = [(EventType.received_new, waiting, "primary"), (EventType.served_old, waiting, "secondary"),
            (EventType.skip, slot.is_due, "secondary"), (EventType.step_away, slot.state != SlotState.stepped_away,
                                                         "secondary"),
            (EventType.back, not waiting, "secondary")]
    for col, (kind, enabled, style) in zip(st.columns(len(spec)), spec):
        col.button(t(f"rotation.queue.button.{kind.value}"), key=f"q_{section}_{kind.value}_{slot.consultant_id}",
                   type=style, disabled=not enabled, width="stretch", on_click=_tap,
                   help=t(f"rotation.queue.button_help.{kind.value}"), args=(engine, user, slot, kind.value, view.seq))


def may_record_for_anyone(user: Actor, view: BoardView) -> bool:
    """Supervisors and whoever holds 接待台电脑 record for anyone (seed 000 D1: the PC registers visits)."""
    mine = next((s for s in view.slots if s.consultant_id == user.id), None)
    return user.role in SUPERVISORS or (mine is not None and mine.position == "reception_pc")


def actions(engine, user: Actor, view: BoardView) -> None:
    """Staff tap for themselves; the reception-PC holder and supervisors for the person due and anyone picked
    below the board (``q_target``, kept outside the auto-refresh so its list stays open)."""
    by_id = {s.consultant_id: s for s in view.slots if not s.pinned}
    mine = by_id.get(user.id)
    if mine is not None:
        st.subheader(t("rotation.queue.my_buttons", name=mine.name))
        buttons(engine, user, view, mine, "me")
    if not may_record_for_anyone(user, view):
        if mine is None:
            st.info(t("rotation.queue.not_in_queue"))
        return
    due = by_id.get(view.due_id)
    if due is not None and due.consultant_id != user.id:
        st.subheader(t("rotation.queue.due_buttons", name=due.name))
        buttons(engine, user, view, due, "due")
    chosen = by_id.get(st.session_state.get("q_target"))
    if chosen is not None and chosen.consultant_id not in (user.id, view.due_id):
        st.subheader(t("rotation.queue.other_buttons", name=chosen.name))
        buttons(engine, user, view, chosen, "other")


def pick_someone_else(view: BoardView) -> None:
    names = {s.consultant_id: s.name for s in view.slots if not s.pinned}
    st.selectbox(t("rotation.queue.for_someone_else"), list(names), format_func=names.get, index=None,
                 key="q_target", placeholder=t("rotation.queue.record_for"))


def records(view: BoardView, zone) -> None:
    """The day's taps in order (append-only), the notices for the manager and groups per round (Q5, Q8)."""
    types = {e.value: t(f"rotation.event_type.{e.value}") for e in EventType}
    flags = {"": "", "possible_grab": t("rotation.flag_kind.possible_grab"),
             rotation.FLAG_LEFT_DESK: t("rotation.queue.flag_left_desk")}
    table(view.events, [Column("seq", "rotation.col.seq"), Column("at", "rotation.col.at", lambda v: local_time(v, zone)),
                        Column("type", "rotation.col.event", types.get), Column("consultant", "rotation.col.consultant"),
                        Column("next_consultant", "rotation.col.next_consultant"),
                        Column("reason", "rotation.col.reason"), Column("flag", "rotation.col.flag", flags.get),
                        Column("recorded_by", "rotation.col.recorded_by")],
          export_name=f"queue_{view.day.isoformat()}", empty_key="rotation.queue.no_events", key=f"q_ev_{view.day}")
    for notice in view.notices:
        key = "rotation.queue.notice_grab" if notice.kind == "possible_grab" else "rotation.queue.notice_left_desk"
        st.warning(t(key, name=notice.consultant, due=notice.due, at=local_time(notice.at, zone)))
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
    st.caption(t("rotation.queue.draw_caption", method=t(f"rotation.draw_method.{d.method}"), by=d.drawn_by,
                 at=local_time(d.drawn_at, zone), day=d.drawn_on.isoformat()))
    st.write(" → ".join(f"{i}. {name}" for i, name in enumerate(d.names, start=1)))
    if view.intern:
        st.caption(t("rotation.queue.intern_caption", name=view.intern))
