"""Router only: page config, cookie login restored, the role's menu, run the page."""

import streamlit as st

from lib import auth
from lib.cache import freeze_import_heap
from lib.first_run import first_run_page, needed
from lib.navigation import pages_for
from lib.ui import app_engine, drop_stale_flash, plain, t
from lib.views.error_boundary import guarded
from lib.views.router_paths import navigation, role_menu
from lib.views.visitors.kiosk_access import route_kiosk_token
from lib.views.wall.access import route_display_token

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
    navigation(login, position="hidden").run()
    st.stop()

sections = role_menu(user.role)  # built once per browser session and language (issue 13 L2)
if user.role != "display":  # the display account is a TV: the wall alone, no menu, no logout (T11)
    with st.sidebar:
        st.caption(t("nav.signed_in_as", name=plain(user.name), role=t(f"role.{user.role}")))
        auth.language_switch(user)
        auth.logout_button()
page = navigation(sections, expanded=True, position="hidden" if user.role == "display" else "sidebar")
drop_stale_flash()  # a confirmation stays on its own page until the next action (T16)
guarded(page.run)  # no traceback ever reaches a browser (R3)
