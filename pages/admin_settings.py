"""Settings: every rule parameter with its default, unit and seed source; edits audited (SPEC M0)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.settings import encode
from lib.navigation import ADMINS
from lib.services import settings
from lib.ui import Column, app_engine, show_flash, show_form_error, submit_callback, t, table

user = require_role(*ADMINS)
engine = app_engine()
st.title(t("nav.settings"))
show_flash()

rows = settings.list_settings(engine)
shown = lambda v: encode(v).strip('"')  # noqa: E731
table(rows, [Column("key", "settings.key"), Column("key", "settings.label", lambda k: t(f"setting.{k}")),
             Column("value", "settings.value", shown), Column("default", "settings.default", shown),
             Column("unit", "settings.unit"), Column("scope", "settings.scope"),
             Column("source", "settings.source")],
      export_name="settings", empty_key="settings.none", key="s_table")

st.subheader(t("settings.edit"))
by_key = {r.key: r for r in rows}
key = st.selectbox(t("settings.key"), list(by_key), format_func=lambda k: f"{k} · {t('setting.' + k)}", key="s_key")
current = by_key[key]
st.caption(t("settings.current", value=shown(current.value), default=shown(current.default),
             unit=current.unit or "—", source=current.source))


def _save() -> None:
    s = st.session_state
    settings.change_setting(engine, actor=user, key=s["s_key"], text=s.get("s_value", ""), reason=s.get("s_reason", ""))


with st.form("setting_form"):
    st.text_input(t("settings.new_value"), key="s_value", help=t(f"settings.kind.{current.kind}"))
    st.text_input(t("audit.reason"), key="s_reason")
    st.form_submit_button(t("settings.save"), type="primary", on_click=submit_callback(
        _save, clear={"s_value": "", "s_reason": ""}, success_key="settings.saved", error_slot="s_error"))
show_form_error("s_error")
