"""Showroom queue board: who is at 前台, 销售热线, 接待台电脑, the substitutes, and one-tap events (SPEC M1 1.1)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.errors import DomainError
from lib.navigation import SUPERVISORS, WRITERS
from lib.services import rotation
from lib.services.settings import office_zone_now
from lib.ui import app_engine, show_error, t
from lib.views import rotation_board

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.queue"))


@st.fragment(run_every=f"{rotation.board_refresh_seconds(engine)}s")
def live_board() -> None:
    """Re-read every few seconds: taps from the desk and the reception PC show on every screen."""
    st.session_state.pop("q_view", None)
    try:
        view = rotation.board(engine, actor=user)
    except DomainError as exc:
        show_error(exc)
        return
    rotation_board.show_message()
    if view.draw is None:
        st.info(t("rotation.queue.no_draw_supervisor" if user.role in SUPERVISORS else "rotation.queue.no_draw"))
        return
    rotation_board.header(view)
    rotation_board.cards(view)
    rotation_board.actions(engine, user, view)
    st.session_state["q_view"] = view


live_board()
# Below the auto-refresh: what the full run read (the picker keeps its list open between refreshes).
snapshot = st.session_state.get("q_view")
if snapshot is not None:
    if rotation_board.may_record_for_anyone(user, snapshot):
        rotation_board.pick_someone_else(snapshot)
    with st.expander(t("rotation.queue.draw_title")):
        rotation_board.draw_info(snapshot, zone)
    with st.expander(t("rotation.queue.today_records")):
        rotation_board.records(snapshot, zone)
