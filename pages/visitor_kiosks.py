"""Kiosk links for entrance tablets: a random token, stored hashed, revocable, reaching only the kiosk (T21b)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import ADMINS
from lib.services.visitors import kiosk as visitor_kiosk
from lib.services.settings import office_zone_now
from lib.views.link_admin import revoke_step
from lib.ui import Column, app_engine, local_time, run_action, show_flash, t, table
from lib.views.visitors.kiosk_access import kiosk_url

user = require_role(*ADMINS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.visitor_kiosks"))
show_flash()
st.caption(t("kiosk.links_help"))

with st.form("kiosk_link_form"):
    st.text_input(t("field.kiosk_label") + " *", key="kl_label", max_chars=100, placeholder=t("kiosk.label_hint"))
    created = st.form_submit_button(t("kiosk.create"), type="primary")
if created:
    made: list = []
    if run_action(lambda: made.append(visitor_kiosk.create_kiosk(engine, actor=user,
                                                                   label=st.session_state.get("kl_label", "")))):
        st.success(t("kiosk.created"))
        st.code(kiosk_url(made[0][1]), language=None)
        st.caption(t("kiosk.copy_once"))

rows = visitor_kiosk.kiosks(engine, actor=user)
yes_no = lambda v: t("common.yes") if v else t("common.no")  # noqa: E731
chosen = table(rows, [Column("label", "field.kiosk_label"), Column("created_by", "kiosk.created_by"),
                      Column("created_at", "kiosk.created_at", lambda v: local_time(v, zone)),
                      Column("active", "kiosk.active", yes_no),
                      Column("revoked_at", "kiosk.revoked_at", lambda v: local_time(v, zone))],
               export_name="kiosk_links", empty_key="kiosk.none", key="kl_table", selectable=True)
if chosen is not None and chosen.active:
    with st.container(border=True):
        st.text(t("kiosk.revoke_title", label=chosen.label))
        revoke_step(key=f"kl_revoke_{chosen.id}", reason_label=t("field.kiosk_reason"), button_key="kiosk.revoke",
                    confirm_key="kiosk.revoke_sure", done_key="kiosk.revoked_done",
                    revoke=lambda reason: visitor_kiosk.revoke_kiosk(engine, actor=user, kiosk_id=chosen.id,
                                                                     reason=reason))
