"""My account: language and password."""

import streamlit as st

from lib.auth import require_role, session_secret
from lib.navigation import WRITERS
from lib.services import accounts, sessions
from lib.ui import app_engine, confirm_button, plain, run_action, show_flash, show_form_error, submit_callback, t
from lib.services.limits import text_limit

user = require_role(*WRITERS)
engine = app_engine()
st.title(t("nav.account"))
show_flash()
st.write(t("account.who", name=plain(user.name), username=plain(user.username), role=t(f"role.{user.role}")))
if user.titles:
    st.write(t("account.titles", titles=plain("、".join(user.titles))))

with st.form("password_form"):
    st.text_input(t("account.old_password"), type="password", key="pw_old", max_chars=text_limit("password"))
    st.text_input(t("field.password"), type="password", key="pw_new", max_chars=text_limit("password"), help=t("password.rule"))
    st.text_input(t("field.password_repeat"), type="password", key="pw_repeat", max_chars=text_limit("password"))
    st.form_submit_button(t("account.change_password"), type="primary", on_click=submit_callback(
        lambda: accounts.change_own_password(engine, actor=user, old=st.session_state.get("pw_old", ""),
                                             password=st.session_state.get("pw_new", ""),
                                             repeat=st.session_state.get("pw_repeat", ""),
                                             keep_session=session_secret()),
        clear={"pw_old": "", "pw_new": "", "pw_repeat": ""}, success_key="account.password_changed", error_slot="pw_error"))
show_form_error("pw_error")

st.subheader(t("sessions.everywhere"))
st.caption(t("sessions.everywhere_help"))
if confirm_button("sessions.everywhere", key="logout_everywhere"):
    if run_action(lambda: sessions.logout_everywhere(engine, actor=user)):
        st.rerun()  # the next run finds this session ended too and shows the login page
