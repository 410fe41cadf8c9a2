"""The revoke step shared by the display-link and kiosk-link admin pages: a reason, a confirmation, one call."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lib.ui import confirm_button, flash, run_action


def revoke_step(*, key: str, reason_label: str, button_key: str, confirm_key: str, done_key: str,
                revoke: Callable[[str], object]) -> None:
    """Reason (optional), then the button and its confirmation; on success a flash and a rerun."""
    st.text_input(reason_label, key=f"{key}_reason", max_chars=500)
    if confirm_button(button_key, key=key, confirm_key=confirm_key):
        if run_action(lambda: revoke(st.session_state.get(f"{key}_reason", ""))):
            flash(done_key)
            st.rerun()
