"""Monthly sales ranking and demotions (SPEC M4 4.1, seed 000 D1, S47)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS, WRITERS
from lib.services.kpi import rankings as kpi
from lib.services.settings import office_zone_now
from lib.ui import app_engine, show_flash, t
from lib.views.kpi import sales as kpi_sales
from lib.views.kpi.common import month_picker

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.sales_ranking"))
show_flash()
st.caption(t("kpi.sales.rule"))

month = month_picker("sr_month", today)
view = kpi.sales_month(engine, actor=user, month=month)

if user.role not in SUPERVISORS:
    kpi_sales.ranking(user, view)
    st.stop()

ranking_tab, entry_tab, import_tab, demotion_tab = st.tabs([
    t("kpi.sales.tab_ranking"), t("kpi.sales.tab_entry"), t("kpi.sales.tab_import"),
    t("kpi.sales.tab_demotions", count=sum(c.decision == kpi.PENDING for c in view.candidates))])
with ranking_tab:
    kpi_sales.ranking(user, view)
with entry_tab:
    kpi_sales.entry_form(user, view, kpi.consultants(engine))
with import_tab:
    kpi_sales.import_box(user, month)
with demotion_tab:
    kpi_sales.demotions(user, view)
