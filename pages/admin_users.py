"""Users: create, edit role, org fields, titles from the managed list and training; deactivate, reset password
(SPEC M0; T13)."""

import streamlit as st

from lib.auth import require_role
from lib.domain.accounts import Role
from lib.navigation import ADMINS
from lib.services import accounts, sessions, settings
from lib.services.settings import office_zone_now
from lib.ui import (Column, app_engine, choice_labels, confirm_button, flash, local_time, plain, run_action,
                    show_flash, show_form_error, submit_callback, t, table)
from lib.services.limits import text_limit

user = require_role(*ADMINS)
engine = app_engine()
st.title(t("nav.users"))
show_flash()

roles = choice_labels("role", [r.value for r in Role])
org = {u.id: u for u in accounts.list_org(engine)}
units = {kind: {None: "—", **{i: u.name for i, u in org.items() if u.kind == kind}} for kind in ("department", "team", "group")}
posts = {i: u.name for i, u in org.items() if u.kind == "post"}
managed = settings.managed_titles(engine)
users = accounts.list_users(engine)
yes_no = lambda v: t("common.yes") if v else t("common.no")  # noqa: E731
chosen_row = table(users, [
    Column("username", "field.username"), Column("name", "field.name"), Column("role", "field.role", roles.get),
    Column("staff_no", "field.staff_no"), Column("titles", "field.titles", "、".join),
    Column("department_id", "field.department_id", units["department"].get),
    Column("team_id", "field.team_id", units["team"].get), Column("group_id", "field.group_id", units["group"].get),
    Column("trained_posts", "field.trained_posts", lambda ps: "、".join(posts.get(p, str(p)) for p in ps)),
    Column("cert_valid_until", "field.cert_valid_until", lambda d: d.isoformat() if d else ""),
    Column("active", "field.active", yes_no), Column("locked", "field.locked", yes_no)],
    export_name="users", empty_key="users.none", key="u_table", selectable=True)


def account_fields(prefix: str, existing=None) -> None:
    """The shared fields of the create and edit forms (values kept in session state under ``prefix``)."""
    left, right = st.columns(2)
    left.text_input(t("field.username") + " *", key=f"{prefix}username", max_chars=text_limit("app_user.username"), value=existing.username if existing else "")
    right.text_input(t("field.name") + " *", key=f"{prefix}name", max_chars=text_limit("app_user.name"), value=existing.name if existing else "")
    left.selectbox(t("field.role"), list(roles), format_func=roles.get, key=f"{prefix}role",
                   index=list(roles).index(existing.role) if existing else 2)
    right.text_input(t("field.staff_no"), key=f"{prefix}staff_no", max_chars=text_limit("app_user.staff_no"), value=existing.staff_no if existing else "")
    held = list(existing.titles) if existing else []
    # a title that left the list stays visible so the admin sees it and removes it (the service refuses it)
    left.multiselect(t("field.titles"), [*managed, *[x for x in held if x not in managed]], default=held,
                     key=f"{prefix}titles", help=t("users.titles_help"), placeholder=t("users.titles_placeholder"))
    right.checkbox(t("field.is_intern"), key=f"{prefix}is_intern", value=existing.is_intern if existing else False)
    for kind, column in (("department", left), ("team", right), ("group", left)):
        options = list(units[kind])
        current = getattr(existing, f"{kind}_id") if existing else None
        column.selectbox(t(f"field.{kind}_id"), options, format_func=units[kind].get, key=f"{prefix}{kind}",
                         index=options.index(current) if current in options else 0)
    right.multiselect(t("field.trained_posts"), list(posts), format_func=posts.get, key=f"{prefix}posts",
                      default=[p for p in (existing.trained_posts if existing else ()) if p in posts],
                      help=t("users.posts_help"), placeholder=t("users.posts_placeholder"))
    left.date_input(t("field.cert_valid_until"), value=existing.cert_valid_until if existing else None,
                    key=f"{prefix}cert", help=t("users.cert_help"))


def form_of(prefix: str) -> accounts.UserForm:
    s = st.session_state
    return accounts.UserForm(username=s.get(f"{prefix}username", ""), name=s.get(f"{prefix}name", ""),
                             role=s.get(f"{prefix}role", "staff"), staff_no=s.get(f"{prefix}staff_no", ""),
                             titles=tuple(s.get(f"{prefix}titles", ())), department_id=s.get(f"{prefix}department"),
                             team_id=s.get(f"{prefix}team"), group_id=s.get(f"{prefix}group"),
                             is_intern=s.get(f"{prefix}is_intern", False),
                             trained_posts=tuple(s.get(f"{prefix}posts", ())), cert_valid_until=s.get(f"{prefix}cert"))


