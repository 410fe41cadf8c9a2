"""Shift handover (交接班, SPEC M1 1.4): a state machine over one handover record.

SCHEDULED → PRECHECK (incoming checked in) → CHECKLIST (previous abnormal log
entries acknowledged) → AWAITING_SIGNATURES → COMPLETED (both signed; outgoing
released). CHECKLIST → REFUSED (五不接) → CHECKLIST. Any open state →
PAUSED_FOR_ISSUE → back where it was. SCHEDULED past shift start with nobody
checked in → NO_RELIEF: the outgoing person stays and the supervisor is alerted.

Every function returns a new ``Handover``; the service persists it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from lib.domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    NotAllowed,
    ValidationFailed,
)
from lib.domain.roster.rules import RosterSettings
from lib.domain.roster.requests import CheckInStatus, check_in_flag
from lib.domain.rotation.rules import PersonId


class HandoverState(StrEnum):
    scheduled = "scheduled"
    precheck = "precheck"
    checklist = "checklist"
    refused = "refused"
    paused_for_issue = "paused_for_issue"
    awaiting_signatures = "awaiting_signatures"
    completed = "completed"
    no_relief = "no_relief"


class ChecklistItem(StrEnum):
    """The six points to cover at handover (seed 004 D12)."""

    equipment = "equipment"  # 设备运行情况
    incidents = "incidents"  # 事故处理情况
    duty_log = "duty_log"  # 值班记录
    tools = "tools"  # 各种器材工具
    instructions = "instructions"  # 公司及秩序维护部、管理处指令
    hygiene = "hygiene"  # 设备卫生、岗位卫生


class FiveHandover(StrEnum):
    """五交: what the outgoing person hands over (seed 004 D12)."""

    problems_experience = "problems_experience"
    tools = "tools"
    safety = "safety"
    records = "records"
    hygiene = "hygiene"


class RefusalReason(StrEnum):
    """五不接 (1)–(4); the fifth case, nobody to take over, is NO_RELIEF (seed 004 D12)."""

    unclear_operation = "unclear_operation"  # 操作情况交代不清
    equipment_abnormal = "equipment_abnormal"  # 设备运转异常、情况交代不清
    tools_incomplete = "tools_incomplete"  # 工具不全
    not_cleaned = "not_cleaned"  # 未搞卫生


_OPEN_STATES = frozenset(
    {
        HandoverState.scheduled,
        HandoverState.precheck,
        HandoverState.checklist,
        HandoverState.refused,
        HandoverState.awaiting_signatures,
        HandoverState.no_relief,
    }
)


@dataclass(frozen=True)
class PreviousEntry:
    """A duty-log entry of the outgoing shift; abnormal ones must be acknowledged."""

    id: int | str
    abnormal: bool


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class OpenItem:
    """An urgent matter or unresolved issue that follows the post until closed (seed 001 D8)."""

    id: int | str
    text: str
    opened_at: dt.datetime
    urgent: bool = False
    closed_at: dt.datetime | None = None


@dataclass(frozen=True)
class Refusal:
    reason: RefusalReason
    note: str
    at: dt.datetime


@dataclass(frozen=True)
class Handover:
    post: str
    out_shift: str
    in_shift: str
    outgoing: PersonId
    incoming: PersonId | None
    shift_start: dt.datetime
    state: HandoverState = HandoverState.scheduled
    requires_fire_record: bool = False
    abnormal_entry_ids: tuple[int | str, ...] = ()
    acknowledged_ids: frozenset[int | str] = frozenset()
    in_arrived_at: dt.datetime | None = None
    arrival: CheckInStatus | None = None
    checklist: dict[ChecklistItem, CheckResult] = field(default_factory=dict)
    five: dict[FiveHandover, CheckResult] = field(default_factory=dict)
    fire_record_filed: bool = False
    open_items: tuple[OpenItem, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    paused_from: HandoverState | None = None
    outgoing_signed_at: dt.datetime | None = None
    incoming_signed_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    supervisor_alert_at: dt.datetime | None = None
    customers_handed_over: str = ""
    prospects: str = ""
    instructions: str = ""

    @property
    def unacknowledged(self) -> tuple[int | str, ...]:
        return tuple(i for i in self.abnormal_entry_ids if i not in self.acknowledged_ids)

    @property
    def outgoing_released(self) -> bool:
        return self.state == HandoverState.completed


def schedule_handover(
    *,
    post: str,
    out_shift: str,
    in_shift: str,
    outgoing: PersonId,
    incoming: PersonId | None,
    shift_start: dt.datetime,
    previous_log: Iterable[PreviousEntry],
    carried_items: Iterable[OpenItem] = (),
    requires_fire_record: bool = False,
) -> Handover:
    """A new handover: the previous log's abnormal entries to acknowledge, open items carried over (seed 004 D2; seed 001 D8, S20)."""
    return Handover(
        post=post,
        out_shift=out_shift,
        in_shift=in_shift,
        outgoing=outgoing,
        incoming=incoming,
        shift_start=shift_start,
        requires_fire_record=requires_fire_record,
        abnormal_entry_ids=tuple(e.id for e in previous_log if e.abnormal),
        open_items=tuple(i for i in carried_items if i.closed_at is None),
    )


