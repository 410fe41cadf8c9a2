"""Shift handover (交接班) for the control room and other posts: previous log, checklist, 五交, both signatures (SPEC M1 1.4)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.handover import HandoverState
from lib.navigation import WRITERS
from lib.services import handover, roster
from lib.services.settings import office_zone_now
from lib.ui import app_engine, show_flash, t
from lib.views import handover_steps
from lib.views import linked as link

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.handover"))
show_flash()

posts = handover.posts(engine)
if not posts:
    st.info(t("rotation.handover.no_posts"))
    st.stop()
# an inbox card's ?id= names an open handover: its post is chosen once, the handover shown (issue 15 I7)
linked = link.linked_record("handover")
if linked is not None and link.fresh_link("handover"):
    home = next((p for p in posts if any(v.id == linked and v.state != HandoverState.completed
                                         for v in handover.post_handovers(engine, actor=user, post_id=p))), None)
    if home is None:
        link.not_found()
    else:
        st.session_state["h_post"] = home
post_id = st.selectbox(t("field.handover_post"), list(posts), format_func=posts.get, key="h_post")
people = {o.id: o.name for o in roster.staff(engine) if o.id != user.id}
views = handover.post_handovers(engine, actor=user, post_id=post_id)
current = next((v for v in views if v.state != HandoverState.completed), None)

handover_tab, log_tab, signed_tab = st.tabs(
    [t("rotation.tab.handover"), t("rotation.tab.duty_log"), t("rotation.tab.signed")])
with handover_tab:
    if current is None:
        handover_steps.schedule_form(engine, user, post_id, people, today, zone)
    else:
        if current.id == linked:
            st.caption(t("linked.opened"))
        handover_steps.summary(current, zone)
        handover_steps.previous_log(current, zone)
        handover_steps.step(engine, user, current)
        with st.expander(t("rotation.handover.items_title")):
            handover_steps.items_form(engine, user, current)
with log_tab:
    handover_steps.duty_log(engine, user, post_id, zone)
with signed_tab:
    done = [v for v in views if v.state == HandoverState.completed]
    if not done:
        st.info(t("rotation.handover.none_signed"))
    for view in done:
        handover_steps.signed(engine, user, view, zone)
