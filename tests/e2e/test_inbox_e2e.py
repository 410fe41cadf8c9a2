"""The inbox and the sweeper in a real browser (issue 15, e2e): a phone message left unrelayed past its
deadline is red on the front desk's home, and the app server's own sweeper thread posts it to a
企业微信 robot — here a local HTTP receiver on 127.0.0.1 started by the test, named by the channel's
secret in the server's environment (``DUTYDESK_WECOM_FRONT``).

The people, the message and the front desk's preference are written straight into the server's fresh
database (the admin pages have their own tests). Steps run in file order (tests/e2e/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from db.engine import make_engine
from db.migrate import upgrade
from lib.domain.visitors import MessageForm
from lib.notify import admin as notify_admin
from lib.services.accounts import create_first_admin
from lib.services.visitors.register import log_message
from tests.db.helpers import make_user
from tests.e2e.test_tickets import log_in, shown

pytestmark = pytest.mark.e2e

PASSWORD = "password1"
CALLER = "钱先生"
FIRST_RUN_MS = 45_000
WEBHOOK_WAIT_S = 30  # the sweeper runs every second; the first sweep starts with the server's first page
# Read by tests/e2e/conftest.py's e2e_server: the sweeper every second, and where the "front" robot posts.
SERVER_ENV: dict[str, str] = {"DUTYDESK_SWEEP_SECONDS": "1"}


class _Robot(BaseHTTPRequestHandler):
    """A 企业微信 group robot: takes the JSON body, answers errcode 0."""

    bodies: queue.Queue

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        self.bodies.put((self.path, self.headers.get("Content-Type", ""), raw))
        answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def robot():
    """The receiver, listening before the app server starts so its URL can be in the server's environment."""
    bodies: queue.Queue = queue.Queue()
    handler = type("Robot", (_Robot,), {"bodies": bodies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SERVER_ENV["DUTYDESK_WECOM_FRONT"] = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=e2e"
    try:
        yield bodies
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def e2e_server(robot, e2e_server):  # noqa: F811 - the conftest's server, started once the receiver listens
    return e2e_server


@pytest.fixture(scope="module")
def office(e2e_server):
    """The front desk (前台接待员) with a message taken three hours ago and never relayed (relay is due after
    ``phone.relay_overdue`` = 2 h), and a preference sending their items to the ``front`` robot."""
    engine = make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")
    upgrade(engine)
    admin = create_first_admin(engine, username="admin", name="管理员", password=PASSWORD, repeat=PASSWORD)
    front = make_user(engine, username="front", role="staff", name="前台小林", titles=["前台接待员"])
    other = make_user(engine, username="clerk", role="staff", name="文员小吴")
    called = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)
    message_id = log_message(engine, actor=front, now=called,
                             form=MessageForm(called_at=called, caller_name=CALLER, caller_phone="13900002222",
                                              matter="请回电确认合同", relay_to_id=other.id))
    notify_admin.save_preference(engine, actor=admin, scope="user", ref_id=front.id, channels=["wecom"],
                                 kinds=["message_relay"], target="front")
    engine.dispose()
    return {"message_id": message_id}


def test_issue15_unrelayed_message_is_red_on_the_front_desk_home(page: Page, e2e_server, office):
    """I2: overdue first and red; the item names the caller and links to the messages page."""
    page.goto(e2e_server.url)
    # the server's first run imports every module: on a loaded 2-core machine it may take longer than a click
    expect(page.get_by_label("密码", exact=True)).to_have_count(1, timeout=FIRST_RUN_MS)
    log_in(page, "front")
    overdue = shown(page.get_by_text("已超时（1）"))
    expect(overdue).to_be_visible()
    # the section heading is drawn in Streamlit's :red[…] colour
    red = page.evaluate("""(text) => {
        const all = [...document.querySelectorAll('h4, h4 *')].filter(e => e.textContent.trim() === text);
        const el = all[all.length - 1];  // the innermost: the coloured span inside the heading
        return el ? getComputedStyle(el).color : null;
    }""", "已超时（1）")
    assert red is not None and red.startswith("rgb("), red
    r, g, b = (int(v) for v in red[4:-1].split(",")[:3])
    assert r > 150 and g < 100 and b < 100, f"the overdue heading is not red: {red}"
    item = shown(page.get_by_text(f"{CALLER} 的来电留言待转达"))
    expect(item).to_be_visible()
    expect(shown(page.get_by_text("留言转达", exact=True)).first).to_be_visible()  # the kind's red badge
    expect(shown(page.get_by_text("即将到期（", exact=False))).to_have_count(0)


def test_issue15_the_server_sweeper_posts_the_overdue_message_to_the_robot(robot, office):
    """N5: the background sweeper of the app server (no page asked) sends one 企业微信 text message."""
    try:
        path, content_type, raw = robot.get(timeout=WEBHOOK_WAIT_S)
    except queue.Empty:
        pytest.fail(f"no webhook within {WEBHOOK_WAIT_S} s")
    assert path == "/cgi-bin/webhook/send?key=e2e"
    assert content_type.startswith("application/json")
    body = json.loads(raw.decode("utf-8"))
    assert body["msgtype"] == "text"
    content = body["text"]["content"]
    assert f"{CALLER} 的来电留言待转达" in content
    assert content.startswith("【")
    with pytest.raises(queue.Empty):  # exactly once: later sweeps find the key already in the outbox
        robot.get(timeout=3)