def carry_open_items(previous: Handover) -> tuple[OpenItem, ...]:
    """Open items still unclosed go into the next handover (H3, seed 001 D8, S20)."""
    return tuple(i for i in previous.open_items if i.closed_at is None)


def check_in(
    h: Handover, who: PersonId, at: dt.datetime, settings: RosterSettings = RosterSettings()
) -> Handover:
    """The incoming person arrives; arrival later than start − 10 min is flagged (seed 004 D12 「提前10分钟到岗」)."""
    _require_state(h, HandoverState.scheduled, HandoverState.no_relief)
    if h.incoming is not None and who != h.incoming:
        raise NotAllowed("rotation.handover.error.not_incoming")
    return replace(
        h,
        incoming=who,
        in_arrived_at=at,
        arrival=check_in_flag(h.shift_start, at, settings),
        state=HandoverState.precheck,
    )


def check_relief(h: Handover, now: dt.datetime) -> Handover:
    """Nobody checked in by shift start: NO_RELIEF, the outgoing person stays and the supervisor is alerted (S18, seed 004 D12 五不接 (5))."""
    if h.state == HandoverState.scheduled and now >= h.shift_start:
        return replace(h, state=HandoverState.no_relief, supervisor_alert_at=now)
    return h


def acknowledge_abnormal(h: Handover, who: PersonId, entry_ids: Iterable[int | str]) -> Handover:
    """The incoming person acknowledges abnormal entries of the previous log (seed 004 D2 「特别注意异常情况的记录」)."""
    _require_state(h, HandoverState.precheck)
    _require_person(who, h.incoming)
    ids = set(entry_ids)
    unknown = ids - set(h.abnormal_entry_ids)
    if unknown:
        raise DomainError(
            "rotation.handover.error.unknown_entry", ids=", ".join(map(str, sorted(unknown, key=str)))
        )
    return replace(h, acknowledged_ids=h.acknowledged_ids | ids)


def begin_checklist(h: Handover, who: PersonId) -> Handover:
    """PRECHECK → CHECKLIST once every abnormal entry is acknowledged (S16, seed 004 D2)."""
    _require_state(h, HandoverState.precheck)
    _require_person(who, h.incoming)
    _require_acknowledged(h)
    return replace(h, state=HandoverState.checklist)


def record_check(h: Handover, item: ChecklistItem | FiveHandover, ok: bool, note: str = "") -> Handover:
    """Tick one checklist or 五交 item; an item not OK needs a note saying what is wrong (seed 004 D12)."""
    _require_state(h, HandoverState.checklist)
    if not ok and not note.strip():
        raise DomainError("rotation.handover.error.note_required")
    result = CheckResult(ok, note.strip())
    if isinstance(item, ChecklistItem):
        return replace(h, checklist={**h.checklist, item: result})
    return replace(h, five={**h.five, item: result})


def file_fire_record(h: Handover) -> Handover:
    """Mark the shift's 消防监控系统运行情况记录表 as filled in (H4, seed 004 D20)."""
    _require_state(h, HandoverState.precheck, HandoverState.checklist)
    return replace(h, fire_record_filed=True)


def submit_checklist(h: Handover) -> Handover:
    """CHECKLIST → AWAITING_SIGNATURES once all six items and 五交 are covered, and on the fire post the record form (seed 004 D12, D20)."""
    _require_state(h, HandoverState.checklist)
    errors = [
        FieldError(item.value, "rotation.handover.error.item_missing")
        for item in (*ChecklistItem, *FiveHandover)
        if item not in (h.checklist if isinstance(item, ChecklistItem) else h.five)
    ]
    if h.requires_fire_record and not h.fire_record_filed:
        errors.append(FieldError("fire_record", "rotation.handover.error.fire_record_missing"))
    if errors:
        raise ValidationFailed(errors)
    return replace(h, state=HandoverState.awaiting_signatures)


