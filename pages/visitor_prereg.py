"""Expected visitors: a host books the day's visitors; each gets a short code and its QR (T21a; seed 002)."""

import io

import segno
import streamlit as st

from lib.auth import require_role
from lib.domain.visitors import COMPANY_MAX, NAME_MAX, PURPOSE_MAX, PreregForm
from lib.navigation import WRITERS
from lib.services import people
from lib.services.visitors import prereg as visitor_prereg
from lib.services.settings import office_zone_now
from lib.ui import (Column, app_engine, confirm_button, run_action, show_flash, show_form_error, submit_callback, t,
                    table)
from lib.views.person_picker import key_for, person_select

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
HOST_KEY = key_for("staff", "pr_host")
hosts = people.labels(engine, "staff")
# the host is the person booking, unless they pick someone else
EMPTY = {"pr_name": "", "pr_phone": "", "pr_company": "", "pr_purpose": "", "pr_headcount": 1, "pr_day": today,
         "pr_time": None, HOST_KEY: user.id if user.id in hosts else None}
for key, value in EMPTY.items():
    st.session_state.setdefault(key, value)

st.title(t("nav.visitor_prereg"))
show_flash()
st.caption(t("prereg.help"))


def _create() -> None:
    s = st.session_state
    row = visitor_prereg.create_prereg(engine, actor=user, form=PreregForm(
        name=s.get("pr_name", ""), phone=s.get("pr_phone", ""), company=s.get("pr_company", ""),
        purpose=s.get("pr_purpose", ""), headcount=s.get("pr_headcount", 1), expected_day=s.get("pr_day"),
        expected_time=s.get("pr_time"), host_id=s.get(HOST_KEY)))
    s["pr_last"] = row.id


def show_code(row: visitor_prereg.PreregRow) -> None:
    """The code as text and as a QR the host can send to the visitor."""
    with st.container(border=True):
        left, right = st.columns([2, 1])
        left.text(t("prereg.code_for", name=row.name, day=row.expected_day.isoformat()))
        left.code(row.code, language=None)
        left.caption(t("prereg.code_how"))
        png = io.BytesIO()
        segno.make(row.code, error="m").save(png, kind="png", scale=8, border=2)
        right.image(png.getvalue(), width=160)
        if row.status == "expected" and confirm_button("prereg.cancel", key=f"pr_cancel_{row.id}",
                                                       confirm_key="prereg.cancel_sure"):
            if run_action(lambda: visitor_prereg.cancel_prereg(engine, actor=user, prereg_id=row.id)):
                st.session_state.pop("pr_last", None)
                st.rerun()


with st.form("prereg_form"):
    left, right = st.columns(2)
    left.text_input(t("field.visitor_name") + " *", key="pr_name", max_chars=NAME_MAX)
    right.text_input(t("field.phone"), key="pr_phone", max_chars=30)
    left.text_input(t("field.company"), key="pr_company", max_chars=COMPANY_MAX)
    right.text_input(t("field.purpose") + " *", key="pr_purpose", max_chars=PURPOSE_MAX)
    left.number_input(t("field.headcount") + " *", min_value=0, max_value=100000, step=1, key="pr_headcount")
    person_select(t("field.host_id") + " *", "staff", key="pr_host", container=right, index=None,
                  placeholder=t("visitor.host_placeholder"))
    left.date_input(t("field.expected_day") + " *", min_value=today, key="pr_day")
    right.time_input(t("field.expected_time"), value=None, key="pr_time")
    st.form_submit_button(t("prereg.create"), type="primary", on_click=submit_callback(
        _create, clear=EMPTY, success_key="prereg.created", error_slot="pr_error"))
show_form_error("pr_error")

if st.session_state.get("pr_last"):
    show_code(visitor_prereg.prereg_by_id(engine, actor=user, prereg_id=st.session_state["pr_last"]))

st.subheader(t("prereg.mine"))
status = {s: t(f"prereg.status.{s}") for s in ("expected", "arrived", "cancelled")}
rows = visitor_prereg.my_preregs(engine, actor=user)
chosen = table(rows, [Column("expected_day", "field.expected_day", lambda d: d.isoformat()),
                      Column("expected_time", "field.expected_time", lambda v: v.strftime("%H:%M") if v else "—"),
                      Column("name", "field.visitor_name"), Column("company", "field.company"),
                      Column("host_name", "field.host_id"), Column("code", "field.visitor_code"),
                      Column("status", "field.status", status.get)],
               export_name="expected_visitors", empty_key="prereg.none", key="pr_table", selectable=True)
if chosen is not None and chosen.id != st.session_state.get("pr_last"):
    show_code(chosen)
