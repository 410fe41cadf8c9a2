"""Spreadsheet exports that are safe to open: Excel (openpyxl) and CSV (UTF-8 with BOM).

A cell that starts with ``= + - @`` (or a tab / carriage return) would run as a
formula in Excel; such text is prefixed with an apostrophe (OWASP CSV injection).
Control characters (NUL, escape ...) are removed from cells: openpyxl refuses them and
the download would fail (issue 12 R4); tabs and line breaks stay.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def neutralise(value: object) -> object:
    """Text loses its control characters, and text Excel would read as a formula gets a leading apostrophe."""
    if isinstance(value, str):
        value = _CONTROL.sub("", value)
        if value.startswith(_TRIGGERS):
            return "'" + value
    return value


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # already converted to office time by the caller
    if value is None:
        return ""
    return neutralise(value)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """CSV with a BOM so Excel on Windows shows Chinese; every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_text(_cell(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_cell(value: object) -> str:
    """One CSV cell as :func:`to_csv` writes it (for exports written a chunk at a time)."""
    return _text(_cell(value))


def _text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def to_xlsx(headers: Sequence[str], rows: Sequence[Sequence[object]], sheet: str = "Sheet1") -> bytes:
    """An .xlsx workbook with a bold header row and sensible column widths."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet[:31] or "Sheet1"
    ws.append([neutralise(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(_text(_cell(r[index - 1]))) for r in rows[:200]]) + 2
        ws.column_dimensions[get_column_letter(index)].width = min(max(width * 1.6, 8), 60)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
