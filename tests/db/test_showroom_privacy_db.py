"""R7 for the showroom, enquiries and a ticket's timeline, on SQLite and PostgreSQL: a customer's name and phone
in full to the people who work on the record (the owning consultant, the receiver, the person who registered the
contact, the sheet's signers, supervisors), masked for everybody else, in lists, lookups and exports alike;
a supervisor opening a record not theirs leaves an audit row."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from db.engine import session_scope
from db.models import AuditEvent
from lib.services import rotation
from lib.services.showroom import enquiries as showroom_enquiries
from lib.services.showroom import read as showroom_read
from lib.services.showroom import write as showroom
from lib.services.showroom.write import RegisterForm
from lib.services.tickets import read as tickets_read
from lib.services.tickets import write as tickets
from lib.services.tickets.write import TicketForm
from tests.db.helpers import make_user

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.datetime(2026, 5, 11, 10, 0, tzinfo=SH)  # a Monday
PHONE, NAME = "13812345678", "王建国"


@pytest.fixture
def floor(engine):
    boss = make_user(engine, username="boss", role="supervisor", name="主管甲")
    manager = make_user(engine, username="mgr", name="经理乙", titles=["销售经理"])
    desk = make_user(engine, username="desk", name="前台丙")
    c1, c2 = (make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=["销售顾问"]) for i in (1, 2))
    rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[c1.id, c2.id], now=D)
    contact = showroom.register_contact(engine, actor=desk, now=D, form=RegisterForm(
        channel="walk_in", customer_name=NAME, phone=PHONE, matter="试驾", visit_date=D.date(),
        details="留了备用电话 13900001111", receiver_id=c1.id))
    return {"boss": boss, "manager": manager, "desk": desk, "c1": c1, "c2": c2, "customer": contact.customer_id}


def personal_reads(engine) -> list[tuple[str, str, str]]:
    with session_scope(engine, write=False) as session:
        return [(a.username, a.entity, a.entity_id) for a in session.exec(
            select(AuditEvent).where(AuditEvent.action == "read_personal").order_by(AuditEvent.id)).all()]


def test_R7_day_sheet_rows_are_masked_for_staff_not_on_them_and_whole_for_those_who_are(engine, floor):
    outsider = showroom_read.day_sheet(engine, actor=floor["c2"], now=D).contacts
    assert [(c.customer_name, c.phone, c.details, c.masked) for c in outsider] == [
        ("王**", "138****5678", "留了备用电话 139****1111", True)]
    for who in ("c1", "desk", "manager", "boss"):  # receiver, registrar, sheet signer, supervisor
        [row] = showroom_read.day_sheet(engine, actor=floor[who], now=D).contacts
        assert (row.customer_name, row.phone, row.masked) == (NAME, PHONE, False), who


def test_R7_customer_lookup_tells_the_front_desk_whose_customer_it_is_not_who_the_customer_is(engine, floor):
    seen = showroom_read.find_customer(engine, actor=floor["c2"], phone=PHONE, now=D)
    assert (seen.name, seen.phone, seen.owner, seen.masked) == ("王**", "138****5678", "顾问1", True)
    mine = showroom_read.find_customer(engine, actor=floor["c1"], phone=PHONE, now=D)
    assert (mine.name, mine.phone, mine.masked) == (NAME, PHONE, False)


def test_R7_a_customer_record_is_masked_for_outsiders_and_a_supervisors_read_of_it_is_audited(engine, floor):
    record = showroom_read.customer_record(engine, actor=floor["c2"], customer_id=floor["customer"], now=D)
    assert (record.customer.name, record.customer.phone, record.customer.masked) == ("王**", "138****5678", True)
    assert "13900001111" not in " ".join(h.text for h in record.history)
    for who in ("c1", "desk", "manager"):
        whole = showroom_read.customer_record(engine, actor=floor[who], customer_id=floor["customer"], now=D)
        assert (whole.customer.name, whole.customer.phone) == (NAME, PHONE), who
        assert "13900001111" in " ".join(h.text for h in whole.history)
    assert personal_reads(engine) == []  # neither the outsider (masked) nor the people on the record
    showroom_read.customer_record(engine, actor=floor["boss"], customer_id=floor["customer"], now=D)
    assert personal_reads(engine) == [("boss", "showroom_customer", str(floor["customer"]))]


def test_R7_my_customers_shows_the_consultants_own_cards_whole(engine, floor):
    mine = showroom_read.my_customers(engine, actor=floor["c1"], now=D)
    assert [(r.name, r.phone, r.masked) for r in mine.owned] == [(NAME, PHONE, False)]


def test_R7_enquiry_board_masks_callers_for_staff_who_neither_took_nor_answered_the_call(engine, floor):
    promised = D + dt.timedelta(hours=2)
    showroom_enquiries.log_enquiry(engine, actor=floor["desk"], question="保养价格？回电 13900001111", status="open",
                                   promised_response_at=promised, caller_name=NAME, caller_phone=PHONE, now=D)
    [seen] = showroom_enquiries.enquiry_board(engine, actor=floor["c2"], now=D)
    assert (seen.caller_name, seen.caller_phone, seen.question, seen.masked) == (
        "王**", "138****5678", "保养价格？回电 139****1111", True)
    cs = make_user(engine, username="cs", name="客服丁", titles=["客服专员"])
    for who in (floor["desk"], floor["boss"], cs):
        [row] = showroom_enquiries.enquiry_board(engine, actor=who, now=D)
        assert (row.caller_name, row.caller_phone, row.masked) == (NAME, PHONE, False), who.username


def test_R7_a_ticket_timeline_note_quoting_the_phone_is_masked_for_staff_not_on_the_ticket(engine, floor):
    cs = make_user(engine, username="cs", name="客服丁", titles=["客服专员"])
    ticket_id = tickets.log_ticket(engine, actor=cs, form=TicketForm(
        type="complaint", phone=PHONE, customer_name=NAME, address="上海市浦东新区张江路100号", problem="送货慢",
        category="trade_dispute", agent_no="017")).id
    tickets.add_note(engine, actor=cs, ticket_id=ticket_id, note="客户说也可打 021-12345678 或 13900001111")
    outsider = tickets_read.ticket_detail(engine, actor=floor["c2"], ticket_id=ticket_id)
    text = repr([(s.note, s.data) for s in outsider.timeline])
    assert "13900001111" not in text and "12345678" not in text and PHONE not in text and "张江路" not in text
    assert "139****1111" in text
    whole = tickets_read.ticket_detail(engine, actor=cs, ticket_id=ticket_id)
    assert "13900001111" in repr([s.note for s in whole.timeline])
