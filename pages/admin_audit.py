"""Audit log viewer with filters and export, in the user's language (SPEC M0 Audit; T15)."""

import datetime as dt

import streamlit as st

from lib.auth import require_role
from lib.i18n import catalog
from lib.navigation import SUPERVISORS
from lib.services import audit_log
from lib.services.settings import office_zone_now
from lib.ui import Column, app_engine, lang, local_time, run_action, t, table
from lib.services.limits import text_limit

user = require_role(*SUPERVISORS)
engine = app_engine()
zone, today = office_zone_now(engine)


_LABELS: dict[tuple[str, str], str] = {}  # this run's labels: a page of 500 rows repeats a few dozen of them


def label(prefix: str, value: str) -> str:
    """The catalog label of an entity, action or field; the stored name where the catalog has none."""
    if (prefix, value) not in _LABELS:
        text = t(f"{prefix}.{value}")
        _LABELS[prefix, value] = value if text == f"{prefix}.{value}" else text
    return _LABELS[prefix, value]


_LINE, _EMPTY = t("audit.change_line"), t("audit.empty_value")


def change_lines(changes) -> str:
    """「字段：之前 → 之后」, one line per changed field."""
    return "\n".join(_LINE.format(field=label("field", c.field), before=c.before or _EMPTY, after=c.after or _EMPTY)
                     for c in changes)


actions = sorted((k.removeprefix("audit.action.") for k in catalog(lang()) if k.startswith("audit.action.")),
                 key=lambda a: label("audit.action", a))
st.title(t("nav.audit"))
with st.form("audit_filter"):
    c1, c2, c3, c4, c5 = st.columns(5)
    first = c1.date_input(t("search.first"), value=today - dt.timedelta(days=7), key="a_first")
    last = c2.date_input(t("search.last"), value=today, key="a_last")
    entity = c3.selectbox(t("audit.entity"), [""] + audit_log.entities(engine, actor=user), key="a_entity",
                          format_func=lambda v: label("audit.entity", v) if v else t("audit.all"))
    username = c4.text_input(t("field.username"), key="a_user", max_chars=text_limit("app_user.username"))
    action = c5.selectbox(t("audit.action"), ["", *actions], key="a_action",
                          format_func=lambda v: label("audit.action", v) if v else t("audit.all"))
    st.form_submit_button(t("search.submit"))

rows: list = []
if run_action(lambda: rows.extend(audit_log.search_audit(engine, actor=user, first=first, last=last, entity=entity,
                                                         username=username, action=action))):
    if len(rows) >= audit_log.AUDIT_LIMIT:
        st.warning(t("audit.truncated", limit=audit_log.AUDIT_LIMIT))
    table(rows, [Column("at", "audit.at", lambda v: local_time(v, zone)), Column("username", "field.username"),
                 Column("entity", "audit.entity", lambda v: label("audit.entity", v)),
                 Column("entity_id", "audit.entity_id"),
                 Column("action", "audit.action", lambda v: label("audit.action", v)),
                 Column("changes", "audit.changes", change_lines), Column("reason", "audit.reason")],
          export_name="audit", empty_key="audit.none", key="a_table")
