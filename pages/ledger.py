"""Points, fines and warnings ledger and the department fund (SPEC M4 4.4, 4.6; S49–S53)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS, WRITERS
from lib.services import ledger
from lib.services.settings import office_zone_now
from lib.ui import app_engine, show_flash, t
from lib.views.kpi import ledger as kpi_ledger

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.ledger"))
show_flash()
labels = kpi_ledger.code_labels()

if user.role not in SUPERVISORS:
    st.caption(t("ledger.mine_hint"))
    kpi_ledger.entries_tab(user, today, labels)
    st.stop()

titles = ledger.decider_titles(engine)
waiting = len(ledger.pending(engine, actor=user))
entries_tab, propose_tab, decide_tab, fund_tab = st.tabs([
    t("ledger.tab_entries"), t("ledger.tab_propose"), t("ledger.tab_decide", count=waiting), t("ledger.tab_fund")])
with entries_tab:
    kpi_ledger.entries_tab(user, today, labels)
with propose_tab:
    kpi_ledger.propose_tab(user, today, labels)
with decide_tab:
    kpi_ledger.decisions_tab(user, labels, titles)
with fund_tab:
    kpi_ledger.fund_tab(user, today)