create_tab, edit_tab = st.tabs([t("users.create"), t("users.edit")])
with create_tab, st.form("user_create"):
    account_fields("uc_")
    left, right = st.columns(2)
    left.text_input(t("field.password") + " *", type="password", key="uc_password", max_chars=text_limit("password"), help=t("password.rule"))
    right.text_input(t("field.password_repeat") + " *", type="password", key="uc_repeat", max_chars=text_limit("password"))
    st.form_submit_button(t("users.create"), type="primary", on_click=submit_callback(
        lambda: accounts.create_user(engine, actor=user, form=form_of("uc_"), password=st.session_state["uc_password"],
                                     repeat=st.session_state["uc_repeat"]),
        clear={"uc_username": "", "uc_name": "", "uc_staff_no": "", "uc_titles": [], "uc_posts": [], "uc_cert": None,
               "uc_password": "", "uc_repeat": ""}, success_key="users.created", error_slot="uc_error"))
show_form_error("uc_error")

with edit_tab:
    if chosen_row is None:
        st.info(t("users.pick_row"))
        st.stop()
    chosen, target = chosen_row.id, chosen_row
    st.subheader(t("users.editing", name=plain(target.name), username=plain(target.username)))
    with st.form(f"user_edit_{chosen}"):
        account_fields(f"ue{chosen}_", target)
        st.form_submit_button(t("users.save"), type="primary", on_click=submit_callback(
            lambda: accounts.update_user(engine, actor=user, user_id=chosen, form=form_of(f"ue{chosen}_")),
            success_key="users.saved", error_slot="ue_error"))
    show_form_error("ue_error")
    with st.form(f"user_pw_{chosen}"):
        st.text_input(t("field.password"), type="password", key="up_password", max_chars=text_limit("password"), help=t("password.rule"))
        st.text_input(t("field.password_repeat"), type="password", key="up_repeat", max_chars=text_limit("password"))
        st.form_submit_button(t("users.reset_password"), on_click=submit_callback(
            lambda: accounts.reset_password(engine, actor=user, user_id=chosen, password=st.session_state["up_password"],
                                            repeat=st.session_state["up_repeat"]),
            clear={"up_password": "", "up_repeat": ""}, success_key="users.password_reset", error_slot="up_error"))
    show_form_error("up_error")
    st.subheader(t("sessions.heading"))
    zone = office_zone_now(engine)[0]
    logins = sessions.list_sessions(engine, actor=user, user_id=chosen)
    when = lambda v: local_time(v, zone)  # noqa: E731
    table(logins, [Column("id", "sessions.id"), Column("created_at", "sessions.created_at", when),
                   Column("last_seen_at", "sessions.last_seen", when),
                   Column("open", "sessions.state", lambda v: t("sessions.open") if v else ""),
                   Column("ended_reason", "sessions.ended", lambda v: t(f"sessions.end_reason.{v}") if v else "")],
          export_name="sessions", empty_key="sessions.none", key="us_table")
    live = sum(s.open for s in logins)
    st.caption(t("sessions.open_count", count=live) if live else t("sessions.open_none"))
    if live and confirm_button("sessions.end_all", key=f"end_sessions_{chosen}"):
        if run_action(lambda: sessions.end_sessions_by_admin(engine, actor=user, user_id=chosen)):
            flash("sessions.end_all_done")
            st.rerun()
    label = "users.deactivate" if target.active else "users.reactivate"
    holds = accounts.departure_holds(engine, person_id=chosen) if target.active else []
    if holds:  # what still holds the person (issue 16): deactivating anyway needs a reason, audited
        st.warning(t("users.departure_holds", count=len(holds)))
        for hold in holds[:50]:
            st.text(f"• {t(hold.key)} ({hold.ref})")  # a hold names user data: plain text, never Markdown
        st.text_input(t("users.departure_reason"), key=f"leave_reason_{chosen}", max_chars=500)
    if confirm_button(label, key=f"toggle_{chosen}"):
        reason = st.session_state.get(f"leave_reason_{chosen}", "")
        if run_action(lambda: accounts.set_active(engine, actor=user, user_id=chosen, active=not target.active,
                                                  reason=reason)):
            flash("users.saved")
            st.rerun()
