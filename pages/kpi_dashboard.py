"""KPI dashboard (SPEC M4 4.3, 4.6): satisfaction against target, SLA breaches, team style, fines by team.

Every chart has its data table and Excel export one click away.
"""

import streamlit as st

from lib import charts
from lib.auth import require_role
from lib.domain.kpi import Attitude, TeamScore
from lib.domain.ledger import Totals
from lib.navigation import SUPERVISORS
from lib.services.kpi import rankings as kpi
from lib.services.kpi.common import month_bounds, quarter_bounds
from lib.services.settings import office_zone_now
from lib.ui import LazyTab, app_engine, choice_labels, lang, lazy_tabs, t
from lib.views.kpi.common import (
    chart_and_table,
    money,
    month_label,
    month_picker,
    percent,
    quarter_picker,
)

user = require_role(*SUPERVISORS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.kpi_dashboard"))

kinds = choice_labels("kpi.page.period", ["month", "quarter"])
kind = st.segmented_control(t("kpi.page.period_kind"), list(kinds), format_func=kinds.get, default="month",
                            key="kd_kind") or "month"
if kind == "month":
    first, last = month_bounds(month_picker("kd_month", today, back=0))
else:
    first, last = quarter_bounds(*quarter_picker("kd_quarter", today))
view = kpi.dashboard(engine, actor=user, first=first, last=last)
k = view.satisfaction.kpis
st.caption(t("kpi.page.period_range", first=first.isoformat(), last=last.isoformat(), surveys=k.surveys))

cols = st.columns(4)
cols[0].metric(t("kpi.metric.satisfaction_rate"), percent(k.satisfaction_rate),
               None if k.satisfaction_rate is None else t(
                   "kpi.page.points_vs_target", delta=f"{k.satisfaction_rate - view.satisfaction.target:+.1f}"),
               help=t("kpi.page.target", target=f"{view.satisfaction.target:.1f}"))
cols[1].metric(t("kpi.metric.average_score"), "—" if k.average_score is None else f"{k.average_score:.2f}")
cols[2].metric(t("kpi.metric.resolution_rate"), percent(k.resolution_rate))
cols[3].metric(t("kpi.metric.charge_rate"), percent(k.charge_rate))
if k.satisfaction_rate is not None and k.satisfaction_rate < view.satisfaction.target:
    st.warning(t("kpi.page.below_target", target=f"{view.satisfaction.target:.1f}"))

def satisfaction_tab() -> None:
    monthly = view.satisfaction.monthly
    chart_and_table(
        charts.satisfaction_figure(monthly, view.satisfaction.targets, lang=lang()),
        [t("kpi.chart.month"), t("kpi.chart.satisfaction_rate"), t("kpi.chart.target")],
        [[month_label(m), percent(rate), percent(view.satisfaction.targets[m])] for m, rate in monthly.items()]
        if k.surveys else [], export_name=f"satisfaction_{first}_{last}", key="kd_sat", empty_key="kpi.page.no_surveys")
    if k.surveys:
        st.caption(t("kpi.page.attitude_mix", mix=" · ".join(
            f"{t('kpi.attitude.' + a.value)} {k.attitude_mix.get(a, 0)}" for a in Attitude)))


def sla_tab() -> None:
    groups = {t(f"complaints.group.{g}") if g else t("kpi.page.no_group"): n for g, n in view.breaches.items()}
    chart_and_table(charts.sla_breaches_figure(groups, lang=lang()), [t("kpi.chart.group"), t("kpi.chart.breaches")],
                    [[g, n] for g, n in sorted(groups.items(), key=lambda kv: -kv[1])],
                    export_name=f"sla_{first}_{last}", key="kd_sla", empty_key="kpi.page.no_breaches")
    st.caption(t("kpi.page.sla_note"))


def teams_tab() -> None:
    st.caption(t("kpi.page.teams_month", month=month_label(last)))
    rows = [TeamScore(r.team, r.points, r.score, r.rank) for r in view.teams]
    chart_and_table(charts.team_style_figure(rows, lang=lang()),
                    [t("display.col.rank"), t("display.col.team"), t("display.col.points"), t("display.col.score")],
                    [[r.rank, r.team, r.points, r.score] for r in view.teams],
                    export_name=f"team_style_{month_label(last)}", key="kd_teams", empty_key="kpi.page.no_teams")


def ledger_tab() -> None:
    totals = {r.team or t("ledger.no_team"): Totals(r.team_points, r.fine, r.compensation) for r in view.fund.by_team}
    chart_and_table(charts.ledger_by_team_figure(totals, lang=lang()),
                    [t("ledger.col.team"), t("ledger.col.team_points"), t("ledger.col.fine"),
                     t("ledger.col.compensation")],
                    [[name, v.team_points, money(v.fine), money(v.compensation)] for name, v in totals.items()],
                    export_name=f"ledger_by_team_{first}_{last}", key="kd_ledger", empty_key="ledger.fund_empty")


# each tab's figure is built only while the tab is open (issue 13 L2)
lazy_tabs("kd_tabs", [LazyTab("kpi.page.tab_satisfaction", satisfaction_tab), LazyTab("kpi.page.tab_sla", sla_tab),
                      LazyTab("kpi.page.tab_teams", teams_tab), LazyTab("kpi.page.tab_ledger", ledger_tab)])
