"""Ledger page parts: entry list and actions, the proposal form, the decider's queue, the fund."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib import charts
from lib.domain import ledger as rules
from lib.domain.ledger import Action, MoneyRule, Totals
from lib.services import ledger
from lib.services.base import SUPERVISORS, Actor
from lib.services.kpi.common import units
from lib.ui import (
    Column,
    app_engine,
    confirm_button,
    flash,
    lang,
    plain,
    run_action,
    show_form_error,
    submit_callback,
    t,
    table,
)
from lib.views.kpi.common import chart_and_table, money
from lib.views.person_picker import key_for, person_select
from lib.services.limits import text_limit

PERSON_KEY = key_for("staff", "ledger_person")
CARDS = 20  # proposals decided one by one on screen; the rest wait their turn (oldest first)


def code_labels() -> dict[str, str]:
    return {c.code: f"{c.code} · {c.label or t(c.rule.label_key)}" for c in ledger.catalogue(app_engine())}


def entry_columns(labels: dict[str, str]) -> list[Column]:
    return [Column("id", "ledger.col.id"), Column("occurred_on", "ledger.col.occurred_on"),
            Column("person_name", "ledger.col.person"), Column("team_name", "ledger.col.team"),
            Column("code", "ledger.col.code", lambda c: labels.get(c, c)),
            Column("occurrence_no", "ledger.col.occurrence"), Column("team_points", "ledger.col.team_points"),
            Column("fine", "ledger.col.fine", money), Column("compensation", "ledger.col.compensation", money),
            Column("payer", "ledger.col.payer", lambda p: t(f"ledger.payer.{p}")),
            Column("action", "ledger.col.action", lambda a: t(f"ledger.action.{a}") if a else ""),
            Column("shown_status", "ledger.col.status", lambda s: t(f"ledger.entry_status.{s}")),
            Column("reverses_id", "ledger.col.reverses", lambda r: f"#{r}" if r else ""),
            Column("note", "ledger.col.note"),
            Column("proposed_by", "ledger.col.proposed_by"), Column("decided_by", "ledger.col.decided_by")]


def entries_tab(user: Actor, today: dt.date, labels: dict[str, str]) -> None:
    left, middle, right = st.columns(3)
    first = left.date_input(t("search.first"), value=today.replace(day=1), key="l_first")
    last = middle.date_input(t("search.last"), value=today, key="l_last")
    person = None
    if user.role in SUPERVISORS:
        person = person_select(t("ledger.col.person"), "staff", key="l_person", container=right, index=None,
                               placeholder=t("ledger.everyone"))
    found: list[ledger.EntryRow] = []
    if not run_action(lambda: found.extend(ledger.entries(app_engine(), actor=user, first=first, last=last,
                                                          person_id=person))):
        return
    supervisor = user.role in SUPERVISORS
    chosen = table(found, entry_columns(labels), export_name=f"ledger_{first}_{last}", empty_key="ledger.none",
                   key="l_table", selectable=supervisor)
    if supervisor and found:
        act_on_entry(user, chosen, labels)


def act_on_entry(user: Actor, row: ledger.EntryRow | None, labels: dict[str, str]) -> None:
    """The clicked entry's actions (T17): collect a confirmed fine, or correct a counted entry with a reversing
    entry (never an edit). A reversed entry, or the reversing line itself, offers nothing (T22)."""
    if row is None:
        st.caption(t("ledger.pick_row"))
        return
    with st.container(border=True):
        st.markdown(t("ledger.chosen", id=row.id, status=t(f"ledger.entry_status.{row.shown_status}")))
        st.text(f"{row.person_name} · {labels.get(row.code, row.code)} · {row.occurred_on.isoformat()}")
        actions = rules.actions_open(row.status, reverses=row.reverses_id, reversed_by=row.reversed_by_id)
        if not actions:
            st.info(t(f"ledger.no_action.{row.shown_status}", id=row.id, other=row.reverses_id or row.reversed_by_id))
            return
        engine = app_engine()
        if "collect" in actions and confirm_button("ledger.collect", key=f"l_collect_{row.id}",
                                                   confirm_key="ledger.collect_sure"):
            if run_action(lambda: ledger.collect_entry(engine, actor=user, entry_id=row.id)):
                flash("ledger.collected", id=row.id, fine=money(row.fine))
                st.rerun()
        if "reverse" in actions:
            st.text_input(t("field.ledger_reason") + " *", key=f"l_rev_reason_{row.id}", max_chars=text_limit("kpi_ledger_entry.decision_reason"))
            if confirm_button("ledger.reverse", key=f"l_reverse_{row.id}", confirm_key="ledger.reverse_sure"):
                reason = st.session_state.get(f"l_rev_reason_{row.id}", "")
                if run_action(lambda: ledger.reverse_entry(engine, actor=user, entry_id=row.id, reason=reason)):
                    flash("ledger.reversed", id=row.id)
                    st.rerun()


def fact_label(name: str) -> str:
    """Label of a proposal field; the service names it ``ledger_<name>`` in its errors."""
    return t(".".join(("field", ledger.FIELD_PREFIX + name)))


FACT_FIELDS = {
    MoneyRule.PURCHASE_PRICE: ("amount",), MoneyRule.FINE_PLUS_LOSSES: ("amount", "serious"),
    MoneyRule.CALL_CHARGES: ("amount", "traceable"),
    MoneyRule.BASE_PAY: ("day_pay", "serious", "month_pay", "month_bonus"),
    MoneyRule.EARLY_LEAVE: ("minutes", "day_pay"), MoneyRule.ABSENCE: ("days", "day_pay"),
}


def propose_tab(user: Actor, today: dt.date, labels: dict[str, str]) -> None:
    """The manager proposes; the occurrence number and the catalogue set the amounts (S49–S53)."""
    engine = app_engine()
    lines = {c.code: c for c in ledger.catalogue(engine)}
    code = st.selectbox(t("field.ledger_code") + " *", list(labels), format_func=labels.get, key="lp_code")
    rule = lines[code].rule
    st.caption(t("ledger.rule_hint", money=t(f"ledger.money_rule.{rule.money.value}"),
                 window=t(f"ledger.counting_window.{rule.window.value}"), source=rule.source))
    wanted = FACT_FIELDS.get(rule.money, ()) + (("quantity",) if rule.money is MoneyRule.LADDER else ())
    empty = {"serious": False, "traceable": True, "quantity": 1, "days": 1}
    keys = {PERSON_KEY: None, "lp_date": today, "lp_note": "", **{f"lp_{f}": empty.get(f) for f in wanted}}

    def _propose() -> None:
        s = st.session_state
        facts = {f: s.get(f"lp_{f}") for f in wanted}
        facts = {k: v for k, v in facts.items() if v is not None}
        ledger.propose_entry(engine, actor=user, person_id=s.get(PERSON_KEY), code=code, occurred_on=s.get("lp_date"),
                             facts=ledger.ViolationFacts(**facts), note=s.get("lp_note", ""))

    with st.form("ledger_propose"):
        left, right = st.columns(2)
        person_select(t("field.ledger_person") + " *", "staff", key="ledger_person", container=left, index=None,
                      placeholder=t("ledger.pick_person"))
        right.date_input(t("field.ledger_occurred_on") + " *", value=today, max_value=today, key="lp_date")
        for index, name in enumerate(wanted):
            column = (left, right)[index % 2]
            if name in ("serious", "traceable"):
                column.checkbox(fact_label(name), value=name == "traceable", key=f"lp_{name}")
            elif name in ("quantity", "minutes", "days"):
                column.number_input(fact_label(name), min_value=1, step=1,
                                    value=1 if name != "minutes" else None, key=f"lp_{name}")
            else:
                column.number_input(fact_label(name), min_value=0.0, step=1.0, value=None, format="%.2f",
                                    key=f"lp_{name}")
        st.text_input(t("field.ledger_note"), key="lp_note", max_chars=text_limit("kpi_ledger_entry.note"))
        st.form_submit_button(t("ledger.propose"), type="primary", on_click=submit_callback(
            _propose, clear=keys, success_key="ledger.proposed", error_slot="lp_error"))
    show_form_error("lp_error")


def decisions_tab(user: Actor, labels: dict[str, str], decider_titles: list[str]) -> None:
    """Proposals awaiting the decider (seed 004 D14): confirm, or waive with a reason."""
    engine = app_engine()
    waiting = ledger.pending(engine, actor=user)
    if not waiting:
        st.info(t("ledger.no_pending"))
        return
    decider = any(user.has_title(title) for title in decider_titles)
    title = "、".join(decider_titles)
    may_decide = decider or user.role == "admin"
    if not may_decide:
        st.info(t("ledger.decider_only", title=title))
        table(waiting, entry_columns(labels), export_name="ledger_pending", empty_key="ledger.no_pending",
              key="ld_table")
        return
    if not decider:
        st.warning(t("ledger.override_hint", title=title))
    if len(waiting) > CARDS:
        st.info(t("ledger.more_pending", shown=CARDS, count=len(waiting)))
    for row in waiting[:CARDS]:
        with st.container(border=True):
            action = f" · {t('ledger.action.' + row.action)}" if row.action else ""
            st.markdown(t("ledger.pending_card", id=row.id, person=plain(row.person_name),
                          code=plain(labels.get(row.code, row.code)),
                          date=row.occurred_on.isoformat(), n=row.occurrence_no, fine=money(row.fine),
                          compensation=money(row.compensation), points=row.team_points) + action)
            reason_key = f"ld_reason_{row.id}"
            st.text_input(t("field.ledger_reason"), key=reason_key, max_chars=text_limit("kpi_ledger_entry.decision_reason"))
            left, right = st.columns(2)
            for column, confirm, label in ((left, True, "ledger.confirm"), (right, False, "ledger.waive")):
                column.button(t(label), key=f"ld_{label}_{row.id}", type="primary" if confirm else "secondary",
                              on_click=submit_callback(
                                  lambda rid=row.id, c=confirm, k=reason_key, seen=row.status: ledger.decide_entry(
                                      engine, actor=user, entry_id=rid, confirm=c, reason=st.session_state.get(k, ""),
                                      seen_status=seen),
                                  clear={reason_key: ""},
                                  success_key="ledger.decided_confirmed" if confirm else "ledger.decided_waived",
                                  error_slot=f"ld_error_{row.id}"))
            show_form_error(f"ld_error_{row.id}")


def fund_tab(user: Actor, today: dt.date) -> None:
    """The department fund and per-team totals for finance (seed 001 D8; seed 002 #1)."""
    left, right = st.columns(2)
    first = left.date_input(t("search.first"), value=today.replace(month=1, day=1), key="lf_first")
    last = right.date_input(t("search.last"), value=today, key="lf_last")
    views: list[ledger.FundView] = []
    if not run_action(lambda: views.append(ledger.fund(app_engine(), actor=user, first=first, last=last))):
        return
    view = views[0]
    cols = st.columns(3)
    cols[0].metric(t("display.col.collected"), money(view.collected))
    cols[1].metric(t("display.col.outstanding"), money(view.outstanding))
    cols[2].metric(t("display.col.total"), money(view.total))
    totals = {r.team or t("ledger.no_team"): Totals(r.team_points, r.fine, r.compensation) for r in view.by_team}
    headers = [t("ledger.col.team"), t("ledger.col.team_points"), t("ledger.col.fine"), t("ledger.col.compensation")]
    values = [[name, v.team_points, money(v.fine), money(v.compensation)] for name, v in totals.items()]
    chart_and_table(charts.ledger_by_team_figure(totals, lang=lang()), headers, values,
                    export_name=f"fund_{first}_{last}", key="lf_chart", empty_key="ledger.fund_empty")


def action_labels() -> dict[str, str]:
    return {a.value: t(f"ledger.action.{a.value}") for a in Action}


def departments() -> dict[int, str]:
    return {u.id: u.name for u in units(app_engine(), "department")}
