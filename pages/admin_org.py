"""Org units: departments, teams, groups (一组/二组), crews and posts with their staffing flags (SPEC M0)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import ADMINS
from lib.services import accounts
from lib.ui import Column, app_engine, choice_labels, show_flash, show_form_error, submit_callback, t, table
from lib.services.limits import text_limit

user = require_role(*ADMINS)
engine = app_engine()
st.title(t("nav.org"))
show_flash()

units = accounts.list_org(engine)
names = {None: "—", **{u.id: f"{t('org.kind.' + u.kind)} · {u.name}" for u in units}}
kinds = choice_labels("org.kind", list(accounts.ORG_KINDS))
yes_no = lambda v: t("common.yes") if v else t("common.no")  # noqa: E731
table(units, [Column("kind", "org.kind", kinds.get), Column("name", "field.name"),
              Column("parent_id", "org.parent", names.get), Column("is_24x7", "org.is_24x7", yes_no),
              Column("min_staff", "field.min_staff"), Column("max_continuous_h", "field.max_continuous_h"),
              Column("requires_training", "org.requires_training", yes_no),
              Column("requires_certificate", "org.requires_certificate", yes_no)],
      export_name="org_units", empty_key="org.none", key="o_table")

by_id = {u.id: u for u in units}
choice = st.selectbox(t("org.pick"), [None, *by_id], format_func=lambda i: t("org.new") if i is None else names[i],
                      key="o_pick")
unit = by_id.get(choice)
p = f"o{choice or 'new'}_"


def _save() -> None:
    s = st.session_state
    hours = s.get(f"{p}max_h") or None
    accounts.save_org_unit(engine, actor=user, unit_id=choice, form=accounts.OrgForm(
        kind=s[f"{p}kind"], name=s.get(f"{p}name", ""), parent_id=s.get(f"{p}parent"),
        is_24x7=s.get(f"{p}24x7", False), min_staff=int(s.get(f"{p}min", 0)),
        max_continuous_h=int(hours) if hours else None, requires_training=s.get(f"{p}training", False),
        requires_certificate=s.get(f"{p}cert", False)))


with st.form(f"org_form_{choice}"):
    left, right = st.columns(2)
    left.selectbox(t("org.kind"), list(kinds), format_func=kinds.get, key=f"{p}kind",
                   index=list(kinds).index(unit.kind) if unit else 0)
    right.text_input(t("field.name") + " *", value=unit.name if unit else "", key=f"{p}name", max_chars=text_limit("org_unit.name"))
    parents = [i for i in names if i != choice]
    left.selectbox(t("org.parent"), parents, format_func=names.get, key=f"{p}parent",
                   index=parents.index(unit.parent_id) if unit and unit.parent_id in parents else 0)
    right.number_input(t("field.min_staff"), min_value=0, max_value=100, value=unit.min_staff if unit else 0,
                       key=f"{p}min")
    left.number_input(t("field.max_continuous_h"), min_value=0, max_value=48,
                      value=(unit.max_continuous_h or 0) if unit else 0, key=f"{p}max_h", help=t("org.hours_help"))
    right.checkbox(t("org.is_24x7"), value=unit.is_24x7 if unit else False, key=f"{p}24x7")
    right.checkbox(t("org.requires_training"), value=unit.requires_training if unit else False, key=f"{p}training")
    right.checkbox(t("org.requires_certificate"), value=unit.requires_certificate if unit else False, key=f"{p}cert")
    st.form_submit_button(t("org.save"), type="primary", on_click=submit_callback(
        _save, success_key="org.saved", error_slot="o_error"))
show_form_error("o_error")
