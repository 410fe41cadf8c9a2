"""Handover page widgets (SPEC M1 1.4): one step form per state, the duty log, signed handovers read-only."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.domain.handover import ChecklistItem, FiveHandover, HandoverState, RefusalReason
from lib.services import handover
from lib.services.base import SUPERVISORS, Actor
from lib.ui import (Column, choice_labels, local_time, plain, run_action, show_form_error, submit_callback, t, table)
from lib.services.limits import text_limit

SHIFT_CODES = ("day", "night", "early", "middle", "late", "mid", "evening", "regular", "office")


def _rerun_if(ok: bool) -> None:
    if ok:
        st.rerun()


def schedule_form(engine, user: Actor, post_id: int, people: dict[int, str], today: dt.date, zone) -> None:
    """Open the handover of the coming shift change; the previous log's abnormal entries come with it."""
    shifts = {c: t(f"rotation.shift.{c}") for c in SHIFT_CODES}

    def _save() -> None:
        s = st.session_state
        start = dt.datetime.combine(s.get("hs_day", today), s["hs_time"], tzinfo=zone) if s.get("hs_time") else None
        handover.schedule(engine, actor=user, post_id=post_id, out_shift=s.get("hs_out", ""),
                          in_shift=s.get("hs_in", ""), shift_start=start, incoming_id=s.get("hs_incoming"))

    st.info(t("rotation.handover.none_open"))
    with st.form("handover_schedule"):
        a, b, c = st.columns(3)
        a.selectbox(t("field.handover_out_shift"), list(shifts), format_func=shifts.get, key="hs_out", index=1)
        b.selectbox(t("field.handover_in_shift"), list(shifts), format_func=shifts.get, key="hs_in")
        c.selectbox(t("field.handover_incoming"), list(people), format_func=people.get, index=None, placeholder=t("rotation.choose"), key="hs_incoming")
        a.date_input(t("rotation.handover.start_day"), value=today, key="hs_day")
        b.time_input(t("field.handover_shift_start") + " *", value=None, key="hs_time")
        st.form_submit_button(t("rotation.handover.schedule_submit"), type="primary", on_click=submit_callback(
            _save, success_key="rotation.handover.scheduled", error_slot="hs_error"))
    show_form_error("hs_error")


def summary(view: handover.HandoverView, zone) -> None:
    st.subheader(t("rotation.handover.summary", post=plain(view.post), out_shift=t(f"rotation.shift.{view.out_shift}"),
                   in_shift=t(f"rotation.shift.{view.in_shift}")))
    cols = st.columns(4)
    cols[0].metric(t("rotation.handover.outgoing"), view.outgoing)
    cols[1].metric(t("rotation.handover.incoming"), view.incoming or "—")
    cols[2].metric(t("rotation.handover.state"), t(f"rotation.handover_state.{view.state}"))
    cols[3].metric(t("rotation.handover.shift_start"), local_time(view.shift_start, zone)[-5:])
    if view.record.arrival:
        st.caption(t("rotation.handover.arrival", status=t(f"rotation.check_in_status.{view.record.arrival.value}")))
    if view.leave_block_key:
        st.warning(t(view.leave_block_key))
    else:
        st.success(t("rotation.handover.may_leave"))


def previous_log(view: handover.HandoverView, zone) -> None:
    """The outgoing shift's log, abnormal entries highlighted (seed 004 D2 「特别注意异常情况的记录」)."""
    st.markdown(t("rotation.handover.previous_log"))
    if not view.previous_log:
        st.caption(t("rotation.handover.log_empty"))
    for entry in view.previous_log:
        text = t("rotation.handover.log_line", at=local_time(entry.at, zone), author=plain(entry.author),
                 text=plain(entry.text))
        if entry.abnormal and not entry.acknowledged:
            st.error(text)
        elif entry.abnormal:
            st.warning(t("rotation.handover.acknowledged", line=text))
        else:
            st.write(text)
    for item in view.open_items:
        st.info(t("rotation.handover.open_item", text=plain(item.text), at=item.opened_at.strftime("%m-%d %H:%M")))


