"""Refresh the user guide's pictures: ``.venv/bin/python -m tests.e2e.screenshots``.

Loads the demo office into a temporary SQLite file, starts ``streamlit run`` on a free loopback port,
logs in as the person each page is for, and saves ``docs/img/<name>.png`` from Debian's Chromium.
Not a test (pytest collects only ``test_*.py``); it needs /usr/bin/chromium and a Chinese font.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright
from sqlmodel import select

from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import User
from lib.demo import DEMO_PASSWORD, load_demo
from lib.services import accounts
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, _free_port

OUT = ROOT / "docs" / "img"
ADMIN_PASSWORD = "admin1234"
# picture name -> (the title of the person who uses the page, or "admin"/"wall"; url path)
SHOTS = {
    "visitors": ("前台接待员", "visitors"),
    "kiosk": ("kiosk", "kiosk"),
    "queue": ("销售顾问", "queue"),
    "daysheet": ("销售经理", "day-sheet"),
    "ticket-board": ("客服部经理", "ticket-board"),
    "handover": ("中控员", "handover"),
    "settings": ("admin", "settings"),
    "wall": ("wall", "wall"),
}


def _users(engine) -> dict[str, str]:
    with session_scope(engine, write=False) as session:
        users = session.exec(select(User).where(User.active == True).order_by(User.id)).all()  # noqa: E712
    found = {"admin": "admin", "wall": "wall"}
    for user in users:
        for title in user.titles:
            found.setdefault(title, user.username)
    return found


def _settle(page) -> None:
    page.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=60_000)
    page.wait_for_timeout(1500)  # let charts and fonts paint before the picture; not a test wait
    page.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=60_000)


def _login(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    _settle(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=30_000)
    _settle(page)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="dutydesk-shots-"))
    url = f"sqlite:///{workdir / 'shots.db'}"
    engine = make_engine(url)
    upgrade(engine)
    admin = accounts.create_first_admin(engine, username="admin", name="管理员", password=ADMIN_PASSWORD,
                                        repeat=ADMIN_PASSWORD)
    load_demo(engine, actor=admin)
    from lib.services.visitors import kiosk as visitor_kiosk

    _kiosk_id, kiosk_token = visitor_kiosk.create_kiosk(engine, actor=admin, label="大门平板")
    users = _users(engine)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "DUTYDESK_COOKIE_KEY": secrets.token_urlsafe(36)}
    server = subprocess.Popen([sys.executable, "-m", "lib.launch", "run", "Home.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true",
                               "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                              stdout=(workdir / "log").open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            for name, (who, path) in SHOTS.items():
                size = {"width": 1920, "height": 1080} if name == "wall" else {"width": 1400, "height": 900}
                context = browser.new_context(viewport=size, locale="zh-CN", timezone_id="Asia/Shanghai")
                page = context.new_page()
                if who == "kiosk":
                    page.goto(f"{base}/kiosk?token={kiosk_token}")
                    _settle(page)
                else:
                    password = ADMIN_PASSWORD if who == "admin" else DEMO_PASSWORD
                    _login(page, base, users[who], password)
                    page.goto(f"{base}/{path}")
                    _settle(page)
                page.screenshot(path=str(OUT / f"{name}.png"))
                print(f"docs/img/{name}.png as {users.get(who, who)}")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is needed (apt-get install chromium)")
    raise SystemExit(main())
