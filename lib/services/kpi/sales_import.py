"""Monthly sales from Excel (SPEC 4.1): a downloadable template and an all-or-nothing import.

Every row is checked first; if any row is wrong nothing is written and the manager gets
one line per problem (row number, column, what to fix). Rows whose units cell is blank
are skipped, so the template can be returned half filled.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from db.engine import session_scope
from lib import export
from lib.domain.errors import Conflict, DomainError, FieldError
from lib.domain.kpi import month_start
from lib.domain.text import clean
from lib.i18n import translate
from lib.services.base import SUPERVISORS, Actor, acting, require, utcnow
from lib.services.kpi.rankings import check_units, consultants_in, write_units
from lib.services.kpi.common import Person, active_people, office_today

COLUMNS = ("month", "staff_no", "name", "units")
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})?\s*日?)?\s*$")


@dataclass(frozen=True)
class RowError:
    """One problem of the file: its row number (1 = header), the column and the catalog message."""

    row: int
    column: str
    key: str
    params: dict


class ImportRejected(DomainError):
    """The file had problems; nothing was written. ``errors`` lists each."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("kpi.import.rejected", count=len(errors))
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    rows: int
    changed: int
    months: tuple[dt.date, ...]


def header(column: str, lang: str) -> str:
    return translate(f"kpi.import.col.{column}", lang)


def sales_template(engine: Engine, *, actor: Actor, month: dt.date) -> bytes:
    """The import template: one row per consultant with the month filled in and the units left blank."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        people = consultants_in(session)
    label = month_start(month).strftime("%Y-%m")
    return export.to_xlsx([header(c, actor.lang) for c in COLUMNS],
                          [[label, p.staff_no, p.name, None] for p in people], sheet=label)


def _month(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(str(value or ""))
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1) if 1 <= month <= 12 else None


def _columns(first_row: tuple) -> dict[str, int] | None:
    """Column positions from the header row, in Chinese or English."""
    wanted = {translate(f"kpi.import.col.{c}", lang): c for c in COLUMNS for lang in ("zh_CN", "en")}
    found = {}
    for index, cell in enumerate(first_row):
        column = wanted.get(clean(cell))
        if column and column not in found:
            found[column] = index
    return found if {"month", "units"} <= set(found) and ({"staff_no", "name"} & set(found)) else None


def _who(staff_no: str, name: str, by_no: dict[str, Person], by_name: dict[str, list[Person]],
         row: int, errors: list[RowError]) -> Person | None:
    person = None
    if staff_no:
        person = by_no.get(staff_no)
        if person is None:
            errors.append(RowError(row, "staff_no", "kpi.import.unknown_staff_no", {"value": staff_no}))
            return None
        if name and person.name != name:
            errors.append(RowError(row, "name", "kpi.import.name_mismatch", {"value": name, "expected": person.name}))
            return None
        return person
    if not name:
        errors.append(RowError(row, "staff_no", "kpi.import.who_required", {}))
        return None
    matches = by_name.get(name, [])
    if len(matches) != 1:
        key = "kpi.import.unknown_name" if not matches else "kpi.import.ambiguous_name"
        errors.append(RowError(row, "name", key, {"value": name}))
        return None
    return matches[0]


def read_sales(content: bytes, people: list[Person], this_month: dt.date) -> tuple[dict, list[RowError], int]:
    """Parse and check the workbook: ``({(month, person_id): units}, errors, rows read)``."""
    if not content or len(content) > MAX_BYTES:
        return {}, [RowError(0, "", "kpi.import.bad_file", {})], 0
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2))
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same clear message
        return {}, [RowError(0, "", "kpi.import.bad_file", {})], 0
    columns = _columns(rows[0]) if rows else None
    if columns is None:
        return {}, [RowError(1, "", "kpi.import.bad_header", {})], 0
    if len(rows) > MAX_ROWS + 1:
        return {}, [RowError(MAX_ROWS + 2, "", "kpi.import.too_many_rows", {"max": MAX_ROWS})], 0
    by_no = {p.staff_no: p for p in people if p.staff_no}
    by_name: dict[str, list[Person]] = {}
    for p in people:
        by_name.setdefault(p.name, []).append(p)
    figures, errors, seen = {}, [], {}
    read = 0

    def cell(values: tuple, column: str) -> object:
        index = columns.get(column)
        return values[index] if index is not None and index < len(values) else None

    for number, values in enumerate(rows[1:], start=2):
        if all(v in (None, "") for v in values):
            continue
        units_cell = cell(values, "units")
        if units_cell in (None, ""):
            continue
        read += 1
        before = len(errors)
        month = _month(cell(values, "month"))
        if month is None:
            errors.append(RowError(number, "month", "kpi.import.bad_month", {"value": clean(cell(values, "month"))}))
        elif month > this_month:
            errors.append(RowError(number, "month", "kpi.month_in_future", {}))
        person = _who(clean(cell(values, "staff_no")), clean(cell(values, "name")), by_no, by_name, number, errors)
        field_errors: list[FieldError] = []
        units = check_units(units_cell, "units", field_errors)
        errors.extend(RowError(number, "units", e.key, e.params) for e in field_errors)
        if len(errors) > before or person is None or month is None:
            continue
        if (month, person.id) in seen:
            errors.append(RowError(number, "staff_no", "kpi.import.duplicate", {"row": seen[(month, person.id)]}))
            continue
        seen[(month, person.id)] = number
        figures[(month, person.id)] = units
    if not errors and not figures:
        errors.append(RowError(0, "units", "kpi.import.empty", {}))
    return figures, errors, read


@acting
def import_sales(engine: Engine, *, actor: Actor, content: bytes, now: dt.datetime | None = None) -> ImportResult:
    """All or nothing: every row is checked, and only a file without problems is written (audited per month)."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    try:
        with session_scope(engine) as session:
            this_month = month_start(office_today(session, now))
            figures, errors, read = read_sales(content, active_people(session), this_month)
            if errors:
                raise ImportRejected(errors)
            changed = write_units(session, actor=actor, figures=figures, source="import", now=now)
            return ImportResult(read, changed, tuple(sorted({m for m, _ in figures})))
    except IntegrityError as exc:
        raise Conflict("kpi.sales_changed") from exc
