"""The router's handling of addresses (T10): no Streamlit "Page not found" modal, ever.

Traps of Streamlit 1.67, the first two seen on the wall TV (which has no mouse to close a modal):

1. ``st.navigation`` gives its default page the address ``/``; a browser on ``/home``
   (or ``/wall?token=…`` when the wall is the only page) asks for a path the navigation
   does not have, and Streamlit shows its English "Page not found" modal, which stays.
   :func:`navigation` forgets such a request before ``st.navigation`` resolves it, so the
   default page simply opens (and the address bar shows ``/``).
2. Until some session has called ``st.navigation``, Streamlit treats the ``pages/`` folder
   as an old-style multipage app: the first visitor after a server start runs
   ``pages/<name>.py`` directly, bypassing this router, with every file listed in a
   sidebar. :func:`leave_folder_mode` (first thing on the wall page and in the page guard)
   switches that off for the process and reruns through the router. The router itself needs
   nothing: its own ``st.navigation`` call switches it off. A deep link whose address is not a file
   name (``/queue``) got "Page not found" before either could act: ``lib/launch.py`` switches the mode
   off before the first session, and the app is started through it.

3. A rerun that names the main script rather than a page (a component answering before the page is known)
   opens the default page: :func:`keep_page_through_an_early_rerun` reopens the session's page instead.

All three reach into ``PagesManager``, which is internal to the pinned Streamlit; the e2e tests
in ``tests/e2e/test_wall.py`` fail if an upgrade changes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.navigation import pages_for
from lib.ui import lang, t


def leave_folder_mode() -> None:
    """Stop Streamlit's old ``pages/`` folder mode for this process; rerun this request through the router."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def _paths(pages: Sequence | Mapping) -> set[str]:
    groups = pages.values() if isinstance(pages, Mapping) else [pages]
    return {page.url_path for group in groups for page in group}


def forget_unknown_path(pages: Sequence | Mapping) -> str | None:
    """If the browser asked, by address, for a path ``pages`` do not serve, drop the request so the
    default page opens without a modal; returns the forgotten path (None when there was nothing to do).

    The default page's own path (``/home`` when home is the default) counts as unknown: Streamlit
    serves the default page at ``/`` only.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    manager = ctx.pages_manager
    asked = manager.intended_page_name
    if not asked or manager.intended_page_script_hash or asked in _paths(pages):
        return None
    manager.set_script_intent("", "")
    return asked


_MENU_KEY = "_dd_menu"


def role_menu(role: str) -> dict[str, list[StreamlitPage]]:
    """The role's menu by section, built once per browser session and language (issue 13 L2): some forty
    ``st.Page`` objects are not remade on every click (``st.navigation`` only marks the chosen one runnable)."""
    key = (role, lang())
    kept = st.session_state.get(_MENU_KEY)
    if kept is None or kept[0] != key:
        default = "wall" if role == "display" else "home"
        sections: dict[str, list[StreamlitPage]] = {}
        for spec in pages_for(role):
            sections.setdefault(t(spec.section_key), []).append(
                st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path,
                        default=spec.url_path == default))
        kept = st.session_state[_MENU_KEY] = (key, sections)
    return kept[1]


_LAST_PAGE = "_dd_page"


def _address_page() -> str:
    """The page the browser's address names (``queue`` for ``http://host/queue``); "" when there is none.

    Read from the address the browser sent with this rerun, not ``st.context.url``: that one drops the page's
    path once this session's navigation knows the page, which a run stopped just after ``st.navigation`` (a
    newer rerun waiting) leaves behind, and the deep link was lost again (CI, 2026-12-07)."""
    ctx = get_script_run_ctx()
    info = getattr(ctx, "context_info", None)
    url = info.url if info is not None and info.HasField("url") else ""
    return urlsplit(url).path.strip("/").rsplit("/", 1)[-1]


def keep_page_through_an_early_rerun(pages: Sequence | Mapping) -> str | None:
    """A rerun that asks for the app's main script instead of a page reopens the page this session last ran.

    Trap 3 (issue 13 L3, seen behind nginx on a busy server): a browser opening ``/queue`` gets the run's first
    elements, among them the login cookie component, before the message that names the page; the component
    answers at once, and that rerun carries the only page the browser knows yet, the main script's. Streamlit
    then opened the default page and the address became ``/``: the deep link was lost. No menu link or widget
    ever asks for the main script, so such a request means "the page I am on". Returns the page reopened.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    manager = ctx.pages_manager
    if not manager.intended_page_script_hash or manager.intended_page_script_hash != manager.main_script_hash:
        return None
    last = st.session_state.get(_LAST_PAGE) or _address_page()  # the first run may not have got that far
    if not last or last not in _paths(pages):
        return None
    manager.set_script_intent("", last)
    return last


def navigation(pages: Sequence | Mapping, **kwargs) -> StreamlitPage:
    """``st.navigation`` that never shows "Page not found" and keeps a deep link (see the module docstring)."""
    keep_page_through_an_early_rerun(pages)
    forget_unknown_path(pages)
    page = st.navigation(pages, **kwargs)
    st.session_state[_LAST_PAGE] = page.url_path
    return page
