"""归属与争议: released customers, 重卡 disputes and the signed record that settles them (seed 000 D1 B4-B8)."""

import datetime as dt

import streamlit as st

from lib.auth import require_role
from lib.navigation import SUPERVISORS
from lib.services.showroom import read as showroom_read
from lib.services.settings import office_zone_now
from lib.ui import Column, app_engine, local_time, run_action, t, table

user = require_role(*SUPERVISORS)
engine = app_engine()
zone, today = office_zone_now(engine)
yes_no = {True: t("showroom.yes"), False: ""}

st.title(t("nav.showroom_ownership"))
first_col, last_col = st.columns(2)
first = first_col.date_input(t("search.first"), value=today - dt.timedelta(days=30), key="ow_first")
last = last_col.date_input(t("search.last"), value=today, key="ow_last")
causes = {c: t(f"customers.cause.{c}") for c in ("no_first_follow_up", "lapsed")}

st.subheader(t("showroom.releases_title"))
released: list = []
if run_action(lambda: released.extend(showroom_read.releases(engine, actor=user, first=first, last=last))):
    table(released, [Column("released_at", "showroom.col.released_at", lambda v: local_time(v, zone)),
                     Column("name", "field.showroom_customer_name"), Column("phone", "field.showroom_phone"),
                     Column("from_owner", "showroom.col.from_owner"),
                     Column("cause", "showroom.col.cause", causes.get)],
          export_name="released_customers", empty_key="showroom.no_releases", key="ow_released")

st.subheader(t("showroom.disputes_title"))
st.caption(t("showroom.disputes_help"))
found: list = []
chosen = None
if run_action(lambda: found.extend(showroom_read.disputes(engine, actor=user, first=first, last=last))):
    # T17: a click on a dispute opens its signed evidence below.
    chosen = table(found, [Column("at", "showroom.col.at", lambda v: local_time(v, zone)),
                  Column("customer_name", "field.showroom_customer_name"), Column("phone", "field.showroom_phone"),
                  Column("previous_owner", "showroom.col.previous_owner"),
                  Column("receiver", "field.showroom_receiver"),
                  Column("requested", "field.showroom_requested"),
                  Column("recognised", "field.showroom_recognised", yes_no.get)],
          export_name="disputes", empty_key="showroom.no_disputes", key="ow_disputes", selectable=True)

if found and chosen is None:
    st.caption(t("showroom.click_row_for_evidence"))
if chosen is not None:
    st.subheader(t("showroom.evidence_title"))
    st.text(f"{chosen.customer_name} · {chosen.phone}")
    st.caption(t("showroom.evidence_help"))
    rows = showroom_read.evidence(engine, actor=user, customer_id=chosen.customer_id)
    table(rows, [Column("day", "showroom.col.day"), Column("signer", "showroom.col.signer"),
                 Column("signer_title", "showroom.col.signer_title"),
                 Column("at", "showroom.col.at", lambda v: local_time(v, zone)),
                 Column("receiver", "field.showroom_receiver"), Column("requested", "field.showroom_requested"),
                 Column("recognised", "field.showroom_recognised", yes_no.get),
                 Column("matter", "field.showroom_matter"), Column("details", "field.showroom_details")],
          export_name=f"evidence_{chosen.customer_id}", empty_key="showroom.no_evidence", key="ow_evidence")
