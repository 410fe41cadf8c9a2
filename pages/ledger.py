"""Points, fines and warnings ledger and the department fund (SPEC M4 4.4, 4.6; S49–S53)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS, WRITERS
from lib.services import ledger
from lib.services.settings import office_zone_now
from lib.ui import app_engine, plain, show_flash, t
from lib.views import linked as link
from lib.views.kpi import ledger as kpi_ledger

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.ledger"))
show_flash()
labels = kpi_ledger.code_labels()

# an inbox card's ?id= names a proposal waiting for the decider: the 待决定 tab opens on it (issue 15 I7)
linked = link.linked_record("ledger")
if linked is not None and user.role not in SUPERVISORS:
    link.not_found()  # proposals are decided by supervisors: a staff member's link names nothing here
if user.role not in SUPERVISORS:
    st.caption(t("ledger.mine_hint"))
    kpi_ledger.entries_tab(user, today, labels)
    st.stop()

titles = ledger.decider_titles(engine)
pending = ledger.pending(engine, actor=user)
waiting = len(pending)
decide_label = t("ledger.tab_decide", count=waiting)
if linked is not None:
    found = next((row for row in pending if row.id == linked), None)
    if found is None:
        link.not_found()
    else:
        with link.mark(True):
            st.markdown(t("linked.proposal", id=found.id, name=plain(found.person_name),
                          code=plain(labels.get(found.code, found.code)), tab=decide_label))
entries_tab, propose_tab, decide_tab, fund_tab = st.tabs([
    t("ledger.tab_entries"), t("ledger.tab_propose"), decide_label, t("ledger.tab_fund")],
    default=decide_label if linked is not None else None)
with entries_tab:
    kpi_ledger.entries_tab(user, today, labels)
with propose_tab:
    kpi_ledger.propose_tab(user, today, labels)
with decide_tab:
    kpi_ledger.decisions_tab(user, labels, titles)
with fund_tab:
    kpi_ledger.fund_tab(user, today)
