"""Swaps, absences, the request cut-off and check-in (SPEC M1 1.3).

Staff never edit the roster themselves: a swap changes it only once the 主管
approves, and an absence from a post that must stay staffed names its cover.
Queue events (skip, step away) are not roster changes (SPEC reading 7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from lib.domain.errors import Conflict, DomainError
from lib.domain.roster.rules import RosterEntry, RosterSettings
from lib.domain.rotation.rules import PersonId


class CheckInStatus(StrEnum):
    ok = "ok"
    short_notice = "short_notice"
    late = "late"


class SwapStatus(StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"


class AbsencePolicy(StrEnum):
    """Which absence rule a post follows."""

    front_desk = "front_desk"  # seed 000 D9
    control_room = "control_room"  # seed 004 D2, D16
    cs_duty_room = "cs_duty_room"  # seed 004 D8
    other = "other"


class AbsenceReason(StrEnum):
    official = "official"  # 公务
    private = "private"  # 私事
    urgent = "urgent"  # 紧急


class AbsenceStatus(StrEnum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"


@dataclass(frozen=True)
class ShiftRef:
    day: dt.date
    shift: str


@dataclass(frozen=True)
class SwapRequest:
    requester: PersonId
    counterpart: PersonId
    requester_shift: ShiftRef
    counterpart_shift: ShiftRef
    status: SwapStatus = SwapStatus.requested
    reason: str = ""


@dataclass(frozen=True)
class PostAbsence:
    """Leaving a post for a while; ``decision_key`` explains an automatic rejection."""

    staff: PersonId
    policy: AbsencePolicy
    start: dt.datetime
    end: dt.datetime
    reason: AbsenceReason
    cover: PersonId | None = None
    status: AbsenceStatus = AbsenceStatus.submitted
    decision_key: str = ""


def request_cutoff(target_week_start: dt.date, settings: RosterSettings = RosterSettings()) -> dt.datetime:
    """Requests for a week close at the end of the cut-off weekday of the week before (seed 003 X7#28, reading: end of Friday)."""
    monday = target_week_start - dt.timedelta(days=target_week_start.weekday())
    cutoff_day = monday - dt.timedelta(days=7 - settings.change_cutoff_weekday)
    return dt.datetime.combine(cutoff_day + dt.timedelta(days=1), dt.time())


def request_window_open(
    now: dt.datetime,
    target_week_start: dt.date,
    settings: RosterSettings = RosterSettings(),
    supervisor_override: bool = False,
) -> bool:
    """True until the Friday cut-off for that week, or when a supervisor overrides (S15, seed 003 X7#28)."""
    return supervisor_override or now < request_cutoff(target_week_start, settings)


def ensure_request_window(
    now: dt.datetime,
    target_week_start: dt.date,
    settings: RosterSettings = RosterSettings(),
    supervisor_override: bool = False,
) -> None:
    """Refuse a request filed after the cut-off unless a supervisor overrides (S15, seed 003 X7#28)."""
    if not request_window_open(now, target_week_start, settings, supervisor_override):
        raise DomainError(
            "rotation.roster.error.request_window_closed",
            cutoff=request_cutoff(target_week_start, settings).strftime("%Y-%m-%d %H:%M"),
        )


def check_in_flag(
    shift_start: dt.datetime, checked_in_at: dt.datetime, settings: RosterSettings = RosterSettings()
) -> CheckInStatus:
    """Flag a check-in later than shift start − 10 min (S12, seed 000 D2 「提前10分钟到岗」, seed 004 D12)."""
    if checked_in_at > shift_start:
        return CheckInStatus.late
    if checked_in_at > shift_start - dt.timedelta(minutes=settings.early_arrival_min):
        return CheckInStatus.short_notice
    return CheckInStatus.ok


def request_swap(
    entries: Sequence[RosterEntry],
    requester: PersonId,
    counterpart: PersonId,
    requester_shift: ShiftRef,
    counterpart_shift: ShiftRef,
    reason: str = "",
) -> SwapRequest:
    """A swap request between two people who each hold the named shift (seed 000 D2, seed 004 D3 「严禁私自调班」)."""
    if requester == counterpart:
        raise DomainError("rotation.swap.error.same_person")
    _find(entries, requester, requester_shift)
    _find(entries, counterpart, counterpart_shift)
    return SwapRequest(requester, counterpart, requester_shift, counterpart_shift, reason=reason)


def decide_swap(swap: SwapRequest, approve: bool) -> SwapRequest:
    """The 主管 approves or rejects a pending swap once (seed 000 D2 「必须经主管批准」, seed 003 X8#11)."""
    if swap.status != SwapStatus.requested:
        raise Conflict("rotation.swap.error.already_decided", status=swap.status.value)
    return replace(swap, status=SwapStatus.approved if approve else SwapStatus.rejected)


def apply_swap(entries: Sequence[RosterEntry], swap: SwapRequest) -> tuple[RosterEntry, ...]:
    """An approved swap exchanges the two shifts; a pending or rejected one changes nothing (S10, seed 000 D2)."""
    if swap.status != SwapStatus.approved:
        return tuple(entries)
    mine = _find(entries, swap.requester, swap.requester_shift)
    theirs = _find(entries, swap.counterpart, swap.counterpart_shift)
    swapped = {mine: replace(mine, staff=swap.counterpart), theirs: replace(theirs, staff=swap.requester)}
    return tuple(swapped.get(e, e) for e in entries)


def submit_absence(
    absence: PostAbsence,
    on_duty_now: Collection[PersonId],
    settings: RosterSettings = RosterSettings(),
) -> PostAbsence:
    """File an absence: front-desk 私事 is rejected at once (seed 000 D9); the control room names an on-duty substitute first (seed 004 D2, D16)."""
    if absence.end <= absence.start:
        raise DomainError("rotation.absence.error.bad_period")
    if absence.cover is not None and absence.cover == absence.staff:
        raise DomainError("rotation.absence.error.cover_is_self")
    if (
        absence.policy == AbsencePolicy.front_desk
        and absence.reason == AbsenceReason.private
        and not settings.frontdesk_private_leave
    ):
        return replace(
            absence, status=AbsenceStatus.rejected, decision_key="rotation.absence.private_not_allowed"
        )
    if absence.policy == AbsencePolicy.control_room and (
        absence.cover is None or absence.cover not in on_duty_now
    ):
        raise DomainError("rotation.absence.error.substitute_first")
    return replace(absence, status=AbsenceStatus.submitted)


def approve_absence(absence: PostAbsence) -> PostAbsence:
    """Approve a pending absence; on the front desk only with a cover (S11, seed 000 D9 「如无法安排…不得外出」).

    Who may approve is the service's check: the 综合部主管 on the front desk,
    the 值班经理 in the CS duty room (seed 004 D8), the 主管 elsewhere.
    """
    if absence.status != AbsenceStatus.submitted:
        raise Conflict("rotation.absence.error.already_decided", status=absence.status.value)
    if absence.policy == AbsencePolicy.front_desk and absence.cover is None:
        raise DomainError("rotation.absence.error.needs_cover")
    return replace(absence, status=AbsenceStatus.approved)


def reject_absence(absence: PostAbsence) -> PostAbsence:
    """Reject a pending absence (SPEC M1 1.3)."""
    if absence.status != AbsenceStatus.submitted:
        raise Conflict("rotation.absence.error.already_decided", status=absence.status.value)
    return replace(absence, status=AbsenceStatus.rejected)


def _find(entries: Sequence[RosterEntry], staff: PersonId, ref: ShiftRef) -> RosterEntry:
    for entry in entries:
        if entry.staff == staff and entry.day == ref.day and entry.shift == ref.shift:
            return entry
    raise DomainError("rotation.swap.error.entry_missing", day=ref.day.isoformat(), shift=ref.shift)
