"""Typed editors for settings (T15): the widget follows the setting's kind and the shape of its default,
so an admin never types JSON. The conversions between a value and editor rows are plain functions."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from lib.domain.access import SETTINGS as ACCESS_SETTINGS
from lib.domain.access import Area, Category, EscortRule
from lib.domain.menus import DEPARTMENT
from lib.domain.menus import KEY as JOB_PAGES_KEY
from lib.domain.menus import SLUGS as PAGE_SLUGS
from lib.navigation import PAGES
from lib.services.settings import MANAGED_TITLES, SettingRow
from lib.ui import t
from lib.services.limits import text_limit

MATRIX_KEY = ACCESS_SETTINGS[0].key  # the category × area matrix of lib/domain/access.py
MATRIX_CELL = ("allowed", "approvers", "escort", "pair")


def _empty(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def matrix_rows(matrix: dict) -> list[dict]:
    """One row per area × category of the access matrix, in the order of the enums (a missing cell is closed)."""
    rows = []
    for area in Area:
        for category in Category:
            cell = (matrix.get(area.value) or {}).get(category.value) or {}
            rows.append({"area": area.value, "category": category.value, "allowed": bool(cell.get("allowed", False)),
                         "approvers": list(cell.get("approvers") or []),
                         "escort": str(cell.get("escort", EscortRule.none.value)), "pair": bool(cell.get("pair", False))})
    return rows


def rows_matrix(rows: list[dict]) -> dict:
    """The access matrix back from the grid rows."""
    matrix: dict[str, dict[str, dict]] = {}
    for row in rows:
        approvers = row.get("approvers")
        matrix.setdefault(row["area"], {})[row["category"]] = {
            "allowed": bool(row.get("allowed")),
            "approvers": [str(a) for a in (approvers if isinstance(approvers, (list, tuple)) else []) if str(a).strip()],
            "escort": str(row.get("escort") or EscortRule.none.value), "pair": bool(row.get("pair"))}
    return matrix


def list_value(rows: list[dict], item_default: object) -> list:
    """A list of scalars from a one-column editor: blank rows dropped, numbers typed like the default's items."""
    out = []
    for row in rows:
        value = row.get("value")
        if _empty(value):
            continue
        if isinstance(item_default, int) and not isinstance(item_default, bool):
            value = int(value)
        elif isinstance(item_default, float):
            value = float(value)
        else:
            value = str(value).strip()
        out.append(value)
    return out


def records_value(rows: list[dict], item_default: dict) -> list[dict]:
    """A list of records from a table editor: empty rows dropped, each field typed like the default's."""
    out = []
    for row in rows:
        if all(_empty(row.get(f)) for f in item_default):
            continue
        record = {}
        for field, sample in item_default.items():
            value = row.get(field)
            if isinstance(sample, bool):
                value = bool(value)
            elif isinstance(sample, int) and not _empty(value):
                value = int(value)
            elif isinstance(sample, float) and not _empty(value):
                value = float(value)
            record[field] = None if _empty(value) else value
        out.append(record)
    return out


def date_values(rows: list[dict]) -> list[str]:
    """ISO dates from a date column; blanks dropped, repeats merged, in order."""
    found = set()
    for row in rows:
        value = row.get("date")
        if _empty(value):
            continue
        if isinstance(value, pd.Timestamp):
            value = value.date()
        found.add(value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value))
    return sorted(found)


def _records(frame) -> list[dict]:
    return frame.to_dict("records") if isinstance(frame, pd.DataFrame) else list(frame or [])


