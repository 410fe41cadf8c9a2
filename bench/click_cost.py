"""The server CPU of one click (issue 13 L2), page by page, and where it goes (pyinstrument).

    .venv/bin/python -m bench.click_cost                  # the demo office (a week), 20 clicks per page
    .venv/bin/python -m bench.click_cost --clicks 50 --profile 25 --gc on
    .venv/bin/python -m bench.click_cost --rss 2000       # RSS growth over 2000 clicks (memory stays flat?)

A click is one server run of ``Home.py`` (the router, then the page) for a signed-in session, as the
browser asks for it after a press: the same session state, the same page. CPU is the script thread's own
(``time.thread_time`` around Streamlit's ``ScriptRunner._run_script``, which includes the post-run garbage
collection when ``runner.postScriptGC`` is on), so the test harness's parsing of the output is not counted.
Two AppTest habits a server does not have are undone: a fresh script cache per run (a compile and the
magic pass of every script on every click) and the old ``pages/`` folder mode re-detected on every run.
``--gc on|off|config`` sets ``runner.postScriptGC`` (``config``: whatever ``.streamlit/config.toml`` says).
The profile is pyinstrument's, of the script thread only, summed over the measured clicks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import os
import resource
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DUTYDESK_COOKIE_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")

from streamlit import config  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest, app_test, local_script_runner  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# (url path, username in the demo office, role): the floor's mix of the load test (issue 13 L1)
CLICKS = (("home", "u001", "staff"), ("visitors", "u001", "staff"), ("queue", "u001", "staff"),
          ("my-tickets", "u001", "staff"), ("kpi", "admin", "admin"), ("ticket-board", "admin", "admin"),
          ("audit", "admin", "admin"), ("wall", "wall", "display"))

_cpu: list[float] = []
_profiler = None
_measuring = False


def _patch_runner() -> None:
    """Time (and profile) the script thread's own work in each run; compile each page once, as a server
    does (AppTest makes a new script cache, so a new compile and magic pass, on every run)."""
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared
    local_script_runner.ScriptCache = lambda: shared
    original = ScriptRunner._run_script

    def timed(self, rerun_data):
        # AppTest forgets this before every run, so each run would go through the old pages/ folder mode
        # first; a server forgets it once per process (lib/views/router_paths.leave_folder_mode).
        PagesManager.uses_pages_directory = False
        started = time.thread_time()
        profiling = _profiler is not None and _measuring
        if profiling:
            _profiler.start()
        try:
            return original(self, rerun_data)
        finally:
            if profiling:
                _profiler.stop()
            _cpu.append(time.thread_time() - started)

    ScriptRunner._run_script = timed


def demo_database(folder: Path) -> str:
    from db.engine import make_engine
    from db.migrate import upgrade
    from lib.demo import load_demo
    from lib.services.accounts import create_first_admin

    url = f"sqlite:///{folder / 'click_cost.db'}"
    engine = make_engine(url)
    upgrade(engine)
    admin = create_first_admin(engine, username="admin", name="管理员", password="password1", repeat="password1")
    load_demo(engine, actor=admin, days=7)
    engine.dispose()
    return url


def session_on(page: str, username: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.run()
    at.switch_page(next(p.path for p in _pages() if p.url_path == page))
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message.splitlines()[0]}")
    return at


def _pages():
    from lib.navigation import PAGES

    return PAGES


def click_cost(clicks: int) -> dict[str, float]:
    """Median script-thread CPU ms per click, page by page."""
    global _measuring
    result = {}
    for page, username, _role in CLICKS:
        at = session_on(page, username)
        at.run()  # warm
        del _cpu[:]
        _measuring = True
        for _ in range(clicks):
            at.run()
        _measuring = False
        result[page] = round(statistics.median(_cpu) * 1000, 1)
    return result


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_growth(total: int) -> list[tuple[int, float]]:
    """RSS after every tenth of ``total`` clicks spread over the floor's pages, one session per page."""
    sessions = [session_on(page, username) for page, username, _ in CLICKS]
    points, done = [(0, rss_mb())], 0
    step = max(total // 10, len(sessions))
    while done < total:
        for _ in range(step // len(sessions)):
            for at in sessions:
                at.run()
                done += 1
        points.append((done, rss_mb()))
    return points


def main(argv: list[str] | None = None) -> int:
    global _profiler
    parser = argparse.ArgumentParser(prog="python -m bench.click_cost", description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=20, help="measured clicks per page (after one warm-up)")
    parser.add_argument("--gc", choices=("on", "off", "config"), default="config", help="runner.postScriptGC")
    parser.add_argument("--profile", type=int, default=0, help="print pyinstrument's top N frames (0: none)")
    parser.add_argument("--rss", type=int, default=0, help="also report RSS over this many clicks")
    args = parser.parse_args(argv)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.chdir(ROOT)  # .streamlit/config.toml
    folder = Path(tempfile.mkdtemp(prefix="dd_click_"))
    os.environ["DATABASE_URL"] = demo_database(folder)
    if args.gc != "config":
        config.set_option("runner.postScriptGC", args.gc == "on")
    _patch_runner()
    print(f"runner.postScriptGC = {config.get_option('runner.postScriptGC')}; {args.clicks} clicks per page; "
          f"{dt.datetime.now():%Y-%m-%d %H:%M}; load average {os.getloadavg()[0]:.1f}")
    if args.profile:
        from pyinstrument import Profiler

        _profiler = Profiler(interval=0.0005)
    costs = click_cost(args.clicks)
    print(f"gc frozen objects after the first runs: {gc.get_freeze_count()}")
    print("| page | user | CPU ms per click (median) |\n|---|---|---|")
    for page, username, role in CLICKS:
        print(f"| {page} | {role} | {costs[page]} |")
    print(f"| **mean** | | {statistics.mean(costs.values()):.1f} |")
    if _profiler is not None:
        for kind in ("total", "self"):
            flat = _profiler.output_text(flat=True, flat_time=kind, time="percent_of_total")
            lines = [line for line in flat.splitlines() if "%" in line]
            print(f"pyinstrument, {kind} time, top {args.profile} (all measured clicks):")
            print("\n".join(lines[:args.profile]))
    if args.rss:
        points = rss_growth(args.rss)
        print("clicks -> RSS MB: " + ", ".join(f"{n}: {mb:.0f}" for n, mb in points))
        print(f"growth after the first tenth: {points[-1][1] - points[1][1]:+.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
