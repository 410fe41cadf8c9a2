"""Display links for wall TVs: a random token, stored hashed, revocable, reaching only the wall (SPEC M4 4.7).

Each link carries what its TV shows (T12): layout, rotating panels, names masked, fines fund;
chosen when the link is made and changed later by clicking its row.
"""

import streamlit as st

from lib.auth import require_role
from lib.domain.display import DEFAULT_PANELS, ROTATING_PANELS, DisplayProfile, Layout
from lib.navigation import ADMINS
from lib.services import display
from lib.services.settings import office_zone_now
from lib.views.link_admin import revoke_step
from lib.ui import Column, app_engine, flash, local_time, run_action, show_flash, t, table
from lib.views.wall.access import wall_url

user = require_role(*ADMINS)
engine = app_engine()
zone, today = office_zone_now(engine)
LAYOUTS = [layout.value for layout in Layout]
PANELS = [panel.value for panel in ROTATING_PANELS]


def profile_widgets(prefix: str, profile) -> None:
    """The four choices of a TV's profile, keyed ``{prefix}_…`` (inside a form)."""
    st.radio(t("wall.links.layout"), LAYOUTS, index=LAYOUTS.index(profile.layout.value), key=f"{prefix}_layout",
             format_func=lambda v: t(f"wall.layout.{v}"), horizontal=True)
    st.multiselect(t("wall.links.panels"), PANELS, default=[p.value for p in profile.panels], key=f"{prefix}_panels",
                   format_func=lambda v: t(f"display.panel.{v}"), help=t("wall.links.panels_help"), placeholder=t("ui.choose_many"))
    st.checkbox(t("display.links.privacy"), value=profile.privacy, key=f"{prefix}_privacy",
                help=t("display.links.privacy_help"))
    st.checkbox(t("wall.links.show_fund"), value=profile.show_fund, key=f"{prefix}_fund",
                help=t("wall.links.show_fund_help"))


def chosen(prefix: str) -> dict:
    state = st.session_state
    return {"layout": state.get(f"{prefix}_layout", "split"), "panels": list(state.get(f"{prefix}_panels", [])),
            "privacy": bool(state.get(f"{prefix}_privacy", True)), "show_fund": bool(state.get(f"{prefix}_fund"))}


def shows(profile) -> str:
    parts = [t(f"wall.layout.{profile.layout.value}")]
    if profile.layout is not Layout.QUEUE_ONLY:
        parts.append("、".join(t(f"display.panel.{p.value}") for p in profile.panels))
    return " · ".join(parts + ([t("display.panel.fund")] if profile.show_fund else []))


st.title(t("nav.display_links"))
show_flash()
st.caption(t("display.links.help"))

with st.form("display_link_form"):
    st.text_input(t("field.display_label") + " *", key="dl_label", placeholder=t("display.links.label_hint"),
                  max_chars=100)
    profile_widgets("dl", DisplayProfile(panels=DEFAULT_PANELS))
    created = st.form_submit_button(t("display.links.create"), type="primary")
if created:
    made: list = []
    if run_action(lambda: made.append(display.create_link(engine, actor=user, label=st.session_state.get("dl_label", ""),
                                                          **chosen("dl")))):
        st.success(t("display.links.created"))
        st.code(wall_url(made[0][1]), language=None)
        st.caption(t("display.links.copy_once"))

rows = display.links(engine, actor=user)
yes_no = lambda v: t("common.yes") if v else t("common.no")  # noqa: E731
picked = table(rows, [Column("label", "field.display_label"), Column("profile", "wall.links.shows", shows),
                      Column("privacy", "display.links.privacy", yes_no),
                      Column("created_by", "display.links.created_by"),
                      Column("created_at", "display.links.created_at", lambda v: local_time(v, zone)),
                      Column("active", "display.links.active", yes_no),
                      Column("revoked_at", "display.links.revoked_at", lambda v: local_time(v, zone)),
                      Column("revoked_by", "display.links.revoked_by")],
               export_name="display_links", empty_key="display.links.none", key="dl_table", selectable=True)

if picked is not None and picked.active:
    st.subheader(t("wall.links.edit_title"))
    st.text(picked.label)
    st.caption(t("wall.links.edit_help"))
    prefix = f"dl_edit_{picked.id}"
    with st.form(f"{prefix}_form"):
        profile_widgets(prefix, picked.profile)
        saved = st.form_submit_button(t("wall.links.save"), type="primary")
    if saved:
        changed: list = []
        if run_action(lambda: changed.append(display.update_link(engine, actor=user, link_id=picked.id,
                                                                  **chosen(prefix)))):
            flash("wall.links.saved" if changed[0] else "wall.links.unchanged")
            st.rerun()
    st.subheader(t("display.links.revoke_title"))
    revoke_step(key=f"dl_revoke_{picked.id}", reason_label=t("field.display_reason"),
                button_key="display.links.revoke", confirm_key="display.links.revoke_sure",
                done_key="display.links.revoked",
                revoke=lambda reason: display.revoke_link(engine, actor=user, link_id=picked.id, reason=reason))
elif rows and any(r.active for r in rows):
    st.caption(t("wall.links.pick_hint"))
