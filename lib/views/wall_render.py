"""Drawing the wall display (SPEC M4 4.7): large type, no input widgets, one panel per refresh.

``st.fragment(run_every=display.refresh_seconds)`` redraws the panel area by itself;
each run shows the next panel of ``display.panel_order`` and an "updated at" time.
A wall opened by a display link re-checks its token on every refresh: once revoked,
the whole app reruns and the router no longer shows the wall.
"""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import streamlit as st

from lib.domain.display import Panel
from lib.services import display
from lib.services.base import utcnow
from lib.services.settings import office_zone_now
from lib.ui import app_engine, t
from lib.views.queue_panel import render_queue_panel
from lib.views.wall_access import url_token

TICK_KEY = "_wall_tick"
COLUMNS: dict[Panel, tuple[str, ...]] = {
    Panel.ON_DUTY: ("post", "name", "shift", "first_responsible"),
    Panel.SALES_RANKING: ("rank", "name", "units", "mark"),
    Panel.QUARTERLY_TOP: ("rank", "name", "score", "bonus"),
    Panel.TEAM_RANKING: ("rank", "team", "score", "points"),
    Panel.SATISFACTION: ("metric", "value", "target"),
    Panel.FUND: ("collected", "outstanding", "total"),
}
WALL_CSS = """<style>
.dd-wall h2 {font-size: 3rem; margin: 0 0 .6rem 0;}
.dd-wall table {width: 100%; border-collapse: collapse; font-size: 2.4rem; line-height: 1.5;}
.dd-wall th {text-align: left; font-size: 1.6rem; opacity: .7; border-bottom: 3px solid #888;}
.dd-wall td {padding: .2rem .6rem; border-bottom: 1px solid #ddd;}
.dd-wall .mark {color: #E45756; font-weight: 700;}
.dd-wall .note {font-size: 1.4rem; opacity: .7;}
.dd-wall .empty {font-size: 2.4rem; opacity: .8; padding: 2rem 0;}
.dd-wall .big {font-size: 4rem; font-weight: 700;}
[data-testid="stTable"] table {font-size: 2.4rem; line-height: 1.5;}
[data-testid="stHeadingWithActionElements"] h3 {font-size: 3rem;}
</style>"""


def _label(key: str, fallback: object) -> str:
    text = t(key)
    return str(fallback) if text == key else text


def _money(value: object) -> str:
    return f"¥{Decimal(str(value)):,.0f}" if value is not None else "—"


def _percent(value: object) -> str:
    return "—" if value is None else f"{float(value):.1f}%"


def _cell(kind: Panel, name: str, row: dict) -> str:
    value = row.get(name)
    if name == "mark":
        marks = [t("kpi.chart.demoted")] if row.get("demoted") else []
        marks += [t("kpi.chart.last")] if row.get("is_last") and not row.get("demoted") else []
        return "、".join(marks)
    if name == "shift":
        return _label(f"rotation.shift.{value}", value)
    if name == "first_responsible":
        return t("display.first_responsible") if value else ""
    if name in ("bonus", "collected", "outstanding", "total"):
        return _money(value)
    if name == "metric":
        return t(f"kpi.metric.{value}")
    if name == "value":
        return f"{float(value):.1f}" if row.get("metric") == "average_score" and value is not None else _percent(value)
    if name == "target":
        return "" if value is None else t("display.target", value=f"{float(value):.1f}")
    return "—" if value is None else str(value)


def panel_html(view: display.PanelView) -> str:
    """The panel as an HTML table; every value is escaped (names and teams are typed by people)."""
    kind = view.panel.kind
    title = t(view.panel.title_key) + (f" · {view.period}" if view.period else "")
    parts = [f"<div class='dd-wall'><h2>{html.escape(title)}</h2>"]
    if not view.panel.rows:
        parts.append(f"<div class='empty'>{html.escape(t(f'display.empty.{kind.value}'))}</div></div>")
        return "".join(parts)
    if kind is Panel.FUND:
        row = view.panel.rows[0]
        cells = "".join(f"<td><div class='note'>{html.escape(t(f'display.col.{c}'))}</div>"
                        f"<div class='big'>{html.escape(_cell(kind, c, row))}</div></td>" for c in COLUMNS[kind])
        return "".join(parts) + f"<table><tr>{cells}</tr></table></div>"
    head = "".join(f"<th>{html.escape(t(f'display.col.{c}'))}</th>" for c in COLUMNS[kind])
    body = "".join("<tr>" + "".join(f"<td class='{c}'>{html.escape(_cell(kind, c, dict(row)))}</td>"
                                    for c in COLUMNS[kind]) + "</tr>" for row in view.panel.rows)
    return "".join(parts) + f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _next_index(count: int) -> int:
    tick = st.session_state.get(TICK_KEY, -1) + 1
    st.session_state[TICK_KEY] = tick
    return tick % max(count, 1)


def render_wall(viewer: object) -> None:
    """The wall page body: title, then the self-refreshing panel area (no widgets at all)."""
    engine = app_engine()
    config = display.wall_config(engine)
    privacy = config.privacy or bool(getattr(viewer, "privacy", False))
    token = url_token() if isinstance(viewer, display.WallAccess) else None
    zone, _ = office_zone_now(engine)
    st.html(WALL_CSS)
    st.title(t("display.wall.title"))

    @st.fragment(run_every=dt.timedelta(seconds=config.refresh_seconds))
    def live() -> None:
        if token is not None and not display.wall_token_valid(engine, token):
            st.rerun(scope="app")
        index = _next_index(len(config.order))
        if config.order[index] == Panel.QUEUE.value:
            render_queue_panel(engine, privacy=privacy)
        else:
            st.html(panel_html(display.wall_panel(engine, panel=config.order[index], privacy=privacy)))
        st.caption(t("display.wall.updated_at", time=utcnow().astimezone(zone).strftime("%H:%M:%S"),
                     index=index + 1, count=len(config.order), seconds=config.refresh_seconds))

    live()
