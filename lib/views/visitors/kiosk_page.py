"""The entrance tablet (T21b): a visitor signs in, the desk confirms. Nothing else is reachable from here.

Not a menu page: ``Home.py`` routes a kiosk link's token to :func:`kiosk_page` before any login,
under hidden navigation. The page reads no visitor data back: after a sign-in it thanks the
visitor and clears the form for the next one.
"""

from __future__ import annotations

import streamlit as st

from lib.domain.visitors import COMPANY_MAX, HOST_TEXT_MAX, NAME_MAX, PURPOSE_MAX, VisitorForm
from lib.services.visitors import kiosk as visitor_kiosk
from lib.ui import app_engine, show_flash, show_form_error, submit_callback, t

EMPTY = {"kq_name": "", "kq_phone": "", "kq_company": "", "kq_purpose": "", "kq_host": "", "kq_headcount": 1}


def kiosk_page(kiosk: visitor_kiosk.KioskAccess | None) -> None:
    """The sign-in form of one kiosk; a revoked or missing link says so and shows nothing else."""
    if kiosk is None:
        st.error(t("kiosk.no_link"))
        return
    if kiosk.state is visitor_kiosk.KioskState.REVOKED:
        st.error(t("kiosk.revoked"))
        return
    engine = app_engine()
    for key, value in EMPTY.items():
        st.session_state.setdefault(key, value)
    st.title(t("kiosk.welcome"))
    show_flash()

    def sign_in() -> None:
        s = st.session_state
        visitor_kiosk.kiosk_sign_in(engine, kiosk=kiosk, host_text=s.get("kq_host", ""), form=VisitorForm(
            name=s.get("kq_name", ""), phone=s.get("kq_phone", ""), company=s.get("kq_company", ""),
            purpose=s.get("kq_purpose", ""), headcount=s.get("kq_headcount", 1)))

    def sign_in_code() -> None:
        visitor_kiosk.kiosk_sign_in_code(engine, kiosk=kiosk, code=st.session_state.get("kq_code", ""))

    with_code, without = st.tabs([t("kiosk.tab_code"), t("kiosk.tab_details")])
    with with_code:
        with st.form("kiosk_code_form"):
            st.text_input(t("kiosk.code"), key="kq_code", max_chars=12, placeholder=t("visitor.code_placeholder"))
            st.form_submit_button(t("kiosk.submit"), type="primary", on_click=submit_callback(
                sign_in_code, clear={"kq_code": ""}, success_key="kiosk.thanks", error_slot="kq_code_error"))
        show_form_error("kq_code_error")
    with without:
        with st.form("kiosk_form"):
            st.text_input(t("field.visitor_name") + " *", key="kq_name", max_chars=NAME_MAX)
            st.text_input(t("field.phone"), key="kq_phone", max_chars=30)
            st.text_input(t("field.company"), key="kq_company", max_chars=COMPANY_MAX)
            st.text_input(t("field.purpose") + " *", key="kq_purpose", max_chars=PURPOSE_MAX)
            st.text_input(t("kiosk.host"), key="kq_host", max_chars=HOST_TEXT_MAX)
            st.number_input(t("field.headcount") + " *", min_value=0, max_value=100000, step=1, key="kq_headcount")
            st.form_submit_button(t("kiosk.submit"), type="primary", on_click=submit_callback(
                sign_in, clear=EMPTY, success_key="kiosk.thanks", error_slot="kq_error"))
        show_form_error("kq_error")
