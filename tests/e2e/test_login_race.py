"""The login race: a click on 登录 is never lost to a rerun that arrives while its run is going.

Seen in CI (2026-12-07, T6): a consultant's second browser filled the form, pressed 登录 and stayed on the
login form for 30 s. The authenticator's cookie component answers a moment after the first page is drawn;
on a busy server that answer can reach the server while the run of the click is still going. Streamlit then
stops that run and starts the component's, which carries no click: the press was gone, and the form still
showed the typed name and password. The login now happens in the button's callback, which Streamlit runs
before any rerun can stop the run; the cookie is written by the runs that follow.

The browser is played by the protocol client of ``make loadtest`` (``bench/loadtest/protocol.py``): it can
send the second rerun right behind the first, which is the race itself, every time.
"""

from __future__ import annotations

import asyncio

import pytest

from bench.loadtest.protocol import ProtocolError, Session

pytestmark = pytest.mark.e2e

PASSWORD = "Login-Race-2026"
TRIES = 6


async def _log_in_while_a_component_answers(url: str, password: str) -> tuple[set[str], list]:
    """Open the login page, press 登录 and, right behind it, send what the cookie component's answer sends
    (no click); read every run the server still makes for this tab, then what one more rerun shows."""
    session = Session(url, timeout=30)
    try:
        await session.open()
        fields = {session.widget("login_user").id: "admin", session.widget("login_password").id: password}
        await session.send({**fields, session.widget("FormSubmitter:login_form").id: True})
        await session.send(fields)  # the component's answer: every widget's value as submitted, no trigger
        await session.finish()
        while True:  # the first run may have ended by itself before the second began: read that one too
            try:
                await session.finish(timeout=3)
            except ProtocolError:
                break
        run = await session.rerun()  # what the tab shows now, on its own
        return {widget.key for widget in session.widgets.values()}, run.alerts
    finally:
        await session.close()


def test_login_race_a_rerun_arriving_during_the_login_run_does_not_lose_the_login(e2e_server, lone_admin):
    """Every try ends logged in: the tab shows the menu's logout button, not the login form."""

    async def tries() -> list[set[str]]:
        return [(await _log_in_while_a_component_answers(e2e_server.url, PASSWORD))[0] for _ in range(TRIES)]

    shown = asyncio.run(tries())
    lost = [keys for keys in shown if "login_user" in keys or "dd_logout_button" not in keys]
    assert not lost, f"{len(lost)} of {TRIES} logins lost: the tab still shows the login form"


def test_login_race_a_wrong_password_in_the_same_race_still_says_so(e2e_server, lone_admin):
    """The refusal survives the race too: the error stays on the login form through the runs after it."""
    keys, alerts = asyncio.run(_log_in_while_a_component_answers(e2e_server.url, "wrong-password"))
    assert "login_user" in keys
    assert any("用户名或密码不正确" in body for _, body in alerts), alerts
