"""L3 (issue 13): ``python -m deploy.serve --workers 2`` puts nginx on a loopback port in front of two Streamlit
processes on one fresh PostgreSQL database, and a browser works through it.

The launcher migrates the empty database itself; the people and the draw are then written through the services.
A logged-in browser stays on the process that first answered it (cookie ``dd_upstream``; every response carries
``X-Upstream`` because the launcher is started with ``--upstream-header``, and nginx's access log names the
process of every request, the WebSocket included). The queue race runs across both processes: the consultant
due (on one process) and the manager (on the other) press 接待新客户 for him at once, and exactly one turn
is recorded (T6 on several servers). SIGTERM stops nginx and both workers; a dead worker stops the rest.
Steps share the launcher and run in file order; a failed step stops the rest (tests/e2e/conftest.py).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from db.engine import make_engine
from deploy import serve
from lib.services import accounts, rotation, settings
from tests.conftest import IN_CI, PG_URL, _drop_pg_database, _pg_admin, _pg_url
from tests.e2e.conftest import ROOT, WAIT_MS, Server, _free_port, _wait_healthy, require_chromium
from tests.e2e.test_queue import login, open_at, settle

pytestmark = pytest.mark.e2e

WORKERS = 2
LAUNCH_TIMEOUT_S = 120.0  # two Streamlit processes starting side by side on a busy 2-core machine
BROWSER_TIMEOUT_MS = 90_000  # a worker's first script run imports every page: slow on a busy 2-core machine
MANAGER = ("manager", "吕经理")
CONSULTANTS = [("c1", "顾问甲"), ("c2", "顾问乙"), ("c3", "顾问丙")]
PASSWORD = "Serve-pass-2026"


@dataclass(frozen=True)
class Launcher(Server):
    """The launcher as the conftest's ``Server`` (``url`` is nginx's), with its workers and run directory."""
    workers: tuple[str, ...]
    run_dir: Path


def _require_nginx() -> None:
    if shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK):
        return
    if IN_CI:
        pytest.fail("CI=true but nginx is missing: install Debian's nginx-light (see .ci/run)")
    pytest.skip("nginx not installed (the several-process test runs in CI)")


def _worker_ports() -> list[int]:
    """``WORKERS`` consecutive free loopback ports (the launcher numbers its workers from the first)."""
    for _ in range(50):
        first = _free_port()
        ports = list(range(first, first + WORKERS))
        if all(_port_free(port) for port in ports):
            return ports
    pytest.fail("no consecutive free ports for the workers")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def serve_database() -> Iterator[str]:
    """An empty PostgreSQL database of its own (``dutydesk_serve_*``), dropped at the end."""
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: the several-process test runs on PostgreSQL")
        pytest.skip("TEST_DATABASE_URL not set (the several-process test runs on PostgreSQL)")
    name = f"dutydesk_serve_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    try:
        yield _pg_url(name)
    finally:
        _drop_pg_database(name)


@pytest.fixture(scope="module")
def e2e_server(tmp_path_factory, serve_database) -> Iterator[Launcher]:
    """``python -m deploy.serve`` with two workers; its ``url`` is nginx's. Named like the conftest's server so
    its failure hook shows this launcher's log."""
    require_chromium()
    _require_nginx()
    workdir = tmp_path_factory.mktemp("serve")
    ports = _worker_ports()
    port = _free_port()
    while port in ports:
        port = _free_port()
    env = {**os.environ, "DATABASE_URL": serve_database, "DUTYDESK_COOKIE_KEY": secrets.token_urlsafe(36),
           "DUTYDESK_BCRYPT_ROUNDS": "4", "PYTHONUNBUFFERED": "1"}
    log = workdir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.serve", "--workers", str(WORKERS), "--port", str(port),
             "--first-port", str(ports[0]), "--run-dir", str(workdir / "run"), "--upstream-header"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Launcher(url=f"http://127.0.0.1:{port}", log=log, process=process,
                      workers=tuple(f"127.0.0.1:{p}" for p in ports), run_dir=workdir / "run")
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)  # this module's steps only; the other modules use WAIT_MS
    try:
        _wait_healthy(server, LAUNCH_TIMEOUT_S)
        deadline = time.monotonic() + 15
        while "ready: http://" not in server.log_tail() and time.monotonic() < deadline:
            time.sleep(0.1)  # nginx answers a moment before the launcher's own check says so; bounded
        yield server
    finally:
        expect.set_options(timeout=WAIT_MS)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def db(e2e_server, serve_database):
    engine = make_engine(serve_database)
    yield engine
    engine.dispose()


