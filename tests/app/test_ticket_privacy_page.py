"""R7 through the page: a member of staff not on a ticket opens /ticket?id= and sees its customer masked."""

from __future__ import annotations

from lib.services.tickets import write as tickets
from lib.services.tickets.write import TicketForm
from tests.app.conftest import open_page
from tests.db.helpers import make_user

PHONE, ADDRESS = "13812345678", "上海市浦东新区张江路100号"


def _page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts).replace("\\*", "*")  # plain text escapes Markdown's stars


def _detail(username: str, ticket_id: int):
    at = open_page("pages/ticket_detail.py", None)
    at.query_params["id"] = str(ticket_id)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.run()
    assert not at.exception, at.exception
    return at


def test_R7_staff_not_on_the_ticket_see_the_phone_and_address_masked(app_db):
    engine, users = app_db
    cs = make_user(engine, username="cs", role="staff", name="客服小张", titles=["客服专员"])
    ticket_id = tickets.log_ticket(engine, actor=cs, form=TicketForm(
        type="complaint", phone=PHONE, customer_name="王芳", address=ADDRESS, problem="送货慢",
        category="trade_dispute", agent_no="017")).id

    outsider = _page_text(_detail("staff", ticket_id))
    assert "138****5678" in outsider and "上海市浦东新***" in outsider and "王*" in outsider
    assert PHONE not in outsider and ADDRESS not in outsider and "王芳" not in outsider
    assert "仅向经办人" in outsider  # says why, so nobody thinks the record is broken

    owner = _page_text(_detail("cs", ticket_id))
    assert PHONE in owner and ADDRESS in owner and "138****5678" not in owner


def _tables(at) -> str:
    return "\n".join(frame.value.to_string() for frame in at.dataframe)


def test_R7_showroom_day_sheet_and_enquiry_board_mask_the_customer_for_staff_not_on_the_record(app_db):
    """R7 through the pages: staff who neither received, registered nor own the contact see its customer masked in
    the day sheet and the enquiry board (the tables the exports are built from); the people on it see it whole."""
    import datetime as dt

    from lib.services import rotation
    from lib.services.settings import office_zone_now
    from lib.services.showroom import enquiries as showroom_enquiries
    from lib.services.showroom import write as showroom
    from lib.services.showroom.write import RegisterForm

    engine, users = app_db
    zone, today = office_zone_now(engine)
    at_ten = dt.datetime.combine(today, dt.time(10, 0), tzinfo=zone)
    c1, c2 = (make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=["销售顾问"]) for i in (1, 2))
    desk = make_user(engine, username="desk", name="前台一")
    rotation.record_draw(engine, actor=users["supervisor"], method="recorded", consultant_ids=[c1.id, c2.id],
                         now=at_ten)
    showroom.register_contact(engine, actor=desk, now=at_ten, form=RegisterForm(
        channel="walk_in", customer_name="王建国", phone=PHONE, matter="试驾", visit_date=today, receiver_id=c1.id))
    showroom_enquiries.log_enquiry(engine, actor=desk, question="保养价格", status="answered", answer="已答复",
                                   caller_name="王建国", caller_phone=PHONE, promised_response_at=None)

    def shown(path: str, username: str) -> tuple[str, str]:
        at = open_page(path, username)
        assert not at.exception, at.exception
        return _tables(at), _page_text(at)

    for path in ("pages/showroom_daysheet.py", "pages/showroom_enquiries.py"):
        tables, text = shown(path, "staff")
        assert "138****5678" in tables and "王**" in tables, path
        assert PHONE not in tables + text and "王建国" not in tables + text, path
        assert "仅向" in text, path  # the page says why
        tables, _text = shown(path, "desk")
        assert PHONE in tables and "王建国" in tables, path
    tables, _text = shown("pages/showroom_daysheet.py", "c1")
    assert PHONE in tables
