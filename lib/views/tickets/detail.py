"""One ticket on screen: facts, running timers in colour, what this user may do, the timeline (SPEC M3)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.services.tickets import read as tickets_read
from lib.services.base import SUPERVISORS
from lib.ui import Column, local_time, plain, t, table
from lib.views.tickets.actions import action_panel, assign_form, note_form, survey_form, take_button, yes_no
from lib.views.tickets.common import field_label, label, level_badge, ticket_table, who

_ENUM_FACTS = {"cause": "complaints.cause", "escalation_reason": "complaints.escalation_reason",
               "service_kind": "complaints.service_kind"}


def _fact_text(name: str, value: object) -> str:
    if name in _ENUM_FACTS:
        return label(_ENUM_FACTS[name], value)
    if isinstance(value, bool) or name in tickets_read.UNANSWERED_SHOWN:
        return yes_no(value)
    if name == "repeat_of_id":
        return f"#{value}"
    return str(value)


def _facts(detail: tickets_read.TicketDetail, zone) -> None:
    row = detail.row
    lines = [
        (t("tickets.col.customer"), row.customer_name), (t("tickets.col.phone"), row.phone),
        (field_label("address"), row.address), (t("tickets.col.channel"), label("complaints.channel", row.channel)),
        (t("tickets.col.category"), label("complaints.category", row.category)), (t("tickets.col.route"), who(row)),
        (t("tickets.col.handler"), label("complaints.handler", detail.handler)),
        (t("tickets.col.received_at"), local_time(row.received_at, zone)),
        (t("tickets.col.assignee"), row.assignee_name), (t("tickets.col.technician"), row.technician_name),
    ]
    lines += [(field_label(name), _fact_text(name, value)) for name, value in detail.facts.items()
              if value not in (None, "") or name in tickets_read.UNANSWERED_SHOWN]
    left, right = st.columns(2)
    shown = [(name, value) for name, value in lines if value]
    for i, (name, value) in enumerate(shown):
        (left if i % 2 == 0 else right).markdown(f"**{plain(name)}**：{plain(value)}")
    st.markdown("**" + plain(field_label("problem")) + "**：" + plain(row.problem))
    if row.masked:
        st.caption(t("privacy.masked_hint"))  # the customer is masked for people not on this ticket (R7)


def _deadlines(detail: tickets_read.TicketDetail, zone) -> None:
    for line in detail.deadlines:
        cols = st.columns([3, 2, 3])
        cols[0].write(label("complaints.sla.kind", line.kind))
        cols[1].write(local_time(line.due_at, zone))
        with cols[2]:
            level_badge(line.level, line.remaining)


def _survey_text(answer: dict) -> str:
    return t("tickets.timeline.survey", resolved=yes_no(answer.get("resolved")),
             attitude=label("complaints.survey.attitude", answer.get("attitude")) or t("tickets.unanswered"),
             score=answer.get("score") if answer.get("score") is not None else t("tickets.unanswered"))


def _step_text(data: dict | None, zone) -> str:
    """What a timeline step adds in words: the follow-up answers that reopened a repair (T5), a received
    time earlier than the keying (T25), a hand-over, a repeat."""
    if not data:
        return ""
    if data.get("survey"):
        return _survey_text(data["survey"])
    if data.get("requested"):
        return t("tickets.timeline.requested", action=label("complaints.action", data["requested"]))
    if data.get("received_at"):
        return t("tickets.timeline.received", at=local_time(dt.datetime.fromisoformat(data["received_at"]), zone))
    if data.get("assignee"):
        return t("tickets.timeline.assigned", name=data["assignee"])
    if data.get("repeat_kind"):
        return t("tickets.timeline.repeat", kind=label("complaints.repeat_kind", data["repeat_kind"]),
                 id=data.get("repeat_of"))
    return ""


def _timeline(detail: tickets_read.TicketDetail, zone, key: str) -> None:
    st.subheader(t("tickets.timeline"))
    table(detail.timeline, [
        Column("seq", "tickets.col.seq"), Column("at", "tickets.col.at", lambda v: local_time(v, zone)),
        Column("actor_name", "tickets.col.actor"),
        Column("action", "tickets.col.action", lambda v: label("tickets.event", v)),
        Column("to_state", "tickets.col.state", lambda v: label("complaints.state", v)),
        Column("note", "tickets.col.note"), Column("data", "tickets.col.detail", lambda v: _step_text(v, zone)),
    ], export_name=f"ticket_{detail.row.id}_timeline", empty_key="tickets.timeline_empty", key=f"{key}_tl")
    if detail.surveys:
        st.subheader(t("tickets.survey.history"))
        table(detail.surveys, [
            Column("at", "tickets.col.at", lambda v: local_time(v, zone)), Column("agent_name", "tickets.col.actor"),
            Column("convenient", "tickets.col.convenient", yes_no),
            Column("callback_at", "tickets.col.callback_at", lambda v: local_time(v, zone)),
            Column("resolved", "tickets.col.resolved", lambda v: "" if v is None else yes_no(v)),
            Column("attitude", "tickets.col.attitude", lambda v: label("complaints.survey.attitude", v)),
            Column("charged", "tickets.col.charged", lambda v: "" if v is None else yes_no(v)),
            Column("score", "tickets.col.score"), Column("suggestion", "tickets.col.suggestion"),
        ], export_name=f"ticket_{detail.row.id}_surveys", empty_key="tickets.timeline_empty", key=f"{key}_sv")


def _reopened(detail: tickets_read.TicketDetail, zone) -> None:
    """A repair the follow-up call sent back says so at the top, with the answers (T5)."""
    line = detail.reopened_by
    if line is not None:
        answer = {"resolved": line.resolved, "attitude": line.attitude, "score": line.score}
        st.warning(t("tickets.reopened_by_survey", at=local_time(line.at, zone), name=plain(line.agent_name),
                     answers=_survey_text(answer), suggestion=plain(line.suggestion) or t("tickets.unanswered")))


def render_ticket(engine, user, ticket_id: int, zone, today: dt.date, scope: str = "") -> None:
    """The ticket with its timers, actions, follow-up call and timeline; a missing number says so."""
    detail = tickets_read.ticket_detail(engine, actor=user, ticket_id=ticket_id)
    if detail is None:
        st.warning(t("tickets.not_found", id=ticket_id))
        return
    row, key = detail.row, f"tk{scope}{ticket_id}"
    st.subheader(t("tickets.heading", id=row.id, type=label("complaints.ticket_type", row.type),
                   state=label("complaints.state", row.state)))
    badges = st.columns(4)
    badges[0].badge(label("complaints.severity", row.severity), color="red" if row.severity == "major" else "gray")
    if row.repeat_kind:
        badges[1].badge(label("complaints.repeat_kind", row.repeat_kind), color="violet")
    with badges[2]:
        level_badge(row.level, row.remaining)
    _reopened(detail, zone)
    _facts(detail, zone)
    _deadlines(detail, zone)
    if detail.can_take:
        take_button(engine, user, detail, key)
    action_panel(engine, user, detail, key)
    if detail.survey_open:
        survey_form(engine, user, detail, zone, today, key)
    if not detail.may_act:
        st.info(t("tickets.not_yours_hint"))
    with st.expander(t("tickets.more")):
        note_form(engine, user, detail, key)
        if user.role in SUPERVISORS and row.state != "closed":
            assign_form(engine, user, detail, key)
    _timeline(detail, zone, key)
    if detail.related:
        st.subheader(t("tickets.related"))
        ticket_table(detail.related, zone, export_name=f"customer_{row.id}", empty_key="tickets.none", key=f"{key}_rel")