def value_editor(row: SettingRow, *, key: str, managed_titles: list[str],
                 departments: Mapping[int, str] | None = None) -> Any:
    """The widget for one setting's new value; returns the typed value to save. ``departments`` (org-unit id →
    name) are offered where a setting may name a department (the job menus, issue 15 M5)."""
    label = t("settings.new_value")
    value = row.value
    if row.kind == "bool":
        return st.toggle(label, value=bool(value), key=key)
    if row.kind == "int":
        return st.number_input(label, value=int(value), step=1, key=key, format="%d",
                               min_value=None if row.minimum is None else int(row.minimum),
                               max_value=None if row.maximum is None else int(row.maximum))
    if row.kind == "float":
        return st.number_input(label, value=float(value), key=key,
                               min_value=None if row.minimum is None else float(row.minimum),
                               max_value=None if row.maximum is None else float(row.maximum))
    if row.kind == "time":
        return st.time_input(label, value=value, step=60, key=key)
    if row.kind == "str":
        return st.text_input(label, value=str(value), max_chars=200, key=key)
    if row.kind == "titles":
        if row.key == MANAGED_TITLES:
            return _list_editor(label, list(value), "", key=key)
        held = list(value or [])
        return st.multiselect(label, [*managed_titles, *[x for x in held if x not in managed_titles]], default=held,
                              key=key, help=t("settings.titles_help"), placeholder=t("users.titles_placeholder"))
    return _json_editor(row, key=key, managed_titles=managed_titles, departments=departments or {})


def _list_editor(label: str, items: list, sample: object, *, key: str) -> list:
    numeric = isinstance(sample, (int, float)) and not isinstance(sample, bool)
    column = (st.column_config.NumberColumn(label, step=1 if isinstance(sample, int) else None) if numeric
              else st.column_config.TextColumn(label))
    series = pd.Series(items) if items else pd.Series([], dtype="float64" if numeric else "object")
    edited = st.data_editor(pd.DataFrame({"value": series}), num_rows="dynamic", hide_index=True, key=key,
                            column_config={"value": column})
    st.caption(t("settings.list_help"))
    return list_value(_records(edited), sample)


def _json_editor(row: SettingRow, *, key: str, managed_titles: list[str],
                 departments: Mapping[int, str] | None = None) -> Any:
    value, default = row.value, row.default
    if row.key == MATRIX_KEY:
        return _matrix_editor(value, key=key, managed_titles=managed_titles)
    if row.key == JOB_PAGES_KEY:
        return _job_pages_editor(value, key=key, managed_titles=managed_titles, departments=departments or {})
    if row.unit == "dates":
        dates = [dt.date.fromisoformat(str(d)) for d in (value or []) if _is_date(d)]
        edited = st.data_editor(pd.DataFrame({"date": pd.Series(dates, dtype="object")}), num_rows="dynamic",
                                hide_index=True, key=key,
                                column_config={"date": st.column_config.DateColumn(t("settings.date"),
                                                                                   format="YYYY-MM-DD")})
        st.caption(t("settings.list_help"))
        return date_values(_records(edited))
    if isinstance(default, list) and default and isinstance(default[0], dict):
        edited = st.data_editor(pd.DataFrame(value or [], columns=list(default[0])), num_rows="dynamic",
                                hide_index=True, key=key)
        st.caption(t("settings.list_help"))
        return records_value(_records(edited), default[0])
    if isinstance(default, list):
        return _list_editor(t("settings.new_value"), list(value or []), default[0] if default else "", key=key)
    if isinstance(default, dict):
        return _dict_editor(value or {}, default, key=key, managed_titles=managed_titles)
    st.json(value)
    return value


def _dict_editor(value: dict, default: dict, *, key: str, managed_titles: list[str]) -> dict:
    """One typed widget per field of a small record setting (numbers, switches, lists)."""
    out = {}
    columns = st.columns(min(3, max(1, len(default))))
    for i, (field, sample) in enumerate(default.items()):
        where, current, wkey = columns[i % len(columns)], value.get(field, sample), f"{key}.{field}"
        if isinstance(sample, bool):
            out[field] = where.toggle(field, value=bool(current), key=wkey)
        elif isinstance(sample, int):
            out[field] = int(where.number_input(field, value=int(current), step=1, format="%d", key=wkey))
        elif isinstance(sample, float):
            out[field] = float(where.number_input(field, value=float(current), key=wkey))
        elif isinstance(sample, list):
            options = [*(managed_titles if field == "titles" else []), *[x for x in current if x not in managed_titles]]
            out[field] = where.multiselect(field, options, default=list(current), key=wkey, accept_new_options=True,
                                           placeholder=t("ui.choose_many"))
        else:
            out[field] = where.text_input(field, value=str(current), key=wkey, max_chars=text_limit("setting_value.value"))
    return out


