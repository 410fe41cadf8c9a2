"""Sales ranking page parts: the ranking with its chart, figure entry, Excel import, demotion decisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from lib import charts
from lib.domain.errors import DomainError
from lib.domain.kpi import SalesRank
from lib.services.kpi import rankings as kpi
from lib.services.kpi import sales_import as kpi_import
from lib.services.base import SUPERVISORS, Actor
from lib.ui import (
    Column,
    app_engine,
    error_text,
    flash,
    lang,
    plain,
    show_error,
    show_form_error,
    submit_callback,
    t,
    table,
)
from lib.views.kpi.common import chart_and_table, month_label
from lib.services.limits import text_limit


def ranking(user: Actor, view: kpi.SalesMonth) -> None:
    """The month's ranking, last place and demotions marked, with its table and export (seed 000 D1)."""
    if view.missing and view.rows:
        st.warning(t("kpi.sales.missing", names="、".join(view.missing)))
    unranked = len(view.rows) + 1
    bars = [SalesRank(r.name, r.units, r.rank or unranked, r.is_last) for r in view.rows]
    demoted = [r.name for r in view.rows if r.demoted]
    headers = [t("display.col.rank"), t("kpi.chart.consultant"), t("kpi.chart.units"), t("display.col.mark")]
    values = ranking_values(view.rows, demoted=t("kpi.chart.demoted"), last=t("kpi.chart.last"))
    chart_and_table(charts.sales_ranking_figure(bars, demoted, lang=lang()), headers, values,
                    export_name=f"sales_{month_label(view.month)}", key="sr_rank",
                    empty_key="kpi.sales.empty_supervisor" if user.role in SUPERVISORS else "kpi.sales.empty")
    trend = kpi.sales_trend(app_engine(), actor=user, month=view.month)
    if any(len(points) > 1 for points in trend.values()):
        st.subheader(t("kpi.chart.trend.title"))
        months = sorted({m for points in trend.values() for m in points})
        chart_and_table(charts.monthly_trend_figure(trend, lang=lang()), [t("kpi.chart.consultant")]
                        + [month_label(m) for m in months],
                        trend_values(trend, months),
                        export_name=f"sales_trend_{month_label(view.month)}", key="sr_trend",
                        empty_key="kpi.sales.empty")


def ranking_values(rows, *, demoted: str, last: str) -> list[list[object]]:
    """Table cells of the ranking. The rank column is text throughout ("" for someone not ranked), never a mix
    of numbers and "—" that Arrow cannot hold in one column (T20)."""
    return [[str(r.rank) if r.rank is not None else "", r.name, r.units,
             demoted if r.demoted else last if r.is_last else ""] for r in rows]


def trend_values(trend: dict[str, dict[dt.date, float]], months: list[dt.date]) -> list[list[object]]:
    """Trend table cells: a month without a figure is blank text, so each month column is one type (T20)."""
    return [[name] + [str(points[m]) if m in points else "" for m in months] for name, points in trend.items()]


def entry_form(user: Actor, view: kpi.SalesMonth, people: list) -> None:
    """Figures typed by the manager; blank ones are left out, bad ones say what to fix and stay typed."""
    if not people:
        st.info(t("kpi.sales.no_consultants"))
        return
    current = {r.consultant_id: r.units for r in view.rows}
    prefix = f"sr_u_{view.month:%Y%m}_"

    def _save() -> None:
        units = {p.id: st.session_state.get(prefix + str(p.id)) for p in people}
        kpi.save_sales(app_engine(), actor=user, month=view.month, units=units)

    with st.form(f"sales_form_{view.month:%Y%m}"):
        columns = st.columns(3)
        for index, person in enumerate(people):
            columns[index % 3].number_input(plain(person.name), min_value=0, max_value=kpi.MAX_UNITS, step=1,
                                            value=current.get(person.id), key=prefix + str(person.id))
        st.form_submit_button(t("kpi.sales.save"), type="primary", on_click=submit_callback(
            _save, success_key="kpi.sales.saved", error_slot="sr_error"))
    show_form_error("sr_error")


