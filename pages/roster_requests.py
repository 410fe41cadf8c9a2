"""Swaps and absences: staff ask, the 主管 decides; staff never edit a published roster (SPEC M1 1.3)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS, WRITERS
from lib.services import roster
from lib.services.settings import office_zone_now
from lib.ui import app_engine, plain, show_flash, t
from lib.views import linked as link
from lib.views.roster import inbox as roster_inbox

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.requests"))
show_flash()

# An inbox card's ?id= names a swap or an absence and its &kind= which (the two tables number their rows on their
# own, issue 15 I9); a link without a known kind finds nothing. The request is shown at the top, as the service
# lets this person see it: a supervisor's pending ones (decided in the inbox tab, opened first), anyone's own
# otherwise (issue 15 I7).
linked = link.linked_record("requests")
if linked is not None:
    supervisor = user.role in SUPERVISORS
    kind = st.query_params.get("kind")
    found = [r for r in roster.requests_list(engine, actor=user, pending_only=supervisor, mine=not supervisor)
             if r.id == linked and r.kind == kind]
    if not found:
        link.not_found()
    for row in found:
        with link.mark(True):
            st.markdown(t(roster_inbox.SUMMARIES[row.kind], name=plain(row.staff), post=plain(row.post),
                          detail=plain(row.detail), counterpart=plain(row.counterpart),
                          reason=plain(row.reason or "—"), cover=plain(row.cover or "—")))
            if supervisor:
                st.caption(t("linked.decide_below"))

names = ["rotation.tab.swap", "rotation.tab.absence", "rotation.tab.my_requests"]
if user.role in SUPERVISORS:
    names.insert(0, "rotation.tab.inbox")
tabs = dict(zip(names, st.tabs([t(n) for n in names])))
if "rotation.tab.inbox" in tabs:
    with tabs["rotation.tab.inbox"]:
        roster_inbox.inbox(engine, user, today, zone)
with tabs["rotation.tab.swap"]:
    st.caption(t("rotation.request.swap_help"))
    roster_inbox.swap_form(engine, user)
with tabs["rotation.tab.absence"]:
    roster_inbox.absence_form(engine, user, today, zone)
with tabs["rotation.tab.my_requests"]:
    roster_inbox.my_requests(engine, user, zone)
