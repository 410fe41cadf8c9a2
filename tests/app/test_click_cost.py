"""Issue 13 L2 and L4 through AppTest: what a click still asks the database, the wall's shared data, and
timed fragments that re-check the session (issue 12)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from lib import cache
from lib.services import accounts, display, sessions
from tests.app.conftest import ROOT, open_page

class Statements:
    def __init__(self, engine):
        self.engine, self.sent = engine, []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args):
        if statement.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.sent.append(" ".join(statement.split()))

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def app_engine():
    from lib.ui import app_engine as engine_of_the_app

    return engine_of_the_app()


def home(username: str, page: str | None = None) -> AppTest:
    at = open_page("Home.py", username)
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception
    return at


def test_L2_streamlit_runs_no_full_collection_after_each_run():
    """L2: the post-run full GC is off in the committed config (it was ~3/4 of a click's CPU)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_L2_the_import_heap_is_frozen_once_per_process():
    """L2: the first call freezes, every later one (each rerun of Home.py) does nothing."""
    import gc

    cache.freeze_import_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    assert cache.freeze_import_heap() is False
    assert gc.get_freeze_count() == frozen


ROUTER_READS = ("FROM app_meta", "FROM user_session", "SELECT app_user.username, app_user.name, app_user.password_hash",
                "FROM setting_value")


def test_L2_a_rerun_no_longer_reads_what_the_router_read_every_time(app_db):
    """L2: once warm, a click on the staff visitor page reads none of the first-run flag, the session, the
    credentials or the settings rows (each was read on every run, the session twice); the counters instead."""
    at = home("staff", "pages/visitors.py")
    at.run()
    watch = Statements(app_engine())
    try:
        at.run()
    finally:
        watch.close()
    assert not at.exception
    assert [s for s in watch.sent if any(table in s for table in ROUTER_READS)] == []
    assert any("FROM cache_version" in s for s in watch.sent)


MEMO_SCRIPT = '''
import streamlit as st

from lib.auth import current_user
from lib.services import settings
from lib.ui import app_engine

for _ in range(3):
    user = current_user()
    settings.values(app_engine(), ["office.timezone"])
st.text(user.username)
'''


def test_L2_the_counters_are_read_once_per_run_and_again_in_the_next(app_db):
    """L2: the router, the page guard and the pages ask for the user and the settings many times in a run:
    one read of the counters per run, and a new one in the next run (the memory follows Streamlit's run
    context; an upgrade that changes it fails here)."""
    at = AppTest.from_string(MEMO_SCRIPT, default_timeout=10)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "staff"
    at.run()
    assert [t.value for t in at.text] == ["staff"]
    reads = cache.stats["version_reads"]
    at.run()
    assert cache.stats["version_reads"] - reads == 1
    at.run()
    assert cache.stats["version_reads"] - reads == 2


def test_L2_R2_logout_on_one_server_is_refused_by_the_other_on_its_next_rerun(app_db):
    """L2 + R2: the page answered from memory; the session is ended through another engine (another app
    server on the same database): the next rerun shows the login prompt."""
    from db.engine import make_engine

    engine, users = app_db
    at = open_page("pages/visitors.py", "staff")
    assert not at.warning
    at.run()
    other = make_engine(str(engine.url))
    try:
        sessions.end_sessions_by_admin(other, actor=users["admin"], user_id=users["staff"].id)
    finally:
        other.dispose()
    at.run()
    assert [w.value for w in at.warning] == ["请先登录。"]


FRAGMENT_SCRIPT = '''
import streamlit as st

from lib.auth import current_user, still_signed_in

if st.session_state.get("mode") == "fragment":
    st.session_state["mode"] = "app"
    still_signed_in()
    st.text("refreshed")
else:
    st.text("page" if current_user() else "login")
'''


def test_issue12_a_timed_refresh_reruns_the_app_once_the_session_ended(app_db):
    """Issue 12 (R2 + fragments): the re-check every timed fragment makes first: live, the fragment draws;
    ended elsewhere, the whole app reruns, which shows the login."""
    engine, users = app_db
    at = AppTest.from_string(FRAGMENT_SCRIPT, default_timeout=10)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "display"
    at.run()
    assert [t.value for t in at.text] == ["page"]
    at.session_state["mode"] = "fragment"
    at.run()
    assert [t.value for t in at.text] == ["refreshed"]
    sessions.end_sessions_by_admin(engine, actor=users["admin"], user_id=users["display"].id)
    at.session_state["mode"] = "fragment"
    at.run()
    assert [t.value for t in at.text] == ["login"]


def _timed_fragments(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
            and any("fragment" in ast.unparse(d) and "run_every" in ast.unparse(d) for d in node.decorator_list)]


@pytest.mark.parametrize("path", [ROOT / "pages/rotation_queue.py", ROOT / "lib/views/wall/render.py"],
                         ids=lambda p: p.name)
def test_issue12_every_timed_fragment_rechecks_the_session_first(path):
    """Issue 12: a timed fragment (the wall, the queue board) starts with the session re-check, so a
    session ended by logout or deactivation stops refreshing at its next tick."""
    fragments = _timed_fragments(path)
    assert fragments
    for fragment in fragments:
        first = ast.unparse(fragment.body[1] if isinstance(fragment.body[0], ast.Expr)
                            and isinstance(fragment.body[0].value, ast.Constant) else fragment.body[0])
        assert "still_signed_in(" in first or "still_allowed(" in first, f"{fragment.name}: {first}"
    if path.name == "render.py":
        assert "still_signed_in()" in path.read_text(encoding="utf-8")


def test_L4_ten_wall_sessions_compute_each_panel_once_per_interval(app_db, monkeypatch):
    """L4: ten TVs on the wall page: each panel's data is computed once for all of them (not ten times),
    and again only in the next refresh interval."""
    import datetime as dt

    import lib.services.display as module

    engine, users = app_db
    calls: list[str] = []
    original = display.wall_panel
    clock = [module.utcnow()]
    monkeypatch.setattr(module, "utcnow", lambda: clock[0])  # ten runs on a slow machine stay in one interval

    def counted(engine_, *, panel, privacy, now=None):
        calls.append(panel)
        return original(engine_, panel=panel, privacy=privacy, now=now)

    monkeypatch.setattr(display, "wall_panel", counted)
    walls = []
    for _ in range(10):
        at = AppTest.from_file(str(ROOT / "pages/wall.py"), default_timeout=10)
        at.session_state["authentication_status"] = True
        at.session_state["username"] = "display"
        at.run()
        assert not at.exception
        walls.append(at)
    first = list(calls)
    assert first and len(first) == len(set(first)), f"each panel once for ten TVs: {first}"
    assert "queue" in first

    clock[0] += dt.timedelta(seconds=61)
    for at in walls:
        at.run()
    assert len(calls) == 2 * len(first), f"once more in the next interval: {calls}"


def test_L4_the_wall_refresh_is_a_fragment_not_a_page_rerun():
    """L4: the wall's areas and the queue board refresh through st.fragment(run_every=...), never a page
    timer or st.rerun on a clock."""
    for path in (ROOT / "lib/views/wall/render.py", ROOT / "pages/rotation_queue.py"):
        text = path.read_text(encoding="utf-8")
        assert _timed_fragments(path), path
        assert "time.sleep" not in text and "st_autorefresh" not in text


def test_L2_settings_values_are_shared_and_copied(app_db):
    """L2: the kept settings are the same for every session, and a caller changing a list it got back does
    not change what the next caller gets."""
    from lib.services import settings

    engine, _ = app_db
    first = settings.values(engine, ["org.titles"])["org.titles"]
    first.append("改过")
    assert "改过" not in settings.values(engine, ["org.titles"])["org.titles"]
    assert accounts.credentials(engine)["usernames"]
