"""M3 complaint and repair rules: intake, routing, severity, the state machines, repeats (SPEC M3)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lib.domain.complaints.model as model
from lib import i18n
from lib.domain.complaints import rules as c
from lib.domain.complaints.rules import IntakeDraft, RepeatFlag, detect_repeat, new_ticket, validate_intake
from lib.domain.errors import DomainError, NotAllowed, ValidationFailed
from lib.domain.complaints.surveys import Attitude, FollowUpSurvey

NOW = dt.datetime(2026, 3, 2, 9, 0)
STAFF = c.Actor("017", "staff")
SUPERVISOR = c.Actor("s1", "supervisor")
MANAGER = c.Actor("m1", "supervisor", frozenset({"部门经理"}))
GOOD_SURVEY = FollowUpSurvey(convenient=True, resolved=True, attitude=Attitude.satisfied, charged=False, score=9)


def repair_draft(**changes) -> IntakeDraft:
    base = IntakeDraft(
        type=c.TicketType.repair,
        agent_no="017",
        problem="暖气不热",
        address="幸福小区3号楼2单元501",
        customer_name="王芳",
        phone="138 0000 1234",
        problem_confirmed=True,
        address_confirmed=True,
        name_confirmed=True,
        phone_confirmed=True,
    )
    return dataclasses.replace(base, **changes)


def ticket(type_=c.TicketType.complaint, state=None, **fields) -> c.Ticket:
    flow = c.flow_of(type_)
    return c.Ticket(
        type=type_,
        state=state or c.INITIAL_STATE[flow],
        received_at=NOW,
        agent_no="017",
        id=fields.pop("id", 1),
        **fields,
    )


# --- intake (S35) ---------------------------------------------------------


def test_S35_repair_with_phone_readback_unticked_is_refused():
    with pytest.raises(ValidationFailed) as err:
        validate_intake(repair_draft(phone_confirmed=False))
    assert err.value.keys() == {"phone_confirmed": "complaints.error.phone_confirmed_missing"}


def test_S35_saved_repair_stores_agent_number_017():
    saved = new_ticket(repair_draft(agent_no=" 017 "), NOW)
    assert saved.agent_no == "017"
    assert saved.first_responsible == "017"
    assert saved.state is c.State.registered
    assert saved.received_at == NOW


def test_S35_every_missing_field_and_tick_is_listed():
    draft = IntakeDraft(type=c.TicketType.repair, agent_no="", problem="漏水", problem_confirmed=False)
    with pytest.raises(ValidationFailed) as err:
        validate_intake(draft)
    assert err.value.keys() == {
        "agent_no": "complaints.error.agent_no_required",
        "address": "complaints.error.address_required",
        "customer_name": "complaints.error.customer_name_required",
        "phone": "complaints.error.phone_required",
        "problem_confirmed": "complaints.error.problem_confirmed_missing",
    }


def test_S35_all_four_readbacks_needed_for_a_repair_only():
    draft = repair_draft(problem_confirmed=False, address_confirmed=False, name_confirmed=False)
    with pytest.raises(ValidationFailed) as err:
        validate_intake(draft)
    assert set(err.value.keys()) == {"problem_confirmed", "address_confirmed", "name_confirmed"}
    request = dataclasses.replace(draft, type=c.TicketType.service_request)
    assert new_ticket(request, NOW).state is c.State.registered


def test_intake_complaint_needs_a_contact_and_a_valid_phone():
    draft = IntakeDraft(type=c.TicketType.complaint, agent_no="017", problem="送货员态度差")
    with pytest.raises(ValidationFailed) as err:
        validate_intake(draft)
    assert err.value.keys() == {"phone": "complaints.error.contact_required"}
    with pytest.raises(ValidationFailed) as err:
        validate_intake(dataclasses.replace(draft, phone="abc12"))
    assert err.value.keys() == {"phone": "complaints.error.phone_invalid"}
    anonymous_inquiry = IntakeDraft(type=c.TicketType.inquiry, agent_no="017", problem="营业时间？")
    assert new_ticket(anonymous_inquiry, NOW).state is c.State.received


def test_intake_routes_a_known_category_at_once():
    draft = IntakeDraft(
        type=c.TicketType.complaint, agent_no="017", problem="订单纠纷", phone="13800001234",
        category=c.Category.trade_dispute, compensation_involved=True,
    )
    saved = new_ticket(draft, NOW)
    assert (saved.group, saved.severity) == (c.Group.complaint_group, c.Severity.major)


# --- routing and severity (S39, S40, S46, T3) --------------------------------


def test_S39_routes_dispute_topup_and_inquiry_to_three_groups():
    assert c.route(c.Category.trade_dispute).group is c.Group.complaint_group
    assert c.route(c.Category.top_up).group is c.Group.order_group
    assert c.route(c.Category.inquiry).group is c.Group.cs_group
    assert c.route(c.Category.order).group is c.Group.order_group
    assert c.route(c.Category.supplier).group is c.Group.order_group


def test_S46_packaging_goes_to_warehouse_logistics_head():
    assert c.route(c.Category.packaging) == c.Route(group=None, owner_title="仓储物流主任")


def test_S40_compensation_makes_a_major_complaint_for_a_supervisor():
    assert c.severity(compensation_involved=True, beyond_specialist=False) is c.Severity.major
    assert c.severity_handler(c.Severity.major) is c.Handler.supervisor
    assert c.severity(compensation_involved=False, beyond_specialist=True) is c.Severity.major
    assert c.severity(compensation_involved=False, beyond_specialist=False) is c.Severity.general
    assert c.severity_handler(c.Severity.general) is c.Handler.cs_specialist


def test_S40_triage_sets_severity_and_only_a_supervisor_resolves_major():
    payload = c.Payload(category=c.Category.trade_dispute, compensation_involved=True)
    triaged = c.apply_transition(ticket(), c.Action.triage, STAFF, NOW, payload).ticket
    assert (triaged.severity, triaged.group) == (c.Severity.major, c.Group.complaint_group)
    with pytest.raises(NotAllowed) as err:
        c.apply_transition(triaged, c.Action.resolve, STAFF, NOW)
    assert err.value.key == "complaints.error.major_needs_supervisor"
    assert c.apply_transition(triaged, c.Action.resolve, SUPERVISOR, NOW).state is c.State.resolved
    general = c.apply_transition(ticket(), c.Action.triage, STAFF, NOW, c.Payload(category=c.Category.order)).ticket
    assert c.apply_transition(general, c.Action.resolve, STAFF, NOW).state is c.State.resolved


def test_T3_escalation_targets_and_unresolvable_becomes_major():
    assert c.escalation_target(c.EscalationReason.difficult_customer) == ("班长",)
    assert c.escalation_target(c.EscalationReason.unresolvable) == ("主任",)
    working = ticket(state=c.State.in_progress)
    with pytest.raises(ValidationFailed) as err:
        c.apply_transition(working, c.Action.escalate, STAFF, NOW)
    assert err.value.keys() == {"reason": "complaints.error.reason_required"}
    out = c.apply_transition(working, c.Action.escalate, STAFF, NOW, c.Payload(reason=c.EscalationReason.unresolvable))
    assert (out.state, out.ticket.owner_title, out.ticket.severity) == (c.State.escalated, "主任", c.Severity.major)
    with pytest.raises(NotAllowed):
        c.apply_transition(out.ticket, c.Action.resolve, STAFF, NOW)


# --- complaint machine (S38) -------------------------------------------------


def test_S38_unsatisfied_complaint_cannot_close_and_returns_to_in_progress():
    informed = ticket(state=c.State.customer_informed, customer_satisfied=False, resolved_at=NOW)
    out = c.apply_transition(informed, c.Action.close, STAFF, NOW)
    assert out.state is c.State.in_progress
    assert out.ticket.closed_at is None
    assert out.notice_key == "complaints.notice.unsatisfied_reopened"
    assert out.transition.action is c.Action.reopen


def test_S38_satisfied_complaint_closes_and_unknown_satisfaction_is_refused():
    satisfied = ticket(state=c.State.customer_informed, customer_satisfied=True)
    out = c.apply_transition(satisfied, c.Action.close, STAFF, NOW)
    assert (out.state, out.ticket.closed_at) == (c.State.closed, NOW)
    with pytest.raises(DomainError) as err:
        c.apply_transition(ticket(state=c.State.customer_informed), c.Action.close, STAFF, NOW)
    assert err.value.key == "complaints.error.satisfaction_unknown"


def test_complaint_full_path_stamps_the_sla_fields():
    t = ticket()
    steps = [
        (c.Action.triage, c.Payload(category=c.Category.after_sales)),
        (c.Action.forward, c.Payload(forwarded_to="工程部")),
        (c.Action.start_work, None),
        (c.Action.resolve, c.Payload(root_cause="阀门老化", containment="临时更换", permanent_fix="批量检修")),
        (c.Action.inform, c.Payload(customer_satisfied=True)),
        (c.Action.close, None),
    ]
    for hour, (action, payload) in enumerate(steps):
        t = c.apply_transition(t, action, STAFF, NOW + dt.timedelta(hours=hour), payload).ticket
    assert t.state is c.State.closed
    assert t.forwarded_at == NOW + dt.timedelta(hours=1)
    assert t.forwarded_to == "工程部"
    assert t.dept_first_contact_at == NOW + dt.timedelta(hours=2)
    assert t.replied_at == NOW + dt.timedelta(hours=4)
    assert (t.root_cause, t.permanent_fix) == ("阀门老化", "批量检修")


def test_forward_and_inform_need_their_entries():
    with pytest.raises(ValidationFailed) as err:
        c.apply_transition(ticket(state=c.State.triaged), c.Action.forward, STAFF, NOW)
    assert err.value.keys() == {"forwarded_to": "complaints.error.forwarded_to_required"}
    with pytest.raises(ValidationFailed) as err:
        c.apply_transition(ticket(state=c.State.resolved), c.Action.inform, STAFF, NOW)
    assert err.value.keys() == {"customer_satisfied": "complaints.error.satisfaction_required"}


def test_invalid_action_and_display_role_are_refused():
    with pytest.raises(DomainError) as err:
        c.apply_transition(ticket(), c.Action.close, STAFF, NOW)
    assert err.value.key == "complaints.error.invalid_transition"
    with pytest.raises(NotAllowed) as err:
        c.apply_transition(ticket(), c.Action.triage, c.Actor("wall", "display"), NOW, c.Payload(category=c.Category.order))
    assert err.value.key == "complaints.error.role_not_allowed"


def test_inquiry_closes_without_a_satisfaction_answer():
    inquiry = ticket(c.TicketType.inquiry, state=c.State.customer_informed)
    assert c.apply_transition(inquiry, c.Action.close, STAFF, NOW).state is c.State.closed


# --- repair machine (S37, S41, S42, S43) -------------------------------------


def test_S41_only_the_department_manager_dispatches():
    waiting = ticket(c.TicketType.repair, state=c.State.awaiting_dispatch)
    with pytest.raises(NotAllowed) as err:
        c.apply_transition(waiting, c.Action.dispatch, STAFF, NOW, c.Payload(technician="李师傅"))
    assert err.value.key == "complaints.error.role_not_allowed"
    with pytest.raises(NotAllowed) as err:
        c.apply_transition(waiting, c.Action.dispatch, SUPERVISOR, NOW, c.Payload(technician="李师傅"))
    assert (err.value.key, err.value.params) == ("complaints.error.title_required", {"title": "部门经理、客服部经理"})
    out = c.apply_transition(waiting, c.Action.dispatch, MANAGER, NOW, c.Payload(technician="李师傅"))
    assert (out.state, out.ticket.technician, out.ticket.dispatched_at) == (c.State.dispatched, "李师傅", NOW)


def test_S41_allowed_transitions_offer_dispatch_to_the_manager_only():
    waiting = ticket(c.TicketType.repair, state=c.State.awaiting_dispatch)
    assert {t.action for t in c.allowed_transitions(waiting, "supervisor", frozenset({"部门经理"}))} == {
        c.Action.dispatch, c.Action.reply,
    }
    assert {t.action for t in c.allowed_transitions(waiting, "supervisor", frozenset())} == {c.Action.reply}
    assert c.allowed_transitions(waiting, "display", frozenset({"部门经理"})) == []


def test_S42_out_of_town_on_site_blocked_until_application_approved():
    away = ticket(c.TicketType.repair, state=c.State.dispatched, out_of_town=True)
    with pytest.raises(DomainError) as err:
        c.apply_transition(away, c.Action.arrive, STAFF, NOW)
    assert err.value.key == "complaints.error.out_of_town_not_approved"
    with pytest.raises(NotAllowed):
        c.apply_transition(away, c.Action.approve_out_of_town, STAFF, NOW)
    approved = c.apply_transition(away, c.Action.approve_out_of_town, MANAGER, NOW).ticket
    assert (approved.state, approved.out_of_town_approved_at) == (c.State.out_of_town_ok, NOW)
    assert c.apply_transition(approved, c.Action.arrive, STAFF, NOW).state is c.State.on_site
    local = ticket(c.TicketType.repair, state=c.State.dispatched)
    assert c.apply_transition(local, c.Action.arrive, STAFF, NOW).state is c.State.on_site
    with pytest.raises(DomainError) as err:
        c.apply_transition(local, c.Action.approve_out_of_town, MANAGER, NOW)
    assert err.value.key == "complaints.error.not_out_of_town"


def test_S43_completing_a_repair_creates_a_follow_up():
    on_site = ticket(c.TicketType.repair, state=c.State.on_site, id=42)
    out = c.apply_transition(on_site, c.Action.complete, STAFF, NOW)
    assert out.state is c.State.completed
    assert (out.follow_up.ticket_id, out.follow_up.created_at) == (42, NOW)


def test_S43_not_convenient_books_a_callback_in_the_future():
    calling = ticket(c.TicketType.repair, state=c.State.follow_up)
    with pytest.raises(ValidationFailed) as err:
        c.apply_transition(calling, c.Action.book_callback, STAFF, NOW, c.Payload(survey=FollowUpSurvey(convenient=False)))
    assert err.value.keys() == {"callback_at": "complaints.survey.error.callback_required"}
    later = NOW + dt.timedelta(hours=3)
    busy = FollowUpSurvey(convenient=False, callback_at=later)
    out = c.apply_transition(calling, c.Action.book_callback, STAFF, NOW, c.Payload(survey=busy))
    assert (out.state, out.ticket.callback_at) == (c.State.callback, later)
    assert c.apply_transition(out.ticket, c.Action.start_follow_up, STAFF, later).state is c.State.follow_up


def test_S37_closing_a_repair_needs_the_service_report_and_the_survey():
    calling = ticket(c.TicketType.repair, state=c.State.follow_up)
    with pytest.raises(DomainError) as err:
        c.apply_transition(calling, c.Action.close, STAFF, NOW, c.Payload(survey=GOOD_SURVEY))
    assert err.value.key == "complaints.error.report_required"
    reported = dataclasses.replace(calling, service_report_no="SH-2026-001")
    with pytest.raises(DomainError) as err:
        c.apply_transition(reported, c.Action.close, STAFF, NOW)
    assert err.value.key == "complaints.error.survey_required"
    with pytest.raises(DomainError) as err:
        c.apply_transition(reported, c.Action.close, STAFF, NOW, c.Payload(survey=FollowUpSurvey(convenient=True)))
    assert err.value.key == "complaints.error.survey_required"
    out = c.apply_transition(reported, c.Action.close, STAFF, NOW, c.Payload(survey=GOOD_SURVEY))
    assert (out.state, out.ticket.survey) == (c.State.closed, GOOD_SURVEY)


def test_S37_service_request_uses_the_same_closing_rule():
    request = ticket(c.TicketType.service_request, state=c.State.follow_up, service_report_no="SH-9")
    with pytest.raises(DomainError) as err:
        c.apply_transition(request, c.Action.close, STAFF, NOW)
    assert err.value.key == "complaints.error.survey_required"


def test_report_step_needs_the_report_number():
    done = ticket(c.TicketType.repair, state=c.State.completed)
    with pytest.raises(ValidationFailed) as err:
        c.apply_transition(done, c.Action.report, STAFF, NOW)
    assert err.value.keys() == {"service_report_no": "complaints.error.report_required"}
    out = c.apply_transition(done, c.Action.report, STAFF, NOW, c.Payload(service_report_no="SH-1", service_content="换阀门"))
    assert (out.state, out.ticket.service_report_no) == (c.State.reported, "SH-1")


def test_T7_out_of_warranty_needs_a_quote_before_work():
    dispatched = ticket(c.TicketType.repair, state=c.State.dispatched, in_warranty=False)
    with pytest.raises(ValidationFailed) as err:
        c.apply_transition(dispatched, c.Action.arrive, STAFF, NOW)
    assert err.value.keys() == {"quote_amount": "complaints.error.quote_required"}
    out = c.apply_transition(dispatched, c.Action.arrive, STAFF, NOW, c.Payload(quote_amount=Decimal("180")))
    assert out.ticket.quote_amount == Decimal("180")
    assert c.repair_charge(True, True, None) == Decimal(0)
    assert c.repair_charge(False, True, Decimal("180")) == Decimal("180")
    assert c.repair_charge(True, False, Decimal("50")) == Decimal("50")


def test_T9_verified_arguing_complaint_proposes_major_demerit():
    verified = ticket(verified=True, misconduct=c.Misconduct.argument, against_staff="张三", id=7)
    assert c.misconduct_proposal(verified) == c.MisconductProposal("张三", c.Misconduct.argument, 7)
    assert c.misconduct_proposal(dataclasses.replace(verified, verified=False)) is None


# --- repeats (S45, T8) ------------------------------------------------------


def repair_history(state=c.State.closed, fault="暖气不热", days_ago=60):
    return c.Ticket(
        type=c.TicketType.repair, state=state, received_at=NOW - dt.timedelta(days=days_ago), agent_no="017",
        id=5, customer_id=9, product_model="GR-200", fault=fault,
    )


def test_S45_same_customer_product_fault_after_closed_ticket_is_repeat_repair():
    new = ticket(c.TicketType.repair, id=6, customer_id=9, product_model="gr-200 ", fault="暖气 不热")
    assert detect_repeat(new, [repair_history()]) == RepeatFlag(c.RepeatKind.repeat_repair, 5)
    assert detect_repeat(new, [repair_history(state=c.State.on_site)]) is None
    assert detect_repeat(new, [repair_history(fault="漏水")]) is None


def test_S45_new_ticket_carries_the_repeat_flag():
    draft = repair_draft(customer_id=9, product_model="GR-200", fault="暖气不热")
    saved = new_ticket(draft, NOW, history=[repair_history()], ticket_id=6)
    assert (saved.repeat_kind, saved.repeat_of) == (c.RepeatKind.repeat_repair, 5)


def test_T8_same_customer_category_within_30_days_is_repeat_complaint():
    def complaint(days_ago, id_):
        return c.Ticket(
            type=c.TicketType.complaint, state=c.State.closed, received_at=NOW - dt.timedelta(days=days_ago),
            agent_no="017", id=id_, phone="13800001234", category=c.Category.order,
        )

    new = ticket(id=9, phone="138 0000 1234", category=c.Category.order)
    assert detect_repeat(new, [complaint(30, 3)]) == RepeatFlag(c.RepeatKind.repeat_complaint, 3)
    assert detect_repeat(new, [complaint(31, 3)]) is None
    wider = c.ComplaintSettings.from_values({"repeat.complaint_window": 45})
    assert detect_repeat(new, [complaint(31, 3)], wider) == RepeatFlag(c.RepeatKind.repeat_complaint, 3)


# --- settings and catalogs --------------------------------------------------

SPEC_KEYS = {
    "sla.service_reply", "sla.forward_to_dept", "sla.dept_first_contact", "sla.supervisor_decidable",
    "sla.resident_complaint", "sla.packaging_opinion", "sla.followup_record", "repeat.complaint_window",
    "survey.score_range",
}


def test_settings_cover_the_spec_table_and_match_the_defaults():
    keys = {d.key for d in c.SETTINGS}
    assert SPEC_KEYS <= keys
    assert len(keys) == len(c.SETTINGS)
    for definition in c.SETTINGS:
        default = c.DEFAULT_SETTINGS.value(definition.key)
        assert (list(default) if isinstance(default, tuple) else default) == definition.default, definition.key
        assert definition.source
    custom = c.ComplaintSettings.from_values({"survey.score_range": [0, 5], "sla.service_reply": 12})
    assert (custom.score_range, custom.service_reply_h) == ((0, 5), 12)


DOMAIN_FILES = ["rules.py", "model.py", "intake.py", "sla.py", "surveys.py"]


def _enums():
    import lib.domain.complaints.sla as sla
    import lib.domain.complaints.surveys as surveys

    found = {}
    for module, prefix in ((model, "complaints"), (sla, "complaints.sla"), (surveys, "complaints.survey")):
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, StrEnum) and value.__module__ == module.__name__:
                found[value] = prefix
    return found


def test_catalog_has_every_label_key_and_setting_in_both_languages():
    snake = {"TicketType": "ticket_type", "EscalationReason": "escalation_reason", "ServiceKind": "service_kind",
             "RepeatKind": "repeat_kind", "DeadlineKind": "kind"}
    needed = {f"setting.{d.key}" for d in c.SETTINGS}
    for enum, prefix in _enums().items():
        group = snake.get(enum.__name__, enum.__name__.lower())
        needed |= {f"{prefix}.{group}.{member.value}" for member in enum}
    root = Path(c.__file__).parent
    for name in DOMAIN_FILES:
        needed |= set(re.findall(r"\"(complaints\.(?:error|notice|survey\.error)\.[a-z_]+)", (root / name).read_text()))
    needed |= {f"complaints.error.{f}_confirmed_missing" for f in ("problem", "address", "name", "phone")}
    needed |= {f"complaints.error.{f}_required" for f in ("problem", "address", "customer_name")}
    needed |= {f"complaints.survey.error.{f}_required" for f in ("resolved", "attitude", "charged")}
    for lang in i18n.LANGS:
        missing = needed - set(i18n.catalog(lang))
        assert not missing, (lang, sorted(missing))


def test_domain_files_do_not_read_the_clock_or_import_ui_or_db():
    root = Path(c.__file__).parent
    for name in DOMAIN_FILES:
        text = (root / name).read_text()
        for banned in ("import streamlit", "sqlmodel", "sqlalchemy", ".now(", "date.today(", "time.time("):
            assert banned not in text, (name, banned)


# --- properties -------------------------------------------------------------

ACTORS = [STAFF, SUPERVISOR, MANAGER] + [
    c.Actor("x", role, titles) for role in ("staff", "supervisor", "admin", "display")
    for titles in (frozenset(), frozenset({"部门经理"}))
]
BAD_SURVEY = FollowUpSurvey(convenient=True, resolved=False, attitude=Attitude.dissatisfied, charged=True, score=11)
BUSY_SURVEY = FollowUpSurvey(convenient=False, callback_at=NOW + dt.timedelta(days=30))
PAYLOADS = {
    c.Action.triage: [c.Payload(category=c.Category.trade_dispute, compensation_involved=True),
                      c.Payload(category=c.Category.packaging)],
    c.Action.forward: [c.Payload(forwarded_to="工程部")],
    c.Action.escalate: [c.Payload(reason=c.EscalationReason.difficult_customer),
                        c.Payload(reason=c.EscalationReason.unresolvable)],
    c.Action.inform: [c.Payload(customer_satisfied=True), c.Payload(customer_satisfied=False)],
    c.Action.dispatch: [c.Payload(technician="李师傅")],
    c.Action.arrive: [c.Payload(quote_amount=Decimal("100"))],
    c.Action.report: [c.Payload(service_report_no="SH-1")],
    c.Action.book_callback: [c.Payload(survey=BUSY_SURVEY)],
    c.Action.close: [c.Payload(survey=GOOD_SURVEY), c.Payload(survey=BAD_SURVEY), c.Payload(survey=BUSY_SURVEY)],
}
ANY_PAYLOAD = [None, *(p for ps in PAYLOADS.values() for p in ps)]
# Each attempt is four choices: arbitrary-or-offered action, which action, which actor, which payload.
ATTEMPTS = st.lists(st.tuples(*[st.integers(0, 999)] * 4), min_size=10, max_size=60)


def _reachable(flow: c.Flow) -> set[c.State]:
    seen, todo = set(), [c.INITIAL_STATE[flow]]
    while todo:
        state = todo.pop()
        if state not in seen:
            seen.add(state)
            todo += [t.target for t in c.TRANSITIONS if t.flow is flow and t.source is state]
    return seen


def _walk(start: c.Ticket, attempts):
    """Try each attempt, mostly an action the table offers in the current state, sometimes any action."""
    t = start
    for minute, (mode, which, who, what) in enumerate(attempts):
        offered = [row.action for row in c.TRANSITIONS if row.flow is t.flow and row.source is t.state]
        actions = list(c.Action) if not offered or mode % 5 == 4 else offered
        action = actions[which % len(actions)]
        payloads = ANY_PAYLOAD if mode % 4 == 3 else PAYLOADS.get(action, [None])
        before = t
        try:
            out = c.apply_transition(
                t, action, ACTORS[who % len(ACTORS)], NOW + dt.timedelta(minutes=minute), payloads[what % len(payloads)]
            )
        except DomainError:
            continue
        t = out.ticket
        assert out.transition in c.TRANSITIONS
        assert out.transition.source is before.state and out.transition.target is t.state
        yield t


TYPES_AND_FLAGS = (st.sampled_from(list(c.TicketType)), st.booleans(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(*TYPES_AND_FLAGS, ATTEMPTS)
def test_property_any_action_sequence_stays_in_table_reachable_states(type_, out_of_town, in_warranty, attempts):
    start = ticket(type_, out_of_town=out_of_town, in_warranty=in_warranty)
    reachable = _reachable(start.flow)
    for t in _walk(start, attempts):
        assert t.state in reachable


@settings(max_examples=200, deadline=None)
@given(*TYPES_AND_FLAGS, st.integers(0, 99), ATTEMPTS)
def test_property_no_closed_complaint_has_an_unsatisfied_survey(type_, out_of_town, in_warranty, pick, attempts):
    """Starts anywhere short of CLOSED so that closing is tried often."""
    open_states = sorted(_reachable(c.flow_of(type_)) - {c.State.closed})
    start = ticket(type_, open_states[pick % len(open_states)], out_of_town=out_of_town, in_warranty=in_warranty)
    for t in _walk(start, attempts):
        if t.state is c.State.closed and t.type is c.TicketType.complaint:
            assert t.customer_satisfied is True
        if t.state is c.State.closed and t.flow is c.Flow.repair:
            assert t.service_report_no and t.survey == GOOD_SURVEY


# --- issue 10 ---------------------------------------------------------------

REPORTED = dict(service_report_no="SH-7", technician="李师傅", completed_at=NOW, arrived_at=NOW)


@pytest.mark.parametrize("answer", [
    dict(resolved=False, attitude=Attitude.satisfied),
    dict(resolved=True, attitude=Attitude.dissatisfied),
])
def test_T5_not_solved_or_unsatisfied_survey_reopens_the_repair_to_its_technician(answer):
    calling = ticket(c.TicketType.repair, state=c.State.follow_up, **REPORTED)
    survey = FollowUpSurvey(convenient=True, charged=False, score=3, **answer)
    out = c.apply_transition(calling, c.Action.close, STAFF, NOW, c.Payload(survey=survey))
    assert (out.state, out.transition.action, out.notice_key) == (
        c.State.dispatched, c.Action.reopen, "complaints.notice.not_solved_reopened")
    assert (out.ticket.closed_at, out.ticket.survey, out.ticket.technician) == (None, survey, "李师傅")
    assert out.ticket.completed_at is None


def test_T5_closing_stays_refused_until_a_later_survey_says_solved():
    calling = ticket(c.TicketType.repair, state=c.State.follow_up, **REPORTED)
    unsolved = FollowUpSurvey(convenient=True, resolved=False, attitude=Attitude.average, charged=False, score=5)
    back = c.apply_transition(calling, c.Action.close, STAFF, NOW, c.Payload(survey=unsolved)).ticket
    # the old answer alone never closes it
    again = dataclasses.replace(back, state=c.State.follow_up)
    assert c.apply_transition(again, c.Action.close, STAFF, NOW).state is c.State.dispatched
    # the technician goes again, completes, reports; the next call says solved
    t = back
    for action, payload in ((c.Action.arrive, c.Payload()), (c.Action.complete, c.Payload()),
                            (c.Action.report, c.Payload()), (c.Action.start_follow_up, c.Payload())):
        t = c.apply_transition(t, action, STAFF, NOW, payload).ticket
    assert t.service_report_no == "SH-7"
    closed = c.apply_transition(t, c.Action.close, STAFF, NOW, c.Payload(survey=GOOD_SURVEY))
    assert (closed.state, closed.ticket.closed_at) == (c.State.closed, NOW)


def test_T5_average_attitude_with_the_problem_solved_still_closes():
    calling = ticket(c.TicketType.repair, state=c.State.follow_up, **REPORTED)
    fine = FollowUpSurvey(convenient=True, resolved=True, attitude=Attitude.average, charged=False, score=7)
    assert not c.survey_reopens(fine)
    assert c.apply_transition(calling, c.Action.close, STAFF, NOW, c.Payload(survey=fine)).state is c.State.closed


def test_T5_a_repair_is_not_reopened_by_hand_without_such_a_survey():
    calling = ticket(c.TicketType.repair, state=c.State.follow_up, **REPORTED, survey=GOOD_SURVEY)
    with pytest.raises(DomainError) as err:
        c.apply_transition(calling, c.Action.reopen, STAFF, NOW)
    assert err.value.key == "complaints.error.reopen_needs_survey"


def test_T5_reopened_out_of_town_repair_keeps_its_approval():
    away = ticket(c.TicketType.repair, state=c.State.dispatched, out_of_town=True, out_of_town_approved_at=NOW)
    assert c.apply_transition(away, c.Action.arrive, STAFF, NOW).state is c.State.on_site


def test_T13_dispatch_takes_any_listed_title_and_the_demo_manager_may_dispatch():
    waiting = ticket(c.TicketType.repair, state=c.State.awaiting_dispatch)
    cs_manager = c.Actor("m2", "supervisor", frozenset({"客服部经理"}))
    assert c.apply_transition(waiting, c.Action.dispatch, cs_manager, NOW, c.Payload(technician="李师傅")).state \
        is c.State.dispatched
    custom = c.ComplaintSettings.from_values({"repair.dispatcher_titles": ["维修主管"]})
    assert isinstance(custom.dispatcher_titles, tuple)
    with pytest.raises(NotAllowed) as err:
        c.apply_transition(waiting, c.Action.dispatch, cs_manager, NOW, c.Payload(technician="李师傅"), custom)
    assert err.value.params == {"title": "维修主管"}
    chief = c.Actor("m3", "supervisor", frozenset({"维修主管", "组长"}))
    assert c.Action.dispatch in {r.action for r in c.allowed_transitions(waiting, "supervisor", chief.titles, custom)}


def test_T13_escalation_titles_are_lists_any_of_which_takes_the_ticket():
    custom = c.ComplaintSettings.from_values({"escalation.difficult_customer_titles": ["班长", "组长"]})
    working = ticket(state=c.State.in_progress)
    out = c.apply_transition(working, c.Action.escalate, STAFF, NOW,
                             c.Payload(reason=c.EscalationReason.difficult_customer), custom)
    assert out.ticket.owner_title == "班长、组长"
    kinds = {d.key: d.kind for d in c.SETTINGS}
    assert all(kinds[k] == "titles" for k in ("repair.dispatcher_titles", "escalation.difficult_customer_titles",
                                                "escalation.unresolvable_titles",
                                                "escalation.uncooperative_department_titles"))


def test_T25_received_time_counts_the_deadline_and_is_checked():
    from lib.domain.complaints import sla

    keyed = dt.datetime(2026, 3, 2, 17, 20)
    heard = dt.datetime(2026, 3, 2, 17, 0)
    draft = dataclasses.replace(repair_draft(), received_at=heard)
    made = new_ticket(draft, keyed)
    assert made.received_at == heard
    assert sla.reply_due(made.received_at) == dt.datetime(2026, 3, 3, 17, 0)
    assert new_ticket(repair_draft(), keyed).received_at == keyed
    with pytest.raises(ValidationFailed) as err:
        new_ticket(dataclasses.replace(draft, received_at=keyed + dt.timedelta(minutes=5)), keyed)
    assert err.value.keys() == {"received_at": "complaints.error.received_in_future"}
    old = dataclasses.replace(draft, received_at=keyed - dt.timedelta(minutes=121))
    with pytest.raises(ValidationFailed) as err:
        new_ticket(old, keyed)
    assert err.value.keys() == {"received_reason": "complaints.error.received_reason_required"}
    assert new_ticket(dataclasses.replace(old, received_reason="来函转来"), keyed).received_at == old.received_at
    edge = dataclasses.replace(draft, received_at=keyed - dt.timedelta(minutes=120))
    assert new_ticket(edge, keyed).received_at == edge.received_at


def test_T25_a_bad_received_time_is_listed_with_the_other_missing_fields():
    draft = dataclasses.replace(repair_draft(problem=""), received_at=NOW + dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed) as err:
        new_ticket(draft, NOW)
    assert set(err.value.keys()) == {"problem", "received_at"}


def test_T19_a_complaint_leaves_warranty_and_quality_fault_unanswered():
    complaint = IntakeDraft(type=c.TicketType.complaint, agent_no="017", problem="态度差", phone="13900001111")
    made = new_ticket(complaint, NOW)
    assert (made.in_warranty, made.quality_fault) == (None, None)
    repair = new_ticket(repair_draft(in_warranty=False), NOW)
    assert (repair.in_warranty, repair.quality_fault) == (False, True)
    assert c.quote_required(None, True) and not c.quote_required(True, True)
