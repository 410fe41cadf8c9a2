"""The first-run page: create the admin (and optionally the demo office), then it is gone for good."""

from __future__ import annotations

import weakref

import streamlit as st

from lib.auth import attempt_login
from lib.demo import load_demo
from lib.domain.errors import DomainError
from lib.services import accounts
from lib.ui import app_engine, show_error, t


_done: weakref.WeakSet = weakref.WeakSet()


def needed(engine) -> bool:
    """True until the first admin exists. Once done it is done for good (SPEC M0), so this process stops
    asking the database on every run of every session (issue 13 L2)."""
    if engine in _done:
        return False
    if accounts.needs_first_run(engine):
        return True
    _done.add(engine)
    return False


def first_run_page() -> None:
    st.title(t("setup.title"))
    st.info(t("setup.intro"))
    with st.form("first_run_form"):
        username = st.text_input(t("field.username"), key="setup_username")
        name = st.text_input(t("field.name"), key="setup_name")
        password = st.text_input(t("field.password"), type="password", key="setup_password",
                                 help=t("password.rule"))
        repeat = st.text_input(t("field.password_repeat"), type="password", key="setup_repeat")
        create = st.form_submit_button(t("setup.create"), type="primary")
        create_demo = st.form_submit_button(t("setup.create_with_demo"))
    if not (create or create_demo):
        return
    engine = app_engine()
    try:
        admin = accounts.create_first_admin(engine, username=username, name=name, password=password, repeat=repeat)
        if create_demo:
            with st.spinner(t("setup.loading_demo")):
                staff = load_demo(engine, actor=admin)
            st.success(t("setup.demo_loaded", staff=staff))
    except DomainError as exc:
        show_error(exc)
        return
    problem = attempt_login(admin.username, password)
    if problem:
        st.error(problem)
        return
    st.success(t("setup.done"))
    st.button(t("login.continue"), key="setup_continue")
