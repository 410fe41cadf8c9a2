"""Violation catalogue editor: SPEC 4.4's table as editable, versioned data (admins)."""

from types import SimpleNamespace

import streamlit as st

from lib.auth import require_role
from lib.domain.ledger import Action, CountingWindow, MoneyRule
from lib.navigation import ADMINS
from lib.services import ledger
from lib.ui import (
    Column,
    app_engine,
    choice_labels,
    flash,
    run_action,
    show_flash,
    t,
    table,
)
from lib.views.kpi.common import money
from lib.views.kpi.ledger import departments
from lib.services.limits import text_limit

user = require_role(*ADMINS)
engine = app_engine()
st.title(t("nav.catalogue"))
show_flash()
st.caption(t("ledger.catalogue.help"))

lines = {c.code: c for c in ledger.catalogue(engine)}
actions = choice_labels("ledger.action", [a.value for a in Action])
moneys = choice_labels("ledger.money_rule", [m.value for m in MoneyRule])
windows = choice_labels("ledger.counting_window", [w.value for w in CountingWindow])
depts = departments()


def steps_text(rule) -> str:
    return " → ".join(f"{i}. " + " ".join(p for p in (money(s.fine) if s.fine else "", actions.get(
        s.action.value, "") if s.action else "") if p) for i, s in enumerate(rule.steps, start=1))


rows = [SimpleNamespace(code=c.code, label=c.label or t(c.rule.label_key), points=c.rule.team_points,
                        steps=steps_text(c.rule), money=moneys[c.rule.money.value], window=windows[c.rule.window.value],
                        off="、".join(depts.get(d, str(d)) for d in c.disabled_departments), source=c.rule.source,
                        version=c.version) for c in lines.values()]
table(rows, [Column("code", "ledger.col.code"), Column("label", "ledger.catalogue.label"),
             Column("points", "ledger.col.team_points"), Column("steps", "ledger.catalogue.steps"),
             Column("money", "ledger.catalogue.money"), Column("window", "ledger.catalogue.window"),
             Column("off", "ledger.catalogue.disabled"), Column("source", "settings.source"),
             Column("version", "ledger.catalogue.version")],
      export_name="violation_catalogue", empty_key="ledger.catalogue.none", key="c_table")

st.subheader(t("ledger.catalogue.edit"))
labels = {r.code: r.label for r in rows}
NEW = ""
code = st.selectbox(t("field.ledger_code"), [NEW, *lines], key="c_pick",
                    format_func=lambda c: t("ledger.catalogue.new") if c == NEW else f"{c} · {labels[c]}")
line = lines.get(code)
rule = line.rule if line else None
k = f"c_{code or 'new'}_"
action_options = [None, *actions]


def _save(steps_rows) -> None:
    s = st.session_state
    steps = [(r.get("fine"), r.get("action")) for r in steps_rows if r.get("fine") is not None or r.get("action")]
    ledger.save_catalogue_line(engine, actor=user, reason=s.get(k + "reason", ""), form=ledger.CatalogueForm(
        code=s.get(k + "code", code), label=s.get(k + "label", ""), team_points=int(s.get(k + "points", 0)),
        steps=steps, money=s.get(k + "money"), window=s.get(k + "window"), serious_action=s.get(k + "serious"),
        params=s.get(k + "params", ""), source=s.get(k + "source", ""),
        disabled_departments=s.get(k + "off", [])))


initial_steps = [{"fine": float(s.fine), "action": s.action.value if s.action else None}
                 for s in rule.steps] if rule else [{"fine": 0.0, "action": None}]
left, right = st.columns(2)
left.text_input(t("field.ledger_code") + " *", value=code, disabled=bool(line), key=k + "code", max_chars=text_limit("kpi_catalogue_version.code"),
                help=t("ledger.catalogue.code_help"))
right.text_input(t("ledger.catalogue.label"), value=line.label if line else "", key=k + "label", max_chars=text_limit("kpi_catalogue_version.label"),
                 help=t("ledger.catalogue.label_help"))
left.number_input(t("field.ledger_team_points"), min_value=-100, max_value=0, step=1,
                  value=rule.team_points if rule else 0, key=k + "points")
right.multiselect(t("ledger.catalogue.disabled"), list(depts), format_func=depts.get,
                  default=list(line.disabled_departments) if line else [], key=k + "off", placeholder=t("ui.choose_many"))
edited = st.data_editor(initial_steps, num_rows="dynamic", key=k + "steps", width="stretch",
                        column_config={"fine": st.column_config.NumberColumn(t("ledger.col.fine"), min_value=0.0),
                                       "action": st.column_config.SelectboxColumn(t("ledger.col.action"),
                                                                                  options=list(actions))})
left.selectbox(t("ledger.catalogue.money"), list(moneys), format_func=moneys.get, key=k + "money",
               index=list(moneys).index(rule.money.value) if rule else 0)
right.selectbox(t("ledger.catalogue.window"), list(windows), format_func=windows.get, key=k + "window",
                index=list(windows).index(rule.window.value) if rule else 0)
left.selectbox(t("ledger.catalogue.serious"), action_options, key=k + "serious",
               format_func=lambda a: actions.get(a, t("ledger.catalogue.no_action")),
               index=action_options.index(rule.serious_action.value) if rule and rule.serious_action else 0)
right.text_input(t("field.ledger_params"), value=ledger.format_params(rule.params) if rule else "", key=k + "params", max_chars=text_limit("ledger_rule.params"),
                 help=t("ledger.catalogue.params_help"))
left.text_input(t("settings.source"), value=rule.source if rule else "", key=k + "source", max_chars=text_limit("ledger_rule.source"))
right.text_input(t("field.ledger_reason"), key=k + "reason", max_chars=text_limit("kpi_catalogue_version.reason"))
if st.button(t("ledger.catalogue.save"), type="primary", key=k + "save"):
    if run_action(lambda: _save(edited)):
        flash("ledger.catalogue.saved")
        st.rerun()
