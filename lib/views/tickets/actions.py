"""What a user can do on one ticket: the allowed actions with their inputs, take, hand over, note, the follow-up call.

Only the actions the transition table allows this user are offered (``TicketDetail.actions``);
each form sends the timeline step it was looking at, so a stale click is refused and explained.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.domain.complaints import rules
from lib.domain.complaints.surveys import Attitude, FollowUpSurvey, fee_reminder_shown
from lib.services.tickets import write as tickets
from lib.services.tickets.write import ActionInput, SurveyAnswers
from lib.services import people
from lib.services.tickets.read import TicketDetail
from lib.ui import app_engine, t
from lib.views.person_picker import key_for, person_select
from lib.views.tickets.common import PAGE_ERROR, callback, field_label, label, show_slot
from lib.services.limits import text_limit

YES_NO = [True, False]


def yes_no(value: bool | None) -> str:
    """是 / 否, and 未填 for a question nobody answered yet (T19)."""
    if value is None:
        return t("tickets.unanswered")
    return t("common.yes") if value else t("common.no")


def _choice(key: str, label_key: str, prefix: str, options, index=None) -> None:
    st.selectbox(t(label_key), list(options), format_func=lambda v: label(prefix, v), index=index, key=key,
                 placeholder=t("tickets.choose"))


def _triage(detail: TicketDetail, key: str) -> None:
    categories = [c.value for c in rules.Category]
    current = detail.row.category
    _choice(f"{key}_category", "field.ticket_category", "complaints.category", categories,
            categories.index(current) if current in categories else None)
    _choice(f"{key}_cause", "field.ticket_cause", "complaints.cause", [c.value for c in rules.Cause])
    st.checkbox(field_label("compensation_involved"), value=bool(detail.facts["compensation_involved"]),
                key=f"{key}_comp")
    st.checkbox(field_label("beyond_specialist"), key=f"{key}_beyond")


def _forward(detail, key) -> None:
    st.text_input(field_label("forwarded_to") + " *", key=f"{key}_forwarded_to", max_chars=text_limit("ticket.forwarded_to"))


def _escalate(detail, key) -> None:
    _choice(f"{key}_reason", "field.ticket_reason", "complaints.escalation_reason",
            [r.value for r in rules.EscalationReason])


def _resolve(detail, key) -> None:
    for name in ("root_cause", "containment", "permanent_fix"):
        st.text_area(field_label(name), key=f"{key}_{name}", max_chars=text_limit(f"ticket.{name}"), height=68)


def _inform(detail, key) -> None:
    st.radio(field_label("customer_satisfied") + " *", YES_NO, format_func=yes_no, index=None, horizontal=True,
             key=f"{key}_satisfied")


def _dispatch(detail, key) -> None:
    """Only people who may repair are offered (T2)."""
    person_select(field_label("technician") + " *", "technician", key=f"{key}_technician", index=None,
                  placeholder=t("tickets.choose"))


def _arrive(detail, key) -> None:
    st.number_input(field_label("quote_amount"), value=None, min_value=0.0, step=10.0, format="%.2f",
                    key=f"{key}_quote", help=t("tickets.quote_help"))


def _report(detail, key) -> None:
    st.text_input(field_label("service_report_no") + " *", key=f"{key}_report_no", max_chars=text_limit("ticket.service_report_no"))
    st.text_area(field_label("service_content"), key=f"{key}_service_content", max_chars=text_limit("ticket.service_content"), height=68)


INPUTS = {"triage": _triage, "forward": _forward, "escalate": _escalate, "resolve": _resolve, "inform": _inform,
          "dispatch": _dispatch, "arrive": _arrive, "report": _report}
FORM_DEFAULTS = {"action": None, "category": None, "cause": None,
                 "comp": False, "beyond": False, "forwarded_to": "", "reason": None,
                 "root_cause": "", "containment": "", "permanent_fix": "", "satisfied": None,
                 "quote": None, "report_no": "", "service_content": "", "note": ""}
SURVEY_DEFAULTS = {"conv": True, "cb_time": None, "resolved": None, "attitude": None, "charged": None, "score": None,
                   "suggestion": "", "fee_paid": None}


def _act(engine, user, detail: TicketDetail, key: str):
    s = st.session_state
    action = s.get(f"{key}_action")
    given = ActionInput(
        note=s.get(f"{key}_note", ""), category=s.get(f"{key}_category"), cause=s.get(f"{key}_cause"),
        compensation_involved=s.get(f"{key}_comp"), beyond_specialist=s.get(f"{key}_beyond", False),
        forwarded_to=s.get(f"{key}_forwarded_to", ""), reason=s.get(f"{key}_reason"),
        customer_satisfied=s.get(f"{key}_satisfied"), root_cause=s.get(f"{key}_root_cause", ""),
        containment=s.get(f"{key}_containment", ""), permanent_fix=s.get(f"{key}_permanent_fix", ""),
        technician_id=s.get(key_for("technician", f"{key}_technician")), quote_amount=s.get(f"{key}_quote"),
        service_report_no=s.get(f"{key}_report_no", ""), service_content=s.get(f"{key}_service_content", ""))
    result = tickets.act(engine, actor=user, ticket_id=detail.row.id, action=action, given=given,
                         expected_seq=detail.row.last_seq)
    if result.notice_key:
        return result.notice_key, {}
    return "tickets.done", {"action": label("complaints.action", action),
                            "state": label("complaints.state", result.state)}


def action_panel(engine, user, detail: TicketDetail, key: str) -> None:
    """The allowed actions of the transition table for this user, each with the inputs it needs.

    Nothing is preselected: every action records something, so the user names it (T17)."""
    show_slot(f"{key}_notice", "warning", once=True)
    if not detail.actions:
        return
    action = st.selectbox(t("tickets.action"), detail.actions, format_func=lambda a: label("complaints.action", a),
                          key=f"{key}_action", index=None, placeholder=t("tickets.action_placeholder"))
    if action is None:
        show_slot(f"{key}_error")
        return
    clear = {f"{key}_{k}": v for k, v in FORM_DEFAULTS.items()}
    clear[key_for("technician", f"{key}_technician")] = None
    with st.form(f"{key}_action_form"):
        INPUTS.get(action, lambda *_: None)(detail, key)
        st.text_area(field_label("note"), key=f"{key}_note", max_chars=text_limit("ticket_event.note"), height=68)
        st.form_submit_button(t("tickets.do_action"), type="primary", on_click=callback(
            lambda: _act(engine, user, detail, key), clear=clear, error_slot=f"{key}_error",
            notice_slot=f"{key}_notice"))
    show_slot(f"{key}_error")


def take_button(engine, user, detail: TicketDetail, key: str) -> None:
    def take():
        tickets.take_ticket(engine, actor=user, ticket_id=detail.row.id, expected_seq=detail.row.last_seq)
        return "tickets.taken", {"id": detail.row.id}

    st.button(t("tickets.take"), key=f"{key}_take", on_click=callback(take, error_slot=PAGE_ERROR))


def assign_form(engine, user, detail: TicketDetail, key: str) -> None:
    """A supervisor hands the ticket to a member of staff, picked by name, 工号 and team (T2)."""
    picked = key_for("staff", f"{key}_assignee")

    def assign():
        s = st.session_state
        tickets.assign_ticket(engine, actor=user, ticket_id=detail.row.id, assignee_id=s.get(picked),
                              reason=s.get(f"{key}_assign_reason", ""), expected_seq=detail.row.last_seq)
        return "tickets.assigned", {"name": people.labels(app_engine(), "staff").get(s.get(picked), "")}

    with st.form(f"{key}_assign_form"):
        left, right = st.columns(2)
        person_select(field_label("assignee") + " *", "staff", key=f"{key}_assignee", container=left, index=None,
                      placeholder=t("tickets.choose"))
        right.text_input(field_label("reason_text") + " *", key=f"{key}_assign_reason", max_chars=text_limit("queue_event.reason"))
        st.form_submit_button(t("tickets.assign"), on_click=callback(
            assign, clear={picked: None, f"{key}_assign_reason": ""}, error_slot=f"{key}_assign_error"))
    show_slot(f"{key}_assign_error")


def note_form(engine, user, detail: TicketDetail, key: str) -> None:
    def note():
        tickets.add_note(engine, actor=user, ticket_id=detail.row.id, note=st.session_state.get(f"{key}_remark", ""))
        return "tickets.noted", {}

    with st.form(f"{key}_note_form"):
        st.text_area(t("tickets.note_label"), key=f"{key}_remark", max_chars=text_limit("ticket_event.note"), height=68, help=t("tickets.note_help"))
        st.form_submit_button(t("tickets.add_note"), on_click=callback(
            note, clear={f"{key}_remark": ""}, error_slot=f"{key}_note_error"))
    show_slot(f"{key}_note_error")


def _answers(key: str, zone) -> SurveyAnswers:
    s = st.session_state
    if s.get(f"{key}_conv", True):
        return SurveyAnswers(convenient=True, resolved=s.get(f"{key}_resolved"), attitude=s.get(f"{key}_attitude"),
                             charged=s.get(f"{key}_charged"), score=s.get(f"{key}_score"),
                             suggestion=s.get(f"{key}_suggestion", ""), fee_paid=s.get(f"{key}_fee_paid"))
    day, clock = s.get(f"{key}_cb_day"), s.get(f"{key}_cb_time")
    at = dt.datetime.combine(day, clock, tzinfo=zone) if day and clock else None
    return SurveyAnswers(convenient=False, callback_at=at)


def survey_form(engine, user, detail: TicketDetail, zone, today: dt.date, key: str) -> None:
    """The follow-up call script in order (seed 000 D2); the fee reminder appears only when it applies."""
    st.subheader(t("tickets.survey.title"))
    yes_no_radio = dict(options=YES_NO, format_func=yes_no, horizontal=True)
    convenient = st.radio(t("complaints.survey.question.convenient"), index=0, key=f"{key}_conv", **yes_no_radio)
    if not convenient:
        left, right = st.columns(2)
        left.date_input(t("tickets.survey.callback_day"), value=today, min_value=today, key=f"{key}_cb_day")
        right.time_input(t("tickets.survey.callback_time") + " *", value=None, step=900, key=f"{key}_cb_time")
    else:
        st.radio(t("complaints.survey.question.resolved"), index=None, key=f"{key}_resolved", **yes_no_radio)
        st.radio(t("complaints.survey.question.attitude"), [a.value for a in Attitude], index=None, horizontal=True,
                 format_func=lambda a: label("complaints.survey.attitude", a), key=f"{key}_attitude")
        st.radio(t("complaints.survey.question.charged"), index=None, key=f"{key}_charged", **yes_no_radio)
        low, high = detail.score_range
        st.number_input(t("complaints.survey.question.score", low=low, high=high), value=None, step=1,
                        key=f"{key}_score")
        st.text_area(t("complaints.survey.question.suggestion"), key=f"{key}_suggestion", max_chars=text_limit("ticket_survey.suggestion"), height=68)
        st.radio(t("complaints.survey.question.fee_paid"), index=None, key=f"{key}_fee_paid", **yes_no_radio)
        answers = _answers(key, zone)
        preview = FollowUpSurvey(convenient=True, attitude=answers.attitude and Attitude(answers.attitude),
                                 fee_paid=answers.fee_paid)
        if fee_reminder_shown(preview):
            st.info(t("complaints.survey.question.fee_reminder"))

    def save():
        result = tickets.record_follow_up(engine, actor=user, ticket_id=detail.row.id, answers=_answers(key, zone),
                                          expected_seq=detail.row.last_seq)
        if result.notice_key:  # not solved or unsatisfied: back to the technician, said as a warning (T5)
            return result.notice_key, {}
        return "tickets.survey.saved", {"state": label("complaints.state", result.state)}

    st.button(t("tickets.survey.save"), type="primary", key=f"{key}_survey_save",
              on_click=callback(save, clear={f"{key}_{k}": v for k, v in SURVEY_DEFAULTS.items()},
                                error_slot=f"{key}_survey_error", notice_slot=f"{key}_notice"))
    show_slot(f"{key}_survey_error")