def refuse(h: Handover, who: PersonId, reason: RefusalReason, at: dt.datetime, note: str = "") -> Handover:
    """The incoming person refuses under 五不接; the outgoing person stays on duty (S17, seed 004 D12)."""
    _require_state(h, HandoverState.checklist, HandoverState.awaiting_signatures)
    _require_person(who, h.incoming)
    return replace(
        h,
        state=HandoverState.refused,
        refusals=(*h.refusals, Refusal(reason, note.strip(), at)),
        outgoing_signed_at=None,
        incoming_signed_at=None,
    )


def resume_after_refusal(h: Handover) -> Handover:
    """REFUSED → CHECKLIST once the outgoing person has fixed or explained the cause (seed 004 D12)."""
    _require_state(h, HandoverState.refused)
    return replace(h, state=HandoverState.checklist)


def pause_for_issue(h: Handover, item: OpenItem) -> Handover:
    """An issue arising during handover pauses it; it stays with the outgoing shift and is kept as an open item (seed 004 D12, D17; H2)."""
    _require_state(h, *_OPEN_STATES)
    return replace(
        h, state=HandoverState.paused_for_issue, paused_from=h.state, open_items=(*h.open_items, item)
    )


def resume_after_issue(h: Handover) -> Handover:
    """Back to where the handover paused once the issue is handled 「告一段落」; signatures given before start again (seed 004 D17)."""
    _require_state(h, HandoverState.paused_for_issue)
    back = h.paused_from or HandoverState.checklist
    if back == HandoverState.awaiting_signatures:
        back = HandoverState.checklist
    return replace(h, state=back, paused_from=None, outgoing_signed_at=None, incoming_signed_at=None)


def sign(h: Handover, who: PersonId, at: dt.datetime) -> Handover:
    """Each side signs face to face; with both signatures the handover completes and the outgoing person is released (H1, S16, seed 004 D2)."""
    if who == h.incoming:
        _require_acknowledged(h)
    _require_state(h, HandoverState.awaiting_signatures)
    if who == h.outgoing:
        if h.outgoing_signed_at is not None:
            raise Conflict("rotation.handover.error.already_signed")
        h = replace(h, outgoing_signed_at=at)
    elif who == h.incoming:
        if h.incoming_signed_at is not None:
            raise Conflict("rotation.handover.error.already_signed")
        h = replace(h, incoming_signed_at=at)
    else:
        raise NotAllowed("rotation.handover.error.wrong_person")
    if h.outgoing_signed_at is not None and h.incoming_signed_at is not None:
        h = replace(h, state=HandoverState.completed, completed_at=at)
    return h


def ensure_outgoing_may_leave(h: Handover) -> None:
    """The outgoing person leaves only after both signatures (H1, S16–S18, seed 004 D2, D12)."""
    if h.state == HandoverState.completed:
        return
    if h.state == HandoverState.no_relief:
        raise DomainError("rotation.handover.error.no_relief_stay")
    if h.state == HandoverState.refused:
        raise DomainError("rotation.handover.error.refused_stay")
    if h.outgoing_signed_at or h.incoming_signed_at:
        raise DomainError("rotation.handover.error.needs_both_signatures")
    raise DomainError("rotation.handover.error.not_completed")


def responsible_shift(h: Handover, at: dt.datetime) -> str:
    """Whatever is logged from completion on belongs to the incoming shift, before it to the outgoing (H2, S19, seed 004 D12)."""
    if h.completed_at is not None and at >= h.completed_at:
        return h.in_shift
    return h.out_shift


def add_open_item(h: Handover, item: OpenItem) -> Handover:
    """Record an urgent matter to hand over (seed 001 D8 「哪些事情是要赶紧处理的」)."""
    if h.state == HandoverState.completed:
        raise DomainError("rotation.handover.error.completed")
    return replace(h, open_items=(*h.open_items, item))


def close_open_item(h: Handover, item_id: int | str, at: dt.datetime) -> Handover:
    """Close an open item so it stops carrying over (H3, seed 001 D8)."""
    if not any(i.id == item_id and i.closed_at is None for i in h.open_items):
        raise DomainError("rotation.handover.error.unknown_item", id=item_id)
    return replace(
        h, open_items=tuple(replace(i, closed_at=at) if i.id == item_id else i for i in h.open_items)
    )


def _require_state(h: Handover, *allowed: HandoverState) -> None:
    if h.state not in allowed:
        raise DomainError("rotation.handover.error.bad_state", state=h.state.value)


def _require_person(who: PersonId, expected: PersonId | None) -> None:
    if who != expected:
        raise NotAllowed("rotation.handover.error.wrong_person")


def _require_acknowledged(h: Handover) -> None:
    missing = h.unacknowledged
    if missing:
        raise DomainError("rotation.handover.error.unacknowledged_abnormal", count=len(missing))
