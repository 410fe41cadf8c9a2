"""Issue 15 menus by job (M1..M3): the job's pages first, every page the role allows still reachable, the
inbox count beside 首页, and a settings change that reaches the menu on the next run."""

from __future__ import annotations

import pytest

from lib.domain.inbox import Item
from lib.domain.menus import DEFAULT_JOB_PAGES, KEY, check_job_pages, department_key, job_pages
from lib.navigation import menu_sections, pages_for
from lib.services import inbox, settings
from tests.app.conftest import open_page
from tests.db.helpers import make_user


def menu(at) -> dict[str, list[str]]:
    """The menu the router gave st.navigation: section label -> url paths."""
    _key, sections = at.session_state["_dd_menu"]
    return {label: [p.url_path or "home" for p in pages] for label, pages in sections.items()}


def titles(at) -> dict[str, str]:
    _key, sections = at.session_state["_dd_menu"]
    return {p.url_path or "home": p.title for pages in sections.values() for p in pages}


@pytest.fixture
def job_users(app_db):
    engine, users = app_db
    users["cs"] = make_user(engine, username="cs", name="客服甲", titles=["客服专员"])
    users["ctl"] = make_user(engine, username="ctl", name="中控乙", titles=["中控员"])
    return engine, users


def test_M1_a_customer_service_agent_sees_the_ticket_pages_first_and_reaches_the_rest(job_users):
    """M1: 客服专员 — ticket pages in 我的工作, the showroom queue not there but under 全部页面, and it opens."""
    at = open_page("Home.py", "cs")
    assert not at.exception
    sections = menu(at)
    first = sections["我的工作"]
    assert first[0] == "home" and {"my-tickets", "ticket-intake", "callbacks"} <= set(first)
    assert "queue" not in first
    under_all = [label for label, paths in sections.items() if "queue" in paths]
    assert under_all and all(label.startswith("全部页面") for label in under_all)
    everything = {p for paths in sections.values() for p in paths}
    assert everything == {p.url_path for p in pages_for("staff")}  # nothing the role allows is lost
    at.switch_page("pages/rotation_queue.py")
    at.run()
    assert not at.exception and at.title[0].value != "您好，客服甲"


def test_M1_a_control_room_operator_sees_handover_and_the_duty_pages(job_users):
    """M1: 中控员 — handover and on-duty/roster first; a person with no mapped title keeps the role menu."""
    at = open_page("Home.py", "ctl")
    assert not at.exception
    first = menu(at)["我的工作"]
    assert "handover" in first and "roster" in first and "my-tickets" not in first
    plain = open_page("Home.py", "staff")  # no title: the role menu as before, no job section
    assert "我的工作" not in menu(plain) and not any(label.startswith("全部页面") for label in menu(plain))
    admin = open_page("Home.py", "admin")  # admins keep everything as before
    assert "我的工作" not in menu(admin)


def test_M2_the_inbox_count_shows_beside_home(job_users, monkeypatch):
    """M2: the badge 首页 (n) is the count of the person's own inbox items (the providers' answer)."""
    def provider(_session, _ctx):
        return [Item(kind="message_relay", record_id=i, title_key="inbox.title", for_user=job_users[1]["cs"].id)
                for i in (1, 2, 3)] + [Item(kind="message_relay", record_id=9, title_key="inbox.title", for_user=-1)]

    monkeypatch.setattr(inbox, "PROVIDERS", [provider])
    at = open_page("Home.py", "cs")
    assert not at.exception
    assert titles(at)["home"] == "首页 (3)"
    other = open_page("Home.py", "ctl")
    assert titles(other)["home"] == "首页"  # nothing for them: no badge


def test_M3_changing_the_setting_changes_the_menu_on_the_next_run(job_users):
    """M3: the admin maps 客服专员 to the showroom queue; the agent's next run shows it first."""
    engine, users = job_users
    at = open_page("Home.py", "cs")
    assert "queue" not in menu(at)["我的工作"]
    settings.change_setting(engine, actor=users["admin"], key=KEY,
                            value=[{"titles": ["客服专员"], "pages": ["queue", "my-tickets"]}])
    at.run()
    assert not at.exception
    assert menu(at)["我的工作"] == ["home", "queue", "my-tickets"]
    settings.change_setting(engine, actor=users["admin"], key=KEY, value=[])
    at.run()
    assert "我的工作" not in menu(at)


