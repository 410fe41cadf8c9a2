"""Wall display access without a person typing (SPEC M4 4.7): a display link's token in the URL.

``Home.py`` calls :func:`route_display_token` before restoring any login: a display
link's token opens the wall page alone (hidden navigation, no login, no authenticator),
or, once revoked, a full-screen message saying so, never a login form a TV cannot use
(T10). The token is checked against the database on every run (and on every
refresh of the wall), so a revoked link stops working at the next refresh.
"""

from __future__ import annotations

import html
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from lib.services import display
from lib.ui import app_engine, t
from lib.views.router_paths import leave_folder_mode, navigation

TOKEN_PARAM = "token"
WALL_PAGE = Path(__file__).resolve().parents[3] / "pages" / "wall.py"
REFUSED_CSS = """<style>
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none !important;}
.dd-refused {display: flex; flex-direction: column; justify-content: center; align-items: center; text-align: center;
             height: 80vh; gap: 1.5rem;}
.dd-refused .head {font-size: 4rem; font-weight: 700;}
.dd-refused .body {font-size: 2rem; opacity: .8; max-width: 60rem;}
</style>"""


def url_token() -> str | None:
    value = st.query_params.get(TOKEN_PARAM)
    return value if isinstance(value, str) else None


def token_access() -> display.WallAccess | None:
    """The display link of this URL's ``?token=``, if it is valid now; None otherwise."""
    token = url_token()
    return None if token is None else display.wall_access(app_engine(), token)


def show_link_refused() -> None:
    """Full screen, in large type: this display link was revoked (or never existed) and what to do (T10)."""
    revoked = display.token_revoked(app_engine(), url_token())
    kind = "revoked" if revoked else "unknown"
    st.html(REFUSED_CSS + f"<div class='dd-refused' role='alert'><div class='head'>{html.escape(t(f'wall.{kind}.title'))}"
            f"</div><div class='body'>{html.escape(t(f'wall.{kind}.body'))}</div></div>")


def reload_the_tv() -> None:
    """Reload the TV's own address from a timed area: the fresh load's first run says the link was revoked (T10).

    A full-app rerun asked from a timed fragment could, on a busy server, be overtaken by the other area's timer:
    that fragment no longer existed, the run drew nothing, and the TV stayed blank for good (seen in CI, a white
    screen at 1920×1080). A reload cannot be overtaken: it is a new session. The frame is zero high and runs no
    user text."""
    components.html("<script>window.parent.location.reload()</script>", height=0)


def display_link_viewer() -> display.WallAccess | None:
    """The display link this URL's token opens; None without a token (a signed-in user then); a revoked or
    unknown token is told so full screen and the page stops (T10)."""
    leave_folder_mode()
    if url_token() is None:
        return None
    access = token_access()
    if access is None:
        show_link_refused()
        st.stop()
    return access


def route_display_token() -> bool:
    """A display link's token in the URL: the wall page alone, or for a revoked link the message that it
    was revoked; True when it did (the router then stops). Other tokens (a kiosk's) fall through.
    Any address with the token opens the wall, without a "Page not found" modal (T10)."""
    token = url_token()
    if token is None:
        return False
    if token_access() is not None:
        page = WALL_PAGE
    elif display.token_revoked(app_engine(), token):
        page = show_link_refused
    else:
        return False
    navigation([st.Page(page, title=t("nav.wall"), url_path="wall", default=True)], position="hidden").run()
    return True


def wall_url(token: str) -> str:
    """The address to open on the TV: this app's base URL, the wall page and the token."""
    current = (st.context.url or "").split("?")[0].rstrip("/")
    base = current.rsplit("/", 1)[0] if current.count("/") > 2 else current
    return f"{base}/wall?{TOKEN_PARAM}={token}"
