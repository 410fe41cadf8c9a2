"""Warnings page parts: 劝退/开除 flags waiting for a decision (T24), opened by a row click (T17)."""

from __future__ import annotations

import streamlit as st

from lib.services.kpi import warning_cases as kpi_warnings
from lib.services.base import Actor
from lib.ui import Column, app_engine, local_time, show_form_error, submit_callback, t, table


def decisions(user: Actor, zone) -> None:
    """Every case a 劝退/开除/视为自动离职 flag opened: the waiting ones first; click one to decide it."""
    st.subheader(t("discipline.cases.title"))
    cases = kpi_warnings.decision_cases(app_engine(), actor=user)
    waiting = sum(c.status == "pending" for c in cases)
    if waiting:
        st.warning(t("discipline.cases.waiting", count=waiting))
    chosen = table(cases, [
        Column("id", "discipline.cases.id"), Column("name", "discipline.page.person"),
        Column("action", "discipline.cases.action", lambda a: t(f"ledger.action.{a}")),
        Column("code", "discipline.cases.code"), Column("occurred_on", "discipline.cases.occurred_on"),
        Column("entry_status", "discipline.cases.entry_status", lambda s: t(f"ledger.entry_status.{s}")),
        Column("status", "discipline.cases.status", lambda s: t(f"discipline.case_status.{s}")),
        Column("decided_by", "discipline.page.by"), Column("decided_at", "discipline.page.at",
                                                         lambda v: local_time(v, zone)),
        Column("reason", "discipline.cases.reason")],
        export_name="discipline_cases", empty_key="discipline.cases.none", key="wc_table", selectable=True)
    if cases and chosen is None:
        st.caption(t("discipline.cases.pick"))
    if chosen is not None:
        decide_card(user, chosen)


def decide_card(user: Actor, case: kpi_warnings.DecisionCase) -> None:
    with st.container(border=True):
        st.markdown(t("discipline.cases.card", id=case.id, entry=case.entry_id,
                      action=t(f"ledger.action.{case.action}")))
        st.text(f"{case.name} · {case.code} · {case.occurred_on or ''}")
        if case.status != "pending":
            st.info(t(f"discipline.cases.done.{case.status}", by=case.decided_by))
            st.text(case.reason)
            return
        reason_key = f"wc_reason_{case.id}"
        st.text_input(t("field.case_reason") + " *", key=reason_key, max_chars=500)
        left, right = st.columns(2)
        for column, confirm, label in ((left, True, "discipline.cases.confirm"),
                                       (right, False, "discipline.cases.waive")):
            column.button(t(label), key=f"wc_{'yes' if confirm else 'no'}_{case.id}",
                          type="primary" if confirm else "secondary", on_click=submit_callback(
                              lambda c=confirm: kpi_warnings.decide_case(
                                  app_engine(), actor=user, case_id=case.id, confirm=c,
                                  reason=st.session_state.get(reason_key, "")),
                              clear={reason_key: ""},
                              success_key="discipline.cases.confirmed" if confirm else "discipline.cases.waived",
                              error_slot=f"wc_error_{case.id}"))
        show_form_error(f"wc_error_{case.id}")
