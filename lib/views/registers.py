"""One renderer for every register (issue 14): the quick form, the list with filters and paging, the entry with
its steps and versions, the approve/reject buttons for the titles that may act, and the exports, all drawn from
the register's ``RegisterDef`` alone.

Widget keys: ``rg.<register>.<part>``; a form field is ``rg.<register>.<form>.<field>`` (a date-time is two
widgets, ``…_d`` and ``…_t``; a person picker is ``pp.staff.rg.<register>.<form>.<field>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import streamlit as st

from lib.domain.errors import DomainError, ValidationFailed
from lib.domain.money import yuan
from lib.domain.registers import REGISTRY, families
from lib.domain.registers import custom as C
from lib.domain.registers.information import ME, NOW
from lib.domain.registers.model import (Access, FieldDef, RegisterDef, choice_label, code_label, field_label, may_create,
                                        may_open, register_title)
from lib.services import people
from lib.services import registers as R
from lib.services.base import Actor, utcnow
from lib.services.registers import custom as RC
from lib.services.settings import office_zone_now
from lib.ui import (_escaped, clear_flash, error_text, fault_text, flash, form_token, local_time, plain,
                    renew_form_token, run_action, show_form_error, t)
from lib.views import linked as link
from lib.views.person_picker import key_for, person_select

LIST_DAYS = 30
LINKED = "rg.linked"  # (register, entry) an inbox link opened: drawn marked (issue 15 I8)


def family_names(user: Actor | None = None, engine=None) -> list[str]:
    """The page's tabs: the code families (for ``user``, those with a register they may see), then the admin-made
    registers (自定义登记)."""
    shown = [name for name, defs in families().items()
             if user is None or any(_shown(engine, user, d) for d in defs)]
    return [*shown, C.FAMILY]


def _shown(engine, user: Actor, rdef: RegisterDef) -> bool:
    """A register open to the user, or a closed one (``open_titles``) with an entry waiting on a title they hold."""
    if may_open(rdef, _access(user)):
        return True
    return bool(engine is not None and rdef.has_chain and user.titles
                and R.awaiting(engine, actor=user, register=rdef.key, limit=1))


def open_linked(engine, user: Actor, names: list[str]) -> None:
    """An inbox link ``?register=<key>&id=<entry>`` (issue 15 I8): on the link's first run, open the family tab
    holding the register (``rg.tabs``), pick the register in the family's picker (``rg.family.<family>``) and open
    the entry (``rg.<key>.open``); :func:`_detail` then reads it through the service, which checks the actor (a
    closed register still shows an entry awaiting the person's own step). A register unknown or not shown to
    this person: the plain not-found message. Call before the tabs are drawn."""
    entry_id = link.linked_record("registers")
    if entry_id is None:
        st.session_state.pop(LINKED, None)
        return
    if not link.fresh_link("registers"):
        return
    st.session_state.pop(LINKED, None)
    try:
        rdef = R.definition(st.query_params.get("register") or "", engine)
    except DomainError:  # an unknown register, or none named
        rdef = None
    family = None if rdef is None else C.FAMILY if rdef.custom else rdef.family
    if rdef is None or family not in names or (not rdef.custom and not _shown(engine, user, rdef)):
        link.not_found()
        return
    st.session_state["rg.tabs"] = t(f"registers.family.{family}")
    st.session_state[f"rg.family.{family}"] = rdef.key
    st.session_state[f"rg.{rdef.key}.open"] = entry_id
    st.session_state[LINKED] = (rdef.key, entry_id)


def _access(user: Actor) -> Access:
    return Access(user_id=user.id, role=user.role, titles=tuple(user.titles), department_id=user.department_id)


def render_family(engine, user: Actor, family: str) -> None:
    """A picker of the family's registers, then the chosen one."""
    if family == C.FAMILY:
        _render_custom(engine, user)
        return
    defs = [d for d in families()[family] if _shown(engine, user, d)]
    if not defs:
        st.info(t("registers.may_not_open"))
        return
    labels = {d.key: t(d.title_key) for d in defs}
    chosen = st.selectbox(t("registers.pick"), list(labels), format_func=labels.get, key=f"rg.family.{family}")
    render_register(engine, user, REGISTRY[chosen or defs[0].key])


def _render_custom(engine, user: Actor) -> None:
    """The registers an admin defined (pages/admin_registers.py), drawn by the same renderer."""
    defs = RC.list_definitions(engine)
    if not defs:
        st.info(t("registers.custom_none"))
        return
    labels = {d.key: d.name for d in defs}
    chosen = st.selectbox(t("registers.pick"), list(labels), format_func=labels.get, key=f"rg.family.{C.FAMILY}")
    rdef = None

    def load() -> None:
        nonlocal rdef
        rdef = R.definition(chosen or defs[0].key, engine)

    if run_action(load) and rdef is not None:
        render_register(engine, user, rdef)


def _callback(rdef: RegisterDef, action, *, success_key: str, error_slot: str):
    """``lib.ui.submit_callback`` for a register form: on an error every typed value stays and the message names
    each field by its label (an admin-made register's labels are its own, not catalog keys)."""

    def callback() -> None:
        clear_flash()
        try:
            action()
        except ValidationFailed as exc:
            st.session_state[error_slot] = _fix_text(rdef, exc)
            return
        except DomainError as exc:
            st.session_state[error_slot] = error_text(exc)
            return
        except Exception as exc:  # a callback runs outside the router's boundary (R3, R12)
            st.session_state[error_slot] = fault_text(exc)
            return
        st.session_state.pop(error_slot, None)
        flash(success_key)

    return callback


def _fix_text(rdef: RegisterDef, exc: ValidationFailed) -> str:
    prefix = f"reg.{rdef.key}."
    lines = []
    for e in exc.errors:
        name = e.field[len(prefix):] if e.field.startswith(prefix) else None
        label = field_label(rdef, rdef.field(name), t) if name in {f.key for f in rdef.fields} else t("field." + e.field)
        lines.append(f"- **{plain(label)}**: {t(e.key, **_escaped(e.params))}")
    return t("error.fix_fields") + "\n" + "\n".join(lines)


def render_register(engine, user: Actor, rdef: RegisterDef) -> None:
    zone, today = office_zone_now(engine)
    st.caption(t("registers.source", source=plain(rdef.source)))
    _awaiting(engine, user, rdef, zone)
    if not may_open(rdef, _access(user)):  # a closed register: its approvers see only the entries awaiting them
        opened = st.session_state.get(f"rg.{rdef.key}.open")
        if opened is not None:
            _detail(engine, user, rdef, opened, zone)
        return
    if may_create(rdef, Access(user_id=user.id, role=user.role, titles=tuple(user.titles),
                               department_id=user.department_id)):
        with st.expander(t("registers.new", register=plain(register_title(rdef, t))), expanded=False):
            _new_form(engine, user, rdef, zone)
    chosen = _list(engine, user, rdef, zone, today)
    if chosen is not None:
        _detail(engine, user, rdef, chosen, zone)


# -- form -----------------------------------------------------------------------------------------------

def _key(rdef: RegisterDef, form: str, field: str) -> str:
    return f"rg.{rdef.key}.{form}.{field}"


def _label(rdef: RegisterDef, f: FieldDef) -> str:
    """A widget label (Markdown): an admin's own label is escaped as plain text."""
    text = plain(f.label) if rdef.custom else t(rdef.label_key(f.key))
    return text + (" *" if f.required else "")


def _initial(f: FieldDef, user: Actor, zone, value: object = None) -> object:
    if value is not None:
        return value.astimezone(zone) if isinstance(value, dt.datetime) else value
    if f.default == NOW:
        return utcnow().astimezone(zone).replace(second=0, microsecond=0)
    if f.default == ME:
        return user.id
    return f.default


def _widget(engine, rdef: RegisterDef, f: FieldDef, form: str, user: Actor, zone, container,
            value: object = None) -> None:
    """One field's widget, its value set through session state on first draw (so an error keeps what was typed)."""
    key = _key(rdef, form, f.key)
    label = _label(rdef, f)
    helptext = t(f"registers.help.{rdef.key}.{f.key}") if f.help else None
    initial = _initial(f, user, zone, value)
    if f.type == "datetime":
        left, right = container.columns(2)
        if f"{key}_d" not in st.session_state:
            st.session_state[f"{key}_d"] = initial.date() if isinstance(initial, dt.datetime) else None
            st.session_state[f"{key}_t"] = initial.time() if isinstance(initial, dt.datetime) else None
        left.date_input(label, key=f"{key}_d", help=helptext, format="YYYY-MM-DD")
        right.time_input(t("registers.time_of", field=_label(rdef, f).removesuffix(" *")), key=f"{key}_t", step=60)
        return
    if f.type == "person":
        picker = key_for("staff", key)
        options = people.labels(engine, "staff")
        if picker not in st.session_state:
            st.session_state[picker] = initial if initial in options else None
        person_select(label, "staff", key=key, container=container, placeholder=t("registers.pick_person"),
                      help=helptext)
        return
    if key not in st.session_state:
        if f.type == "bool":  # a checkbox holds True or False, never None
            st.session_state[key] = bool(initial)
        else:
            st.session_state[key] = initial if initial is not None else (
                "" if f.type in ("text", "long_text", "phone") else None)
    if f.type == "long_text":
        container.text_area(label, key=key, max_chars=f.length, help=helptext)
    elif f.type in ("text", "phone"):
        container.text_input(label, key=key, max_chars=f.length, help=helptext)
    elif f.type == "choice":
        labels = {c: choice_label(rdef, f, c, t) for c in f.choices}
        container.selectbox(label, list(labels), format_func=labels.get, key=key, help=helptext,
                            placeholder=t("registers.pick_value"))
    elif f.type == "bool":
        container.checkbox(label, key=key, help=helptext)
    elif f.type == "int":
        container.number_input(label, key=key, step=1, help=helptext)
    elif f.type == "money":
        container.number_input(label, key=key, step=0.01, format="%.2f", help=helptext)
    elif f.type == "date":
        container.date_input(label, key=key, help=helptext, format="YYYY-MM-DD")
    elif f.type == "time":
        container.time_input(label, key=key, help=helptext, step=60)


def _read(rdef: RegisterDef, form: str, fields: tuple[FieldDef, ...], zone) -> dict[str, object]:
    """What the form holds, typed: a date and a time become one aware office-local datetime."""
    values: dict[str, object] = {}
    state = st.session_state
    for f in fields:
        key = _key(rdef, form, f.key)
        if f.type == "datetime":
            day, clock = state.get(f"{key}_d"), state.get(f"{key}_t")
            values[f.key] = dt.datetime.combine(day, clock or dt.time(0, 0), tzinfo=zone) if day else None
        elif f.type == "person":
            values[f.key] = state.get(key_for("staff", key))
        else:
            values[f.key] = state.get(key)
    return values


def _forget(rdef: RegisterDef, form: str, fields: tuple[FieldDef, ...]) -> None:
    """After a confirmed save the form starts again from its defaults (widgets rebuilt on the next run)."""
    for f in fields:
        key = _key(rdef, form, f.key)
        for name in (key, f"{key}_d", f"{key}_t", key_for("staff", key)):
            st.session_state.pop(name, None)


def _new_form(engine, user: Actor, rdef: RegisterDef, zone) -> None:
    form = "new"
    fields = rdef.typed_fields
    token_name = f"rg.{rdef.key}.new"
    error_slot = f"rg.{rdef.key}.new_error"

    def save() -> None:
        R.create_entry(engine, actor=user, register=rdef.key, values=_read(rdef, form, fields, zone),
                       idem_key=form_token(token_name))
        renew_form_token(token_name)
        _forget(rdef, form, fields)

    with st.form(f"rg.{rdef.key}.new_form"):
        for f in fields:
            _widget(engine, rdef, f, form, user, zone, st)
        st.form_submit_button(t("registers.submit"), type="primary", on_click=_callback(
            rdef, save, success_key="registers.saved", error_slot=error_slot))
    show_form_error(error_slot)


# -- list -----------------------------------------------------------------------------------------------

def _cell(rdef: RegisterDef, f: FieldDef, value: object, names: Mapping[int, str], zone) -> object:
    if value is None:
        return ""
    if f.type == "person":
        return names.get(value, "")
    if f.type == "choice":
        return choice_label(rdef, f, value, t)
    if f.codes:
        return code_label(f, str(value), t)
    if f.type == "datetime":
        return local_time(value, zone)
    if f.type == "money":
        return yuan(value)
    if f.type == "bool":
        return t("registers.yes") if value else t("registers.no")
    return value if isinstance(value, (int, str)) else str(value)


def _table_rows(rdef: RegisterDef, rows, zone) -> list[dict]:
    headers = _distinct([t("registers.col.no")] + [field_label(rdef, f, t) for f in rdef.fields] + [
        t("registers.col.state"), t("registers.col.keeper"), t("registers.col.due")])
    out = []
    for e in rows:
        cells = [e.no or ""] + [_cell(rdef, f, e.values.get(f.key), e.names, zone) for f in rdef.fields] + [
            t(f"registers.state.{e.state}"), e.keeper,
            (t("registers.overdue") + " " if e.overdue else "") + local_time(e.due_at, zone)]
        out.append(dict(zip(headers, cells)))
    return out


def _distinct(headers: list[str]) -> list[str]:
    """Column headers made distinct (an admin's label may repeat a common column's)."""
    out: list[str] = []
    for header in headers:
        name, n = header, 1
        while name in out:
            n += 1
            name = f"{header} ({n})"
        out.append(name)
    return out


def filter_fields(rdef: RegisterDef) -> tuple[FieldDef, ...]:
    """The fields a list filters on, from the definition alone (RG-F1): every choice, person and yes/no field
    (a seal's type and status, a loan's borrower), and a text, number or phone field the definition indexes
    (an asset number). The date field has the date range, a text title field the search."""
    out = []
    for f in rdef.fields:
        if f.key == rdef.date_field or (f.key == rdef.title_field and f.type in ("text", "long_text")):
            continue
        if f.type in ("choice", "person", "bool") or (f.indexed and f.type in ("text", "int", "phone")):
            out.append(f)
    return tuple(out)


def _filter_label(rdef: RegisterDef, f: FieldDef) -> str:
    return plain(f.label) if rdef.custom else t(rdef.label_key(f.key))


def _field_filters(engine, rdef: RegisterDef, container) -> dict[str, object]:
    """One widget per filter field (``rg.<register>.f.<field>``), its value kept in ``rg.<register>.filters`` so it
    survives a visit to another register or page; returns ``{field: value}`` for those set (``Query.equals``)."""
    fields = filter_fields(rdef)
    if not fields:
        return {}
    base = f"rg.{rdef.key}"
    kept: dict[str, object] = st.session_state.setdefault(f"{base}.filters", {})
    active = {k: v for k, v in kept.items() if v not in (None, "")}
    with container.popover(t("registers.field_filters", count=len(active))):  # a popover: the page's expanders are forms
        columns = st.columns(3)
        for i, f in enumerate(fields):
            key = f"{base}.f.{f.key}"
            if key not in st.session_state:
                st.session_state[key] = kept.get(f.key, None if f.type == "int" else "")
            where = columns[i % 3]
            label = _filter_label(rdef, f)
            if f.type == "choice":
                labels = {"": t("registers.any_value"), **{c: choice_label(rdef, f, c, t) for c in f.choices
                                                            if c not in f.shown_choices}}  # never stored: finds none
                where.selectbox(label, list(labels), format_func=labels.get, key=key)
            elif f.type == "person":
                names = people.labels(engine, "staff")
                if st.session_state[key] not in ("", *names):  # a person no longer listed: the filter is dropped
                    st.session_state[key] = ""
                where.selectbox(label, ["", *names], format_func=lambda v: names.get(v, t("registers.any_value")),
                                key=key)
            elif f.type == "bool":
                labels = {"": t("registers.any_value"), "yes": t("registers.yes"), "no": t("registers.no")}
                where.selectbox(label, list(labels), format_func=labels.get, key=key)
            elif f.type == "int":
                where.number_input(label, key=key, step=1, min_value=f.minimum, max_value=f.maximum)
            else:
                where.text_input(label, key=key, max_chars=f.length)
            kept[f.key] = st.session_state[key]
        if any(kept.get(f.key) not in (None, "") for f in fields):
            st.button(t("registers.clear_filters"), key=f"{base}.clear_filters", on_click=_clear_filters,
                      args=(rdef,))
    equals: dict[str, object] = {}
    for f in fields:
        value = kept.get(f.key)
        if value in (None, ""):
            continue
        if f.type == "bool":
            equals[f.key] = value == "yes"
        elif f.type in ("text", "phone"):
            equals[f.key] = str(value).strip()
        else:
            equals[f.key] = value
    return {k: v for k, v in equals.items() if v != ""}


def _clear_filters(rdef: RegisterDef) -> None:
    """The clear button's callback: every field filter back to any (before the widgets are drawn again)."""
    base = f"rg.{rdef.key}"
    st.session_state[f"{base}.filters"] = {}
    for f in filter_fields(rdef):
        st.session_state.pop(f"{base}.f.{f.key}", None)


def _filters_text(rdef: RegisterDef, equals: Mapping[str, object], engine) -> str:
    """The field filters in force, as 「label: value」 pairs for the empty state (plain text)."""
    parts = []
    for name, value in equals.items():
        f = rdef.field(name)
        if f.type == "choice":
            shown = choice_label(rdef, f, value, t)
        elif f.type == "person":
            shown = people.labels(engine, "staff").get(value, str(value))
        elif f.type == "bool":
            shown = t("registers.yes") if value else t("registers.no")
        else:
            shown = str(value)
        parts.append(f"{field_label(rdef, f, t)}: {shown}")
    return "; ".join(parts)


def _list(engine, user: Actor, rdef: RegisterDef, zone, today: dt.date):
    """Filters (dates, state, a text in the entry's title, the definition's field filters), a page of entries,
    paging, exports; returns the entry clicked."""
    base = f"rg.{rdef.key}"
    st.subheader(t("registers.list"))
    left, middle, right = st.columns([2, 1, 2])
    span = left.date_input(t("registers.dates"), value=(today - dt.timedelta(days=LIST_DAYS), today),
                           key=f"{base}.dates", format="YYYY-MM-DD")
    states = {"": t("registers.any_state"), **{s: t(f"registers.state.{s}") for s in
                                                ("draft", "pending", "approved", "rejected", "recorded")}}
    state = middle.selectbox(t("registers.col.state"), list(states), format_func=states.get, key=f"{base}.state")
    search = right.text_input(t("registers.search"), key=f"{base}.search", max_chars=50) \
        if rdef.title_field else ""
    equals = _field_filters(engine, rdef, st)
    first, last = (span[0], span[-1]) if isinstance(span, (tuple, list)) and span else (today, today)
    query = R.Query(first=first, last=last, state=state or None, equals=equals, text=search or "")
    signature = (first, last, state, search, tuple(sorted(equals.items())))
    cursors_key = f"{base}.cursors"
    if st.session_state.get(f"{base}.signature") != signature:
        st.session_state[f"{base}.signature"] = signature
        st.session_state[cursors_key] = [None]
    cursors = st.session_state.setdefault(cursors_key, [None])
    page = None

    def load() -> None:
        nonlocal page
        page = R.list_entries(engine, actor=user, register=rdef.key, query=query, cursor=cursors[-1])

    if not run_action(load) or page is None:
        return None
    if not page.rows and equals:  # say what narrowed it, and how to widen it (RG-F1)
        st.info(t("registers.none_filtered", filters=plain(_filters_text(rdef, equals, engine))))
    elif not page.rows:
        st.info(t("registers.none"))
    else:
        event = st.dataframe(_table_rows(rdef, page.rows, zone), width="stretch", hide_index=True,
                             on_select="rerun", selection_mode="single-row", key=f"{base}.rows")
        picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
        clicked = page.rows[picked[0]].id if picked and 0 <= picked[0] < len(page.rows) else None
        # a row opens when it is clicked, not on every run: a version opened from the entry stays open (S60)
        if clicked is not None and st.session_state.get(f"{base}.clicked") != clicked:
            st.session_state[f"{base}.open"] = clicked
        st.session_state[f"{base}.clicked"] = clicked
        st.caption(t("table.click_row"))
    nav = st.columns([1, 1, 1, 1, 2])
    if len(cursors) > 1 and nav[0].button(t("registers.first_page"), key=f"{base}.first"):
        st.session_state[cursors_key] = [None]
        st.rerun()
    if page.next_cursor and nav[1].button(t("registers.next_page"), key=f"{base}.next"):
        cursors.append(page.next_cursor)
        st.rerun()
    _exports(engine, user, rdef, query, nav[2], nav[3])
    opened = st.session_state.get(f"{base}.open")
    return opened


def _exports(engine, user: Actor, rdef: RegisterDef, query: R.Query, left, right) -> None:
    """CSV of the whole filtered list (read a chunk at a time); Excel up to the cap, or a message saying why not."""
    base = f"rg.{rdef.key}"
    name = f"{rdef.key}_{query.first}_{query.last}"
    left.download_button(t("export.csv"), lambda: b"".join(R.export_csv(engine, actor=user, register=rdef.key,
                                                                        query=query)),
                         file_name=f"{name}.csv", mime="text/csv", key=f"{base}.csv", on_click="ignore")
    shape = (query.first, query.last, query.state, query.text, tuple(sorted(query.equals.items())))
    ready = st.session_state.get(f"{base}.xlsx_data")
    if ready and ready[0] == shape:
        right.download_button(t("export.xlsx"), ready[1], file_name=f"{name}.xlsx", key=f"{base}.xlsx",
                              on_click="ignore",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif right.button(t("registers.prepare_xlsx"), key=f"{base}.prepare"):
        def build() -> None:
            data = R.export_xlsx(engine, actor=user, register=rdef.key, query=query, cap=R.EXCEL_CAP)
            st.session_state[f"{base}.xlsx_data"] = (shape, data)

        if run_action(build):
            st.rerun()


# -- one entry ------------------------------------------------------------------------------------------

def _detail(engine, user: Actor, rdef: RegisterDef, entry_id: int, zone) -> None:
    base = f"rg.{rdef.key}"
    detail = None
    linked = st.session_state.get(LINKED) == (rdef.key, entry_id)

    def load() -> None:
        nonlocal detail
        detail = R.get_entry(engine, actor=user, register=rdef.key, entry_id=entry_id)

    if linked and link.fresh_link("registers"):  # an inbox link: gone or not this person's is the plain message (I8)
        try:
            load()
        except DomainError:
            link.not_found()
        except Exception as exc:  # R3/R12: no traceback
            st.error(fault_text(exc))
    elif not run_action(load):
        detail = None
    if detail is None:
        st.session_state.pop(f"{base}.open", None)
        if linked:
            st.session_state.pop(LINKED, None)
        return
    with link.mark(linked):
        _entry(engine, user, rdef, detail, zone)


def _entry(engine, user: Actor, rdef: RegisterDef, detail, zone) -> None:
    base = f"rg.{rdef.key}"
    e = detail.entry
    st.subheader(t("registers.entry_head", register=plain(register_title(rdef, t)), no=plain(e.no or "—"),
                   version=e.version))
    st.caption(t("registers.entry_state", state=t(f"registers.state.{e.state}"), keeper=plain(e.keeper),
                 created=plain(local_time(e.created_at, zone)),
                 locked=t("registers.locked_yes") if e.locked else t("registers.locked_no")))
    if e.step_title:
        st.info(t("registers.waiting_on", title=plain(e.step_title)))
    st.dataframe([{t("registers.col.field"): field_label(rdef, f, t),
                   t("registers.col.value"): str(_cell(rdef, f, e.values.get(f.key), e.names, zone))}
                  for f in rdef.fields if not (rdef.custom and f.derived and e.values.get(f.key) is None)],
                 width="stretch", hide_index=True)
    if e.superseded_by_id is not None:  # an earlier version, kept for the record (S60)
        st.info(t("registers.superseded"))
    if e.reason:
        st.caption(t("registers.correction_reason", reason=plain(e.reason)))
    with st.expander(t("registers.steps", count=len(detail.steps))):
        st.dataframe([{t("registers.col.at"): local_time(s.at, zone), t("registers.col.action"):
                       t(f"registers.action.{s.action}"), t("registers.col.title"): s.title,
                       t("registers.col.by"): s.actor_name, t("registers.col.note"): s.note} for s in detail.steps],
                     width="stretch", hide_index=True)
    if len(detail.versions) > 1:
        st.caption(t("registers.versions"))
        for version in detail.versions:
            label = t("registers.version_label", version=version.version, state=t(f"registers.state.{version.state}"))
            if st.button(label, key=f"{base}.v{version.id}", disabled=version.id == e.id):
                st.session_state[f"{base}.open"] = version.id
                st.rerun()
    if detail.may_act:
        _act(engine, user, rdef, e)
    if detail.may_submit:
        if st.button(t("registers.submit_again"), key=f"{base}.submit_{e.id}", type="primary"):
            if run_action(lambda: R.submit_entry(engine, actor=user, register=rdef.key, entry_id=e.id),
                          "registers.submitted"):
                st.rerun()
    if detail.may_edit:
        _edit_form(engine, user, rdef, e, detail.may_edit, zone)
    if detail.may_correct:
        _correct_form(engine, user, rdef, e, zone)


def _act(engine, user: Actor, rdef: RegisterDef, e) -> None:
    base = f"rg.{rdef.key}.act_{e.id}"
    note = st.text_input(t("registers.note_or_reason"), key=f"{base}.note", max_chars=500)
    left, right, _ = st.columns([1, 1, 3])
    if left.button(t("registers.approve"), key=f"{base}.approve", type="primary"):
        if run_action(lambda: R.approve_entry(engine, actor=user, register=rdef.key, entry_id=e.id, note=note,
                                              step_no=e.step_no)):
            flash("registers.approved")
            st.rerun()
    if right.button(t("registers.reject"), key=f"{base}.reject"):
        if run_action(lambda: R.reject_entry(engine, actor=user, register=rdef.key, entry_id=e.id, reason=note,
                                             step_no=e.step_no)):
            flash("registers.rejected")
            st.rerun()


def _edit_form(engine, user: Actor, rdef: RegisterDef, e, names: tuple[str, ...], zone) -> None:
    form = f"edit{e.id}"
    fields = tuple(f for f in rdef.typed_fields if f.key in names)
    error_slot = f"rg.{rdef.key}.{form}_error"

    def save() -> None:
        R.edit_entry(engine, actor=user, register=rdef.key, entry_id=e.id, values=_read(rdef, form, fields, zone))
        _forget(rdef, form, fields)

    with st.expander(t("registers.edit"), expanded=e.state != "draft"):
        with st.form(f"rg.{rdef.key}.{form}_form"):
            for f in fields:
                _widget(engine, rdef, f, form, user, zone, st, value=e.values.get(f.key))
            st.form_submit_button(t("registers.save"), on_click=_callback(
                rdef, save, success_key="registers.saved", error_slot=error_slot))
        show_form_error(error_slot)


def _correct_form(engine, user: Actor, rdef: RegisterDef, e, zone) -> None:
    form = f"correct{e.id}"
    fields = rdef.typed_fields
    error_slot = f"rg.{rdef.key}.{form}_error"
    reason_key = f"rg.{rdef.key}.{form}.reason"

    def save() -> None:
        new_id = R.correct_entry(engine, actor=user, register=rdef.key, entry_id=e.id,
                                 values=_read(rdef, form, fields, zone), reason=st.session_state.get(reason_key, ""))
        _forget(rdef, form, fields)
        st.session_state[f"rg.{rdef.key}.open"] = new_id

    with st.expander(t("registers.correct")):
        with st.form(f"rg.{rdef.key}.{form}_form"):
            for f in fields:
                _widget(engine, rdef, f, form, user, zone, st, value=e.values.get(f.key))
            st.text_input(t("registers.correction_reason_label") + " *", key=reason_key, max_chars=500)
            st.form_submit_button(t("registers.save_correction"), on_click=_callback(
                rdef, save, success_key="registers.corrected", error_slot=error_slot))
        show_form_error(error_slot)


def _awaiting(engine, user: Actor, rdef: RegisterDef, zone) -> None:
    """Entries waiting on a title the user holds: opened from here to approve or reject."""
    if not rdef.has_chain or not user.titles:
        return
    rows = ()

    def load() -> None:
        nonlocal rows
        rows = R.awaiting(engine, actor=user, register=rdef.key)

    if not run_action(load) or not rows:
        return
    st.warning(t("registers.awaiting_you", count=len(rows)))
    for e in rows:
        title = e.values.get(rdef.title_field) if rdef.title_field else ""
        label = t("registers.open_entry", no=e.no or "—", keeper=plain(e.keeper), title=plain(str(title or "")[:40]))
        if st.button(label, key=f"rg.{rdef.key}.await_{e.id}"):
            st.session_state[f"rg.{rdef.key}.open"] = e.id
