"""登记簿定义: registers an admin makes without code (issue 14): name, fields, approval chain, lock rule; each
save a new version. Entries are made on the 登记簿 page under 自定义登记."""

import streamlit as st

from lib.auth import require_role
from lib.domain.registers import custom as C
from lib.domain.registers.model import FIELD_TYPES, LOCK_RULES
from lib.navigation import ADMINS
from lib.services import settings as settings_service
from lib.services.registers import custom as RC
from lib.ui import app_engine, local_time, show_flash, show_form_error, submit_callback, t
from lib.services.settings import office_zone_now

user = require_role(*ADMINS)
engine = app_engine()
st.title(t("nav.admin_registers"))
show_flash()
st.caption(t("regdef.intro"))
zone, _ = office_zone_now(engine)

defs = RC.list_definitions(engine)
by_id = {d.id: d for d in defs}


def _chain_text(chain) -> str:
    return " → ".join(chain) if chain else t("regdef.no_chain")


if defs:
    st.dataframe([{t("regdef.col.name"): d.name, t("regdef.col.version"): d.version,
                   t("regdef.col.fields"): "、".join(f["label"] for f in d.fields),
                   t("regdef.col.chain"): _chain_text(d.chain), t("regdef.col.lock"): t(f"regdef.lock.{d.lock}"),
                   t("regdef.col.retired"): "、".join(f["label"] for f in d.retired),
                   t("regdef.col.updated"): local_time(d.updated_at, zone)} for d in defs],
                 width="stretch", hide_index=True)
else:
    st.info(t("regdef.none"))
st.caption(t("regdef.open_page"))

choice = st.selectbox(t("regdef.pick"), [None, *by_id], key="ra_pick",
                      format_func=lambda i: t("regdef.new") if i is None else by_id[i].name)
current = by_id.get(choice)
p = f"ra{choice or 'new'}v{current.version if current else 0}_"
fields = list(current.fields) if current else []
rows_key = f"{p}rows"
st.session_state.setdefault(rows_key, len(fields) + (1 if fields else 3))
titles = list(settings_service.values(engine, [C.TITLES_SETTING])[C.TITLES_SETTING] or [])


def _save() -> None:
    s = st.session_state
    rows = [{"key": s.get(f"{p}key{i}", ""), "label": s.get(f"{p}label{i}", ""), "type": s.get(f"{p}type{i}"),
             "required": s.get(f"{p}req{i}", False), "choices": s.get(f"{p}choices{i}", "")}
            for i in range(s[rows_key])]
    saved = RC.save_definition(engine, actor=user, definition_id=choice, name=s.get(f"{p}name", ""), fields=rows,
                               chain=list(s.get(f"{p}chain") or []), lock=s.get(f"{p}lock") or "on_submit",
                               expected_version=current.version if current else None)
    s["ra_pick"] = saved


with st.form(f"ra_form_{p}"):
    st.text_input(t("field.regdef.name") + " *", value=current.name if current else "", key=f"{p}name",
                  max_chars=C.NAME_MAX)
    st.subheader(t('regdef.fields_head'))
    types = {k: t(f"regdef.type.{k}") for k in FIELD_TYPES}
    for i in range(st.session_state[rows_key]):
        f = fields[i] if i < len(fields) else {}
        n = i + 1
        c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 1, 3], vertical_alignment="bottom")
        c1.text_input(t("regdef.key", n=n), value=f.get("key", ""), key=f"{p}key{i}", max_chars=30,
                      help=t("regdef.key_help"))
        c2.text_input(t("regdef.label", n=n), value=f.get("label", ""), key=f"{p}label{i}", max_chars=C.LABEL_MAX)
        c3.selectbox(t("regdef.type", n=n), list(types), format_func=types.get, key=f"{p}type{i}",
                     index=list(types).index(f.get("type", "text")))
        c4.checkbox(t("regdef.required", n=n), value=bool(f.get("required")), key=f"{p}req{i}")
        c5.text_input(t("regdef.choices", n=n), value="、".join(f.get("choices") or []), key=f"{p}choices{i}",
                      max_chars=600, help=t("regdef.choices_help"))
    st.multiselect(t("field.regdef.chain"), titles, default=[x for x in (current.chain if current else ())
                                                            if x in titles],
                   key=f"{p}chain", help=t("regdef.chain_help"), placeholder=t("ui.choose_many"))
    locks = {k: t(f"regdef.lock.{k}") for k in LOCK_RULES}
    st.selectbox(t("field.regdef.lock"), list(locks), format_func=locks.get, key=f"{p}lock",
                 index=list(locks).index(current.lock) if current else 0)
    st.form_submit_button(t("regdef.save"), type="primary", on_click=submit_callback(
        _save, success_key="regdef.saved", error_slot="ra_error"))
show_form_error("ra_error")


def _more_rows() -> None:
    st.session_state[rows_key] = min(st.session_state[rows_key] + 1, C.MAX_FIELDS)


st.button(t("regdef.add_row"), key=f"{p}add", on_click=_more_rows)

if current:
    versions = RC.history(engine, definition_id=current.id)
    with st.expander(t("regdef.versions", count=len(versions))):
        st.dataframe([{t("regdef.col.version"): v.version, t("regdef.col.name"): v.name,
                       t("regdef.col.fields"): "、".join(f["label"] for f in v.spec.get("fields", [])),
                       t("regdef.col.retired"): "、".join(f["label"] for f in v.spec.get("retired", [])),
                       t("regdef.col.chain"): _chain_text(v.spec.get("chain")),
                       t("regdef.col.lock"): t(f"regdef.lock.{v.spec.get('lock', 'on_submit')}"),
                       t("regdef.col.updated"): local_time(v.created_at, zone)} for v in reversed(versions)],
                     width="stretch", hide_index=True)
