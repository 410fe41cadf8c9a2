"""A click is never lost to a rerun that arrives while its run is starting (the login race, seen in CI).

Streamlit 1.67 checks for a newer rerun request at every ``st.session_state`` access, and first of all when a
run starts to apply the browser's widget values, before any of them (a button's press among them) is applied.
When a second request arrives in that moment — the login cookie component answering a moment after the page
is drawn, a second click, a timer's full rerun — the starting run is dropped with the press it carried, and the
newer run, which carries no press, takes its place. The check also fires inside callbacks, cutting a form's save
short after its database write but before its "saved" note and cleared fields. Seen in CI: a consultant pressed
登录 and stayed on the login form, the typed name and password still there.

:func:`install` makes the application of the widget values and every callback run to its end: during them
those checks do nothing, the newer request stays queued, and Streamlit honours it at its own check right after
the callbacks, with the press applied and the callbacks' work in session state. Requests that meet are merged
keeping every press, and no run is left going beside its replacement, only with ``runner.fastReruns = false``
(``.streamlit/config.toml``).

This reaches into ``SafeSessionState``, internal to the pinned Streamlit; ``tests/e2e/test_login_race.py``
(the race itself, over the socket) fails if an upgrade changes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from streamlit.runtime.state.safe_session_state import SafeSessionState

_ORIGINAL = SafeSessionState.on_script_will_rerun


def _no_check() -> None:
    return None


@contextmanager
def _checks_off(state: SafeSessionState) -> Iterator[None]:
    check = state._yield_callback
    object.__setattr__(state, "_yield_callback", _no_check)
    try:
        yield
    finally:
        object.__setattr__(state, "_yield_callback", check)


def _apply_widgets_and_callbacks_whole(self: SafeSessionState, *args, **kwargs) -> None:
    """``on_script_will_rerun`` with no rerun check inside: the values and presses are applied, every callback
    finishes; a newer request waits for the check Streamlit makes right after."""
    with _checks_off(self):
        _ORIGINAL(self, *args, **kwargs)


def install() -> None:
    """Once per process, before the first script run that could carry a press (the router's import)."""
    SafeSessionState.on_script_will_rerun = _apply_widgets_and_callbacks_whole


def installed() -> bool:
    return SafeSessionState.on_script_will_rerun is _apply_widgets_and_callbacks_whole
