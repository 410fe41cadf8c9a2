"""AppTest: each role's home shows its own inbox items and no one else's (issue 15 I2 "Home lists them for
the logged-in person"; I5 "A supervisor can look at the team's inbox")."""

from __future__ import annotations

import datetime as dt

from db.engine import session_scope
from db.models import OrgUnit, PhoneMessage, RosterPeriod, ShiftTemplateRecord, ShowroomCustomer, User
from lib.services.base import utcnow
from tests.app.conftest import open_page
from tests.db.helpers import make_user


def _work(engine, users):
    """A message the staff member took 3 h ago (overdue), a customer of c1 due tomorrow, a draft roster."""
    consultant = make_user(engine, username="c1", name="顾问甲", titles=("销售顾问",))
    now = utcnow()
    with session_scope(engine) as session:
        session.add(PhoneMessage(called_at=now - dt.timedelta(hours=3), caller_name="王*来电", matter="回电",
                                 created_by_id=users["staff"].id, created_at=now))
        session.add(ShowroomCustomer(name="李**客户", phone="13800000000", phone_norm="13800000000",
                                     owner_id=consultant.id, state="owned_new", due_at=now + dt.timedelta(hours=20),
                                     created_at=now))
        post = OrgUnit(kind="post", name="前台岗")
        template = ShiftTemplateRecord(name="t", preset="office", created_at=now)
        session.add_all([post, template])
        session.flush()
        first = (now + dt.timedelta(days=10)).date()
        session.add(RosterPeriod(post_id=post.id, template_id=template.id, first_day=first,
                                 last_day=first + dt.timedelta(days=6), created_at=now))
    return consultant


def _texts(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_I2_each_role_sees_its_own_items_and_no_one_elses(app_db):
    engine, users = app_db
    _work(engine, users)
    staff = open_page("pages/home.py", "staff")
    assert not staff.exception
    assert "王\\*来电" in _texts(staff) and ":red[" in _texts(staff)  # overdue, red, the caller as plain text
    assert "李" not in _texts(staff) and "排班表待发布" not in _texts(staff)

    c1 = open_page("pages/home.py", "c1")
    assert "李\\*\\*客户" in _texts(c1) and ":orange[" in _texts(c1)  # due within the first-follow-up window
    assert "王" not in _texts(c1)

    boss = open_page("pages/home.py", "supervisor")
    assert "排班表待发布" in _texts(boss)
    assert "王" not in _texts(boss) and "李" not in _texts(boss)


def test_I2_an_empty_inbox_says_so_and_the_links_carry_the_record(app_db):
    engine, users = app_db
    admin = open_page("pages/home.py", "admin")
    assert not admin.exception
    assert any("暂无待办" in s.value for s in admin.success)
    _work(engine, users)
    staff = open_page("pages/home.py", "staff")
    links = staff.get("page_link")
    assert links and links[0].proto.page == "messages" and links[0].proto.query_string.startswith("id=")


def test_I5_a_supervisor_opens_a_team_members_inbox(app_db):
    engine, users = app_db
    _work(engine, users)
    with session_scope(engine) as session:
        team = OrgUnit(kind="team", name="前台组")
        session.add(team)
        session.flush()
        for name in ("supervisor", "staff"):
            session.get(User, users[name].id).team_id = team.id
    boss = open_page("pages/home.py", "supervisor")
    boss.toggle(key="inbox_team").set_value(True).run()
    boss.selectbox(key="pp.staff.inbox_person").set_value(users["staff"].id).run()
    assert not boss.exception
    assert "王\\*来电" in _texts(boss)
    assert any("staff用户" in c.value for c in boss.caption)


def test_I2_the_display_account_sees_no_inbox(app_db):
    at = open_page("pages/home.py", "display")
    assert not at.exception and at.info and not at.get("page_link")
