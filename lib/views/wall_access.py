"""Wall display access without a person typing (SPEC M4 4.7): a display link's token in the URL.

``Home.py`` calls :func:`route_display_token` before restoring any login: a valid token
opens the wall page alone, hidden navigation, no login and no authenticator at all.
The token is checked against the database on every run (and on every refresh of the
wall), so a revoked link stops working at the next refresh.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib.services import display
from lib.ui import app_engine, t

TOKEN_PARAM = "token"
WALL_PAGE = Path(__file__).resolve().parents[2] / "pages" / "wall.py"


def url_token() -> str | None:
    value = st.query_params.get(TOKEN_PARAM)
    return value if isinstance(value, str) else None


def token_access() -> display.WallAccess | None:
    """The display link of this URL's ``?token=``, if it is valid now; None otherwise."""
    token = url_token()
    return None if token is None else display.wall_access(app_engine(), token)


def route_display_token() -> bool:
    """Open only the wall page for a valid display token; True when it did (the router then stops)."""
    if token_access() is None:
        return False
    st.navigation([st.Page(WALL_PAGE, title=t("nav.wall"), url_path="wall")], position="hidden").run()
    return True


def wall_url(token: str) -> str:
    """The address to open on the TV: this app's base URL, the wall page and the token."""
    current = (st.context.url or "").split("?")[0].rstrip("/")
    base = current.rsplit("/", 1)[0] if current.count("/") > 2 else current
    return f"{base}/wall?{TOKEN_PARAM}={token}"
