"""The wall display's queue panel (SPEC M4 4.7, seed 000 D1 「公开公正」): pure rendering, no widgets.

The wall runs under the ``display`` role: it shows position, post, name and group only,
names masked in privacy mode, nothing else (S55). On a 1920×1080 TV the table shrinks its
type with the number of people and shows at most ``MAX_QUEUE_ROWS`` (T11); every value is
escaped, names are typed by people (T19).
"""

from __future__ import annotations

import datetime as dt
import html

import streamlit as st

from lib.domain import display
from lib.services import display as display_service
from lib.services import rotation
from lib.ui import t

MAX_QUEUE_ROWS = 20
COLUMNS = ("position", "post", "name", "group")


def queue_panel_rows(engine, *, day: dt.date | None = None, privacy: bool = False,
                     every: int = 0) -> list[dict[str, object]]:
    """The panel's table: one translated row per queue slot, cleaned by the wall's allow-list. With
    ``every`` (seconds, today's queue), the rows all TVs share for that interval (issue 13 L4)."""
    if every and day is None:
        panel = display_service.shared_panel(engine, panel=display.Panel.QUEUE.value, privacy=privacy,
                                             every=every).panel
    else:
        panel = display.wall_panels({display.Panel.QUEUE: rotation.wall_queue(engine, day=day)}, privacy)[0]
    return [{t("rotation.panel.position"): row.get("position"),
             t("rotation.panel.post"): t(f"rotation.position.{row.get('post')}"),
             t("rotation.panel.name"): row.get("name", ""),
             t("rotation.panel.group"): row.get("group", "")} for row in panel.rows]


def type_size(rows: int, room_rem: float = 48.0) -> float:
    """Font size (rem) that fits ``rows`` table rows plus a header into ``room_rem`` of height, 2.4rem at most
    (readable at 3 m, T11)."""
    per_row = room_rem / (rows + 1)
    return round(max(1.2, min(2.4, (per_row - 0.5) / 1.3)), 2)


def queue_html(rows: list[dict[str, object]], *, more: int = 0) -> str:
    """The queue as an escaped HTML table sized to fit the screen (T11, T19)."""
    title = f"<h2>{html.escape(t('display.panel.queue'))}</h2>"
    if not rows:
        return f"<div class='dd-wall'>{title}<div class='empty'>{html.escape(t('rotation.panel.empty'))}</div></div>"
    size = type_size(len(rows) + (1 if more else 0))
    head = "".join(f"<th>{html.escape(str(name))}</th>" for name in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row.values())
                   + "</tr>" for row in rows)
    tail = f"<div class='note'>{html.escape(t('wall.queue_more', count=more))}</div>" if more else ""
    return (f"<div class='dd-wall dd-queue'>{title}<table style='font-size:{size}rem'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{tail}</div>")


def render_queue_panel(engine, *, day: dt.date | None = None, privacy: bool = False, every: int = 0) -> None:
    """Today's queue (or ``day``'s) as a big table for the wall; says so when there is no queue yet."""
    rows = queue_panel_rows(engine, day=day, privacy=privacy, every=every)
    st.html(queue_html(rows[:MAX_QUEUE_ROWS], more=max(0, len(rows) - MAX_QUEUE_ROWS)))
