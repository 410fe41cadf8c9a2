"""The 销售经理's queue desk: the lottery draw, reorders with a reason, the intern pin, demotions, replay (SPEC M1 1.1)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS
from lib.services import rotation
from lib.services.settings import office_zone_now
from lib.ui import app_engine, show_flash, t
from lib.views.rotation import admin as rotation_admin
from lib.views.rotation import board as rotation_board

user = require_role(*SUPERVISORS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.rotation_draw"))
show_flash()

view = rotation.board(engine, actor=user)
draw_tab, reorder_tab, demotion_tab, replay_tab = st.tabs(
    [t("rotation.tab.draw"), t("rotation.tab.reorder"), t("rotation.tab.demotions"), t("rotation.tab.replay")])
with draw_tab:
    if view.draw is not None:
        rotation_board.carry_line(view)
        rotation_board.draw_info(view, zone)
        rotation_admin.previous_closing(engine, user, view, zone)
    else:
        st.info(t("rotation.queue.no_draw_supervisor"))
    rotation_admin.draw_form(engine, user)
with reorder_tab:
    rotation_admin.reorder_form(engine, user, view)
    st.divider()
    rotation_admin.intern_form(engine, user, view)
with demotion_tab:
    rotation_admin.demotion_forms(engine, user, today)
with replay_tab:
    rotation_admin.replay(engine, user, today, zone)
