"""我的客户: follow-ups due today, about to lapse and lost, log a 回访, look a customer up (seed 000 D1 B7, B8)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS, WRITERS
from lib.services import people
from lib.services.showroom import write as showroom
from lib.services.showroom import read as showroom_read
from lib.services.settings import office_zone_now
from lib.ui import (Column, app_engine, local_time, plain, run_action, show_flash, show_form_error, submit_callback,
                    t, table)
from lib.views import linked as link
from lib.views.person_picker import person_select
from lib.services.limits import text_limit

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)

st.title(t("nav.showroom_customers"))
show_flash()
consultant = user.id
if user.role in SUPERVISORS:
    receivers = list(people.labels(engine, "receiver"))
    consultant = person_select(t("showroom.consultant"), "receiver", key="mc_consultant",
                               index=receivers.index(user.id) if user.id in receivers else None,
                               placeholder=t("showroom.pick_consultant")) or user.id
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
    # T17: the customer is opened by a click on its row, not re-chosen in a picker under the table.
    chosen = table(mine.owned, COLUMNS, export_name="follow_up", empty_key="showroom.none_owned", key="mc_pick",
                   selectable=True)
    if chosen is None:
        st.caption(t("showroom.click_row_to_follow_up"))
        return
    st.text(f"{chosen.name} · {chosen.phone} · {chosen.last_day or ''}")
    follow_up_form(chosen.id, "mc")


def follow_up_form(customer_id: int, prefix: str) -> None:
    """The 回访 form for one customer (the 回访 tab's row, or the customer an inbox card links to)."""
    note_key, error_slot = f"{prefix}_note", f"{prefix}_error"

    def _log() -> None:
        showroom.log_follow_up(engine, actor=user, customer_id=customer_id, note=st.session_state.get(note_key, ""))

    with st.form(f"{prefix}_follow_up_form"):
        st.text_area(t("field.showroom_note"), key=note_key, height=68, max_chars=1000)
        st.form_submit_button(t("showroom.log_follow_up"), type="primary", on_click=submit_callback(
            _log, clear={note_key: ""}, success_key="showroom.follow_up_logged", error_slot=error_slot))
    show_form_error(error_slot)


def lookup_tab() -> None:
    with st.form("mc_lookup_form"):
        phone = st.text_input(t("field.showroom_phone"), key="mc_phone", max_chars=text_limit("showroom_customer.phone"))
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
    found = rec.customer  # as this user may see it: masked unless they work on the record (R7)
    if found.masked:
        st.caption(t("privacy.showroom_masked_hint"))
    card = t(f"customers.card.{rec.card}")
    if found.owner:
        st.markdown(t("showroom.record_head", name=plain(found.name), owner=plain(found.owner),
                      state=states[found.state], card=card))
    else:
        st.markdown(t("showroom.record_head_released", name=plain(found.name), card=card,
                      previous=plain(found.released_from or t("showroom.nobody"))))
    kinds = {"walk_in": t("customers.channel.walk_in"), "call": t("customers.channel.call"),
             "follow_up": t("showroom.follow_up")}
    table(rec.history, [Column("at", "showroom.col.at", lambda v: local_time(v, zone)),
                        Column("kind", "showroom.col.kind", kinds.get), Column("who", "showroom.col.who"),
                        Column("text", "field.showroom_details")],
          export_name=f"customer_{found.id}", empty_key="showroom.no_history", key="mc_history")
    causes = {c.cause: t(f"customers.cause.{c.cause}") for c in rec.changes}
    table(rec.changes, [Column("at", "showroom.col.at", lambda v: local_time(v, zone)),
                        Column("from_owner", "showroom.col.from_owner", lambda v: v or t("showroom.nobody")),
                        Column("to_owner", "showroom.col.to_owner", lambda v: v or t("showroom.released_nobody")),
                        Column("cause", "showroom.col.cause", causes.get)],
          export_name=f"owners_{found.id}", empty_key="showroom.no_changes", key="mc_changes")


def linked_customer(customer_id: int) -> None:
    """An inbox card's ?id= (a first follow-up or a lapse coming): the customer, with the 回访 form (issue 15 I7).
    Only among the customers this person owns, as the page's service lists them."""
    found = next((c for c in mine.owned if c.id == customer_id), None) if consultant == user.id else None
    if found is None:
        link.not_found()
        return
    with link.mark(True):
        st.text(f"{found.name} · {found.phone} · {states.get(found.state, '')} · {found.last_day or ''}")
        follow_up_form(found.id, "mc_linked")


linked = link.linked_record("my-customers")
if linked is not None:
    linked_customer(linked)
tabs = st.tabs([t("showroom.tab_worklist"), t("showroom.tab_follow_up"), t("showroom.tab_lookup")])
for tab, render in zip(tabs, [worklist_tab, follow_up_tab, lookup_tab]):
    with tab:
        render()
