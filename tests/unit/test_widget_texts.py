"""Every multiselect speaks Chinese when empty: Streamlit's own placeholder is the English "Choose options".

Seen on 登记簿定义 (an empty 审批链 read "Choose options" on a Chinese page): every ``multiselect`` call passes a
``placeholder`` from the catalog.
"""

from __future__ import annotations

import ast

from tests.sources import ROOT, python_files


def lines_without_placeholder(source: str) -> list[int]:
    """The lines of ``multiselect(...)`` calls in ``source`` that pass no ``placeholder`` (nor ``**kwargs``)."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "multiselect"
            and not any(k.arg in ("placeholder", None) for k in node.keywords)]


def test_every_multiselect_has_a_catalog_placeholder_not_streamlits_english_one():
    missing = [f"{path.relative_to(ROOT)}:{line}"
               for path in [*python_files(ROOT / "lib"), *python_files(ROOT / "pages"), ROOT / "Home.py"]
               for line in lines_without_placeholder(path.read_text(encoding="utf-8"))]
    assert missing == []


def test_the_scan_reports_a_call_without_a_placeholder_and_passes_one_with_it():
    source = "a = st.multiselect('x', [1])\nb = c.multiselect('y', [2], placeholder=t('ui.choose_many'))\n"
    assert lines_without_placeholder(source) == [1]
