"""Warnings ladder and penalty order (SPEC M4 4.5).

Two tracks: the customer-service ladder of seed 004 D3 and the sales written
warning that the manager may hand to 行政部 (seed 000 D1). Each person has at most
one open case per track; a new violation while a case exists is a repeat (再犯).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from lib.domain.errors import DomainError
from lib.domain.ledger import Action


class WarningTrack(StrEnum):
    CS = "cs"
    SALES = "sales"


class WarningStage(StrEnum):
    RECORDED = "recorded"
    EDUCATED = "educated"
    RECTIFIED = "rectified"
    REPORTED_TO_CS_MANAGER = "reported_to_cs_manager"
    PUBLICLY_CRITICISED = "publicly_criticised"
    COMPANY_DISCIPLINE = "company_discipline"
    DISMISSED = "dismissed"
    WRITTEN_WARNING = "written_warning"
    REFERRED_TO_ADMIN = "referred_to_admin"


class WarningEvent(StrEnum):
    EDUCATE = "educate"
    RECTIFY = "rectify"
    REPEAT = "repeat"
    REFUSE = "refuse"
    CRITICISE = "criticise"
    DISMISS = "dismiss"
    REFER_TO_ADMIN = "refer_to_admin"


_S, _E = WarningStage, WarningEvent
_LADDER: dict[tuple[WarningStage, WarningEvent], WarningStage] = {
    (_S.RECORDED, _E.EDUCATE): _S.EDUCATED,
    (_S.RECORDED, _E.REPEAT): _S.REPORTED_TO_CS_MANAGER,
    (_S.EDUCATED, _E.RECTIFY): _S.RECTIFIED,
    (_S.EDUCATED, _E.REPEAT): _S.REPORTED_TO_CS_MANAGER,
    (_S.EDUCATED, _E.REFUSE): _S.REPORTED_TO_CS_MANAGER,
    (_S.RECTIFIED, _E.REPEAT): _S.REPORTED_TO_CS_MANAGER,
    (_S.REPORTED_TO_CS_MANAGER, _E.REPEAT): _S.REPORTED_TO_CS_MANAGER,
    (_S.REPORTED_TO_CS_MANAGER, _E.CRITICISE): _S.PUBLICLY_CRITICISED,
    (_S.PUBLICLY_CRITICISED, _E.RECTIFY): _S.RECTIFIED,
    (_S.PUBLICLY_CRITICISED, _E.REFUSE): _S.COMPANY_DISCIPLINE,
    (_S.PUBLICLY_CRITICISED, _E.REPEAT): _S.COMPANY_DISCIPLINE,
    (_S.COMPANY_DISCIPLINE, _E.REPEAT): _S.COMPANY_DISCIPLINE,
    (_S.COMPANY_DISCIPLINE, _E.DISMISS): _S.DISMISSED,
    (_S.WRITTEN_WARNING, _E.REPEAT): _S.WRITTEN_WARNING,
    (_S.WRITTEN_WARNING, _E.REFER_TO_ADMIN): _S.REFERRED_TO_ADMIN,
    (_S.REFERRED_TO_ADMIN, _E.REPEAT): _S.REFERRED_TO_ADMIN,
}
_START = {WarningTrack.CS: WarningStage.RECORDED, WarningTrack.SALES: WarningStage.WRITTEN_WARNING}


def advance(stage: WarningStage, event: WarningEvent) -> WarningStage:
    """Next stage: RECORDED→EDUCATED→RECTIFIED; repeat or refusal → 客服部经理 → 通报批评 → discipline (seed 004 D3).

    Readings: a repeat after 通报批评 counts as continued refusal; a case already
    with the manager or in company discipline stays there on a further repeat.
    The sales track only goes 书面警告 → 行政部, by hand (seed 000 D1 「直至交行政部安排」).
    """
    nxt = _LADDER.get((stage, event))
    if nxt is None:
        raise DomainError("discipline.bad_event", stage=stage.value, event=event.value)
    return nxt


def record_violation(current: WarningStage | None, track: WarningTrack = WarningTrack.CS) -> WarningStage:
    """Stage after a new violation: a first one opens the case, a later one is a repeat (再犯, seed 004 D3)."""
    if current is None:
        return _START[track]
    return advance(current, WarningEvent.REPEAT)


def cs_manager_list(stages: Mapping[str, WarningStage]) -> list[str]:
    """People reported to the 客服部经理 and pending 通报批评, sorted (seed 004 D3 「名单上报客服部经理」)."""
    return sorted(p for p, s in stages.items() if s is WarningStage.REPORTED_TO_CS_MANAGER)


PENALTY_ORDER: tuple[Action, ...] = (
    Action.VERBAL_WARNING,
    Action.WRITTEN_WARNING,
    Action.MAJOR_DEMERIT,
    Action.DISMISSAL,
)


def penalty_severity(action: Action) -> int:
    """Position in 口头 < 书面 < 记大过 < 开除, 0 = lightest (seed 003 X1#7; seed 001 D12)."""
    if action not in PENALTY_ORDER:
        raise DomainError("discipline.not_a_penalty", action=action.value)
    return PENALTY_ORDER.index(action)


def harsher(a: Action, b: Action) -> Action:
    """The heavier of two penalties (seed 003 X1#7)."""
    return a if penalty_severity(a) >= penalty_severity(b) else b


# --- Cases that wait for a decision (T24) -------------------------------------------------------------------

CASE_ACTIONS: frozenset[Action] = frozenset({Action.PERSUADE_TO_RESIGN, Action.DISMISSAL, Action.DEEMED_RESIGNED})


class CaseStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAIVED = "waived"


def opens_case(action: Action | str | None) -> bool:
    """劝退, 开除 and 视为自动离职 end a job: the flag opens a case for the 总经理 to decide (seed 003 X9#21,
    seed 001 D8, seed 003 X6#51; the manager proposes, the 总经理 decides, seed 004 D14)."""
    return action is not None and Action(action) in CASE_ACTIONS


def decide_case(status: CaseStatus | str, confirm: bool) -> CaseStatus:
    """A pending case is confirmed or waived, once (seed 004 D14); deciding it again is refused."""
    if CaseStatus(status) is not CaseStatus.PENDING:
        raise DomainError("discipline.case_decided", status=CaseStatus(status).value)
    return CaseStatus.CONFIRMED if confirm else CaseStatus.WAIVED
