"""A Streamlit browser session without the browser (L1): the WebSocket at ``/_stcore/stream`` and its protobufs.

What the frontend does, reduced to what a load test needs. The browser opens the socket with the
subprotocol ``streamlit`` and sends a ``BackMsg`` whose ``rerun_script`` is a ``ClientState``: the URL's
query string, the page (``page_script_hash`` and its url path as ``page_name``), the widget values
(``WidgetStates``; a button press is ``trigger_value`` true for that one run) and, for an
``st.fragment(run_every=...)``, the fragment's id with ``is_auto_rerun``. The server answers with
``ForwardMsg``s: ``new_session``, ``navigation`` (the pages with their hashes), ``delta``s (each widget
carries its id, ``$$ID-<hash>-<key>``), ``auto_rerun`` (a fragment's id and interval) and finally
``script_finished``. A run that ``st.rerun()``s or is replaced finishes ``FINISHED_EARLY_FOR_RERUN`` and the
next run follows on the same socket; a click is done when a run finishes for good.

Widgets not named in a rerun keep their last value on the server (session state falls back to the
previous run's values), so an action sends only the widgets it sets, like a form's submit sends its fields.
No cookie or XSRF token is needed: the app keeps a login in ``st.session_state`` for the socket's life.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
ERROR, WARNING, INFO, SUCCESS = 1, 2, 3, 4  # streamlit.proto.Alert.Format


class ProtocolError(Exception):
    """A disconnect, a timeout or a run that could not finish: counted as an error of its action."""


@dataclass
class Widget:
    id: str
    kind: str  # the Element field: button, text_input, number_input, ...
    label: str
    disabled: bool
    form_id: str
    near: str = ""  # the st.text drawn since the widget before it: a row's text beside its button

    @property
    def key(self) -> str:
        """The user key of ``$$ID-<hash>-<key>`` (``FormSubmitter:<form>-<label>`` for a form's submit)."""
        if self.id.startswith("$$ID-"):
            return self.id[5:].partition("-")[2]
        return self.id


@dataclass
class Run:
    """What one click brought back: its latency and what the page showed."""

    seconds: float
    status: int
    alerts: list[tuple[int, str]] = field(default_factory=list)  # (Alert.Format, body)
    toasts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # st.exception elements and compile errors

    def has_alert(self, fmt: int) -> bool:
        return any(f == fmt for f, _ in self.alerts)


class Session:
    """One browser tab: a socket, the page it shows, its widgets, and its fragments' refresh intervals."""

    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        self.ws_url = base_url.rstrip("/").replace("http://", "ws://", 1) + "/_stcore/stream"
        self.timeout = timeout
        self.query = ""
        self.page_hash = ""
        self.page_name = ""
        self.pages: dict[str, str] = {}  # url path -> page_script_hash, from the last navigation message
        self.widgets: dict[str, Widget] = {}  # id -> widget, as drawn by the last full run
        self._texts: list[str] = []
        self.fragments: dict[str, float] = {}  # fragment id -> run_every seconds
        self._ws: Any = None

    async def open(self, *, query: str = "", page_name: str = "") -> Run:
        """Connect and run the script once, as a browser opening ``/<page_name>?<query>`` does."""
        try:
            self._ws = await asyncio.wait_for(
                connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout),
                self.timeout)
        except (OSError, asyncio.TimeoutError, ConnectionClosed) as exc:
            raise ProtocolError(f"connect: {type(exc).__name__}") from exc
        self.query, self.page_name = query, page_name
        return await self.rerun()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    def find(self, *, key: str | None = None, key_prefix: str | None = None, label: str | None = None,
             kind: str | None = None, near: str | None = None, enabled: bool = False) -> list[Widget]:
        """The widgets of the page shown that match every criterion given (``near``: text drawn between
        the widget before and this one contains it)."""
        found = []
        for widget in self.widgets.values():
            if near is not None and near not in widget.near:
                continue
            if key is not None and widget.key != key:
                continue
            if key_prefix is not None and not widget.key.startswith(key_prefix):
                continue
            if label is not None and widget.label != label:
                continue
            if kind is not None and widget.kind != kind:
                continue
            if enabled and widget.disabled:
                continue
            found.append(widget)
        return found

    def widget(self, key: str) -> Widget:
        found = self.find(key=key) or self.find(key_prefix=key)
        if not found:
            raise ProtocolError(f"no widget {key!r} on page {self.page_name or '/'}")
        return found[0]

    async def goto(self, url_path: str, *, query: str = "") -> Run:
        """A click on the menu: the page by its url path (its hash from the navigation message)."""
        if url_path not in self.pages:
            raise ProtocolError(f"page {url_path!r} not in this user's menu")
        self.page_hash, self.page_name, self.query = self.pages[url_path], url_path, query
        return await self.rerun()

    async def rerun(self, values: dict[str, Any] | None = None, *, fragment_id: str = "") -> Run:
        """Send one ``rerun_script`` and wait until the run is done for good; its latency and what it showed.

        ``values``: widget id -> value (``True`` for a button: a trigger). A fragment rerun is
        ``is_auto_rerun`` like the browser's timer, and keeps the widgets the full run drew.
        """
        started = time.perf_counter()
        await self.send(values, fragment_id=fragment_id)
        return await self.finish(started)

    async def send(self, values: dict[str, Any] | None = None, *, fragment_id: str = "") -> None:
        """Only send the ``rerun_script`` (:meth:`finish` reads the answer): two sends in a row are what a
        browser does when a component answers while the run of a click is still going."""
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        state.page_name = self.page_name
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.timezone_offset = -480
        state.context_info.locale = "zh-CN"
        state.context_info.url = f"http://127.0.0.1/{self.page_name}" + (f"?{self.query}" if self.query else "")
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        for widget_id, value in (values or {}).items():
            state.widget_states.widgets.append(_widget_state(self.widgets.get(widget_id), widget_id, value))
        if not fragment_id:  # a full run draws the page anew and announces its fragments again
            self.widgets, self._texts, self.fragments = {}, [], {}
        try:
            await self._ws.send(back.SerializeToString())
        except ConnectionClosed as exc:
            raise ProtocolError(f"disconnected: {exc}") from exc

    async def finish(self, started: float | None = None, *, timeout: float | None = None) -> Run:
        """Read until a run is done for good (``timeout``: the session's unless given)."""
        started = time.perf_counter() if started is None else started
        limit = self.timeout if timeout is None else timeout
        try:
            return await asyncio.wait_for(self._read_until_done(started), limit)
        except asyncio.TimeoutError as exc:
            raise ProtocolError(f"timeout after {limit:.0f} s") from exc
        except ConnectionClosed as exc:
            raise ProtocolError(f"disconnected: {exc}") from exc

    async def _read_until_done(self, started: float) -> Run:
        run = Run(seconds=0.0, status=-1)
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self._ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "delta":
                self._delta(msg.delta, run)
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                if msg.navigation.page_script_hash:
                    self.page_hash = msg.navigation.page_script_hash
            elif kind == "auto_rerun":
                self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                self.fragments.clear()
            elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
                run.exceptions.append(msg.session_event.script_compilation_exception.message)
            elif kind == "script_finished":
                if msg.script_finished in DONE:
                    run.seconds, run.status = time.perf_counter() - started, msg.script_finished
                    if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR and not run.exceptions:
                        run.exceptions.append("compile error")
                    return run
                run.alerts.clear()  # replaced by the run that follows: only the last run's page counts
                run.toasts.clear()
                run.exceptions.clear()

    def _delta(self, delta, run: Run) -> None:
        if delta.WhichOneof("type") == "add_block" and delta.add_block.id:
            # a container that is also a widget: tabs with a key (its value is the open tab's label)
            block = delta.add_block
            self.widgets[block.id] = Widget(id=block.id, kind=block.WhichOneof("type") or "block", label="",
                                            disabled=False, form_id="")
            return
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "alert":
            run.alerts.append((element.alert.format, element.alert.body))
        elif kind == "toast":
            run.toasts.append(element.toast.body)
        elif kind == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "text":
            self._texts.append(element.text.body)
        if kind is None:
            return
        body = getattr(element, kind)
        fields = body.DESCRIPTOR.fields_by_name
        if "id" in fields and body.id:
            self.widgets[body.id] = Widget(id=body.id, kind=kind, label=getattr(body, "label", ""),
                                           disabled=bool(getattr(body, "disabled", False)),
                                           form_id=getattr(body, "form_id", ""), near="\n".join(self._texts))
            self._texts = []


def _widget_state(widget: Widget | None, widget_id: str, value: Any) -> WidgetState:
    """The value as the frontend encodes it for that kind of widget (a selectbox sends the option's label)."""
    state = WidgetState(id=widget_id)
    kind = widget.kind if widget else ""
    if kind in ("button", "download_button") or (kind == "" and value is True):
        state.trigger_value = bool(value)
    elif kind == "checkbox":
        state.bool_value = bool(value)
    elif kind == "number_input":
        state.double_value = float(value)
    else:
        state.string_value = str(value)
    return state
