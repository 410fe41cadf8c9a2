"""Showroom queue board: who is at 前台, 销售热线, 接待台电脑, the substitutes, and one-tap events (SPEC M1 1.1).

The buttons belong to the full page run and the auto-refresh fragment only reads (T7): a press is a
full rerun, never a rerun of a fragment a full run may just have replaced, so no press is lost.
When the refresh reads a board that differs from the one the buttons were drawn from, it reruns
the page so the buttons follow. The consultant's own buttons come before the board (T18).
"""

import streamlit as st

from lib.auth import require_role, still_signed_in
from lib.domain.errors import DomainError
from lib.navigation import SUPERVISORS, WRITERS
from lib.services import rotation
from lib.services.settings import office_zone_now
from lib.ui import app_engine, lazy_expander, show_error, t
from lib.views.rotation import board as rotation_board

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.queue"))
rotation_board.show_message()
try:
    view = rotation.board(engine, actor=user)
except DomainError as exc:
    show_error(exc)
    st.stop()
st.session_state["q_drawn"] = rotation_board.signature(view)
st.session_state["q_full_view"] = view
if view.draw is not None:
    rotation_board.out_of_turn_box(engine, user, view)
    rotation_board.my_actions(engine, user, view)


@st.fragment(run_every=f"{rotation.board_refresh_seconds(engine)}s")
def live_board() -> None:
    """Re-read every few seconds: taps from the desk and the reception PC show on every screen."""
    still_signed_in()  # a session ended elsewhere stops the refreshing board at once (issue 12)
    current = st.session_state.pop("q_full_view", None)
    if current is None:
        try:
            current = rotation.board(engine, actor=user)
        except DomainError as exc:
            show_error(exc)
            return
        if rotation_board.signature(current) != st.session_state.get("q_drawn"):
            st.rerun(scope="app")  # the board changed: redraw the buttons from it too
    if current.draw is None:
        st.info(t("rotation.queue.no_draw_supervisor" if user.role in SUPERVISORS else "rotation.queue.no_draw"))
        return
    rotation_board.carry_line(current)
    rotation_board.header(current)
    rotation_board.cards(current)


live_board()
if view.draw is not None:
    rotation_board.others_actions(engine, user, view, {p.id: p.label for p in rotation.consultants(engine)})
    lazy_expander(t("rotation.queue.draw_title"), "q_draw_open", lambda: rotation_board.draw_info(view, zone))
    lazy_expander(t("rotation.queue.today_records"), "q_records_open", lambda: rotation_board.records(view, zone))