@dataclass(frozen=True)
class ErrorLine:
    """One line of the import report: the spreadsheet row, the column and what to fix."""

    row: object
    column: str
    message: str


def import_box(user: Actor, month: dt.date) -> None:
    """Template download, upload, and the per-row report when a file is refused (nothing written then)."""
    engine = app_engine()
    st.caption(t("kpi.import.help"))
    st.download_button(t("kpi.import.template"), kpi_import.sales_template(engine, actor=user, month=month),
                       file_name=f"sales_template_{month_label(month)}.xlsx", key="sr_template",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    upload = st.file_uploader(t("kpi.import.file"), type=["xlsx"], key="sr_upload")
    if upload is None or not st.button(t("kpi.import.submit"), type="primary", key="sr_import"):
        return
    try:
        result = kpi_import.import_sales(engine, actor=user, content=upload.getvalue())
    except kpi_import.ImportRejected as exc:
        st.error(error_text(exc))
        lines = [ErrorLine(e.row or "", t(f"kpi.import.col.{e.column}") if e.column else "", t(e.key, **e.params))
                 for e in exc.errors]
        table(lines, [Column("row", "kpi.import.error_row"), Column("column", "kpi.import.error_column"),
                      Column("message", "kpi.import.error_message")],
              export_name="sales_import_errors", empty_key="kpi.import.empty", key="sr_import_errors")
        return
    except DomainError as exc:
        show_error(exc)
        return
    st.success(t("kpi.import.done", rows=result.rows, changed=result.changed,
                 months="、".join(month_label(m) for m in result.months)))


def demotions(user: Actor, view: kpi.SalesMonth) -> None:
    """Demotions the month triggered: the manager confirms or waives each with a reason (S47)."""
    if not view.candidates:
        st.info(t("kpi.demotion.none", month=month_label(view.month)))
        return
    for c in view.candidates:
        with st.container(border=True):
            st.markdown(t("kpi.demotion.card", name=c.name, start=c.start.isoformat(), end=c.end.isoformat(),
                          rule=t(f"kpi.demotion_reason.{c.rule}"),
                          months="、".join(month_label(m) for m in c.last_months)))
            if c.decision != kpi.PENDING:
                st.caption(t(f"kpi.demotion.status.{c.decision}", by=c.decided_by, reason=c.reason))
                if c.in_queue is False and st.button(t("kpi.demotion.apply"), key=f"sr_apply_{c.consultant_id}"):
                    _apply(user, c)
                continue
            key = f"sr_reason_{c.consultant_id}"
            st.text_input(t("field.kpi_reason") + " *", key=key, max_chars=text_limit("kpi_demotion_decision.reason"))
            left, right = st.columns(2)
            left.button(t("kpi.demotion.confirm"), type="primary", key=f"sr_yes_{c.consultant_id}",
                        on_click=_decide(user, c, True, key))
            right.button(t("kpi.demotion.waive"), key=f"sr_no_{c.consultant_id}", on_click=_decide(user, c, False, key))
            show_form_error(f"sr_demotion_error_{c.consultant_id}")


def _decide(user: Actor, c: kpi.Candidate, confirm: bool, reason_key: str):
    def action() -> None:
        result = kpi.decide_demotion(app_engine(), actor=user, consultant_id=c.consultant_id,
                                     trigger_month=c.trigger_month, confirm=confirm,
                                     reason=st.session_state.get(reason_key, ""))
        if result.queue_error is not None:
            raise result.queue_error

    done = "kpi.demotion.done.confirmed" if confirm else "kpi.demotion.done.waived"
    return submit_callback(action, clear={reason_key: ""}, success_key=done,
                           error_slot=f"sr_demotion_error_{c.consultant_id}")


def _apply(user: Actor, c: kpi.Candidate) -> None:
    try:
        kpi.apply_to_queue(app_engine(), actor=user, consultant_id=c.consultant_id, trigger_month=c.trigger_month)
    except DomainError as exc:
        show_error(exc)
        return
    flash("kpi.demotion.applied")
    st.rerun()