def test_M3_the_setting_has_a_schema():
    """M3: known pages only, each once, at least one title per row; defaults pass."""
    assert check_job_pages(DEFAULT_JOB_PAGES) is None
    assert check_job_pages([{"titles": ["客服专员"], "pages": ["no-such-page"]}])
    assert check_job_pages([{"titles": [], "pages": ["queue"]}])
    assert check_job_pages([{"titles": ["客服专员"], "pages": ["queue", "queue"]}])
    assert check_job_pages({"客服专员": ["queue"]})


def test_M1_job_pages_stay_within_the_role():
    """M1: a job's page the role may not open (the ticket board for staff) is not offered."""
    jobs = job_pages(["客服主管"], DEFAULT_JOB_PAGES, [p.url_path for p in pages_for("staff")])
    assert "ticket-board" not in jobs and "my-tickets" in jobs
    sup = job_pages(["客服主管"], DEFAULT_JOB_PAGES, [p.url_path for p in pages_for("supervisor")])
    assert "ticket-board" in sup
    sections = menu_sections("staff", jobs)
    assert sections[0][0] == "nav.section.job" and not sections[0][1]



def _department(engine, name, *people):
    from sqlalchemy import update

    from db.engine import session_scope
    from db.models import OrgUnit, User

    with session_scope(engine) as session:
        unit = OrgUnit(kind="department", name=name)
        session.add(unit)
        session.flush()
        session.execute(update(User).where(User.id.in_([p.id for p in people])).values(department_id=unit.id))
        return department_key(unit.id)


def test_M4_the_menu_is_decided_by_titles_and_department(job_users):
    """M4: two 部门经理 — the one in 客服部 gets the dispatch pages first, the one in 销售部 the showroom's; a
    department-only row gives its pages to everyone in 前台部; rows of titles alone keep working."""
    engine, users = job_users
    service_head = make_user(engine, username="svc", role="supervisor", name="客服经理", titles=["部门经理"])
    sales_head = make_user(engine, username="sal", role="supervisor", name="销售经理", titles=["部门经理"])
    desk = make_user(engine, username="desk", name="前台丙")
    service, sales = _department(engine, "客服部", service_head), _department(engine, "销售部", sales_head)
    front = _department(engine, "前台部", desk)
    settings.change_setting(engine, actor=users["admin"], key=KEY, value=[
        {"titles": ["部门经理", service], "pages": ["dispatch", "ticket-board"]},
        {"titles": ["部门经理", sales], "pages": ["ownership", "sales-ranking"]},
        {"titles": [front], "pages": ["visitors", "messages"]},
        {"titles": ["客服专员"], "pages": ["my-tickets"]}])
    assert menu(open_page("Home.py", "svc"))["我的工作"] == ["home", "dispatch", "ticket-board"]
    assert menu(open_page("Home.py", "sal"))["我的工作"] == ["home", "ownership", "sales-ranking"]
    assert menu(open_page("Home.py", "desk"))["我的工作"] == ["home", "visitors", "messages"]
    assert menu(open_page("Home.py", "cs"))["我的工作"] == ["home", "my-tickets"]  # titles only, any department
    assert "我的工作" not in menu(open_page("Home.py", "ctl"))  # 中控员 is in no record now


def test_M4_departments_sit_among_the_titles_as_dept_ids_and_old_records_keep_their_meaning():
    """M4: ``dept:<id>`` entries narrow a row to a department, alone they name everyone in it."""
    assert check_job_pages([{"titles": ["dept:3"], "pages": ["queue"]}]) is None
    assert check_job_pages([{"titles": ["部门经理", "dept:3", "dept:4"], "pages": ["queue"]}]) is None
    for bad in ("dept:", "dept:x", "dept:0", "dept:-1", "dept:３"):
        assert check_job_pages([{"titles": [bad], "pages": ["queue"]}]), bad
    rows = [{"titles": ["部门经理", "dept:7"], "pages": ["dispatch"]}, {"titles": ["dept:8"], "pages": ["visitors"]}]
    allowed = [p.url_path for p in pages_for("supervisor")]
    assert job_pages(["部门经理"], rows, allowed, departments=[7]) == ["dispatch"]
    assert job_pages(["部门经理"], rows, allowed, departments=[9]) == []
    assert job_pages(["部门经理"], rows, allowed) == []
    assert job_pages([], rows, allowed, departments=[8, None]) == ["visitors"]
    assert job_pages(["客服专员"], DEFAULT_JOB_PAGES, allowed) == job_pages(["客服专员"], DEFAULT_JOB_PAGES, allowed,
                                                                          departments=[8])
