"""R7: customer data by need. A ticket's customer (name, phone, address) is shown in full to the people who
work on it — its assignee, logger and technician, its group, its callback staff, customer-service titles,
supervisors — and masked for everybody else; a supervisor reading a ticket not theirs leaves an audit row."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import select

from db.engine import session_scope
from db.models import AuditEvent, OrgUnit, User
from lib.services import accounts
from lib.services.tickets import write as tickets
from lib.services.tickets import read as tickets_read
from lib.services.tickets.write import TicketForm
from tests.db.helpers import make_user

PHONE, ADDRESS, NAME = "13812345678", "上海市浦东新区张江路100号", "王芳"


@pytest.fixture
def desk(engine):
    made = {
        "owner": make_user(engine, username="owner", role="staff", name="经办人"),
        "mate": make_user(engine, username="mate", role="staff", name="同组"),
        "other": make_user(engine, username="other", role="staff", name="销售", titles=["销售顾问"]),
        "cs": make_user(engine, username="cs", role="staff", name="客服", titles=["客服专员"]),
        "boss": make_user(engine, username="boss", role="supervisor", name="主管"),
    }
    with session_scope(engine) as session:
        group = OrgUnit(kind="group", name="一组")
        session.add(group)
        session.flush()
        session.execute(update(User).where(User.id.in_([made["owner"].id, made["mate"].id])).values(group_id=group.id))
    people = {k: accounts.load_actor(engine, v.username) for k, v in made.items()}
    form = TicketForm(type="complaint", phone=PHONE, customer_name=NAME, address=ADDRESS, problem="送货慢",
                      category="trade_dispute", agent_no="017")
    people["ticket"] = tickets.log_ticket(engine, actor=people["cs"], form=form).id
    tickets.assign_ticket(engine, actor=people["boss"], ticket_id=people["ticket"], assignee_id=people["owner"].id,
                          reason="分派")
    return people


def reads(engine, ticket_id) -> list[str]:
    with session_scope(engine, write=False) as session:
        return list(session.exec(select(AuditEvent.username).where(AuditEvent.entity == "ticket",
                                                                   AuditEvent.entity_id == str(ticket_id),
                                                                   AuditEvent.action == "read_personal")).all())


def test_R7_staff_not_on_the_ticket_see_the_customer_masked(engine, desk):
    shown = tickets_read.ticket_detail(engine, actor=desk["other"], ticket_id=desk["ticket"]).row
    assert (shown.phone, shown.address, shown.customer_name) == ("138****5678", "上海市浦东新***", "王*")
    assert shown.masked


@pytest.mark.parametrize("who", ["owner", "mate", "cs", "boss"])
def test_R7_the_people_on_the_ticket_see_it_in_full(engine, desk, who):
    shown = tickets_read.ticket_detail(engine, actor=desk[who], ticket_id=desk["ticket"]).row
    assert (shown.phone, shown.address, shown.customer_name) == (PHONE, ADDRESS, NAME)
    assert not shown.masked


def test_R7_a_supervisor_reading_a_ticket_not_theirs_is_audited_the_people_on_it_are_not(engine, desk):
    for who in ("owner", "mate", "cs"):
        tickets_read.ticket_detail(engine, actor=desk[who], ticket_id=desk["ticket"])
    assert reads(engine, desk["ticket"]) == []
    tickets_read.ticket_detail(engine, actor=desk["boss"], ticket_id=desk["ticket"])
    assert reads(engine, desk["ticket"]) == ["boss"]


def test_R7_lists_mask_rows_of_tickets_the_viewer_does_not_work_on(engine, desk):
    other_id = tickets.log_ticket(engine, actor=desk["other"], form=TicketForm(
        type="complaint", phone="13900001111", customer_name="李雷", address="北京市朝阳区建国路1号",
        problem="态度差", category="trade_dispute", agent_no="018")).id
    mine = {r.id: r for r in tickets_read.my_tickets(engine, actor=desk["other"])}
    assert mine[other_id].phone == "13900001111" and not mine[other_id].masked
    card = tickets_read.find_customer(engine, actor=desk["other"], phone=PHONE)
    assert [(r.phone, r.masked) for r in card.open] == [("138****5678", True)]
    card = tickets_read.find_customer(engine, actor=desk["mate"], phone=PHONE)
    assert [(r.phone, r.masked) for r in card.open] == [(PHONE, False)]


def test_R7_callback_staff_see_the_customer_of_the_ticket_they_called(engine, desk):
    from db.models import TicketSurvey
    from lib.services.base import utcnow
    with session_scope(engine) as session:
        session.add(TicketSurvey(ticket_id=desk["ticket"], agent_id=desk["other"].id, at=utcnow(), convenient=False))
    shown = tickets_read.ticket_detail(engine, actor=desk["other"], ticket_id=desk["ticket"]).row
    assert shown.phone == PHONE and not shown.masked