def _matrix_editor(value: dict, *, key: str, managed_titles: list[str]) -> dict:
    """The access matrix as a grid: one row per area × category, checkboxes for entry and pairs (T15)."""
    rows = matrix_rows(value or {})
    held = sorted({a for r in rows for a in r["approvers"]} - set(managed_titles))
    frame = pd.DataFrame([{**r, "area_label": t(f"access.area.{r['area']}"),
                           "category_label": t(f"access.category.{r['category']}")} for r in rows])
    escorts = [e.value for e in EscortRule]
    edited = st.data_editor(
        frame, hide_index=True, num_rows="fixed", key=key, disabled=["area_label", "category_label"],
        column_order=["area_label", "category_label", "allowed", "approvers", "escort", "pair"],
        column_config={
            "area_label": st.column_config.TextColumn(t("settings.matrix.area")),
            "category_label": st.column_config.TextColumn(t("settings.matrix.category")),
            "allowed": st.column_config.CheckboxColumn(t("settings.matrix.allowed")),
            "approvers": st.column_config.MultiselectColumn(t("settings.matrix.approvers"),
                                                            options=[*managed_titles, *held]),
            "escort": st.column_config.SelectboxColumn(t("settings.matrix.escort"), options=escorts, required=True,
                                                       format_func=lambda e: t(f"access.escort_rule.{e}")),
            "pair": st.column_config.CheckboxColumn(t("settings.matrix.pair"))})
    return rows_matrix(_records(edited))


def job_pages_value(rows: list[dict]) -> list[dict]:
    """The menu-by-job setting back from its grid: rows without titles dropped, pages each once, in order."""
    out = []
    for row in rows:
        titles = [str(x).strip() for x in (row.get("titles") if isinstance(row.get("titles"), (list, tuple)) else [])
                  if str(x).strip()]
        pages = row.get("pages") if isinstance(row.get("pages"), (list, tuple)) else []
        if titles:
            out.append({"titles": list(dict.fromkeys(titles)), "pages": list(dict.fromkeys(str(p) for p in pages))})
    return out


def _job_pages_editor(value: list, *, key: str, managed_titles: list[str],
                      departments: Mapping[int, str] | None = None) -> list[dict]:
    """Menus by job (issue 15): one row per group of titles and departments, the pages they see first picked by
    name. A department is stored ``dept:<org-unit id>`` (lib.domain.menus) and shown by its name (M5); a value
    already saved that is no longer offered (a title or a department since removed) is kept as it is."""
    names = {p.url_path: t(p.title_key) for p in PAGES}
    units = {f"{DEPARTMENT}{unit_id}": t("settings.job_pages.dept", name=name)
             for unit_id, name in (departments or {}).items()}
    rows = [{"titles": list(r.get("titles") or []), "pages": list(r.get("pages") or [])} for r in value or []]
    held = sorted({x for r in rows for x in r["titles"]} - set(managed_titles) - set(units))
    edited = st.data_editor(
        pd.DataFrame(rows, columns=["titles", "pages"]), num_rows="dynamic", hide_index=True, key=key,
        column_config={
            "titles": st.column_config.MultiselectColumn(t("settings.job_pages.titles"),
                                                         options=[*managed_titles, *units, *held],
                                                         format_func=lambda x: units.get(x, x)),
            "pages": st.column_config.MultiselectColumn(t("settings.job_pages.pages"), options=list(PAGE_SLUGS),
                                                        format_func=lambda s: names.get(s, s))})
    st.caption(t("settings.job_pages.help"))
    if units:
        st.caption(t("settings.job_pages.dept_help"))
    return job_pages_value(_records(edited))


def _is_date(value: object) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def display_value(value: object) -> str:
    """A setting's value as people read it in the table (T15): times as HH:MM, yes/no, lists joined with 、,
    the access matrix and other nested values summarised, never raw JSON."""
    if isinstance(value, bool):
        return t("common.yes") if value else t("common.no")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (list, tuple)):
        if all(isinstance(item, (str, int, float)) for item in value):
            return "、".join(str(item) for item in value) if value else t("settings.empty_list")
        return t("settings.nested", count=len(value))
    if isinstance(value, dict):
        flat = all(isinstance(item, (str, int, float, bool)) for item in value.values())
        if flat:
            return "；".join(f"{k}={display_value(v)}" for k, v in value.items())
        return t("settings.nested", count=len(value))
    return "" if value is None else str(value)
