"""RG-R1 (issue 14): every register of the information, seal, lost-and-found, equipment and minor families opens
on the register page, draws its form, its list (with the field filters) and, with the demo week loaded, its rows
and one entry, without an exception or an error. (An equipment crash was once found only by the bench.)"""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from lib.demo import load_demo
from lib.domain.registers import families
from lib.i18n import translate
from lib.services import registers as R
from lib.services.accounts import create_first_admin
from tests.app.conftest import open_page
from tests.conftest import sqlite_engine

FAMILIES = ("information", "seals", "lost_found", "equipment", "office")


def _registers():
    return [(family, rdef) for family in FAMILIES for rdef in families()[family]]


def _open(at, family: str, key: str):
    at.session_state["rg.tabs"] = translate(f"registers.family.{family}")
    at.run()
    at.selectbox(key=f"rg.family.{family}").set_value(key).run()
    return at


def _drawn(at, rdef) -> None:
    """The register's form (admins create everywhere) and its list are on the page, with no error."""
    assert not at.exception, (rdef.key, at.exception)
    assert not at.error, (rdef.key, [e.value for e in at.error])
    title = translate(rdef.title_key)
    assert any(title in e.label.replace("\\", "") for e in at.expander), rdef.key  # the new-entry form (escaped)
    assert translate("registers.list") in [s.value for s in at.subheader], rdef.key


def test_RG_R1_every_register_of_the_five_families_renders_on_an_empty_office(app_db):
    """RG-R1: each register's form and (empty) list draw for an admin on a fresh install."""
    at = open_page("pages/registers.py", "admin")
    assert not at.exception
    seen = 0
    for family, rdef in _registers():
        _drawn(_open(at, family, rdef.key), rdef)
        assert at.info, rdef.key  # the empty list says so
        seen += 1
    assert seen == sum(len(families()[f]) for f in FAMILIES) and seen >= 30


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    engine = sqlite_engine(tmp_path_factory.mktemp("render_all"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", str(engine.url))
        st.cache_resource.clear()
        admin = create_first_admin(engine, username="admin", name="管理员", password="password1", repeat="password1")
        load_demo(engine, actor=admin)
        yield engine, admin
        st.cache_resource.clear()
    engine.dispose()


def test_RG_R1_every_register_renders_its_demo_rows_and_one_entry(demo_db):
    """RG-R1 with the demo week: each register's list shows its demo entries, and one entry opens with its
    steps, without an exception or an error."""
    engine, admin = demo_db
    today = dt.date.today()
    at = open_page("pages/registers.py", "admin")
    empty = []
    for family, rdef in _registers():
        _open(at, family, rdef.key)
        _drawn(at, rdef)
        rows = R.list_entries(engine, actor=admin, register=rdef.key,
                              query=R.Query(first=today - dt.timedelta(days=30), last=today)).rows
        if not rows:
            empty.append(rdef.key)
            continue
        assert len(at.dataframe[0].value) == len(rows), rdef.key  # the page's list is the service's
        at.session_state[f"rg.{rdef.key}.open"] = rows[0].id
        at.run()
        assert not at.exception and not at.error, rdef.key
        assert len(at.dataframe) >= 3, rdef.key  # the list, the entry's fields, its steps
        head = [s.value for s in at.subheader if s.value != translate("registers.list")]
        assert head and translate(rdef.title_key) in head[0].replace("\\", ""), rdef.key  # the entry is open
        at.session_state[f"rg.{rdef.key}.open"] = None
    assert empty == [], f"registers the demo leaves empty in the last 30 days: {empty}"
