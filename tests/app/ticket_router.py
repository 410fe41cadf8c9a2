"""The ticket pages behind ``st.navigation`` as Home.py registers them, so a page's ``st.switch_page`` can
be followed in AppTest (T17). The first page is ``session_state["router_start"]``."""

from pathlib import Path

import streamlit as st

from lib.navigation import PAGES

ROOT = Path(__file__).resolve().parents[2]
start = st.session_state.get("router_start", "pages/tickets_board.py")
st.navigation([st.Page(ROOT / spec.path, title=spec.url_path, url_path=spec.url_path, default=spec.path == start)
               for spec in PAGES if "ticket" in spec.path]).run()
