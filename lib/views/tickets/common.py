"""Shared pieces of the ticket pages: labels, time left with its colour, the ticket table, form callbacks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import streamlit as st

from lib.domain.errors import DomainError
from lib.services.tickets.map import FIELD_PREFIX, TicketRow
from lib import export
from lib.ui import clear_flash, error_text, flash, local_time, plain, show_flash, t

PAGE_ERROR = "tk_page_error"
DETAIL_PAGE = Path(__file__).resolve().parents[3] / "pages" / "ticket_detail.py"
DETAIL_URL = "ticket"  # lib.navigation's url_path of the detail page
LEVEL_COLOURS = {"red": "red", "amber": "orange", "ok": "green"}
_TAG_COLOURS = {"red": "#d93025", "amber": "#f29900", "ok": "#1e8e3e"}


def label(prefix: str, value: object) -> str:
    """Catalog label of an enum slug (``complaints.state.closed`` → 已结案); empty for none."""
    return "" if value in (None, "") else t(f"{prefix}.{value}")


def field_label(name: str) -> str:
    """Label of a ticket form field: ``field.ticket_<name>``, the key its validation errors name too."""
    return t("field." + FIELD_PREFIX + name)


def duration(span: dt.timedelta) -> str:
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return t("tickets.time.days", d=days, h=hours)
    if hours:
        return t("tickets.time.hours", h=hours, m=mins)
    return t("tickets.time.minutes", m=mins)


def time_left(level: str | None, remaining: dt.timedelta | None) -> str:
    """「剩余 3小时20分」 before the deadline, 「超时 2小时」 at or after it; empty without a running timer."""
    if level is None or remaining is None:
        return ""
    if level == "red":
        return t("tickets.time.over", time=duration(remaining))
    return t("tickets.time.left", time=duration(remaining))


def level_badge(level: str | None, remaining: dt.timedelta | None) -> None:
    """Green, amber before the deadline, red after it (SPEC M3 board)."""
    if level is not None:
        st.badge(f"{t('complaints.sla.level.' + level)} · {time_left(level, remaining)}",
                 color=LEVEL_COLOURS[level])


def who(row: TicketRow) -> str:
    return row.owner_title or label("complaints.group", row.cs_group)


def _columns(zone) -> list[tuple[str, Callable[[TicketRow], object]]]:
    return [
        ("tickets.col.id", lambda r: r.id),
        ("tickets.col.time_left", lambda r: time_left(r.level, r.remaining)),
        ("tickets.col.priority", lambda r: t("tickets.priority") if r.priority else ""),
        ("tickets.col.type", lambda r: label("complaints.ticket_type", r.type)),
        ("tickets.col.state", lambda r: label("complaints.state", r.state)),
        ("tickets.col.severity", lambda r: label("complaints.severity", r.severity)),
        ("tickets.col.customer", lambda r: r.customer_name),
        ("tickets.col.phone", lambda r: r.phone),
        ("tickets.col.problem", lambda r: r.problem),
        ("tickets.col.route", who),
        ("tickets.col.received_at", lambda r: local_time(r.received_at, zone)),
        ("tickets.col.due_at", lambda r: local_time(r.due_at, zone)),
        ("tickets.col.due_kind", lambda r: label("complaints.sla.kind", r.due_kind)),
        ("tickets.col.assignee", lambda r: r.assignee_name),
        ("tickets.col.technician", lambda r: r.technician_name),
        ("tickets.col.repeat", lambda r: label("complaints.repeat_kind", r.repeat_kind)),
    ]


def open_detail(ticket_id: int) -> None:
    """Go to the ticket's own page with its number in the link (T17: the row opens the record)."""
    st.switch_page(st.Page(DETAIL_PAGE, url_path=DETAIL_URL), query_params={"id": str(ticket_id)})


