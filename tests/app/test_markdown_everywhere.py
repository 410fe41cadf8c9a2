"""User text is text (issue 12 R5): Markdown, images, LaTeX and HTML typed into any field are shown literally.

Hostile values go in through the services, the pages that show them are rendered (AppTest), and every
Markdown-rendering element (markdown, caption, info, warning, error, success, expander and widget labels)
is read: none may hold an unescaped ``](`` (a link or an image the browser would fetch), ``<img``, ``**``
or ``$...$``. Each page must also show the value somewhere (escaped, or raw in st.text / a table cell), so
the check cannot pass by showing nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import update

from db.engine import session_scope
from db.models import User
from lib.domain.visitors import MessageForm, VisitorForm
from lib.services import access_log, reception_desk
from lib.services.showroom import enquiries as showroom_enquiries
from lib.services.tickets import write as tickets
from lib.services.visitors import register as visitors
from lib.services.access_log import AccessForm
from lib.services.reception_desk import ReceptionForm
from lib.services.tickets.write import TicketForm
from lib.ui import plain
from tests.app.conftest import open_page
from tests.db.helpers import make_user

IMAGE = "![x](http://127.0.0.2/p.png)"
BOLD = "**b**"
LATEX = "$x^2$"
HTML = "<img src=x>"
LINK = "[l](http://x)"
HOSTILE = [IMAGE, BOLD, LATEX, HTML, LINK]

# A Markdown element's source holds an unescaped construct (plain() puts a backslash before each).
UNESCAPED = [re.compile(r"(?<!\\)\]\("), re.compile(r"(?<!\\)<img"), re.compile(r"(?<!\\)\*(?<!\\)\*b"),
             re.compile(r"(?<!\\)\$x")]
MARKDOWN_KINDS = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader",
                  "toast")
LABELLED_KINDS = ("expander", "checkbox", "button", "radio", "toggle", "tabs", "text_input", "text_area",
                  "selectbox", "multiselect", "number_input", "metric")


def _markdown_texts(at) -> list[str]:
    texts = []
    for kind in MARKDOWN_KINDS:
        texts += [str(e.value) for e in at.get(kind)]
    for kind in LABELLED_KINDS:
        for e in at.get(kind):
            texts.append(str(getattr(e, "label", "") or ""))
            if kind == "radio":  # radio options render Markdown too
                texts += [str(o) for o in getattr(e, "options", [])]
    return texts


def _plain_texts(at) -> list[str]:
    texts = [str(e.value) for e in at.get("text")]
    for frame in at.get("arrow_data_frame") + at.get("dataframe") + at.get("table"):
        texts.append(frame.value.to_string() if hasattr(frame.value, "to_string") else str(frame.value))
    for kind in ("selectbox", "multiselect"):
        for e in at.get(kind):
            texts += [str(o) for o in getattr(e, "options", [])]
    return texts


def assert_shown_as_text(at, values, where):
    assert not at.exception, (where, at.exception)
    md, raw = _markdown_texts(at), _plain_texts(at)
    bad = [text for text in md for rule in UNESCAPED if rule.search(text)]
    assert bad == [], f"{where}: user Markdown rendered: {bad[:3]}"
    shown = [v for v in values if any(plain(v) in text for text in md) or any(v in text for text in raw)]
    assert shown, f"{where}: none of {values} is on the page, so the check proves nothing"
    return shown


@pytest.fixture
def hostile(app_db):
    engine, users = app_db
    staff = users["staff"]
    with session_scope(engine) as session:
        session.execute(update(User).where(User.username == "staff").values(staff_no="017"))
    cs = make_user(engine, username="cs", name=IMAGE, titles=["客服专员"])
    visitors.register_visitor(engine, actor=staff, form=VisitorForm(name=IMAGE, headcount=1, purpose=BOLD,
                                                                    company=LATEX, note=HTML))
    visitors.log_message(engine, actor=staff, form=MessageForm(
        called_at=dt.datetime.now(dt.timezone.utc), caller_name=IMAGE, matter=LINK, related=HTML,
        relay_to_id=staff.id))
    ticket = tickets.log_ticket(engine, actor=cs, form=TicketForm(
        type="repair", phone="13800001234", customer_name=IMAGE, address=LINK, problem=BOLD + HTML,
        problem_confirmed=True, address_confirmed=True, name_confirmed=True, phone_confirmed=True,
        product_model=LATEX, fault=HTML, agent_no="1001")).id
    showroom_enquiries.log_enquiry(engine, actor=staff, question=IMAGE, status="open", caller_name=LINK,
                                   promised_response_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2))
    access_log.register_entry(engine, actor=staff, form=AccessForm(
        area="control_room", category="external", name=IMAGE, unit=LINK, purpose=BOLD, companion=HTML))
    today = dt.date.today()
    reception_desk.create_application(engine, actor=staff, form=ReceptionForm(
        guest_count=2, reception_class="B", starts_on=today + dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=3), reason=IMAGE, host=LINK, requirements=HTML, guest_title=BOLD))
    return engine, users, ticket


PAGES = [
    ("pages/visitors.py", "staff"),
    ("pages/messages.py", "staff"),
    ("pages/tickets_board.py", "admin"),
    ("pages/tickets_mine.py", "cs"),
    ("pages/showroom_enquiries.py", "staff"),
    ("pages/access_log.py", "staff"),
    ("pages/receptions.py", "staff"),
    ("pages/admin_users.py", "admin"),
    ("pages/admin_audit.py", "admin"),
]


@pytest.mark.parametrize("path,who", PAGES, ids=[p for p, _ in PAGES])
def test_R5_user_values_render_literally(hostile, path, who):
    at = open_page(path, who)
    assert_shown_as_text(at, HOSTILE, path)


def test_R5_ticket_detail_shows_the_customer_text_literally(hostile):
    _, _, ticket = hostile
    at = open_page("pages/ticket_detail.py", None)
    at.query_params["id"] = str(ticket)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "admin"
    at.run()
    shown = assert_shown_as_text(at, HOSTILE, "ticket_detail")
    assert len(shown) >= 3, shown


def test_R5_an_error_naming_a_typed_value_shows_it_escaped(app_db):
    from lib.domain.errors import DomainError
    from lib.ui import error_text

    text = error_text(DomainError("settings.invalid_value", kind="text", value=IMAGE))
    assert "](" not in text and plain(IMAGE) in text


EVERY_PAGE = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "pages").glob("*.py")
                    if p.name not in {"kiosk.py", "wall.py"})  # the two token pages have no logged-in user


@pytest.mark.parametrize("page", EVERY_PAGE)
@pytest.mark.parametrize("who", ["admin", "staff"])
def test_R5_no_page_renders_a_person_name_or_typed_value_as_markdown(hostile, page, who):
    """Every person's name is hostile too (the staff user, the customer-service user, the relay target)."""
    engine, _, _ = hostile
    with session_scope(engine) as session:
        session.execute(update(User).where(User.username.in_(["staff", "supervisor", "cs"])).values(name=IMAGE))
        session.execute(update(User).where(User.username == "display").values(name=LINK))
    at = open_page(f"pages/{page}", who)
    assert not at.exception, (page, at.exception)
    bad = [text for text in _markdown_texts(at) for rule in UNESCAPED if rule.search(text)]
    assert bad == [], f"{page} as {who}: user Markdown rendered: {bad[:3]}"
