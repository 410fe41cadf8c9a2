"""Shift handover (SPEC M1 1.4): scenarios S16–S20 and rule H4."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.domain import handover as ho
from lib.domain.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from lib.domain.handover import (
    ChecklistItem,
    FiveHandover,
    HandoverState,
    OpenItem,
    PreviousEntry,
    RefusalReason,
)
from lib.domain.roster.requests import CheckInStatus

START = dt.datetime(2026, 6, 8, 8, 0)
LOG = (PreviousEntry(1, abnormal=True), PreviousEntry(2, abnormal=False), PreviousEntry(3, abnormal=True))


def at(hhmm: str) -> dt.datetime:
    return dt.datetime.combine(START.date(), dt.time.fromisoformat(hhmm))


def scheduled(**kw) -> ho.Handover:
    args = dict(
        post="control_room",
        out_shift="2026-06-07 night",
        in_shift="2026-06-08 day",
        outgoing="OUT",
        incoming="IN",
        shift_start=START,
        previous_log=LOG,
    )
    args.update(kw)
    return ho.schedule_handover(**args)


def all_checked(h: ho.Handover) -> ho.Handover:
    for item in (*ChecklistItem, *FiveHandover):
        h = ho.record_check(h, item, ok=True)
    return h


def ready_to_sign(h: ho.Handover | None = None) -> ho.Handover:
    h = ho.check_in(h or scheduled(), "IN", at("07:45"))
    h = ho.acknowledge_abnormal(h, "IN", [1, 3])
    h = ho.begin_checklist(h, "IN")
    return ho.submit_checklist(all_checked(h))


def test_S16_incoming_must_acknowledge_abnormal_entries_before_signing():
    h = ho.check_in(scheduled(), "IN", at("07:45"))
    assert h.abnormal_entry_ids == (1, 3)
    with pytest.raises(DomainError) as err:
        ho.begin_checklist(h, "IN")
    assert (err.value.key, err.value.params) == (
        "rotation.handover.error.unacknowledged_abnormal",
        {"count": 2},
    )
    with pytest.raises(DomainError) as err:
        ho.sign(h, "IN", at("07:50"))
    assert err.value.key == "rotation.handover.error.unacknowledged_abnormal"
    h = ho.acknowledge_abnormal(h, "IN", [1])
    with pytest.raises(DomainError) as err:
        ho.begin_checklist(h, "IN")
    assert err.value.params == {"count": 1}
    h = ho.acknowledge_abnormal(h, "IN", [3])
    assert ho.begin_checklist(h, "IN").state == HandoverState.checklist


def test_S16_outgoing_cannot_leave_with_only_one_signature():
    h = ho.sign(ready_to_sign(), "OUT", at("07:58"))
    assert h.state == HandoverState.awaiting_signatures
    with pytest.raises(DomainError) as err:
        ho.ensure_outgoing_may_leave(h)
    assert err.value.key == "rotation.handover.error.needs_both_signatures"
    h = ho.sign(h, "IN", at("08:02"))
    assert (h.state, h.completed_at, h.outgoing_released) == (HandoverState.completed, at("08:02"), True)
    ho.ensure_outgoing_may_leave(h)


def test_S17_refusal_for_incomplete_tools_keeps_outgoing_on_duty():
    h = ho.check_in(scheduled(), "IN", at("07:45"))
    h = ho.begin_checklist(ho.acknowledge_abnormal(h, "IN", [1, 3]), "IN")
    h = ho.record_check(h, ChecklistItem.tools, ok=False, note="对讲机少一台")
    h = ho.refuse(h, "IN", RefusalReason.tools_incomplete, at("07:55"), note="工具不全")
    assert h.state == HandoverState.refused
    assert [(r.reason, r.note) for r in h.refusals] == [(RefusalReason.tools_incomplete, "工具不全")]
    with pytest.raises(DomainError) as err:
        ho.ensure_outgoing_may_leave(h)
    assert err.value.key == "rotation.handover.error.refused_stay"
    with pytest.raises(DomainError):
        ho.sign(h, "OUT", at("07:56"))
    assert ho.resume_after_refusal(h).state == HandoverState.checklist


def test_S18_nobody_checked_in_by_shift_start_blocks_release_and_alerts_supervisor():
    h = scheduled()
    assert ho.check_relief(h, at("07:59")) == h
    h = ho.check_relief(h, at("08:00"))
    assert (h.state, h.supervisor_alert_at) == (HandoverState.no_relief, at("08:00"))
    with pytest.raises(DomainError) as err:
        ho.ensure_outgoing_may_leave(h)
    assert err.value.key == "rotation.handover.error.no_relief_stay"
    late = ho.check_in(h, "IN", at("08:20"))
    assert (late.state, late.arrival, late.supervisor_alert_at) == (
        HandoverState.precheck,
        CheckInStatus.late,
        at("08:00"),
    )


def test_S19_fault_logged_after_completion_belongs_to_incoming_shift():
    h = ho.sign(ho.sign(ready_to_sign(), "OUT", at("08:01")), "IN", at("08:02"))
    assert ho.responsible_shift(h, at("08:10")) == "2026-06-08 day"
    assert ho.responsible_shift(h, at("08:01")) == "2026-06-07 night"
    assert ho.responsible_shift(scheduled(), at("08:10")) == "2026-06-07 night"


def test_S20_open_urgent_item_carries_into_next_handover():
    h = ho.add_open_item(scheduled(), OpenItem("u1", "3号楼报修未上门", at("06:00"), urgent=True))
    h = ho.add_open_item(h, OpenItem("u2", "钥匙已归还", at("06:30")))
    h = ho.close_open_item(h, "u2", at("07:00"))
    carried = ho.carry_open_items(h)
    assert [(i.id, i.urgent) for i in carried] == [("u1", True)]
    nxt = scheduled(out_shift="2026-06-08 day", in_shift="2026-06-08 night", carried_items=carried)
    assert [i.id for i in nxt.open_items] == ["u1"]
    nxt = ho.close_open_item(nxt, "u1", at("12:00"))
    assert ho.carry_open_items(nxt) == ()
    with pytest.raises(DomainError):
        ho.close_open_item(nxt, "u1", at("12:01"))


def test_H4_fire_post_requires_the_monitoring_record():
    h = ho.check_in(scheduled(post="fire_room", requires_fire_record=True), "IN", at("07:45"))
    h = all_checked(ho.begin_checklist(ho.acknowledge_abnormal(h, "IN", [1, 3]), "IN"))
    with pytest.raises(ValidationFailed) as err:
        ho.submit_checklist(h)
    assert err.value.keys() == {"fire_record": "rotation.handover.error.fire_record_missing"}
    assert ho.submit_checklist(ho.file_fire_record(h)).state == HandoverState.awaiting_signatures


def test_checklist_needs_every_item_and_a_note_when_not_ok():
    h = ho.check_in(scheduled(previous_log=()), "IN", at("07:45"))
    h = ho.begin_checklist(h, "IN")
    with pytest.raises(DomainError) as err:
        ho.record_check(h, ChecklistItem.equipment, ok=False)
    assert err.value.key == "rotation.handover.error.note_required"
    h = ho.record_check(h, ChecklistItem.equipment, ok=False, note="2号泵异响，已报工程部")
    with pytest.raises(ValidationFailed) as err:
        ho.submit_checklist(h)
    assert set(err.value.keys()) == {i.value for i in ChecklistItem if i != ChecklistItem.equipment} | {
        f.value for f in FiveHandover
    }


def test_check_in_flags_short_notice_and_names_the_incoming():
    h = ho.check_in(scheduled(), "IN", at("07:55"))
    assert h.arrival == CheckInStatus.short_notice
    with pytest.raises(NotAllowed):
        ho.check_in(scheduled(), "SOMEONE", at("07:40"))
    open_slot = ho.check_in(scheduled(incoming=None), "ANY", at("07:40"))
    assert (open_slot.incoming, open_slot.arrival) == ("ANY", CheckInStatus.ok)


def test_pausing_for_an_issue_keeps_it_with_the_outgoing_shift_and_restarts_signatures():
    h = ho.sign(ready_to_sign(), "OUT", at("07:58"))
    issue = OpenItem("i1", "交接时发现报警主机故障", at("07:59"))
    paused = ho.pause_for_issue(h, issue)
    assert (paused.state, paused.paused_from) == (
        HandoverState.paused_for_issue,
        HandoverState.awaiting_signatures,
    )
    assert ho.responsible_shift(paused, issue.opened_at) == "2026-06-07 night"
    resumed = ho.resume_after_issue(paused)
    assert (resumed.state, resumed.outgoing_signed_at) == (HandoverState.checklist, None)
    assert [i.id for i in ho.carry_open_items(resumed)] == ["i1"]


def test_signatures_come_from_the_two_parties_once():
    h = ready_to_sign()
    with pytest.raises(NotAllowed):
        ho.sign(h, "STRANGER", at("07:58"))
    h = ho.sign(h, "OUT", at("07:58"))
    with pytest.raises(Conflict):
        ho.sign(h, "OUT", at("07:59"))


def test_steps_out_of_order_are_refused():
    with pytest.raises(DomainError) as err:
        ho.submit_checklist(scheduled())
    assert err.value.key == "rotation.handover.error.bad_state"
    with pytest.raises(DomainError) as err:
        ho.ensure_outgoing_may_leave(scheduled())
    assert err.value.key == "rotation.handover.error.not_completed"
    with pytest.raises(DomainError) as err:
        ho.acknowledge_abnormal(ho.check_in(scheduled(), "IN", at("07:40")), "IN", [2])
    assert err.value.key == "rotation.handover.error.unknown_entry"
