"""Drawing the wall display (SPEC M4 4.7): large type, no input widgets, one panel per refresh.

A TV shows what its display link's profile says (T12): today's queue on the left and the
chosen panels taking turns on the right (split), the queue alone (a showroom TV) or the
panels alone. Everything fits 1920×1080 without scrolling, with no sidebar, header or
logout button (T11). ``st.fragment(run_every=...)`` redraws each area by itself; each run
of the rotating area shows the next panel and an "updated at" time. A wall opened by a
display link re-checks its token on every refresh: once revoked, the whole app reruns and
the router says the link was revoked; a wall signed in as the display account re-checks its
session the same way (issue 12). A refresh reruns the fragments only, never the page, and a
panel's data is computed once per refresh interval for all TVs of the server (issue 13 L4).
Every value is escaped HTML (T19).
"""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import streamlit as st

from lib.auth import still_signed_in
from lib.domain.display import DisplayProfile, Layout, Panel, rotating
from lib.services import display
from lib.services.base import utcnow
from lib.services.settings import office_zone_now
from lib.ui import app_engine, t
from lib.views.queue_panel import MAX_QUEUE_ROWS, render_queue_panel, type_size
from lib.views.wall.access import reload_the_tv, url_token

TICK_KEY = "_wall_tick"
COLUMNS: dict[Panel, tuple[str, ...]] = {
    Panel.ON_DUTY: ("post", "name", "shift", "first_responsible"),
    Panel.SALES_RANKING: ("rank", "name", "units", "mark"),
    Panel.QUARTERLY_TOP: ("rank", "name", "score", "bonus"),
    Panel.TEAM_RANKING: ("rank", "team", "score", "points"),
    Panel.SATISFACTION: ("metric", "value", "target"),
    Panel.FUND: ("collected", "outstanding", "total"),
}
QUEUE_REFRESH_S = 15
WALL_CSS = """<style>
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stDecoration"] {display: none !important;}
[data-testid="stMainBlockContainer"] {padding: 1rem 2rem 0 2rem; max-width: 100%;}
[data-testid="stHeadingWithActionElements"] h1 {font-size: 2.2rem; padding: 0 0 .3rem 0;}
.dd-wall h2 {font-size: 2.6rem; margin: 0 0 .4rem 0; padding: 0;}
.dd-wall table {width: 100%; border-collapse: collapse; font-size: 2.4rem; line-height: 1.3;}
.dd-wall th {text-align: left; font-size: .65em; opacity: .7; border-bottom: 3px solid #888;}
.dd-wall td {padding: .25rem .6rem; border-bottom: 1px solid #ddd;}
.dd-wall .mark {color: #E45756; font-weight: 700;}
.dd-wall .note {font-size: 1.4rem; opacity: .7;}
.dd-wall .empty {font-size: 2.4rem; opacity: .8; padding: 2rem 0;}
.dd-wall .big {font-size: 4rem; font-weight: 700;}
[data-testid="stCaptionContainer"] {font-size: 1.1rem;}
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
    present = {key for row in view.panel.rows for key in row}
    present |= {"mark"} if present & {"is_last", "demoted"} else set()  # left out on a customer-facing TV (T12)
    columns = [c for c in COLUMNS[kind] if c in present]
    head = "".join(f"<th>{html.escape(t(f'display.col.{c}'))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td class='{c}'>{html.escape(_cell(kind, c, dict(row)))}</td>"
                                    for c in columns) + "</tr>" for row in view.panel.rows[:MAX_QUEUE_ROWS])
    size = type_size(min(len(view.panel.rows), MAX_QUEUE_ROWS))
    return "".join(parts) + (f"<table style='font-size:{size}rem'><thead><tr>{head}</tr></thead>"
                             f"<tbody>{body}</tbody></table></div>")


def _next_index(count: int) -> int:
    tick = st.session_state.get(TICK_KEY, -1) + 1
    st.session_state[TICK_KEY] = tick
    return tick % max(count, 1)


def viewer_profile(viewer: object, global_privacy: bool) -> DisplayProfile:
    """A display link's own profile; a signed-in viewer (display role, a manager previewing) sees the
    customer-safe default (T12). The office-wide privacy setting can only add masking."""
    if isinstance(viewer, display.WallAccess):
        profile = viewer.profile
        return DisplayProfile(profile.layout, profile.panels, profile.privacy or viewer.privacy or global_privacy,
                              profile.show_fund)
    return DisplayProfile()


def render_wall(viewer: object) -> None:
    """The wall page body: title, then the self-refreshing areas of this TV's profile (no widgets at all)."""
    engine = app_engine()
    config = display.wall_config(engine)
    profile = viewer_profile(viewer, config.privacy)
    order = rotating(profile, config.order)
    token = url_token() if isinstance(viewer, display.WallAccess) else None
    zone, _ = office_zone_now(engine)
    st.html(WALL_CSS)
    st.title(t("display.wall.title"))

    # One area checks the link (the queue when it is on screen, it refreshes most often): two fragments
    # asking for a full rerun at the same moment could leave the TV blank instead of saying "revoked".
    checker = "panels" if order and profile.layout is Layout.PANELS else "queue"

    def still_allowed(area: str) -> None:
        if area != checker:
            return
        if token is not None and not display.wall_token_valid(engine, token):
            reload_the_tv()  # not st.rerun(scope="app"): see reload_the_tv
            st.stop()
        if token is None:
            still_signed_in()  # a signed-in TV logged out or deactivated elsewhere: the login (issue 12)

    queue_every = min(QUEUE_REFRESH_S, config.refresh_seconds)

    @st.fragment(run_every=dt.timedelta(seconds=queue_every))
    def queue() -> None:
        still_allowed("queue")
        render_queue_panel(engine, privacy=profile.privacy, every=queue_every)
        if not order:
            st.caption(t("wall.queue_updated_at", time=utcnow().astimezone(zone).strftime("%H:%M:%S")))

    @st.fragment(run_every=dt.timedelta(seconds=config.refresh_seconds))
    def panels() -> None:
        still_allowed("panels")
        index = _next_index(len(order))
        st.html(panel_html(display.shared_panel(engine, panel=order[index].value, privacy=profile.privacy,
                                                every=config.refresh_seconds)))
        st.caption(t("display.wall.updated_at", time=utcnow().astimezone(zone).strftime("%H:%M:%S"),
                     index=index + 1, count=len(order), seconds=config.refresh_seconds))

    if not order:
        queue()
    elif profile.layout is Layout.PANELS:
        panels()
    else:
        left, right = st.columns([5, 7], gap="large")
        with left:
            queue()
        with right:
            panels()
