"""AppTest: inbox links whose id alone does not name the record (issue 15 I8, I9). A register's entry is numbered
within its register, so its link carries ``register=<key>`` beside the id and the registers page opens that
register's tab, picker and entry; a swap and an absence live in two tables, so their link carries ``kind=``."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import OrgUnit, RosterAbsence, RosterPeriod, RosterSwap, ShiftTemplateRecord, User
from lib.services import registers as R
from lib.navigation import PAGES
from lib.services.base import fresh_actor, utcnow
from tests.app.conftest import ROOT, open_page
from tests.db.helpers import make_user

FILES = {p.url_path: p.path for p in PAGES}
MARK = "待办链接打开的记录"
NOT_FOUND = "链接的记录不在此页"
H = dt.timedelta(hours=1)


def _links(home: AppTest, page: str) -> list[dict[str, str]]:
    """The query parameters of each inbox link on the home page to ``page``."""
    return [{k: v[0] for k, v in parse_qs(link.proto.query_string).items()}
            for link in home.get("page_link") if link.proto.page == page]


def _follow(page: str, username: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / FILES[page]), default_timeout=15)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def _marked(at: AppTest) -> bool:
    return any(caption.value == MARK for caption in at.caption)


def _not_found(at: AppTest) -> bool:
    return any(NOT_FOUND in info.value for info in at.info)


# --- I8: a register's entry ------------------------------------------------------------------------------

def _office(engine):
    """An applicant and their department's 部门主管 (the info request's first, department-scoped step)."""
    applicant = make_user(engine, username="applicant", name="申请人")
    head = make_user(engine, username="dept_head", role="supervisor", name="部门主管甲", titles=("部门主管",))
    with session_scope(engine) as session:
        unit = OrgUnit(kind="department", name="销售部")
        session.add(unit)
        session.flush()
        for name in ("applicant", "dept_head"):
            session.exec(select(User).where(User.username == name)).one().department_id = unit.id
    with session_scope(engine, write=False) as session:
        return fresh_actor(session, applicant), fresh_actor(session, head)


def test_I8_a_department_heads_step_link_opens_that_entry_with_its_approve_button(app_db):
    engine, _users = app_db
    applicant, head = _office(engine)
    entry_id = R.create_entry(engine, actor=applicant, register="info_request", values={
        "applicant_id": applicant.id, "applied_at": utcnow(), "content": "查某公司经营范围",
        "purpose": "投标资格审查", "urgency": "urgent"})
    (params,) = _links(open_page("pages/home.py", "dept_head"), "registers")
    assert params == {"id": str(entry_id), "register": "info_request"}
    at = _follow("registers", "dept_head", params)
    assert at.session_state["rg.tabs"] == "信息登记"  # the family tab holding the register
    assert at.selectbox(key="rg.family.information").value == "info_request"
    assert _marked(at) and not _not_found(at)
    at.button(key=f"rg.info_request.act_{entry_id}.approve").click().run()
    assert not at.exception and not at.error
    entry = R.get_entry(engine, actor=applicant, register="info_request", entry_id=entry_id).entry
    assert entry.step_title != "部门主管"  # the 部门主管 signed it from the linked entry


def test_I8_a_bogus_register_or_an_unseen_entry_shows_the_plain_message(app_db):
    engine, _users = app_db
    applicant, _head = _office(engine)
    entry_id = R.create_entry(engine, actor=applicant, register="info_request", values={
        "applicant_id": applicant.id, "applied_at": utcnow(), "content": "查某公司经营范围",
        "purpose": "投标资格审查", "urgency": "urgent"})
    for register in ("no_such_register", "custom_99999", ""):
        at = _follow("registers", "dept_head", {"id": str(entry_id), "register": register})
        assert _not_found(at) and not _marked(at) and not at.error, register
    # an entry of a register the person sees, but not one they may read: the same plain message, no service error
    make_user(engine, username="stranger", name="外人")
    at = _follow("registers", "stranger", {"id": "987654", "register": "info_request"})
    assert _not_found(at) and not _marked(at) and not at.error


# --- I9: a swap and an absence with the same id ----------------------------------------------------------

def _same_id(engine) -> int:
    """A pending swap and a pending absence (a post without a policy title: any 主管 decides) sharing one id."""
    a = make_user(engine, username="ann", name="换班甲")
    b = make_user(engine, username="bob", name="换班乙")
    desk = make_user(engine, username="desk", name="离岗丙")
    now = utcnow()
    day = (now + dt.timedelta(days=3)).date()
    with session_scope(engine) as session:
        post = OrgUnit(kind="post", name="中控室")
        session.add(post)
        session.flush()
        template = ShiftTemplateRecord(name="三班", preset="four_crew_three_shift", shifts=[], coverage=[],
                                       created_at=now)
        session.add(template)
        session.flush()
        period = RosterPeriod(post_id=post.id, template_id=template.id, first_day=day, last_day=day,
                              status="published", created_at=now)
        session.add(period)
        session.flush()
        session.add(RosterSwap(id=7, period_id=period.id, requester_id=a.id, counterpart_id=b.id, requester_day=day,
                               requester_shift="early", counterpart_day=day, counterpart_shift="late",
                               reason="家里有事", filed_by_id=a.id, filed_at=now))
        session.add(RosterAbsence(id=7, staff_id=desk.id, post_id=post.id, policy="other", starts_at=now + 2 * H,
                                  ends_at=now + 3 * H, reason="official", filed_by_id=desk.id, filed_at=now))
    return 7


def test_I9_a_swap_link_and_an_absence_link_with_the_same_id_open_one_request_each(app_db):
    engine, _users = app_db
    same = _same_id(engine)
    links = _links(open_page("pages/home.py", "supervisor"), "requests")
    assert sorted((p["id"], p["kind"]) for p in links) == [(str(same), "absence"), (str(same), "swap")]
    for params in links:
        at = _follow("requests", "supervisor", params)
        # one marked box (before the fix: two, the swap and the absence with that id), holding the linked kind
        assert [c.value for c in at.caption].count(MARK) == 1
        first = next(m.value for m in at.markdown if m.value.startswith(("**换班**", "**离岗**")))
        if params["kind"] == "swap":
            assert first.startswith("**换班**") and "换班甲" in first
        else:
            assert first.startswith("**离岗**") and "离岗丙" in first
    # a link without a kind, or with one the page does not know, opens nothing
    for params in ({"id": str(same)}, {"id": str(same), "kind": "leave"}):
        at = _follow("requests", "supervisor", params)
        assert _not_found(at) and not _marked(at)


def test_I8_a_closed_register_opens_the_entry_awaiting_the_persons_own_step(app_db):
    """涉密人员登记 is closed to a 行政主管 (seed 001 D1) but its entry waits on them: the inbox link opens that tab,
    that register and that entry with its approve button (the service checks the actor)."""
    from tests.app.test_registers_secrecy_pages import FAMILY, _department_head, _titles

    engine, users = app_db
    people = _titles(engine, users, staff=("保密员",), supervisor=("行政主管",))
    head = _department_head(engine, "staff")
    entry_id = R.create_entry(engine, actor=people["staff"], register="secrecy_person", values={
        "person_id": people["staff"].id, "level": "important", "post": "文书", "since": dt.date(2024, 5, 1),
        "employment": "regular", "proposal": "办公室初审名单"})
    R.approve_entry(engine, actor=head, register="secrecy_person", entry_id=entry_id, step_no=0)
    links = _links(open_page("pages/home.py", "supervisor"), "registers")
    assert {"id": str(entry_id), "register": "secrecy_person"} in links
    at = _follow("registers", "supervisor", {"id": str(entry_id), "register": "secrecy_person"})
    assert at.session_state["rg.tabs"] == FAMILY and _marked(at) and not _not_found(at)
    assert at.selectbox(key="rg.family.secrecy").value == "secrecy_person"
    at.button(key=f"rg.secrecy_person.act_{entry_id}.approve").click().run()
    assert not at.exception and not at.error
    entry = R.get_entry(engine, actor=people["staff"], register="secrecy_person", entry_id=entry_id).entry
    assert entry.step_title == "保密工作领导小组"
