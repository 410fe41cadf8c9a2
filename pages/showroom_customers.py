"""我的客户: follow-ups due today, about to lapse and lost, log a 回访, look a customer up (seed 000 D1 B7, B8)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS, WRITERS
from lib.services import showroom, showroom_read
from lib.services.settings import office_zone_now
from lib.ui import Column, app_engine, local_time, run_action, show_flash, show_form_error, submit_callback, t
from lib.views.showroom_table import lazy_table as table

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)

st.title(t("nav.showroom_customers"))
show_flash()
consultant = user.id
if user.role in SUPERVISORS:
    people = {o.id: o.name for o in showroom_read.consultant_options(engine)}
    consultant = st.selectbox(t("showroom.consultant"), list(people), format_func=people.get,
                              index=list(people).index(user.id) if user.id in people else 0, key="mc_consultant")
mine = showroom_read.my_customers(engine, actor=user, consultant_id=consultant)
states = {s: t(f"customers.state.{s}") for s in ("unregistered", "owned_new", "owned_following", "released")}
COLUMNS = [Column("name", "field.showroom_customer_name"), Column("phone", "field.showroom_phone"),
           Column("state", "showroom.col.state", states.get), Column("last_day", "showroom.col.last_day"),
           Column("last_follow_up_at", "showroom.col.last_follow_up", lambda v: local_time(v, zone)),
           Column("last_contact_at", "showroom.col.last_contact", lambda v: local_time(v, zone))]


def worklist_tab() -> None:
    cols = st.columns(4)
    for col, key, rows in zip(cols, ["due_today", "about_to_lapse", "overdue", "owned"],
                              [mine.due_today, mine.about_to_lapse, mine.overdue, mine.owned]):
        col.metric(t(f"showroom.bucket.{key}"), len(rows))
    st.subheader(t("customers.bucket.due_today"))
    table(mine.due_today, COLUMNS, export_name="due_today", empty_key="showroom.none_due_today", key="mc_due")
    st.subheader(t("customers.bucket.about_to_lapse"))
    table(mine.about_to_lapse, COLUMNS, export_name="about_to_lapse", empty_key="showroom.none_soon", key="mc_soon")
    st.subheader(t("customers.bucket.overdue"))
    table(mine.overdue, COLUMNS, export_name="overdue", empty_key="showroom.none_overdue", key="mc_over")
    st.subheader(t("showroom.all_mine"))
    table(mine.owned, COLUMNS, export_name="my_customers", empty_key="showroom.none_owned", key="mc_all")


def follow_up_tab() -> None:
    if consultant != user.id or not mine.owned:
        st.info(t("showroom.follow_up_own_only" if consultant != user.id else "showroom.none_owned"))
        return
    choices = {r.id: f"{r.name} · {r.phone} · {r.last_day or ''}" for r in mine.owned}

    def _log() -> None:
        showroom.log_follow_up(engine, actor=user, customer_id=st.session_state.get("mc_customer"),
                               note=st.session_state.get("mc_note", ""))

    with st.form("mc_follow_up_form"):
        st.selectbox(t("showroom.pick_customer"), list(choices), format_func=choices.get, key="mc_customer")
        st.text_area(t("field.showroom_note"), key="mc_note", height=68)
        st.form_submit_button(t("showroom.log_follow_up"), type="primary", on_click=submit_callback(
            _log, clear=["mc_note"], success_key="showroom.follow_up_logged", error_slot="mc_error"))
    show_form_error("mc_error")


def lookup_tab() -> None:
    with st.form("mc_lookup_form"):
        phone = st.text_input(t("field.showroom_phone"), key="mc_phone")
        submitted = st.form_submit_button(t("search.submit"))
    if not submitted:
        return
    found = showroom_read.find_customer(engine, actor=user, phone=phone)
    if found is None:
        st.info(t("showroom.unregistered"))
        return
    record = []
    if not run_action(lambda: record.append(showroom_read.customer_record(engine, actor=user, customer_id=found.id))):
        return
    rec = record[0]
    st.markdown(t("showroom.record_head", name=found.name, owner=found.owner or "—", state=states[found.state],
                  card=t(f"customers.card.{rec.card}")))
    kinds = {"walk_in": t("customers.channel.walk_in"), "call": t("customers.channel.call"),
             "follow_up": t("showroom.follow_up")}
    table(rec.history, [Column("at", "showroom.col.at", lambda v: local_time(v, zone)),
                        Column("kind", "showroom.col.kind", kinds.get), Column("who", "showroom.col.who"),
                        Column("text", "field.showroom_details")],
          export_name=f"customer_{found.id}", empty_key="showroom.no_history", key="mc_history")
    causes = {c.cause: t(f"customers.cause.{c.cause}") for c in rec.changes}
    table(rec.changes, [Column("at", "showroom.col.at", lambda v: local_time(v, zone)),
                        Column("from_owner", "showroom.col.from_owner"), Column("to_owner", "showroom.col.to_owner"),
                        Column("cause", "showroom.col.cause", causes.get)],
          export_name=f"owners_{found.id}", empty_key="showroom.no_changes", key="mc_changes")


tabs = st.tabs([t("showroom.tab_worklist"), t("showroom.tab_follow_up"), t("showroom.tab_lookup")])
for tab, render in zip(tabs, [worklist_tab, follow_up_tab, lookup_tab]):
    with tab:
        render()
