"""Settings: every rule parameter with its default, unit and seed source, edited with a widget of its type;
edits audited (SPEC M0; T15)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.menus import KEY as JOB_PAGES_KEY
from lib.navigation import ADMINS
from lib.services import accounts, settings
from lib.ui import Column, app_engine, flash, plain, run_action, show_flash, t, table
from lib.views.settings_editors import display_value, value_editor

user = require_role(*ADMINS)
engine = app_engine()
st.title(t("nav.settings"))
show_flash()

rows = settings.list_settings(engine)
shown = display_value
clicked = table(rows, [Column("key", "settings.key"), Column("key", "settings.label", lambda k: t(f"setting.{k}")),
             Column("value", "settings.value", shown), Column("default", "settings.default", shown),
             Column("unit", "settings.unit"), Column("scope", "settings.scope"),
             Column("source", "settings.source")],
      export_name="settings", empty_key="settings.none", key="s_table", selectable=True)

st.subheader(t("settings.edit"))
by_key = {r.key: r for r in rows}
if clicked is not None and st.session_state.get("s_clicked") != clicked.key:  # a row click opens it (T17)
    st.session_state["s_clicked"] = st.session_state["s_key"] = clicked.key
key = st.selectbox(t("settings.key"), list(by_key), format_func=lambda k: f"{k} · {t('setting.' + k)}", key="s_key")
current = by_key[key]
st.caption(t("settings.about", default=plain(shown(current.default)), unit=plain(current.unit or "—"),
             source=plain(current.source)))
version = st.session_state.setdefault("s_version", 0)  # a new version after a save rebuilds the editor

with st.form(f"setting_form_{key}_{version}"):
    # departments are offered by name where a setting may name one (the job menus' dept:<id>, issue 15 M5)
    departments = ({o.id: o.name for o in accounts.list_org(engine, kind="department")}
                   if key == JOB_PAGES_KEY else {})
    value = value_editor(current, key=f"s_val_{version}_{key}", managed_titles=settings.managed_titles(engine),
                         departments=departments)
    reason = st.text_input(t("audit.reason"), key=f"s_reason_{version}", max_chars=500)
    saved = st.form_submit_button(t("settings.save"), type="primary")
if saved and run_action(lambda: settings.change_setting(engine, actor=user, key=key, value=value, reason=reason)):
    st.session_state["s_version"] = version + 1
    flash("settings.saved")
    st.rerun()