def step(engine, user: Actor, view: handover.HandoverView) -> None:
    """The one thing to do next, for the person whose turn it is."""
    state, hid = HandoverState(view.state), view.id
    if state in (HandoverState.scheduled, HandoverState.no_relief):
        if user.id != view.outgoing_id and st.button(t("rotation.handover.check_in"), type="primary", key="h_in"):
            _rerun_if(run_action(lambda: handover.check_in(engine, actor=user, handover_id=hid)))
    elif state == HandoverState.precheck:
        _acknowledge_form(engine, user, view)
    elif state == HandoverState.checklist:
        _checklist_form(engine, user, view)
    elif state == HandoverState.awaiting_signatures:
        signed = {view.outgoing_id: view.record.outgoing_signed_at, view.incoming_id: view.record.incoming_signed_at}
        if user.id in signed and signed[user.id] is None:
            if st.button(t("rotation.handover.sign"), type="primary", key="h_sign"):
                _rerun_if(run_action(lambda: handover.sign(engine, actor=user, handover_id=hid)))
        st.caption(t("rotation.handover.signatures", out="✔" if view.record.outgoing_signed_at else "—",
                     inc="✔" if view.record.incoming_signed_at else "—"))
    elif state in (HandoverState.refused, HandoverState.paused_for_issue):
        for refusal in view.record.refusals[-1:]:
            st.error(t("rotation.handover.refused_because", reason=t(f"rotation.refusal_reason.{refusal.reason.value}"),
                       note=refusal.note or "—"))
        if st.button(t("rotation.handover.resume"), key="h_resume"):
            _rerun_if(run_action(lambda: handover.resume(engine, actor=user, handover_id=hid)))
    if state in (HandoverState.checklist, HandoverState.awaiting_signatures) and user.id == view.incoming_id:
        _refuse_form(engine, user, hid)


def _acknowledge_form(engine, user: Actor, view: handover.HandoverView) -> None:
    abnormal = [e for e in view.previous_log if e.abnormal and e.id in view.record.abnormal_entry_ids]

    def _save() -> None:
        ticked = [e.id for e in abnormal if st.session_state.get(f"ha_{e.id}")]
        handover.acknowledge(engine, actor=user, handover_id=view.id, entry_ids=ticked)

    with st.form("handover_ack"):
        st.caption(t("rotation.handover.ack_help", count=len(abnormal)))
        for entry in abnormal:
            st.checkbox(plain(entry.text), key=f"ha_{entry.id}")
        st.form_submit_button(t("rotation.handover.ack_submit"), type="primary", on_click=submit_callback(
            _save, success_key="rotation.handover.acknowledged_all", error_slot="ha_error"))
    show_form_error("ha_error")


def _checklist_form(engine, user: Actor, view: handover.HandoverView) -> None:
    """Six points and 五交, each OK or with a note; customers, prospects, instructions (seed 004 D12; seed 001 D8)."""
    items = [(i.value, f"rotation.checklist_item.{i.value}") for i in ChecklistItem] + \
            [(f"five_{f.value}", f"rotation.five_handover.{f.value}") for f in FiveHandover]

    def _save() -> None:
        s = st.session_state
        handover.submit_checklist(
            engine, actor=user, handover_id=view.id,
            checks={key: (s.get(f"hc_ok_{key}", True), s.get(f"hc_note_{key}", "")) for key, _ in items},
            customers=s.get("hc_customers", ""),
            prospects=s.get("hc_prospects", ""), instructions=s.get("hc_instructions", ""))

    with st.form("handover_checklist"):
        for key, label in items:
            left, right = st.columns([1, 2])
            left.checkbox(t(label), value=True, key=f"hc_ok_{key}")
            right.text_input(t("rotation.handover.note"), key=f"hc_note_{key}", max_chars=text_limit("handover.check_note"), label_visibility="collapsed",
                             placeholder=t("rotation.handover.note_placeholder"))
        if view.record.requires_fire_record:  # the register decides, not a tick (seed 004 D20; issue 16)
            st.caption(t("rotation.handover.fire_record_in_register"))
        st.text_area(t("rotation.handover.customers"), key="hc_customers", max_chars=text_limit("handover.customers"), height=68)
        st.text_area(t("rotation.handover.prospects"), key="hc_prospects", max_chars=text_limit("handover.prospects"), height=68)
        st.text_area(t("rotation.handover.instructions"), key="hc_instructions", max_chars=text_limit("handover.instructions"), height=68)
        st.form_submit_button(t("rotation.handover.checklist_submit"), type="primary", on_click=submit_callback(
            _save, success_key="rotation.handover.checklist_done", error_slot="hc_error"))
    show_form_error("hc_error")


def _refuse_form(engine, user: Actor, handover_id: int) -> None:
    reasons = choice_labels("rotation.refusal_reason", [r.value for r in RefusalReason])
    with st.expander(t("rotation.handover.refuse_title")):
        with st.form("handover_refuse"):
            st.selectbox(t("field.handover_refusal_reason"), list(reasons), format_func=reasons.get, key="hr_reason")
            st.text_input(t("rotation.handover.note"), key="hr_note", max_chars=text_limit("handover.refusal_note"))
            st.form_submit_button(t("rotation.handover.refuse"), on_click=submit_callback(
                lambda: handover.refuse(engine, actor=user, handover_id=handover_id,
                                        reason=st.session_state["hr_reason"], note=st.session_state.get("hr_note", "")),
                success_key="rotation.handover.refused_saved", error_slot="hr_error"))
        show_form_error("hr_error")


