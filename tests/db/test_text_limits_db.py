"""Text within its column, the same answer on SQLite and PostgreSQL (issue 12 R4).

Each service is given a value one character longer than its column and a value holding a NUL:
both are refused with a ValidationFailed naming the field typed in, and nothing is written
(on PostgreSQL the over-long value used to be a DataError traceback, on SQLite it was stored
in full or silently cut).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import SQLModel, func, select

from db.engine import session_scope
from db.models import AuditEvent, PhoneMessage
from lib.domain.errors import ValidationFailed
from lib.domain.visitors import MessageForm, VisitorForm
from lib.services import access_log, accounts, reception_desk, settings
from lib.services.showroom import write as showroom
from lib.services.showroom import enquiries as showroom_enquiries
from lib.services.visitors import register as visitors
from lib.services.tickets import write as tickets
from lib.services.access_log import AccessForm
from lib.services.reception_desk import ReceptionForm
from lib.services.showroom.write import RegisterForm
from lib.services.tickets.write import TicketForm
from tests.db.helpers import make_user

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.datetime(2026, 5, 11, 10, 0, tzinfo=SH)


def width(column: str) -> int:
    table, name = column.split(".")
    return SQLModel.metadata.tables[table].c[name].type.length


def rows(engine) -> int:
    """Every row in every table: a refusal writes nothing anywhere."""
    with session_scope(engine, write=False) as session:
        return sum(session.exec(select(func.count()).select_from(t)).one() for t in SQLModel.metadata.sorted_tables)


@pytest.fixture
def desk(engine):
    return {"staff": make_user(engine, username="desk", name="前台小王"),
            "admin": make_user(engine, username="root", role="admin", name="管理员"),
            "cs": make_user(engine, username="cs", name="客服", titles=["客服专员"]),
            "sales": make_user(engine, username="c1", name="顾问1", titles=["销售顾问"])}


def visitor(engine, who, v):
    visitors.register_visitor(engine, actor=who["staff"], form=VisitorForm(name=v, headcount=1, purpose="洽谈"), now=D)


def message(engine, who, v):
    visitors.log_message(engine, actor=who["staff"], form=MessageForm(called_at=D, caller_name="赵六", matter=v,
                                                                      relay_to_id=who["staff"].id), now=D)


def enquiry_question(engine, who, v):
    showroom_enquiries.log_enquiry(engine, actor=who["staff"], question=v, status="answered", answer="已答复",
                                   promised_response_at=None, now=D)


def enquiry_caller(engine, who, v):
    showroom_enquiries.log_enquiry(engine, actor=who["staff"], question="价格？", status="answered", answer="已答复",
                                   promised_response_at=None, caller_name=v, now=D)


def access_name(engine, who, v):
    access_log.register_entry(engine, actor=who["staff"], now=D, form=AccessForm(
        area="control_room", category="external", name=v, unit="设备公司", purpose="检修"))


def access_purpose(engine, who, v):
    access_log.register_entry(engine, actor=who["staff"], now=D, form=AccessForm(
        area="control_room", category="external", name="李工", purpose=v))


def reception_reason(engine, who, v):
    reception_desk.create_application(engine, actor=who["staff"], now=D, form=ReceptionForm(
        guest_count=4, reception_class="B", starts_on=dt.date(2026, 5, 14), ends_on=dt.date(2026, 5, 14),
        reason=v, host="销售部王经理"))


def ticket_problem(engine, who, v):
    tickets.log_ticket(engine, actor=who["cs"], now=D, form=TicketForm(
        type="complaint", phone="13900001111", customer_name="李雷", address="上海市浦东新区张江路100号", problem=v,
        agent_no="1001"))


def showroom_name(engine, who, v):
    showroom.register_contact(engine, actor=who["admin"], now=D, form=RegisterForm(
        channel="call", customer_name=v, phone="13812345678", matter="卡罗拉试驾", visit_date=D.date(),
        receiver_id=who["sales"].id))


def user_staff_no(engine, who, v):
    accounts.create_user(engine, actor=who["admin"], password="password1", repeat="password1",
                         form=accounts.UserForm(username="u01", name="小张", role="staff", staff_no=v))


def user_name(engine, who, v):
    accounts.create_user(engine, actor=who["admin"], password="password1", repeat="password1",
                         form=accounts.UserForm(username="u02", name=v, role="staff"))


CASES = [
    (visitor, "visitor_entry.name", "visitor_name"),
    (message, "phone_message.matter", "matter"),
    (enquiry_question, "customer_enquiry.question", "enquiry_question"),
    (enquiry_caller, "customer_enquiry.caller_name", "enquiry_caller_name"),
    (access_name, "access_entry.name", "access_name"),
    (access_purpose, "access_entry.purpose", "access_purpose"),
    (reception_reason, "reception_application.reason", "reception_reason"),
    (ticket_problem, "ticket.problem", "ticket_problem"),
    (showroom_name, "showroom_contact.customer_name", "showroom_customer_name"),
    (user_staff_no, "app_user.staff_no", "staff_no"),
    (user_name, "app_user.name", "name"),
]


@pytest.mark.parametrize("call,column,field", CASES, ids=[c[0].__name__ for c in CASES])
def test_R4_over_long_text_is_refused_naming_its_field(engine, desk, call, column, field):
    before = rows(engine)
    with pytest.raises(ValidationFailed) as info:
        call(engine, desk, "长" * (width(column) + 1))
    assert {e.field: (e.key, e.params.get("max")) for e in info.value.errors} == {
        field: ("field.too_long", width(column))}
    assert rows(engine) == before


@pytest.mark.parametrize("call,column,field", CASES, ids=[c[0].__name__ for c in CASES])
def test_R4_nul_and_control_characters_are_refused_naming_their_field(engine, desk, call, column, field):
    before = rows(engine)
    with pytest.raises(ValidationFailed) as info:
        call(engine, desk, "甲\x00乙\x1b")
    assert info.value.keys() == {field: "field.control_chars"}
    assert rows(engine) == before


@pytest.mark.parametrize("call,column,field", CASES, ids=[c[0].__name__ for c in CASES])
def test_R4_text_at_its_limit_is_stored_as_typed(engine, desk, call, column, field):
    value = "长" * width(column)
    call(engine, desk, value)
    table, name = column.split(".")
    with session_scope(engine, write=False) as session:
        stored = session.exec(select(SQLModel.metadata.tables[table].c[name])).all()
    assert value in stored


def test_R4_a_title_setting_with_a_long_key_can_be_changed_and_is_audited(engine, desk):
    key = "escalation.uncooperative_department_titles"
    settings.change_setting(engine, actor=desk["admin"], key=key, value=["总经理"], reason="R4")
    with session_scope(engine, write=False) as session:
        ids = session.exec(select(AuditEvent.entity_id).where(AuditEvent.entity == "setting")).all()
    assert len(ids) == 1 and ids[0].startswith("escalation.uncooperative") and len(ids[0]) <= 40


def test_R4_the_flush_check_refuses_a_row_no_service_checked(engine):
    with pytest.raises(ValidationFailed) as info:
        with session_scope(engine) as session:
            session.add(PhoneMessage(called_at=D, caller_name="x" * 51, matter="m", created_at=D))
    assert info.value.keys() == {"caller_name": "field.too_long"}
    with session_scope(engine, write=False) as session:
        assert session.exec(select(func.count()).select_from(PhoneMessage)).one() == 0


