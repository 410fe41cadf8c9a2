"""The 涉密 registers on the register page (issue 16, seed 001 D1–D3): the tab is hidden from anyone but the 保密员,
the 保密工作领导小组 and admins; an approver outside them (办公室, 行政主管) sees only the entry waiting on them, no form
and no list, and signs it there."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from db.engine import session_scope
from db.models import User
from lib.services import registers as R
from lib.services.base import fresh_actor
from tests.app.conftest import open_page

FAMILY = "涉密人员与载体"


def _titles(engine, users, **titles):
    with session_scope(engine) as session:
        for username, held in titles.items():
            session.exec(select(User).where(User.username == username)).one().titles = list(held)
    with session_scope(engine, write=False) as session:
        return {name: fresh_actor(session, users[name]) for name in titles}


def _department_head(engine, username: str):
    """A 部门主管 of ``username``'s department (both put in one department): the 涉密人员 chain's first step."""
    from db.models import OrgUnit
    from tests.db.helpers import make_user

    head = make_user(engine, username="dept_head", role="supervisor", titles=("部门主管",))
    with session_scope(engine) as session:
        unit = OrgUnit(kind="department", name="办公室")
        session.add(unit)
        session.flush()
        for name in (username, "dept_head"):
            session.exec(select(User).where(User.username == name)).one().department_id = unit.id
    with session_scope(engine, write=False) as session:
        return fresh_actor(session, head)


def test_K14_the_secrecy_tab_is_hidden_from_others_and_an_approver_sees_only_what_awaits_them(app_db):
    engine, users = app_db
    people = _titles(engine, users, staff=("保密员",), supervisor=("行政主管",))
    clerk = open_page("pages/registers.py", "supervisor")
    assert not clerk.exception and FAMILY not in [tab.label for tab in clerk.tabs]
    officer = open_page("pages/registers.py", "staff")
    assert not officer.exception and FAMILY in [tab.label for tab in officer.tabs]
    officer.session_state["rg.tabs"] = FAMILY
    officer.run()
    assert officer.selectbox(key="rg.family.secrecy").value == "secrecy_person"
    head = _department_head(engine, "staff")
    entry_id = R.create_entry(engine, actor=people["staff"], register="secrecy_person", values={
        "person_id": people["staff"].id, "level": "important", "post": "文书", "since": dt.date(2024, 5, 1),
        "employment": "regular", "proposal": "办公室初审名单"})
    # K17: the person's 部门负责人 signs first; then the entry waits on 办公室 (行政主管)
    R.approve_entry(engine, actor=head, register="secrecy_person", entry_id=entry_id, step_no=0)
    at = open_page("pages/registers.py", "supervisor")
    assert not at.exception and FAMILY in [tab.label for tab in at.tabs]
    at.session_state["rg.tabs"] = FAMILY
    at.run()
    assert [o for o in at.selectbox(key="rg.family.secrecy").options] == ["涉密人员登记"]  # only what awaits them
    at.selectbox(key="rg.family.secrecy").set_value("secrecy_person").run()
    assert at.warning[0].value == "有 1 条登记等待您处理。"
    assert not [w for w in at.text_input if w.key and w.key.startswith("rg.secrecy_person.new")]
    at.button(key=f"rg.secrecy_person.await_{entry_id}").click().run()
    at.button(key=f"rg.secrecy_person.act_{entry_id}.approve").click().run()
    assert not at.exception and not at.error
    entry = R.get_entry(engine, actor=people["staff"], register="secrecy_person", entry_id=entry_id).entry
    assert (entry.state, entry.step_title) == ("pending", "保密工作领导小组")


def test_every_secrecy_register_renders_for_the_officer(app_db):
    """Each of the fifteen registers draws its form and list for the 保密员 without an error."""
    from lib.domain.registers import families

    engine, users = app_db
    _titles(engine, users, staff=("保密员",))
    at = open_page("pages/registers.py", "staff")
    at.session_state["rg.tabs"] = FAMILY
    at.run()
    for rdef in families()["secrecy"]:
        at.selectbox(key="rg.family.secrecy").set_value(rdef.key).run()
        assert not at.exception and not at.error, rdef.key
        # the new-entry form: the 保密员 creates in every register but vetting (the 保密工作领导小组's 资格审查)
        assert bool(at.expander) == (rdef.key != "secrecy_vetting"), rdef.key
