"""Small shared widgets: translated text, errors, tables with export, form helpers.

Everything a page needs twice lives here, so pages stay thin and alike.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from db.engine import database_url, is_outage, make_engine
from db.migrate import upgrade
from lib import export, incidents
from lib.domain.errors import DomainError, ValidationFailed
from lib.i18n import DEFAULT_LANG, translate
from lib.notify import start_background


@st.cache_resource(show_spinner=False)
def _engine_for(url: str):
    engine = make_engine(url)
    upgrade(engine)
    start_background()  # the notification sweeper: one thread per process, never inside a page run (issue 15)
    return engine


def app_engine():
    """The one Engine of this process for ``DATABASE_URL``, migrated to head on first use."""
    return _engine_for(database_url())


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANG)


def t(key: str, **params: object) -> str:
    """Catalog text in the user's language."""
    return translate(key, lang(), **params)


_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:=&@/\"'")


def plain(value: object) -> str:
    """User text made safe for any Markdown element: every Markdown and HTML character is escaped, so
    ``http://x`` is not a link, ``1.`` is not a list and ``<b>`` is not bold (STYLE: user text is text; T19).

    ``None`` becomes an empty string. Catalog strings stay Markdown; only the values put into them go here.
    """
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text).replace("\n", "  \n")


def _escaped(params: dict) -> dict:
    """Text parameters (a name, a phone, a title someone typed) escaped for the Markdown of st.error (R5)."""
    return {k: plain(v) if isinstance(v, str) else v for k, v in params.items()}


def error_text(exc: DomainError) -> str:
    """One message for any domain error; a ValidationFailed lists each field to fix."""
    if isinstance(exc, ValidationFailed):
        lines = [f"- **{t('field.' + e.field)}**: {t(e.key, **_escaped(e.params))}" for e in exc.errors]
        return t("error.fix_fields") + "\n" + "\n".join(lines)
    return t(exc.key, **_escaped(exc.params))


def show_error(exc: DomainError) -> None:
    st.error(error_text(exc))


def fault_text(exc: Exception) -> str:
    """What a person is told about an error no rule raised (R3, R12): a database outage or timeout asks
    them to save again; anything else is logged with its traceback under an incident number they can quote."""
    if is_outage(exc):
        return t("faults.db_unavailable")
    return t("faults.incident", number=incidents.record(exc))


_FLASH = "_flash"


def _page_id() -> str:
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""


def flash(key: str, **params: object) -> None:
    """A success message that survives the rerun a callback causes and stays until the next action (T16)."""
    # The page is taken when the note is first shown, so a note made before st.switch_page shows on the target.
    st.session_state[_FLASH] = {"text": t(key, **params), "page": "", "toasted": False}


def clear_flash() -> None:
    """The next action (or another page) replaces the last confirmation (T16)."""
    st.session_state.pop(_FLASH, None)


def drop_stale_flash() -> None:
    """Called by the router once the page is known: a confirmation belongs to the page it was made on."""
    note = st.session_state.get(_FLASH)
    if isinstance(note, dict) and note.get("page") and note["page"] != _page_id():
        clear_flash()


def show_flash() -> None:
    """The last confirmation, at the top of the page in a slot that is always there (so widgets below
    never move and remount), and once as a toast, which a phone shows wherever the user scrolled (T16).

    It stays on every rerun until the next action clears it, not only on the first render.
    """
    slot = st.empty()
    note = st.session_state.get(_FLASH)
    if isinstance(note, str):  # a page that set the text directly
        note = {"text": note, "page": "", "toasted": False}
    if not note:
        return
    if not note.get("page"):
        note["page"] = _page_id()
    elif note["page"] != _page_id():
        clear_flash()
        return
    slot.success(note["text"], icon=":material/check_circle:")
    if not note.get("toasted"):
        st.toast(note["text"], icon=":material/check_circle:")
        note["toasted"] = True
    st.session_state[_FLASH] = note


def run_action(action: Callable[[], object], success_key: str | None = None, **params: object) -> bool:
    """Call one service; show its domain error or a success note. True when it worked.

    An action that reports (an error, or a success with ``success_key``) replaces the last flash (T16);
    a silent success may be a read that runs on every render, so it leaves the flash alone.
    """
    try:
        action()
    except DomainError as exc:
        clear_flash()
        show_error(exc)
        return False
    except Exception as exc:  # R3/R12: no traceback, the page goes on
        clear_flash()
        st.error(fault_text(exc))
        return False
    if success_key:
        clear_flash()
        text = t(success_key, **params)
        st.success(text, icon=":material/check_circle:")
        st.toast(text, icon=":material/check_circle:")
    return True


def submit_callback(action: Callable[[], object], *, clear: Mapping[str, object] | Sequence[str] = (),
                    success_key: str = "common.saved", error_slot: str) -> Callable[[], None]:
    """An ``on_click`` for a form: run the service; on an error keep every typed value and remember the
    message for ``show_form_error(error_slot)``; on success reset the form.

    ``clear`` maps each widget key to its empty value: assigning the value resets the widget in the
    browser too (popping the key would only forget it on the server, and the browser would resend
    the old text). A plain list of keys is for widgets that are rebuilt anyway (keys that change).
    """

    def callback() -> None:
        clear_flash()
        try:
            action()
        except DomainError as exc:
            st.session_state[error_slot] = error_text(exc)
            return
        except Exception as exc:  # a callback runs before the page, outside the router's boundary (R3, R12)
            st.session_state[error_slot] = fault_text(exc)
            return
        st.session_state.pop(error_slot, None)
        if isinstance(clear, Mapping):
            for key, empty in clear.items():
                st.session_state[key] = empty
        else:
            for key in clear:
                st.session_state.pop(key, None)
        flash(success_key)

    return callback


