"""End-to-end fixtures: a real ``streamlit run`` on a fresh SQLite file, driven by Debian's Chromium.

No ``playwright install``: the browser is ``/usr/bin/chromium``. Without it the tests skip
locally and fail in CI (a skip that hid a missing browser in CI would be a defect).
Everything waits on ``/_stcore/health``, Streamlit's ``data-test-script-state`` and
visible text, never on sleeps.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError, expect
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
HEALTH_TIMEOUT_S = 60.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if IN_CI:
        pytest.fail(f"CI=true but {CHROMIUM} is missing: install Debian's chromium (see .ci/run)")
    pytest.skip(f"{CHROMIUM} not installed (the browser tests run in CI)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    log: Path
    process: subprocess.Popen

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"streamlit exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)  # polling interval of a bounded health check, not a wait on the UI
    pytest.fail(f"streamlit not healthy after {timeout:.0f} s:\n{server.log_tail()}")


@pytest.fixture(scope="module")
def e2e_server(tmp_path_factory, request) -> Iterator[Server]:
    """``streamlit run Home.py`` on a free loopback port with an empty database, stopped at teardown.

    A test module may set ``SERVER_ENV`` (a dict) for more environment, e.g. the sweeper's interval."""
    require_chromium()
    workdir = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {**os.environ,
           "DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
           "DUTYDESK_COOKIE_KEY": secrets.token_urlsafe(36),  # 48 characters
           "DUTYDESK_BCRYPT_ROUNDS": "4",
           "PYTHONUNBUFFERED": "1",
           **getattr(request.module, "SERVER_ENV", {})}
    log = workdir / "streamlit.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "lib.launch", "run", "Home.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(url=f"http://127.0.0.1:{port}", log=log, process=process)
    try:
        _wait_healthy(server, HEALTH_TIMEOUT_S)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def lone_admin(e2e_server, request) -> str:
    """The server's database migrated with one account, ``admin``, whose password is the module's ``PASSWORD``."""
    from db.engine import make_engine
    from db.migrate import upgrade
    from lib.services import accounts

    password = request.module.PASSWORD
    engine = make_engine(f"sqlite:///{e2e_server.log.parent / 'e2e.db'}")
    try:
        upgrade(engine)
        accounts.create_first_admin(engine, username="admin", name="管理员", password=password, repeat=password)
    finally:
        engine.dispose()
    return "admin"


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)  # every module's assertions, including those outside the page fixture


@pytest.fixture(scope="module")
def page(browser, e2e_server):
    """One context for the whole module, so the login cookie carries from one step to the next."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    # assertions too: a CI runner's 2 cores also run the other pytest worker (a CI clone once took 16 s to show a
    # confirmation that takes 1 s on a quiet machine); a passing step waits no longer for it
    context.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure: keep a screenshot and show the server log's tail; later steps fail fast."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    if item.get_closest_marker("xfail") is None:  # a known-bug step only looks; it leaves no state behind
        item.module.__dict__.setdefault("_e2e_failed_step", item.name)
    tab, server = item.funcargs.get("page"), item.funcargs.get("e2e_server")
    if server is None:
        return
    report.sections.append(("streamlit log (tail)", server.log_tail()))
    if tab is not None and not tab.is_closed():
        shot = server.log.parent / f"failure-{item.name}.png"
        try:
            tab.screenshot(path=str(shot), full_page=True)
            report.sections.append(("failure screenshot", str(shot)))
        except PlaywrightError as exc:  # a diagnostic only; never mask the real failure
            report.sections.append(("failure screenshot", f"not taken: {exc}"))


def pytest_runtest_setup(item):
    """The steps of a scenario share one browser: after a failed step the rest cannot be meaningful."""
    failed = getattr(item.module, "_e2e_failed_step", None)
    if failed is not None and item.get_closest_marker("e2e") is not None:
        pytest.fail(f"an earlier step of this scenario failed ({failed}); not run")
