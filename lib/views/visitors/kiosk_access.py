"""Kiosk access without a person logging in (T21b): a kiosk link's token in the URL, like the wall's.

``Home.py`` calls :func:`route_kiosk_token` before restoring any login: a kiosk token (valid or
revoked) opens the kiosk page alone, under hidden navigation, with no sidebar and no other page
(a revoked one says it was revoked instead of showing a login form).
The token is checked against the database on every run, so a revoked link says so at once.
"""

from __future__ import annotations

import streamlit as st

from lib.services.visitors import kiosk as visitor_kiosk
from lib.ui import app_engine, t
from lib.views.router_paths import leave_folder_mode, navigation

TOKEN_PARAM = "token"


def kiosk_token_access() -> visitor_kiosk.KioskAccess | None:
    """The kiosk of this URL's ``?token=`` (valid or revoked); None when it names no kiosk."""
    token = st.query_params.get(TOKEN_PARAM)
    return visitor_kiosk.kiosk_access(app_engine(), token) if isinstance(token, str) else None


def kiosk_link_viewer() -> visitor_kiosk.KioskAccess | None:
    """For ``pages/kiosk.py``: the kiosk of this URL's token. Streamlit runs that file directly only for the
    first visitor after a server start (its old ``pages/`` folder mode, see ``router_paths``); leaving that
    mode reruns the request through the router, so a tablet never sees "Page not found" (T10, T21b)."""
    leave_folder_mode()
    return kiosk_token_access()


def route_kiosk_token() -> bool:
    """Open only the kiosk page for a kiosk token; True when it did (the router then stops)."""
    kiosk = kiosk_token_access()
    if kiosk is None:
        return False
    from lib.views.visitors.kiosk_page import kiosk_page

    page = st.Page(lambda: kiosk_page(kiosk), title=t("nav.kiosk"), url_path="kiosk", default=True)
    navigation([page], position="hidden").run()  # no "Page not found" modal on /kiosk (T10)
    return True


def kiosk_url(token: str) -> str:
    """The address to open on the entrance tablet: this app's base URL, the kiosk page and the token."""
    current = (st.context.url or "").split("?")[0].rstrip("/")
    base = current.rsplit("/", 1)[0] if current.count("/") > 2 else current
    return f"{base}/kiosk?{TOKEN_PARAM}={token}"