def form_token(name: str) -> str:
    """The idempotency key of the form ``name`` (R12): made when the form is first drawn, kept in session
    state across errors and retries, so a save that reached the database is not written twice."""
    return st.session_state.setdefault(f"_idem_{name}", secrets.token_hex(16))


def renew_form_token(name: str) -> None:
    """After a confirmed save the next submission is a new one."""
    st.session_state[f"_idem_{name}"] = secrets.token_hex(16)


@dataclass(frozen=True)
class LazyTab:
    """One tab of :func:`lazy_tabs`: its catalog label and what draws it.

    ``eager``: drawn even while closed, for a tab with a form: what a person types into a form stays in the
    browser until the form is submitted, and a tab that is not drawn loses it. ``keep``: the session-state keys
    of a lazy tab's widgets whose values must outlive a visit to another tab (a chosen day, say)."""

    label_key: str
    render: Callable[[], None]
    eager: bool = False
    keep: tuple[str, ...] = ()


def lazy_tabs(key: str, tabs: Sequence[LazyTab]) -> None:
    """Tabs whose lists only run while open (issue 13 L2: every click on a page of six tabs paid for all six).

    ``st.tabs(on_change="rerun")``: a change of tab is a run of its own. A lazy tab is drawn only while open;
    Streamlit forgets a widget's value in a run that does not draw it, so the values named in its ``keep`` are
    written back to session state while it is closed (Streamlit's documented way to keep them). A widget in
    ``keep`` takes its start value from session state (``setdefault``), never from ``value=``.
    """
    containers = st.tabs([t(tab.label_key) for tab in tabs], key=key, on_change="rerun")
    state = st.session_state
    for container, tab in zip(containers, tabs):
        if container.open is False and not tab.eager:
            for name in tab.keep:
                if name in state:
                    state[name] = state[name]
            continue
        with container:
            tab.render()


def lazy_expander(label: str, key: str, render: Callable[[], None]) -> None:
    """An expander whose content runs only while it is open (issue 13: the queue board's day of taps was built,
    translated and sent on every click of every consultant, folded away or not). ``on_change="rerun"``: opening
    it is a run of its own; closed, nothing inside is drawn (put no half-typed form in one)."""
    box = st.expander(label, key=key, on_change="rerun")
    if box.open:
        with box:
            render()


def show_form_error(error_slot: str) -> None:
    message = st.session_state.get(error_slot)
    if message:
        st.error(message)


@dataclass(frozen=True)
class Column:
    """One column of a table: the attribute of the row and the catalog key of its header."""

    attr: str
    label_key: str
    fmt: Callable[[object], object] | None = None


def local_time(value: dt.datetime | None, zone) -> str:
    return "" if value is None else value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def table(rows: Sequence[object], columns: Sequence[Column], *, export_name: str, empty_key: str,
          key: str, selectable: bool = False):
    """A table with its Excel and CSV download beside it; an empty list says what to do.

    With ``selectable`` a click on a row selects it and the row object is returned (T17: open the
    record from the table, not from a picker under it); otherwise None.
    """
    if not rows:
        st.info(t(empty_key))
        return None
    headers = [t(c.label_key) for c in columns]
    values = [[(c.fmt(getattr(r, c.attr)) if c.fmt else getattr(r, c.attr)) for c in columns] for r in rows]
    data = [dict(zip(headers, v)) for v in values]
    chosen = None
    if selectable:
        if len(set(headers)) != len(headers):
            raise ValueError("a selectable table needs distinct headers")
        event = st.dataframe(data, width="stretch", hide_index=True, on_select="rerun",
                             selection_mode="single-row", key=f"{key}_rows")
        picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
        if picked and 0 <= picked[0] < len(rows):
            chosen = rows[picked[0]]
        st.caption(t("table.click_row"))
    else:
        st.dataframe(data, width="stretch", hide_index=True)
    export_buttons(headers, values, export_name=export_name, key=key)
    return chosen


def selected_row(key: str) -> int | None:
    """The index of the row selected in ``table(..., selectable=True, key=key)``, for AppTest and callbacks."""
    state = st.session_state.get(f"{key}_rows")
    rows = (state or {}).get("selection", {}).get("rows", []) if isinstance(state, Mapping) else []
    return rows[0] if rows else None


def export_buttons(headers: Sequence[str], values: Sequence[Sequence[object]], *, export_name: str, key: str) -> None:
    """Excel and CSV downloads, built only when clicked (deferred data), so a page run never pays for them."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(t("export.xlsx"), lambda: export.to_xlsx(headers, values, sheet=export_name),
                         file_name=f"{export_name}.xlsx", key=f"{key}_xlsx", on_click="ignore",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.download_button(t("export.csv"), lambda: export.to_csv(headers, values), file_name=f"{export_name}.csv",
                          key=f"{key}_csv", on_click="ignore", mime="text/csv")


def choice_labels(prefix: str, values: Sequence[str]) -> dict[str, str]:
    """Enum slug → catalog label, for selectboxes (``format_func``)."""
    return {v: t(f"{prefix}.{v}") for v in values}


def confirm_button(label_key: str, *, key: str, confirm_key: str = "confirm.sure") -> bool:
    """A destructive action needs a second click on the confirmation that appears."""
    pending = f"{key}_pending"
    if st.session_state.get(pending):
        st.warning(t(confirm_key))
        yes, no = st.columns(2)
        if yes.button(t("confirm.yes"), key=f"{key}_yes", type="primary"):
            st.session_state[pending] = False
            return True
        if no.button(t("confirm.no"), key=f"{key}_no"):
            st.session_state[pending] = False
        return False
    if st.button(t(label_key), key=key):
        st.session_state[pending] = True
        st.rerun()
    return False