def _get(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """(the process that answered, the sticky cookie nginx set or None) for one request."""
    request = urllib.request.Request(url, headers={"Cookie": f"dd_upstream={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        upstream = response.headers["X-Upstream"]
        set_cookies = response.headers.get_all("Set-Cookie") or []
    sticky = next((m.group(1) for c in set_cookies if (m := re.match(r"dd_upstream=([0-9a-f]+);", c))), None)
    return upstream, sticky


def _access_log(server) -> list[tuple[str, str, str, str]]:
    """(request line, status, sticky key, upstream) of every request nginx has logged so far."""
    pattern = re.compile(r'"([^"]*)" (\d{3}) \d+ sticky=(\S*) upstream=(\S*)')
    text = (server.run_dir / "logs" / "access.log").read_text(encoding="utf-8")
    return [m.groups() for m in map(pattern.search, text.splitlines()) if m]


def _cookie_for_each_worker(server) -> dict[str, str]:
    """A ``dd_upstream`` value that nginx sends to each worker (found by asking, as a new browser would)."""
    found: dict[str, str] = {}
    for _ in range(60):
        upstream, sticky = _get(f"{server.url}/_stcore/health")
        found.setdefault(upstream, sticky)
        if len(found) == WORKERS:
            return found
    pytest.fail(f"nginx sent 60 new browsers to {sorted(found)} only")


def _context(browser, server, sticky: str | None = None):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    if sticky:
        context.add_cookies([{"name": "dd_upstream", "value": sticky, "url": server.url}])
    return context


def test_L3_when_one_child_dies_the_launcher_stops_the_others_and_fails():
    """No browser, no nginx: the supervisor alone (a dead worker must not leave a half-served office)."""
    survivor = serve.start("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ))
    dying = serve.start("dying", [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ))
    try:
        assert serve.supervise([survivor, dying], poll_s=0.05) == 1
        assert survivor.process.poll() is not None
    finally:
        for child in (survivor, dying):
            if child.process.poll() is None:
                child.process.kill()
                child.process.wait()


def test_L3_several_processes_want_postgresql():
    assert serve.check_database("postgresql+psycopg://u@db/dd", workers=4, remote=2) == []
    assert serve.check_database("sqlite:///data/dutydesk.db", workers=1, remote=0) == []
    [warning] = serve.check_database("sqlite:///data/dutydesk.db", workers=2, remote=0)
    assert "PostgreSQL" in warning and "SQLite" in warning
    with pytest.raises(serve.SetupError, match="PostgreSQL"):
        serve.check_database("sqlite:///data/dutydesk.db", workers=2, remote=1)


def test_L3_the_launcher_migrates_once_and_nginx_answers_for_two_workers(e2e_server, db):
    log = e2e_server.log_tail()
    assert "migrating the database" in log and f"ready: {e2e_server.url}" in log
    assert "SQLite" not in log  # PostgreSQL: no several-processes-on-one-file warning
    conf = (e2e_server.run_dir / "nginx.conf").read_text(encoding="utf-8")
    assert [f"server {w} " in conf for w in e2e_server.workers] == [True] * WORKERS
    assert "hash $dd_sticky consistent;" in conf and "proxy_set_header Upgrade $http_upgrade;" in conf
    with db.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() >= 1
    assert _get(f"{e2e_server.url}/_stcore/health")[0] in e2e_server.workers


def test_L3_new_browsers_are_spread_and_each_keeps_its_process(e2e_server):
    first_answers = [_get(f"{e2e_server.url}/") for _ in range(24)]
    assert {upstream for upstream, _ in first_answers} == set(e2e_server.workers)  # (1/2)^23 to fail by chance
    for upstream, sticky in first_answers[:8]:
        assert sticky is not None
        assert {_get(f"{e2e_server.url}/", sticky) for _ in range(4)} == {(upstream, None)}  # no new cookie either


@pytest.fixture(scope="module")
def office(db) -> dict[str, int]:
    """The manager and three consultants, drawn in order (顾问甲 due first); the board does not refresh mid-click."""
    admin = accounts.create_first_admin(db, username="boss", name="管理员", password=PASSWORD, repeat=PASSWORD)
    accounts.create_user(db, actor=admin, password=PASSWORD, repeat=PASSWORD,
                         form=accounts.UserForm(username=MANAGER[0], name=MANAGER[1], role="supervisor",
                                                titles=("销售经理",)))
    ids = {name: accounts.create_user(db, actor=admin, password=PASSWORD, repeat=PASSWORD,
                                      form=accounts.UserForm(username=user, name=name, role="staff",
                                                             staff_no=f"S{i:03d}", titles=("销售顾问",)))
           for i, (user, name) in enumerate(CONSULTANTS, start=1)}
    settings.change_setting(db, actor=admin, key="queue.board_refresh_seconds", text="600")
    rotation.record_draw(db, actor=accounts.load_actor(db, MANAGER[0]), method="recorded",
                         consultant_ids=list(ids.values()))
    return ids


@pytest.fixture(scope="module")
def sticky(browser, e2e_server, office) -> tuple[str, str]:
    """A ``dd_upstream`` cookie for each of the two workers, both warmed up by a browser at the same time (a
    process's first script run imports the app: the slowest, so the two are paid side by side)."""
    first, second = _cookie_for_each_worker(e2e_server).values()
    contexts = [_context(browser, e2e_server, cookie) for cookie in (first, second)]
    try:
        tabs = [context.new_page() for context in contexts]
        for tab in tabs:
            tab.goto(e2e_server.url, wait_until="commit")
        for tab in tabs:
            expect(tab.get_by_role("button", name="登录", exact=True)).to_be_visible()
    finally:
        for context in contexts:
            context.close()
    return first, second


@pytest.fixture(scope="module")
def first_tab(browser, e2e_server, sticky):
    """顾问甲's browser, on the first worker; ``answered`` collects the X-Upstream of every response it got."""
    context = _context(browser, e2e_server, sticky[0])
    answered: list[str] = []
    context.on("response", lambda response: answered.append(response.headers.get("x-upstream", "-")))
    try:
        yield context.new_page(), answered
    finally:
        context.close()


def test_L3_a_logged_in_browser_stays_on_one_process_websocket_included(first_tab, e2e_server, office, sticky):
    tab, answered = first_tab
    login(tab, e2e_server, "c1", PASSWORD, "顾问甲")
    open_at(tab, e2e_server, "queue", "展厅排队")
    open_at(tab, e2e_server, "queue", "展厅排队")  # loaded again: a new WebSocket; the next step presses here
    assert len(answered) > 20 and len(set(answered)) == 1 and answered[0] in e2e_server.workers
    mine = [(line, status, upstream) for line, status, key, upstream in _access_log(e2e_server) if key == sticky[0]]
    assert {upstream for _, _, upstream in mine} == {answered[0]}
    streams = [status for line, status, _ in mine if line.startswith("GET /_stcore/stream")]
    assert len(streams) >= 2 and set(streams) == {"101"}  # each closed page's WebSocket, upgraded by nginx


def test_L3_a_deep_link_opens_its_page_every_time_on_a_busy_server(first_tab, e2e_server):
    """Trap 3 of lib/views/router_paths.py: the login cookie component answered before the browser knew its page,
    and that rerun opened the home page (5 of 12 deep links to /queue behind nginx, 10 of 12 straight to a
    worker). Eight loads in a row, each a new WebSocket, each must stay on the page its address names."""
    tab, _ = first_tab
    for _ in range(8):
        open_at(tab, e2e_server, "queue", "展厅排队")
        assert tab.url.endswith("/queue")


def test_L3_T6_two_browsers_on_two_processes_press_at_once_and_one_wins(browser, first_tab, e2e_server, db, office,
                                                                        sticky):
    """T6 across processes: 顾问甲 (due) on one worker and the manager on the other press 接待新客户 for 顾问甲 at
    the same moment, both from a screen showing the same board; one turn is recorded, the other browser is
    refused. (Both presses are allowed on their own, so only the database can settle it, whichever comes
    first; a consultant who is not due would be refused by the rule whatever the timing.)"""
    due = office["顾问甲"]
    assert rotation.board(db, actor=accounts.load_actor(db, "boss")).due_id == due
    context = _context(browser, e2e_server, sticky[1])
    try:
        pages: list[Page] = [first_tab[0], context.new_page()]
        login(pages[1], e2e_server, MANAGER[0], PASSWORD, MANAGER[1])
        open_at(pages[1], e2e_server, "queue", "展厅排队")
        buttons = [tab.locator(f"[class*='st-key-{key}_s']:not([data-stale='true'])").get_by_role("button")
                   for tab, key in zip(pages, (f"q_me_received_new_{due}", f"q_due_received_new_{due}"))]
        for tab, button in zip(pages, buttons):  # both screens at rest, showing 顾问甲 due, before either presses
            expect(button).to_be_enabled()
            settle(tab)
            expect(tab.get_by_test_id("stMetric").filter(has_text="轮到接待").filter(has_text="顾问甲").first
                   ).to_be_visible()
        for button in buttons:  # back to back, without waiting for either run: milliseconds apart
            button.click(no_wait_after=True)
        won = [tab.get_by_test_id("stAlertContentSuccess").filter(has_text="已记录：顾问甲 接待新客户") for tab in pages]
        lost = [tab.get_by_test_id("stAlertContentError").filter(has_text="顾问甲") for tab in pages]
        for success, refusal in zip(won, lost):
            expect(success.or_(refusal).first).to_be_visible()
        assert sorted(success.count() for success in won) == [0, 1]
        assert sorted(refusal.count() for refusal in lost) == [0, 1]
    finally:
        context.close()
    events = rotation.board(db, actor=accounts.load_actor(db, "boss")).events
    assert [(e.type, e.consultant) for e in events] == [("received_new", "顾问甲")]
    upstreams = {key: upstream for _, _, key, upstream in _access_log(e2e_server)}
    assert upstreams[sticky[0]] != upstreams[sticky[1]]  # the race really ran on two processes


def test_L3_SIGTERM_stops_nginx_and_every_worker(e2e_server):
    nginx_port = int(e2e_server.url.rsplit(":", 1)[1])
    ports = [nginx_port] + [int(w.rsplit(":", 1)[1]) for w in e2e_server.workers]
    assert all(_listening(port) for port in ports)
    e2e_server.process.send_signal(signal.SIGTERM)
    assert e2e_server.process.wait(timeout=30) == 0
    assert [port for port in ports if _listening(port)] == []  # the launcher waits for its children before exiting
    assert "received SIGTERM; stopping" in e2e_server.log_tail()
