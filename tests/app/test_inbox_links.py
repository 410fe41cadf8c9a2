"""AppTest: an inbox card's link opens its record on the target page (issue 15 I7, "each with the action one click
away"): the link the home page builds (page and ``?id=``) is followed, the record is shown first and marked with
its action; a bogus id (text, negative, someone else's record) shows a plain message and no traceback."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import PhoneMessage, ShowroomCustomer, VisitorEntry
from db.models_showroom import CustomerEnquiry, ShowroomFollowUp
from lib.navigation import PAGES
from lib.services.base import utcnow
from tests.app.conftest import ROOT, open_page
from tests.db.helpers import make_user

FILES = {p.url_path: p.path for p in PAGES}
MARK = "待办链接打开的记录"
NOT_FOUND = "链接的记录不在此页"


def _work(engine, users):
    """For staff: an old message and a decoy, a visitor on site, an enquiry promised; for c1: a new customer."""
    now = utcnow()
    staff = users["staff"].id
    consultant = make_user(engine, username="c1", name="顾问甲", titles=("销售顾问",))
    with session_scope(engine) as session:
        session.add(PhoneMessage(called_at=now - dt.timedelta(minutes=5), caller_name="赵先生", matter="新的",
                                 created_by_id=staff, created_at=now))
        message = PhoneMessage(called_at=now - dt.timedelta(hours=3), caller_name="王来电", matter="回电",
                               created_by_id=staff, created_at=now)
        session.add(VisitorEntry(name="先到访客", headcount=1, purpose="送货", time_in=now - dt.timedelta(hours=2),
                                 created_by_id=staff, created_at=now))
        visitor = VisitorEntry(name="孙访客", headcount=2, purpose="面谈", time_in=now - dt.timedelta(hours=1),
                               created_by_id=staff, created_at=now)
        enquiry = CustomerEnquiry(caller_name="钱女士", question="保修多久？", status="open",
                                  promised_response_at=now + dt.timedelta(minutes=30), created_by_id=staff,
                                  created_at=now)
        customer = ShowroomCustomer(name="李客户", phone="13800000000", phone_norm="13800000000",
                                    owner_id=consultant.id, state="owned_new", due_at=now + dt.timedelta(hours=20),
                                    created_at=now)
        session.add_all([message, visitor, enquiry, customer])
        session.flush()
        return {"message": message.id, "visitor": visitor.id, "enquiry": enquiry.id, "customer": customer.id}


def _links(home: AppTest) -> dict[str, str]:
    """The inbox cards' links on the home page: url path → the id its query string carries."""
    found = {}
    for link in home.get("page_link"):
        query = link.proto.query_string
        assert query.startswith("id=")
        found.setdefault(link.proto.page, query.removeprefix("id="))
    return found


def _follow(page: str, username: str, record: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / FILES[page]), default_timeout=10)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.query_params["id"] = record
    at.run()
    assert not at.exception
    return at


def _marked(at: AppTest):
    """The bordered box the linked record is drawn in (its caption says so), or None."""
    for caption in at.caption:
        if caption.value == MARK:
            return caption
    return None


def _texts(at: AppTest) -> list[str]:
    return [e.value for e in at.text]


def test_I7_the_inbox_links_open_a_message_a_visitor_and_an_enquiry(app_db):
    engine, users = app_db
    ids = _work(engine, users)
    links = _links(open_page("pages/home.py", "staff"))
    assert {"messages", "visitors", "enquiries"} <= set(links)

    messages = _follow("messages", "staff", links["messages"])
    assert links["messages"] == str(ids["message"])  # the overdue message's card comes first on the home page
    assert _marked(messages) is not None
    first_caller = next(x for x in _texts(messages) if "来电" in x or "先生" in x)
    assert first_caller.startswith("王来电")  # the linked message is drawn first and marked
    assert messages.button(key=f"relay_{links['messages']}")  # with its action
    messages.button(key=f"relay_{links['messages']}").click().run()
    with session_scope(engine) as session:
        assert session.get(PhoneMessage, int(links["messages"])).relayed_at is not None

    visitors = _follow("visitors", "staff", str(ids["visitor"]))
    assert visitors.session_state["v_tabs"] == "在场访客"  # the on-site tab is opened
    assert _marked(visitors) is not None
    assert next(x for x in _texts(visitors) if "访客" in x).startswith("孙访客")  # first, before the earlier one
    assert visitors.button(key=f"out_{ids['visitor']}")

    enquiries = _follow("enquiries", "staff", links["enquiries"])
    assert links["enquiries"] == str(ids["enquiry"])
    assert _marked(enquiries) is not None and not any(NOT_FOUND in i.value for i in enquiries.info)
    assert enquiries.button(key=f"eq_btn_{ids['enquiry']}")


def test_I7_a_customer_link_opens_the_follow_up_for_its_owner_only(app_db):
    engine, users = app_db
    ids = _work(engine, users)
    links = _links(open_page("pages/home.py", "c1"))
    assert links.get("my-customers") == str(ids["customer"])
    mine = _follow("my-customers", "c1", links["my-customers"])
    assert _marked(mine) is not None and any(x.startswith("李客户") for x in _texts(mine))
    mine.text_area(key="mc_linked_note").set_value("电话回访，下周再来")
    submit = next(b for b in mine.button if "mc_linked_follow_up_form" in b.proto.form_id)
    submit.click().run()
    assert not mine.exception
    with session_scope(engine) as session:
        assert not mine.error, [e.value for e in mine.error]
        notes = session.exec(select(ShowroomFollowUp.note).where(ShowroomFollowUp.customer_id == ids["customer"])).all()
    assert notes == ["电话回访，下周再来"]  # the 回访 was logged for the linked customer

    # someone else's customer: the page's plain message, nothing of the record
    other = _follow("my-customers", "staff", links["my-customers"])
    assert any(NOT_FOUND in i.value for i in other.info)
    assert _marked(other) is None and not any("李客户" in x for x in _texts(other))


def test_I7_a_bogus_id_shows_a_plain_message_and_no_traceback(app_db):
    engine, users = app_db
    ids = _work(engine, users)
    for bogus in ("abc", "-3", "0", "99999999999", "1e3"):
        at = _follow("messages", "staff", bogus)
        assert any("无效" in w.value for w in at.warning), bogus
        assert _marked(at) is None
    for page in ("access-log", "receptions", "callbacks", "enquiries", "handover", "day-sheet"):
        at = _follow(page, "staff", "987654")
        assert not at.exception, page
    for page in ("requests", "dispatch", "warnings", "ledger", "visitors"):
        at = _follow(page, "supervisor", "987654")
        assert not at.exception, page
    at = _follow("messages", "staff", "987654")
    assert any(NOT_FOUND in i.value for i in at.info) and _marked(at) is None
    at = _follow("enquiries", "supervisor", str(ids["message"] + 1000))
    assert any(NOT_FOUND in i.value for i in at.info)


def test_I7_a_normal_visit_forgets_the_link(app_db):
    engine, users = app_db
    ids = _work(engine, users)
    at = _follow("messages", "staff", str(ids["message"]))
    assert _marked(at) is not None
    at.query_params.clear()
    at.run()
    assert not at.exception and _marked(at) is None
    assert "_dd_linked.messages" not in at.session_state
