"""Router only: page config, cookie login restored, the menu (by role and job), run the page."""

import logging
import time

import streamlit as st

from lib import auth
from lib.cache import freeze_import_heap, per_run
from lib.domain.menus import KEY as JOB_PAGES, NO_JOB_MENU, job_pages
from lib.first_run import first_run_page, needed
from lib.navigation import menu_sections, pages_for
from lib.services import inbox, settings
from lib.ui import app_engine, drop_stale_flash, lang, plain, t
from lib.views import uninterrupted
from lib.views.error_boundary import guarded
from lib.views.router_paths import navigation
from lib.views.visitors.kiosk_access import route_kiosk_token
from lib.views.wall.access import route_display_token

uninterrupted.install()  # a press is never dropped for a rerun that meets it (the login race)
freeze_import_heap()  # once per process: the collector stops walking the imported modules (issue 13 L2)
st.set_page_config(page_title="值班台 Duty Desk", page_icon=":material/support_agent:", layout="wide")

if guarded(lambda: needed(app_engine())):  # the first database touch: an outage is a message (R12)
    navigation([st.Page(first_run_page, title=t("setup.title"), url_path="setup")], position="hidden").run()
    st.stop()

if route_display_token():  # a TV's display link: the wall page alone, never a login (SPEC 4.7)
    st.stop()
if route_kiosk_token():  # an entrance tablet's kiosk link: the kiosk page alone, never a login (T21)
    st.stop()

auth.restore_login()
user = auth.current_user()
if user is None:
    # Every known address shows the login form, so a deep link survives logging in.
    login = [st.Page(auth.login_page, title=t("login.title"), url_path="login", default=True)]
    login += [st.Page(auth.login_page, title=t(p.title_key), url_path=p.url_path) for p in pages_for("admin")]
    guarded(navigation(login, position="hidden").run)  # a login during an outage or a lock: a message (R3)
    st.stop()

MENU_KEY, COUNT_KEY = "_dd_menu", "_dd_inbox_count"
COUNT_SECONDS = 60  # the badge may lag a minute on other pages; the home page itself always counts afresh


def inbox_count(engine) -> int | None:
    """Open items in this person's inbox for the badge beside 首页 (issue 15): the providers' answer, shared
    with the home page in the same run (``inbox_view``), kept in the browser session for a minute."""
    if user.role not in ("admin", "supervisor", "staff"):
        return None
    kept = st.session_state.get(COUNT_KEY)
    if kept and kept[0] == user.id and time.monotonic() - kept[1] < COUNT_SECONDS:
        return kept[2]
    try:
        total = per_run(("inbox_view", user.id, user.id), lambda: inbox.inbox(engine, actor=user)).inbox.total
    except Exception:  # noqa: BLE001 - a badge never breaks the router; the home page shows the real error
        logging.getLogger(__name__).exception("inbox count for the menu")
        return None
    st.session_state[COUNT_KEY] = (user.id, time.monotonic(), total)
    return total


def job_menu(engine) -> dict:
    """The menu by section: the job's pages first, every page the role allows under "all pages" (issue 15),
    rebuilt only when the language, the job's pages (a settings change) or the badge changes (issue 13 L2)."""
    jobs: tuple[str, ...] = ()
    if user.role not in NO_JOB_MENU:
        mapping = settings.values(engine, [JOB_PAGES])[JOB_PAGES]
        jobs = tuple(job_pages(user.titles, mapping, (p.url_path for p in pages_for(user.role)),
                               departments=(user.department_id,)))
    count = inbox_count(engine)
    key = (user.role, lang(), jobs, count)
    kept = st.session_state.get(MENU_KEY)
    if kept is None or kept[0] != key:
        default = "wall" if user.role == "display" else "home"
        sections: dict[str, list] = {}
        for section_key, under_all, specs in menu_sections(user.role, jobs):
            label = t("nav.section.all", section=t(section_key)) if under_all else t(section_key)
            for spec in specs:
                title = t(spec.title_key)
                if spec.url_path == "home" and count:
                    title = t("nav.home_count", title=title, count=count)
                sections.setdefault(label, []).append(
                    st.Page(spec.path, title=title, icon=spec.icon, url_path=spec.url_path,
                            default=spec.url_path == default))
        kept = st.session_state[MENU_KEY] = (key, sections)
    return kept[1]


sections = job_menu(app_engine())  # built once per browser session, language, job and badge (issue 13 L2)
if user.role != "display":  # the display account is a TV: the wall alone, no menu, no logout (T11)
    with st.sidebar:
        st.caption(t("nav.signed_in_as", name=plain(user.name), role=t(f"role.{user.role}")))
        auth.language_switch(user)
        auth.logout_button()
page = navigation(sections, expanded=True, position="hidden" if user.role == "display" else "sidebar")
drop_stale_flash()  # a confirmation stays on its own page until the next action (T16)
guarded(page.run)  # no traceback ever reaches a browser (R3)
