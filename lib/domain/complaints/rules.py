"""Complaint and service-request rules (SPEC M3): routing, severity, escalation and the state machines.

``TRANSITIONS`` is the one table of both machines; each row names the roles and,
where a seed asks for it, the title (a setting) allowed to take it.
``apply_transition`` checks the row, the actor and the action's own guards, and
returns the ticket in its new state. This module is the public face of M3: it
re-exports the data types (``complaint_model.py``) and intake, routing, severity
and repeats (``complaint_intake.py``). Deadlines are in ``sla.py``, the follow-up
call in ``surveys.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lib.domain.complaints.model import (
    DEFAULT_SETTINGS,
    INITIAL_STATE,
    Action,
    Category,
    Cause,
    Channel,
    ComplaintSettings,
    EscalationReason,
    Flow,
    Group,
    Handler,
    Misconduct,
    RepeatKind,
    ServiceKind,
    Severity,
    State,
    Ticket,
    TicketType,
    flow_of,
)
from lib.domain.complaints.intake import (
    IntakeDraft,
    RepeatFlag,
    Route,
    detect_repeat,
    new_ticket,
    route,
    severity,
    severity_handler,
    validate_intake,
)
from lib.domain.errors import DomainError, FieldError, NotAllowed, ValidationFailed
from lib.domain.settings import TITLE_MAX, SettingDef, short_text, whole_list
from lib.domain.complaints.surveys import Attitude, FollowUpSurvey, FollowUpTask, follow_up_for, is_answered, validate_survey

__all__ = [
    "DEFAULT_SETTINGS", "INITIAL_STATE", "SETTINGS", "TRANSITIONS", "Action", "Actor", "Category", "Cause",
    "Channel", "ComplaintSettings", "EscalationReason", "Flow", "Group", "Handler", "IntakeDraft", "Misconduct",
    "MisconductProposal", "Outcome", "Payload", "RepeatFlag", "RepeatKind", "Route", "ServiceKind", "Severity",
    "State", "Ticket", "TicketType", "Transition", "allowed_transitions", "apply_transition", "detect_repeat",
    "escalation_target", "flow_of", "misconduct_proposal", "new_ticket", "quote_required", "repair_charge",
    "route", "severity", "severity_handler", "survey_reopens", "title_text", "validate_intake",
]

SETTINGS: list[SettingDef] = [
    SettingDef("sla.service_reply", 24, "int", "h", "seed 001 D6; seed 002 #2", minimum=1, maximum=720),
    SettingDef("sla.forward_to_dept", 1, "int", "h", "seed 001 D23 (reading 16)", minimum=1, maximum=720),
    SettingDef("sla.dept_first_contact", 24, "int", "h", "seed 001 D23", minimum=1, maximum=720),
    SettingDef("sla.supervisor_decidable", 1, "int", "h", "seed 001 D23", minimum=1, maximum=720),
    SettingDef("sla.resident_complaint", 0, "int", "days", "seed 003 X3#22", minimum=0, maximum=365),
    SettingDef("sla.packaging_opinion", 2, "int", "working days", "seed 003 X1#57", minimum=1,
               maximum=60),
    SettingDef("sla.followup_record", 24, "int", "h", "seed 001 D23", minimum=1, maximum=720),
    SettingDef("repeat.complaint_window", 30, "int", "days", "(assumed)", minimum=1, maximum=3660),
    SettingDef("survey.score_range", [1, 10], "json", "points", "seed 000 D2",
               validate=whole_list("settings.schema.score_range", low=0, high=100, length=2, ascending=True)),
    SettingDef("sla.amber_fraction", 0.25, "float", "share of the allowed time", "(assumed)", minimum=0, maximum=1),
    SettingDef("repair.dispatcher_titles", ["部门经理", "客服部经理"], "titles", "titles",
               "seed 000 D8 部门经理派工 (客服部经理 is the demo office's department manager, T13)"),
    SettingDef("route.packaging_owner_title", "仓储物流主任", "str", "title", "seed 003 X1#57",
               validate=short_text("settings.schema.title", TITLE_MAX)),
    SettingDef("escalation.difficult_customer_titles", ["班长"], "titles", "titles", "seed 001 D22"),
    SettingDef("escalation.unresolvable_titles", ["主任"], "titles", "titles", "seed 003 X3#22"),
    SettingDef("escalation.uncooperative_department_titles", ["总经理"], "titles", "titles",
               "seed 001 D23 (reading)"),
    SettingDef("tickets.received_backdate_minutes", 120, "int", "min", "(assumed) T25", minimum=0,
               maximum=10080),
]


def escalation_target(reason: EscalationReason, settings: ComplaintSettings = DEFAULT_SETTINGS) -> tuple[str, ...]:
    """The titles that take an escalated ticket, any of them (seed 001 D22; seed 003 X3#22; seed 001 D23).

    Difficult customer → 班长; unresolvable → 主任, who decides; uncooperative
    department → leadership (reading: 「上级领导」 defaults to 总经理, a setting).
    """
    return tuple({
        EscalationReason.difficult_customer: settings.difficult_customer_titles,
        EscalationReason.unresolvable: settings.unresolvable_titles,
        EscalationReason.uncooperative_department: settings.uncooperative_department_titles,
    }[reason])


def title_text(titles: tuple[str, ...] | list[str] | str) -> str:
    """「部门经理、客服部经理」: a title rule as people read it."""
    return titles if isinstance(titles, str) else "、".join(titles)


def quote_required(in_warranty: bool | None, quality_fault: bool | None) -> bool:
    """Only a known in-warranty quality fault is free; anything else, unanswered too, is quoted before work
    (seed 001 D6)."""
    return not (in_warranty is True and quality_fault is True)


def repair_charge(in_warranty: bool | None, quality_fault: bool | None, quote_amount: Decimal | None) -> Decimal | None:
    """What the customer pays: 0 for an in-warranty quality fault, else the quote (seed 001 D6)."""
    if not quote_required(in_warranty, quality_fault):
        return Decimal(0)
    return quote_amount


@dataclass(frozen=True)
class MisconductProposal:
    """A 记大过 proposal for the staff member a verified complaint names (seed 001 D12)."""

    staff: str
    misconduct: Misconduct
    ticket_id: int | None


def misconduct_proposal(ticket: Ticket) -> MisconductProposal | None:
    """A verified complaint about arguing or soliciting proposes 记大过 for that staff member (seed 001 D12)."""
    if ticket.type is TicketType.complaint and ticket.verified and ticket.misconduct and ticket.against_staff:
        return MisconductProposal(staff=ticket.against_staff, misconduct=ticket.misconduct, ticket_id=ticket.id)
    return None


STAFF = "staff"
SUPERVISOR = "supervisor"
_WORKERS = frozenset({STAFF, SUPERVISOR})
_SUPERVISORS = frozenset({SUPERVISOR})
_DISPATCHER = "repair.dispatcher_titles"


@dataclass(frozen=True)
class Transition:
    """One row: in ``flow``, ``action`` moves ``source`` to ``target`` for these roles (and title)."""

    flow: Flow
    source: State
    action: Action
    target: State
    roles: frozenset[str] = _WORKERS
    title_setting: str | None = None


_C, _R = Flow.complaint, Flow.repair
_REPLY_STATES = {
    _C: (State.received, State.triaged, State.forwarded, State.in_progress, State.escalated),
    _R: (State.registered, State.awaiting_dispatch, State.dispatched, State.out_of_town_ok),
}

TRANSITIONS: tuple[Transition, ...] = (
    Transition(_C, State.received, Action.triage, State.triaged),
    Transition(_C, State.triaged, Action.forward, State.forwarded),
    Transition(_C, State.triaged, Action.resolve, State.resolved),
    Transition(_C, State.forwarded, Action.start_work, State.in_progress),
    Transition(_C, State.forwarded, Action.escalate, State.escalated),
    Transition(_C, State.in_progress, Action.escalate, State.escalated),
    Transition(_C, State.in_progress, Action.resolve, State.resolved),
    Transition(_C, State.escalated, Action.resolve, State.resolved, _SUPERVISORS),
    Transition(_C, State.resolved, Action.inform, State.customer_informed),
    Transition(_C, State.customer_informed, Action.close, State.closed),
    Transition(_C, State.customer_informed, Action.reopen, State.in_progress),
    Transition(_R, State.registered, Action.send_to_dispatch, State.awaiting_dispatch),
    Transition(_R, State.registered, Action.dispatch, State.dispatched, _SUPERVISORS, _DISPATCHER),
    Transition(_R, State.awaiting_dispatch, Action.dispatch, State.dispatched, _SUPERVISORS, _DISPATCHER),
    Transition(_R, State.dispatched, Action.approve_out_of_town, State.out_of_town_ok, _SUPERVISORS, _DISPATCHER),
    Transition(_R, State.dispatched, Action.arrive, State.on_site),
    Transition(_R, State.out_of_town_ok, Action.arrive, State.on_site),
    Transition(_R, State.on_site, Action.complete, State.completed),
    Transition(_R, State.completed, Action.report, State.reported),
    Transition(_R, State.reported, Action.start_follow_up, State.follow_up),
    Transition(_R, State.follow_up, Action.book_callback, State.callback),
    Transition(_R, State.callback, Action.start_follow_up, State.follow_up),
    Transition(_R, State.follow_up, Action.close, State.closed),
    Transition(_R, State.follow_up, Action.reopen, State.dispatched),
) + tuple(Transition(flow, state, Action.reply, state) for flow, states in _REPLY_STATES.items() for state in states)


@dataclass(frozen=True)
class Actor:
    """Who acts: user id (or 工号), app role and titles (SPEC M0 Roles)."""

    user_id: str
    role: str
    titles: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class Payload:
    """What the user entered with the action; each action reads only its own fields."""

    category: Category | None = None
    cause: Cause | None = None
    compensation_involved: bool | None = None
    beyond_specialist: bool = False
    forwarded_to: str = ""
    reason: EscalationReason | None = None
    customer_satisfied: bool | None = None
    root_cause: str = ""
    containment: str = ""
    permanent_fix: str = ""
    technician: str = ""
    quote_amount: Decimal | None = None
    service_report_no: str = ""
    service_content: str = ""
    survey: FollowUpSurvey | None = None
    callback_at: dt.datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """The ticket after the action, the row taken, an optional notice and a follow-up to create."""

    ticket: Ticket
    transition: Transition
    notice_key: str | None = None
    follow_up: FollowUpTask | None = None

    @property
    def state(self) -> State:
        return self.ticket.state


def _rows(ticket: Ticket, action: Action | None = None) -> list[Transition]:
    return [
        t for t in TRANSITIONS
        if t.flow is ticket.flow and t.source is ticket.state and (action is None or t.action is action)
    ]


def _may(row: Transition, role: str, titles: frozenset[str], settings: ComplaintSettings) -> bool:
    """The row's role, and any one of the titles its setting lists (T13: a title rule is a list)."""
    if role not in row.roles:
        return False
    return row.title_setting is None or bool(set(settings.value(row.title_setting)) & set(titles))


def allowed_transitions(
    ticket: Ticket, user_role: str, user_titles: frozenset[str], settings: ComplaintSettings = DEFAULT_SETTINGS
) -> list[Transition]:
    """The rows this user may take from the ticket's state, for the page's buttons (SPEC M3; S41 dispatch).

    Action guards (out-of-town approval, report, survey, satisfaction) are checked
    on apply, so the page can explain a refusal instead of hiding the button.
    """
    return [row for row in _rows(ticket) if _may(row, user_role, frozenset(user_titles), settings)]


def _require(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


def apply_transition(
    ticket: Ticket,
    action: Action,
    actor: Actor,
    now: dt.datetime,
    payload: Payload | None = None,
    settings: ComplaintSettings = DEFAULT_SETTINGS,
) -> Outcome:
    """Take ``action`` on ``ticket``, or raise a ``DomainError`` naming what to fix (SPEC M3, T1–T6, T10).

    Refusals: no such row → ``complaints.error.invalid_transition``; wrong role or
    title → ``NotAllowed`` (only the dispatcher title dispatches, S41); out-of-town
    arrival without approval (S42); closing a repair without the 售后服务报告单 or
    the survey (S37). A complaint whose customer is not satisfied does not close:
    it goes back to IN_PROGRESS with a notice (「直至客户满意」, S38).
    """
    payload = payload or Payload()
    rows = _rows(ticket, action)
    if not rows:
        raise DomainError("complaints.error.invalid_transition", action=action.value, state=ticket.state.value)
    row = rows[0]
    if actor.role not in row.roles:
        raise NotAllowed("complaints.error.role_not_allowed", action=action.value)
    if not _may(row, actor.role, actor.titles, settings):
        raise NotAllowed("complaints.error.title_required", title=title_text(settings.value(row.title_setting)))
    handler = _EFFECTS.get(action)
    effect = handler(ticket, actor, now, payload, settings) if handler else _Effect({})
    taken = effect.row or row
    moved = dataclasses.replace(ticket, state=taken.target, **effect.changes)
    return Outcome(ticket=moved, transition=taken, notice_key=effect.notice_key, follow_up=effect.follow_up)


@dataclass(frozen=True)
class _Effect:
    """Field changes of one action; ``row`` overrides the row taken (unsatisfied close → reopen)."""

    changes: dict
    row: Transition | None = None
    notice_key: str | None = None
    follow_up: FollowUpTask | None = None


def _reply(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """The first answer to the customer stops the 24 h reply timer (seed 001 D6)."""
    return _Effect({"replied_at": ticket.replied_at or now})


def _triage(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """Route by category and set the severity (seed 004 D19; seed 001 D4)."""
    category = p.category or ticket.category
    _require([] if category else [FieldError("category", "complaints.error.category_required")])
    routed = route(category, s)
    compensation = ticket.compensation_involved if p.compensation_involved is None else p.compensation_involved
    return _Effect({
        "category": category,
        "cause": p.cause or ticket.cause,
        "group": routed.group,
        "owner_title": routed.owner_title,
        "compensation_involved": compensation,
        "severity": severity(compensation, p.beyond_specialist),
        "first_responsible": ticket.first_responsible or actor.user_id,
    })


def _forward(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """The 客户反馈表 goes to the responsible department (seed 004 D6; seed 001 D23)."""
    _require([] if p.forwarded_to.strip() else [FieldError("forwarded_to", "complaints.error.forwarded_to_required")])
    return _Effect({"forwarded_at": now, "forwarded_to": p.forwarded_to.strip()})


def _start_work(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """The department's first contact with the customer stops its 24 h timer (seed 001 D23)."""
    return _Effect({"dept_first_contact_at": ticket.dept_first_contact_at or now})


def _escalate(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """Escalate with a T3 reason; "cannot solve" also makes the complaint major (seed 001 D4)."""
    _require([] if p.reason else [FieldError("reason", "complaints.error.reason_required")])
    level = Severity.major if p.reason is EscalationReason.unresolvable else ticket.severity
    owner = title_text(escalation_target(p.reason, s))
    return _Effect({"escalation_reason": p.reason, "owner_title": owner, "severity": level})


def _resolve(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """Only a supervisor resolves a major complaint (seed 001 D4); 8D fields are kept (seed 003 X4#53)."""
    if ticket.severity is Severity.major and actor.role != SUPERVISOR:
        raise NotAllowed("complaints.error.major_needs_supervisor")
    return _Effect({
        "resolved_at": now,
        "root_cause": p.root_cause.strip() or ticket.root_cause,
        "containment": p.containment.strip() or ticket.containment,
        "permanent_fix": p.permanent_fix.strip() or ticket.permanent_fix,
    })


def _inform(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """Telling the customer the outcome records whether they are satisfied (seed 003 X1#60)."""
    if p.customer_satisfied is None:
        _require([FieldError("customer_satisfied", "complaints.error.satisfaction_required")])
    return _Effect({"informed_at": now, "replied_at": ticket.replied_at or now, "customer_satisfied": p.customer_satisfied})


def _close_complaint(ticket: Ticket, now: dt.datetime) -> _Effect:
    """A complaint closes only when the customer is satisfied, else it goes back to work (seed 004 D6)."""
    if ticket.type is not TicketType.complaint:
        return _Effect({"closed_at": now})
    if ticket.customer_satisfied is None:
        raise DomainError("complaints.error.satisfaction_unknown")
    if not ticket.customer_satisfied:
        back = _rows(ticket, Action.reopen)[0]
        return _Effect(
            {"resolved_at": None, "informed_at": None},
            row=back,
            notice_key="complaints.notice.unsatisfied_reopened",
        )
    return _Effect({"closed_at": now})


def survey_reopens(survey: FollowUpSurvey) -> bool:
    """「问题解决了吗?」 否, or 不满意, sends the repair back to work; no office reads 否 as "close it" (T5, seed 000 D2).

    Reading: 满意/一般/不满意 is the only satisfaction question of the script, so 不满意 is "unsatisfied";
    一般 is not.
    """
    return survey.resolved is False or survey.attitude is Attitude.dissatisfied


def _close_repair(ticket: Ticket, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """A repair closes with its 售后服务报告单 and an answered survey that says solved and not unsatisfied
    (seed 001 D6; seed 002 #2; seed 000 D2). Not solved or unsatisfied: back to the technician it was
    dispatched to, with the answer kept, and a later survey decides again (T5)."""
    if not ticket.service_report_no.strip():
        raise DomainError("complaints.error.report_required")
    survey = p.survey or ticket.survey
    if not is_answered(survey):
        raise DomainError("complaints.error.survey_required")
    validate_survey(survey, now, s.score_range)
    if survey_reopens(survey):
        back = _rows(ticket, Action.reopen)[0]
        return _Effect({"survey": survey, "arrived_at": None, "completed_at": None, "callback_at": None},
                       row=back, notice_key="complaints.notice.not_solved_reopened")
    return _Effect({"closed_at": now, "survey": survey})


def _close(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """Closing rules differ by machine (SPEC T4)."""
    if ticket.flow is Flow.repair:
        return _close_repair(ticket, now, p, s)
    return _close_complaint(ticket, now)


def _reopen(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """Back to work until the customer is satisfied (「直至客户满意」, seed 004 D6).

    A repair goes back only through the follow-up call that says it is not solved (T5, seed 000 D2).
    """
    if ticket.flow is Flow.repair:
        survey = p.survey or ticket.survey
        if survey is None or not is_answered(survey) or not survey_reopens(survey):
            raise DomainError("complaints.error.reopen_needs_survey")
        return _close_repair(ticket, now, Payload(survey=survey), s)
    return _Effect({"resolved_at": None, "informed_at": None})


def _dispatch(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """The department manager names the technician (seed 000 D8 C15)."""
    _require([] if p.technician.strip() else [FieldError("technician", "complaints.error.technician_required")])
    return _Effect({"technician": p.technician.strip(), "dispatched_at": now})


def _approve_out_of_town(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """The 异地服务申请单 is approved by the department manager (seed 000 D8 C20)."""
    if not ticket.out_of_town:
        raise DomainError("complaints.error.not_out_of_town")
    return _Effect({"out_of_town_approved_at": now})


def _arrive(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """No out-of-town trip before approval (seed 000 D8 C20); no paid work before a quote (seed 001 D6)."""
    if ticket.out_of_town and ticket.out_of_town_approved_at is None:
        raise DomainError("complaints.error.out_of_town_not_approved")
    quote = p.quote_amount if p.quote_amount is not None else ticket.quote_amount
    if quote is None and quote_required(ticket.in_warranty, ticket.quality_fault):
        _require([FieldError("quote_amount", "complaints.error.quote_required")])
    return _Effect({"arrived_at": now, "replied_at": ticket.replied_at or now, "quote_amount": quote})


def _complete(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """已返单: the repair is done and a follow-up call is created (seed 000 D2 C4)."""
    return _Effect({"completed_at": now}, follow_up=follow_up_for(ticket.id, now))


def _report(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """The technician files the 售后服务报告单 and the service content (seed 001 D6; seed 000 D8 C17)."""
    number = p.service_report_no.strip() or ticket.service_report_no
    _require([] if number else [FieldError("service_report_no", "complaints.error.report_required")])
    return _Effect({"service_report_no": number, "service_content": p.service_content.strip() or ticket.service_content})


def _book_callback(ticket: Ticket, actor: Actor, now: dt.datetime, p: Payload, s: ComplaintSettings) -> _Effect:
    """"Not convenient" books a callback time, which must be in the future (seed 000 D2 C5)."""
    at = p.callback_at or (p.survey.callback_at if p.survey else None)
    if at is None:
        _require([FieldError("callback_at", "complaints.survey.error.callback_required")])
    if at <= now:
        _require([FieldError("callback_at", "complaints.survey.error.callback_in_past")])
    return _Effect({"callback_at": at})


_EFFECTS = {
    Action.reply: _reply,
    Action.triage: _triage,
    Action.forward: _forward,
    Action.start_work: _start_work,
    Action.escalate: _escalate,
    Action.resolve: _resolve,
    Action.inform: _inform,
    Action.close: _close,
    Action.reopen: _reopen,
    Action.dispatch: _dispatch,
    Action.approve_out_of_town: _approve_out_of_town,
    Action.arrive: _arrive,
    Action.complete: _complete,
    Action.report: _report,
    Action.book_callback: _book_callback,
}
