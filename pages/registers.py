"""登记簿: the office's other registers on one engine, one tab per family (SPEC M5, issue 14)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import WRITERS
from lib.ui import app_engine, show_flash, t
from lib.views.registers import family_names, open_linked, render_family

user = require_role(*WRITERS)
engine = app_engine()
st.title(t("nav.registers"))
show_flash()
names = family_names(user, engine)
open_linked(engine, user, names)  # an inbox link: ?register=<key>&id=<entry> opens its tab and entry (issue 15 I8)
# Lazy tabs: only the open family runs (a register's form, list and exports cost a query and some widgets each).
for tab, family in zip(st.tabs([t(f"registers.family.{name}") for name in names], key="rg.tabs", on_change="rerun"),
                       names):
    if tab.open is not False:
        with tab:
            render_family(engine, user, family)
