"""Text within its column, the same rule for every field (issue 12 R4)."""

import ast
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import SQLModel

from lib.domain.errors import FieldError
from lib.domain.text import optional_text, required_text
from lib.export import neutralise, to_csv, to_xlsx
from lib.services.base import fit_entity_id
from lib.services.limits import column_max, field_for
from tests.sources import python_files

ROOT = Path(__file__).resolve().parents[2]
WIDGETS = {"text_input", "text_area"}


@pytest.mark.parametrize("bad", ["a\x00b", "\x1b[31m", "x\x7f", "a\u202eb", "a\u200bb", "\ufeffa", "a\x85b"])
def test_R4_control_characters_are_refused_naming_the_field(bad):
    errors: list[FieldError] = []
    value = required_text("visitor_name", bad, 50, errors)
    assert errors == [FieldError("visitor_name", "field.control_chars")]
    assert value == bad.strip(), "nothing is silently removed"


def test_R4_line_breaks_and_tabs_only_in_long_text():
    errors: list[FieldError] = []
    optional_text("company", "a\nb", 100, errors)
    optional_text("note", "第一行\r\n第二行\t完", 500, errors)
    assert errors == [FieldError("company", "field.control_chars")]
    errors.clear()
    assert optional_text("note", "a\r\nb", 500, errors) == "a\nb" and not errors


def test_R4_too_long_names_the_field_and_keeps_the_text():
    errors: list[FieldError] = []
    value = required_text("showroom_customer_name", "张" * 51, 50, errors)
    assert errors == [FieldError("showroom_customer_name", "field.too_long", {"max": 50})]
    assert value == "张" * 51


def test_R4_xlsx_and_csv_export_with_control_characters_download():
    rows = [["客户\x00甲", "\x07=1+1", "a\tb\nc", "ok"]]
    book = load_workbook(io.BytesIO(to_xlsx(["a", "b", "c", "d"], rows)))
    values = [c.value for c in book.active[2]]
    assert values == ["客户甲", "'=1+1", "a\tb\nc", "ok"]
    assert "\x00" not in to_csv(["a"], [["x\x00y"]]).decode("utf-8-sig")
    assert neutralise("\x00@SUM(A1)") == "'@SUM(A1)"


def test_R4_audit_entity_id_fits_its_column_and_stays_unique():
    size = SQLModel.metadata.tables["audit_event"].c.entity_id.type.length
    long_a = "escalation.uncooperative_department_title"
    long_b = "escalation.uncooperative_department_titles"
    assert len(fit_entity_id(long_a)) <= size and len(fit_entity_id(long_b)) <= size
    assert fit_entity_id(long_a) != fit_entity_id(long_b)
    assert fit_entity_id(long_a).startswith("escalation.uncooperative")
    assert fit_entity_id(17) == "17" and fit_entity_id(None) == ""


def test_R4_every_string_column_declares_its_length():
    text = [(t.name, c) for t in SQLModel.metadata.tables.values() for c in t.columns
            if isinstance(c.type, sa.String) or isinstance(getattr(c.type, "impl", None), sa.String)]
    assert len(text) > 150
    assert [(name, c.name) for name, c in text if not getattr(c.type, "length", None)] == []
    assert column_max("visitor_entry.name") == SQLModel.metadata.tables["visitor_entry"].c.name.type.length
    assert field_for("customer_enquiry", "question") == "enquiry_question"
    assert field_for("handover_log", "text") == "handover_log_text"


def _text_widgets(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WIDGETS:
            yield node


SOURCES = sorted((ROOT / "pages").glob("*.py")) + python_files(ROOT / "lib" / "views") + [ROOT / "lib/ui.py"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_R4_every_text_widget_shows_its_limit(path):
    """Every st.text_input / st.text_area passes max_chars (read from the column via column_max)."""
    missing = [f"{path.relative_to(ROOT)}:{node.lineno}" for node in _text_widgets(path)
               if not any(k.arg == "max_chars" for k in node.keywords)]
    assert missing == []


def test_R4_the_widget_walker_finds_widgets():
    assert sum(1 for p in SOURCES for _ in _text_widgets(p)) > 80


def test_R4_limits_written_as_numbers_match_their_columns():
    """Where a pure rule or a service names a limit as a number, it is the column's length (one truth)."""
    from lib.domain import visitors as rules
    from lib.services import link_tokens
    from lib.services.showroom import write as showroom
    from lib.services.tickets import write as tickets

    pairs = {
        "visitor_entry.name": rules.NAME_MAX, "visitor_entry.purpose": rules.PURPOSE_MAX,
        "visitor_entry.company": rules.COMPANY_MAX, "visitor_entry.note": rules.NOTE_MAX,
        "phone_message.matter": rules.MATTER_MAX, "phone_message.related": rules.MATTER_MAX,
        "visitor_sign_in.host_text": rules.HOST_TEXT_MAX, "visitor_kiosk.label": link_tokens.LABEL_MAX,
        "visitor_kiosk.revoke_reason": link_tokens.REASON_MAX, "showroom_contact.details": showroom.DETAILS_MAX,
        **{f"ticket.{name}": n for name, n in tickets._TEXT_LIMITS.items() if name != "received_reason"},
        "audit_event.reason": tickets._TEXT_LIMITS["received_reason"],
    }
    assert {name: column_max(name) for name in pairs} == pairs


LABEL_CALLS = {"checkbox", "toggle", "expander", "radio", "button", "popover", "form_submit_button", "tabs",
               "selectbox", "multiselect", "text_input", "text_area", "number_input"}


def _label_offenders(path: Path) -> list[str]:
    """A label is Markdown: a row's attribute (``entry.text``) or an f-string of one may not be the label."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LABEL_CALLS
                and node.args):
            continue
        label = node.args[0]
        risky = [label] if isinstance(label, (ast.Attribute, ast.Subscript)) else [
            v.value for v in getattr(label, "values", []) if isinstance(v, ast.FormattedValue)
            and isinstance(v.value, (ast.Attribute, ast.Subscript))]
        found += [f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(r)}" for r in risky]
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_R5_no_widget_label_is_a_raw_user_value(path):
    """R5: widget and expander labels render Markdown; a typed value goes through plain() first."""
    assert _label_offenders(path) == []