def items_form(engine, user: Actor, view: handover.HandoverView) -> None:
    """Urgent matters carried from handover to handover until closed (S20), and issues that pause it (H2)."""
    with st.form("handover_item"):
        st.text_input(t("field.handover_item_text"), key="hi_text", max_chars=text_limit("handover.item_text"))
        left, right = st.columns(2)
        add = left.form_submit_button(t("rotation.handover.add_item"))
        pause = right.form_submit_button(t("rotation.handover.pause"))
    text = st.session_state.get("hi_text", "")
    if add and run_action(lambda: handover.add_item(engine, actor=user, handover_id=view.id, text=text)):
        st.rerun()
    if pause and run_action(lambda: handover.pause(engine, actor=user, handover_id=view.id, text=text)):
        st.rerun()
    for item in view.open_items:
        if st.button(t("rotation.handover.close_item", text=item.text), key=f"hx_{item.id}"):
            _rerun_if(run_action(lambda i=item.id: handover.close_item(engine, actor=user, handover_id=view.id, item_id=i)))


def duty_log(engine, user: Actor, post_id: int, zone) -> None:
    """The post's duty log: append-only; after a completed handover entries belong to the incoming shift (S19)."""
    with st.form("duty_log_form"):
        st.text_input(t("field.handover_log_text") + " *", key="hl_text", max_chars=text_limit("handover_log.text"))
        st.checkbox(t("rotation.handover.abnormal"), key="hl_abnormal")
        st.form_submit_button(t("rotation.handover.log_submit"), on_click=submit_callback(
            lambda: handover.add_log_entry(engine, actor=user, post_id=post_id, text=st.session_state.get("hl_text", ""),
                                           abnormal=st.session_state.get("hl_abnormal", False)),
            clear=["hl_text", "hl_abnormal"], success_key="rotation.handover.logged", error_slot="hl_error"))
    show_form_error("hl_error")
    yes = {True: t("common.yes"), False: ""}
    table(handover.log(engine, actor=user, post_id=post_id),
          [Column("at", "rotation.col.at", lambda v: local_time(v, zone)), Column("author", "rotation.col.author"),
           Column("text", "field.handover_log_text"), Column("abnormal", "rotation.handover.abnormal", yes.get),
           Column("shift", "rotation.col.shift", lambda v: t(f"rotation.shift.{v}") if v else "")],
          export_name="duty_log", empty_key="rotation.handover.log_empty", key="hl_table")


def signed(engine, user: Actor, view: handover.HandoverView, zone) -> None:
    """A completed handover, read-only; a correction is a new revision with a reason."""
    r = view.record
    label = t("rotation.handover.signed_title", at=local_time(view.shift_start, zone), outgoing=view.outgoing,
              incoming=view.incoming, revision=view.revision)
    with st.expander(label):
        if view.correction_reason:
            st.caption(t("rotation.handover.correction_reason", reason=plain(view.correction_reason)))
        for key, result in [*r.checklist.items(), *r.five.items()]:
            prefix = "rotation.checklist_item" if isinstance(key, ChecklistItem) else "rotation.five_handover"
            st.write(t("rotation.handover.check_line", item=t(f"{prefix}.{key.value}"),
                       ok="✔" if result.ok else "✘", note=plain(result.note)))
        st.write(t("rotation.handover.texts", customers=plain(r.customers_handed_over or "—"),
                   prospects=plain(r.prospects or "—"), instructions=plain(r.instructions or "—")))
        if user.id not in (view.outgoing_id, view.incoming_id) and user.role not in SUPERVISORS:
            return
        p = f"hk{view.id}_"
        with st.form(f"handover_correct_{view.id}"):
            st.text_area(t("rotation.handover.customers"), value=r.customers_handed_over, key=f"{p}c", max_chars=text_limit("handover.customers"), height=68)
            st.text_area(t("rotation.handover.prospects"), value=r.prospects, key=f"{p}p", max_chars=text_limit("handover.prospects"), height=68)
            st.text_area(t("rotation.handover.instructions"), value=r.instructions, key=f"{p}i", max_chars=text_limit("handover.instructions"), height=68)
            st.text_input(t("field.handover_correction_reason") + " *", key=f"{p}r", max_chars=text_limit("handover.correction_reason"))
            st.form_submit_button(t("rotation.handover.correct"), on_click=submit_callback(
                lambda: handover.correct(engine, actor=user, handover_id=view.id, reason=st.session_state.get(f"{p}r", ""),
                                         customers=st.session_state.get(f"{p}c", ""),
                                         prospects=st.session_state.get(f"{p}p", ""),
                                         instructions=st.session_state.get(f"{p}i", "")),
                success_key="rotation.handover.corrected", error_slot=f"{p}error"))
        show_form_error(f"{p}error")
