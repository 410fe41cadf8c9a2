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
