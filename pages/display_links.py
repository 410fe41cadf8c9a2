"""Display links for wall TVs: a random token, stored hashed, revocable, reaching only the wall (SPEC M4 4.7)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import ADMINS
from lib.services import display
from lib.services.settings import office_zone_now
from lib.ui import (
    Column,
    app_engine,
    confirm_button,
    local_time,
    run_action,
    show_flash,
    t,
    table,
)
from lib.views.wall_access import wall_url

user = require_role(*ADMINS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.display_links"))
show_flash()
st.caption(t("display.links.help"))

with st.form("display_link_form"):
    st.text_input(t("field.display_label") + " *", key="dl_label", placeholder=t("display.links.label_hint"))
    st.checkbox(t("display.links.privacy"), value=True, key="dl_privacy", help=t("display.links.privacy_help"))
    created = st.form_submit_button(t("display.links.create"), type="primary")
if created:
    made: list = []
    if run_action(lambda: made.append(display.create_link(
            engine, actor=user, label=st.session_state.get("dl_label", ""),
            privacy=st.session_state.get("dl_privacy", True)))):
        st.success(t("display.links.created"))
        st.code(wall_url(made[0][1]), language=None)
        st.caption(t("display.links.copy_once"))

rows = display.links(engine, actor=user)
yes_no = lambda v: t("common.yes") if v else t("common.no")  # noqa: E731
table(rows, [Column("label", "field.display_label"), Column("privacy", "display.links.privacy", yes_no),
             Column("created_by", "display.links.created_by"),
             Column("created_at", "display.links.created_at", lambda v: local_time(v, zone)),
             Column("active", "display.links.active", yes_no),
             Column("revoked_at", "display.links.revoked_at", lambda v: local_time(v, zone)),
             Column("revoked_by", "display.links.revoked_by")],
      export_name="display_links", empty_key="display.links.none", key="dl_table")

active = {r.id: r.label for r in rows if r.active}
if active:
    st.subheader(t("display.links.revoke_title"))
    chosen = st.selectbox(t("field.display_label"), list(active), format_func=active.get, key="dl_pick")
    st.text_input(t("field.display_reason"), key="dl_reason")
    if confirm_button("display.links.revoke", key=f"dl_revoke_{chosen}", confirm_key="display.links.revoke_sure"):
        if run_action(lambda: display.revoke_link(engine, actor=user, link_id=chosen,
                                                  reason=st.session_state.get("dl_reason", "")),
                      "display.links.revoked"):
            st.rerun()