def ticket_table(rows: Sequence[TicketRow], zone, *, export_name: str, empty_key: str, key: str,
                 on_click: str | None = "open") -> TicketRow | None:
    """Tickets with a coloured deadline tag (green, amber, red), and the Excel/CSV export beside them.

    A click on a row opens that ticket's page (``on_click="open"``, T17) or returns the row
    (``"select"``); ``None`` is a plain list. The tag is a read-only multiselect column: colour
    without a pandas Styler, which costs ~1 ms per row to render and would dominate the board."""
    if not rows:
        st.info(t(empty_key))
        return None
    columns = _columns(zone)
    headers = [t(k) for k, _ in columns]
    values = [[get(r) for _, get in columns] for r in rows]
    tag_header = t("tickets.col.level")
    tags = {level: t(f"complaints.sla.level.{level}") for level in LEVEL_COLOURS}
    frame = pd.DataFrame(values, columns=headers)
    frame.insert(1, tag_header, [[tags[r.level]] if r.level else [] for r in rows])
    config = {tag_header: st.column_config.MultiselectColumn(options=list(tags.values()),
                                                             color=[_TAG_COLOURS[level] for level in tags])}
    chosen = None
    if on_click is None:
        st.dataframe(frame, width="stretch", hide_index=True, key=f"{key}_df", column_config=config)
    else:
        event = st.dataframe(frame, width="stretch", hide_index=True, key=f"{key}_df", column_config=config,
                             on_select="rerun", selection_mode="single-row")
        picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
        chosen = rows[picked[0]] if picked and 0 <= picked[0] < len(rows) else None
        st.caption(t("tickets.click_to_open" if on_click == "open" else "tickets.click_to_pick"))
    _export_buttons([headers[0], tag_header, *headers[1:]],
                    [[v[0], tags.get(r.level, ""), *v[1:]] for v, r in zip(values, rows)],
                    export_name=export_name, key=key)
    if chosen is not None and on_click == "open":
        open_detail(chosen.id)
    return chosen


def _export_buttons(headers: list[str], values: list[list[object]], *, export_name: str, key: str) -> None:
    """Excel and CSV of the list, built only when clicked (an Excel file of a full board costs ~80 ms)."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(t("export.xlsx"), lambda: export.to_xlsx(headers, values, sheet=export_name),
                         file_name=f"{export_name}.xlsx", key=f"{key}_xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.download_button(t("export.csv"), lambda: export.to_csv(headers, values), file_name=f"{export_name}.csv",
                          key=f"{key}_csv", mime="text/csv")


def callback(action: Callable[[], tuple[str, dict] | None], *, clear: Mapping[str, object] | None = None,
             error_slot: str, notice_slot: str | None = None) -> Callable[[], None]:
    """An ``on_click`` that runs one service call. The call returns ``(catalog key, params)`` of its result;
    a key under ``complaints.notice.`` is a warning kept in ``notice_slot``, anything else a success flash.
    On success each ``clear`` key gets its default back (assigned, not popped: a popped key leaves the
    old value showing in the browser); on an error every typed value stays and the message waits in
    ``error_slot``."""

    def run() -> None:
        clear_flash()  # the next action replaces the last confirmation (T16)
        try:
            result = action()
        except DomainError as exc:
            st.session_state[error_slot] = error_text(exc)
            return
        st.session_state.pop(error_slot, None)
        for name, default in (clear or {}).items():
            st.session_state[name] = default
        if result is None:
            return
        message_key, params = result
        params = {name: plain(value) for name, value in params.items()}  # names people typed stay text (T19)
        if notice_slot and message_key.startswith("complaints.notice."):
            st.session_state[notice_slot] = t(message_key, **params)
        else:
            flash(message_key, **params)

    return run


def show_slot(slot: str, kind: str = "error", once: bool = False) -> None:
    """Show the message a callback left (an error stays until the next success; a notice shows once)."""
    message = st.session_state.pop(slot, None) if once else st.session_state.get(slot)
    if message:
        getattr(st, kind)(message)


def show_messages() -> None:
    """Top of every ticket page: the last action's success, or its error when the ticket left the list.

    Always one container, message or not, so the elements below keep their place (tabs stay open)."""
    with st.container():
        show_flash()
        show_slot(PAGE_ERROR, "error", once=True)
