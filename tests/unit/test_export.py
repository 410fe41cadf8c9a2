"""Exports open safely in Excel: formulas neutralised, Chinese kept (CSV with BOM)."""

import datetime as dt
import io

from openpyxl import load_workbook

from lib.export import neutralise, to_csv, to_xlsx

ROWS = [["=HYPERLINK(\"http://x\")", "+86 138", "-1+2", "@SUM(A1)", "\tx", "张三", 3,
         dt.datetime(2026, 11, 20, 10, 0)]]
HEADERS = ["a", "b", "c", "d", "e", "姓名", "n", "t"]


def test_formula_triggers_are_prefixed():
    assert [neutralise(v) for v in ROWS[0][:6]] == ["'=HYPERLINK(\"http://x\")", "'+86 138", "'-1+2", "'@SUM(A1)",
                                                    "'\tx", "张三"]
    assert neutralise(-5) == -5


def test_csv_has_bom_and_neutralised_cells():
    data = to_csv(HEADERS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "张三" in text and "2026-11-20 10:00" in text
    assert ",=" not in text


def test_xlsx_cells_are_text_not_formulas():
    workbook = load_workbook(io.BytesIO(to_xlsx(HEADERS, ROWS, sheet="访客")))
    sheet = workbook["访客"]
    assert [c.value for c in sheet[1]] == HEADERS
    values = [c.value for c in sheet[2]]
    assert values[0] == "'=HYPERLINK(\"http://x\")"
    assert all(c.data_type != "f" for c in sheet[2])
    assert values[5:7] == ["张三", 3]
