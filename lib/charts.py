"""Plotly figure builders for the KPI pages and the wall display (SPEC M4 4.7).

Pure: data in, ``go.Figure`` out, no Streamlit. Text comes from the catalog
(``kpi.chart.*`` keys) in ``lang``; ``labels`` overrides any key, e.g. for a test
or a page that already translated its texts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib.domain.kpi import SalesRank, TeamScore
from lib.domain.ledger import Totals
from lib.i18n import DEFAULT_LANG, translate

COLOR_NORMAL = "#4C78A8"
COLOR_LAST = "#F58518"
COLOR_DEMOTED = "#E45756"
COLOR_TARGET = "#54A24B"
COLOR_FINE = "#B279A2"


def _text(key: str, labels: Mapping[str, str] | None, lang: str) -> str:
    if labels and key in labels:
        return labels[key]
    return translate(key, lang)


def _month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _month_axis(fig: go.Figure) -> go.Figure:
    """Months are labels ("2026-11"), never a date axis: one month alone would be drawn in milliseconds (T20)."""
    fig.update_xaxes(type="category", categoryorder="category ascending")
    return fig


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def sales_ranking_figure(
    rows: Sequence[SalesRank],
    demoted: Collection[str] = (),
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANG,
) -> go.Figure:
    """Horizontal bars of a month's sales, best at the top; last place and demoted consultants marked (seed 000 D1)."""
    mark_demoted = _text("kpi.chart.demoted", labels, lang)
    mark_last = _text("kpi.chart.last", labels, lang)
    ordered = sorted(rows, key=lambda r: (r.rank, r.consultant))
    colors, texts = [], []
    for r in ordered:
        if r.consultant in demoted:
            colors.append(COLOR_DEMOTED)
            texts.append(f"{r.units} · {mark_demoted}")
        elif r.is_last:
            colors.append(COLOR_LAST)
            texts.append(f"{r.units} · {mark_last}")
        else:
            colors.append(COLOR_NORMAL)
            texts.append(str(r.units))
    fig = go.Figure(
        go.Bar(
            x=[r.units for r in ordered],
            y=[r.consultant for r in ordered],
            orientation="h",
            marker_color=colors,
            text=texts,
            textposition="auto",
            name=_text("kpi.chart.units", labels, lang),
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(
        fig,
        _text("kpi.chart.sales.title", labels, lang),
        _text("kpi.chart.units", labels, lang),
        _text("kpi.chart.consultant", labels, lang),
    )


def monthly_trend_figure(
    series: Mapping[str, Mapping[dt.date, float]],
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANG,
) -> go.Figure:
    """One line per series (consultant or team) over months."""
    fig = go.Figure()
    for name, points in series.items():
        months = sorted(points)
        fig.add_trace(
            go.Scatter(
                x=[_month_label(m) for m in months], y=[points[m] for m in months], mode="lines+markers", name=name
            )
        )
    _month_axis(fig)
    return _layout(
        fig,
        _text("kpi.chart.trend.title", labels, lang),
        _text("kpi.chart.month", labels, lang),
        _text("kpi.chart.units", labels, lang),
    )


def satisfaction_figure(
    rates: Mapping[dt.date, float | None],
    targets: Mapping[dt.date, float] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANG,
) -> go.Figure:
    """Monthly satisfaction rate (%) against the target line (seed 002 #10); months without surveys are gaps."""
    months = sorted(rates)
    fig = go.Figure(
        go.Scatter(
            x=[_month_label(m) for m in months],
            y=[rates[m] for m in months],
            mode="lines+markers",
            name=_text("kpi.chart.satisfaction_rate", labels, lang),
        )
    )
    if targets:
        target_months = sorted(targets)
        fig.add_trace(
            go.Scatter(
                x=[_month_label(m) for m in target_months],
                y=[targets[m] for m in target_months],
                # markers too: a line needs two months, and one month's target must still show (T20)
                mode="lines+markers",
                marker={"symbol": "line-ew-open", "size": 24, "color": COLOR_TARGET},
                line={"dash": "dash", "color": COLOR_TARGET},
                name=_text("kpi.chart.target", labels, lang),
            )
        )
    fig.update_yaxes(range=[0, 100])
    _month_axis(fig)
    return _layout(
        fig,
        _text("kpi.chart.satisfaction.title", labels, lang),
        _text("kpi.chart.month", labels, lang),
        _text("kpi.chart.percent", labels, lang),
    )


def sla_breaches_figure(
    breaches_by_group: Mapping[str, int],
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANG,
) -> go.Figure:
    """SLA breaches per handling group, most first."""
    ordered = sorted(breaches_by_group.items(), key=lambda kv: (-kv[1], kv[0]))
    fig = go.Figure(
        go.Bar(
            x=[g for g, _ in ordered],
            y=[n for _, n in ordered],
            marker_color=COLOR_DEMOTED,
            text=[str(n) for _, n in ordered],
            name=_text("kpi.chart.breaches", labels, lang),
        )
    )
    return _layout(
        fig,
        _text("kpi.chart.sla.title", labels, lang),
        _text("kpi.chart.group", labels, lang),
        _text("kpi.chart.breaches", labels, lang),
    )


def ledger_by_team_figure(
    totals_by_team: Mapping[str, Totals],
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANG,
) -> go.Figure:
    """Per team: points lost (bars, left axis) and fines (bars, right axis), teams only, never persons (seed 002 #1)."""
    teams = sorted(totals_by_team)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=teams,
            y=[totals_by_team[t].team_points for t in teams],
            marker_color=COLOR_LAST,
            name=_text("kpi.chart.team_points", labels, lang),
            offsetgroup="points",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Bar(
            x=teams,
            y=[float(totals_by_team[t].fine.quantize(Decimal("0.01"))) for t in teams],
            marker_color=COLOR_FINE,
            name=_text("kpi.chart.fines", labels, lang),
            offsetgroup="fines",
        ),
        secondary_y=True,
    )
    _layout(
        fig,
        _text("kpi.chart.ledger.title", labels, lang),
        _text("kpi.chart.team", labels, lang),
        _text("kpi.chart.team_points", labels, lang),
    )
    fig.update_yaxes(title_text=_text("kpi.chart.fines", labels, lang), secondary_y=True)
    fig.update_layout(barmode="group")
    return fig


def team_style_figure(
    rows: Sequence[TeamScore],
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANG,
) -> go.Figure:
    """作风评比 scores, best team at the top (seed 002 #1)."""
    ordered = sorted(rows, key=lambda r: (r.rank, r.team))
    fig = go.Figure(
        go.Bar(
            x=[r.score for r in ordered],
            y=[r.team for r in ordered],
            orientation="h",
            marker_color=COLOR_NORMAL,
            text=[str(r.score) for r in ordered],
            name=_text("kpi.chart.score", labels, lang),
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(
        fig,
        _text("kpi.chart.style.title", labels, lang),
        _text("kpi.chart.score", labels, lang),
        _text("kpi.chart.team", labels, lang),
    )
