"""T2 walker: every person picker on every page offers only the people who may hold its role.

Two people share a name (a consultant and a control-room operator); there is a technician, an
inactive consultant and a display account. Every page is rendered as an admin and as a supervisor:
a ``pp.<kind>.*`` widget may offer exactly the labels ``people.labels(engine, kind)`` gives; any
other selectbox or multiselect that shows a person's name is a picker that bypasses person_select.
"""

from __future__ import annotations

import pytest

from lib.navigation import PAGES
from lib.services import accounts, people
from tests.app.conftest import open_page

NAMES = ("王芳", "李修", "赵停")
ROLES = ("admin", "supervisor")
CASES = [(spec.path, role) for spec in PAGES for role in ROLES if role in spec.roles]


@pytest.fixture
def office(app_db):
    engine, users = app_db
    admin = users["admin"]
    team = accounts.save_org_unit(engine, actor=admin, form=accounts.OrgForm(kind="team", name="一组"))
    control = accounts.save_org_unit(engine, actor=admin, form=accounts.OrgForm(kind="team", name="中控室"))

    def person(username, name, staff_no, titles, team_id):
        return accounts.create_user(engine, actor=admin, password="password1", repeat="password1",
                                    form=accounts.UserForm(username=username, name=name, role="staff", staff_no=staff_no,
                                                           titles=titles, team_id=team_id))

    person("wf1", "王芳", "S001", ("销售顾问",), team)
    person("wf2", "王芳", "Z001", ("中控员",), control)
    person("lx", "李修", "W001", ("维修人员",), None)
    gone = person("zt", "赵停", "S002", ("销售顾问",), team)
    accounts.set_active(engine, actor=admin, user_id=gone, active=False)
    return engine, users


def _pickers(at):
    return [*at.selectbox, *at.multiselect]


def test_T2_the_office_has_the_lookalikes_the_walker_needs(office):
    engine, _ = office
    receivers = people.labels(engine, "receiver").values()
    assert "王芳（S001 · 一组）" in receivers
    assert not [label for label in receivers if "Z001" in label or "赵停" in label or "display" in label]


def picker_problems(at, labels) -> list[str]:
    """What is wrong with the pickers of one rendered page; ``labels(kind)`` gives the allowed labels."""
    problems = []
    allowed: dict[str, set[str]] = {}
    for widget in _pickers(at):
        options = [str(o) for o in widget.options]
        key = widget.key or ""
        if key.startswith("pp."):
            kind = key.split(".")[1]
            if kind not in allowed:
                allowed[kind] = set(labels(kind))
            wrong = [o for o in options if o not in allowed[kind]]
            if wrong:
                problems.append(f"{key} ({kind}) offers {wrong}")
        else:
            named = [o for o in options if any(name in o for name in (*NAMES, "display用户", "staff用户",
                                                                        "supervisor用户"))]
            if named:
                problems.append(f"{key or widget.label!r} lists people without person_select: {named[:4]}")
    return problems


@pytest.mark.parametrize("path,role", CASES, ids=[f"{p.split('/')[-1]}-{r}" for p, r in CASES])
def test_T2_every_picker_offers_only_people_who_may_hold_the_role(office, path, role):
    engine, users = office
    at = open_page(path, role)
    assert not at.exception, f"{path} as {role}: {at.exception}"
    problems = picker_problems(at, lambda kind: people.labels(engine, kind).values())
    assert problems == [], f"{path} as {role}:\n" + "\n".join(problems)


def test_T2_the_walker_notices_a_person_picker_offering_someone_it_should_not(office):
    engine, users = office
    at = open_page("pages/showroom_register.py", "supervisor")
    pp_keys = [w.key for w in _pickers(at) if (w.key or "").startswith("pp.")]
    assert pp_keys, "the register page has a person picker to check"
    strict = lambda kind: [x for x in people.labels(engine, kind).values() if "S001" not in x]  # noqa: E731
    assert any("王芳（S001 · 一组）" in p for p in picker_problems(at, strict))
