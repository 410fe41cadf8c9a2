"""AppTest fixtures: a migrated SQLite app database with one user per role."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import sqlite_engine
from tests.db.helpers import make_user

ROLES = ("admin", "supervisor", "staff", "display")


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    engine = sqlite_engine(tmp_path)
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    st.cache_resource.clear()
    from lib.services.accounts import create_first_admin

    admin = create_first_admin(engine, username="admin", name="管理员", password="password1", repeat="password1")
    users = {"admin": admin}
    for role in ROLES[1:]:
        users[role] = make_user(engine, username=role, role=role, name=f"{role}用户")
    yield engine, users
    st.cache_resource.clear()
    engine.dispose()


ROOT = Path(__file__).resolve().parents[2]


def open_page(path: str, username: str | None, *, state: Mapping[str, object] | None = None) -> AppTest:
    """Run a page file (relative to the project root) as ``username`` (None: logged out); ``state`` is set in
    session state first (e.g. ``{"v_tabs": "在场访客"}`` opens that tab of a page whose tabs run lazily)."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=10)
    if username:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    return at
