"""House rules a machine can check: pure domain, guarded pages, complete catalogs, no stray UI text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from lib.i18n import LANGS, catalog
from lib.navigation import PAGES
from tests.sources import python_files

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))
UI_FILES = [ROOT / "Home.py", ROOT / "lib" / "ui.py", ROOT / "lib" / "auth.py", ROOT / "lib" / "first_run.py",
            *PAGE_FILES, *python_files(ROOT / "lib" / "views")]
FORBIDDEN = ("streamlit", "sqlmodel", "sqlalchemy")
CLOCK = re.compile(r"datetime\.now\(|date\.today\(|time\.time\(|utcnow\(")


@pytest.mark.parametrize("path", python_files(ROOT / "lib" / "domain"), ids=lambda p: str(p.relative_to(ROOT / "lib" / "domain")))
def test_domain_is_pure(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
    assert not CLOCK.search(path.read_text(encoding="utf-8")), f"{path.name} reads the clock"


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_every_page_starts_with_the_guard_and_is_registered(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    first_statement = next(n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom, ast.Expr)))
    assert "require_role(" in ast.unparse(first_statement), f"{path.name}: require_role must come first"
    assert f"pages/{path.name}" in {p.path for p in PAGES}, f"{path.name} is not in lib/navigation.py"
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 150, f"{path.name} is not thin"


def test_catalogs_have_the_same_keys_and_placeholders():
    zh, en = catalog("zh_CN"), catalog("en")
    assert set(zh) - set(en) == set(), "missing in en"
    assert set(en) - set(zh) == set(), "missing in zh_CN"
    placeholder = re.compile(r"{(\w+)}")
    for key in zh:
        assert set(placeholder.findall(zh[key])) == set(placeholder.findall(en[key])), key
    assert all(text.strip() for lang in LANGS for text in catalog(lang).values())


def _string_keys(tree: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


KEY_SHAPE = re.compile(r"^[a-z_0-9]+(\.[a-z_0-9]+)+$")


def test_every_literal_catalog_key_used_in_the_ui_exists():
    zh = catalog("zh_CN")
    missing = set()
    for path in UI_FILES + [ROOT / "lib" / "navigation.py"]:
        for text in _string_keys(ast.parse(path.read_text(encoding="utf-8"))):
            if KEY_SHAPE.match(text) and not text.startswith("pages.") and not text.endswith(".py") \
                    and text.split(".")[0] in {k.split(".")[0] for k in zh}:
                if text not in zh and not any(k.startswith(text + ".") for k in zh):
                    missing.add(f"{path.name}: {text}")
    assert not missing, sorted(missing)


TEXT_CALLS = {"title", "header", "subheader", "caption", "write", "markdown", "info", "warning", "error",
              "success", "button", "text_input", "text_area", "number_input", "selectbox", "multiselect",
              "checkbox", "radio", "date_input", "time_input", "form_submit_button", "download_button",
              "metric", "tabs", "expander", "page_link", "toast", "segmented_control", "spinner"}


def _bare_strings(node: ast.AST):
    """String constants that are the text itself: not keys inside a call (``t(...)``) or a subscript."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, (ast.BinOp, ast.JoinedStr, ast.FormattedValue, ast.IfExp)):
        for child in ast.iter_child_nodes(node):
            yield from _bare_strings(child)


def _literal_ui_text(path: Path) -> list[str]:
    """String literals with letters handed to a Streamlit text/label argument."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in TEXT_CALLS):
            continue
        if isinstance(node.func.value, ast.Name) and node.func.value.id in {"handle", "buffer", "writer"}:
            continue
        candidates = list(node.args[:1]) + [k.value for k in node.keywords if k.arg in {"label", "help", "placeholder"}]
        for arg in candidates:
            for sub in _bare_strings(arg):
                if re.search(r"[A-Za-z\u4e00-\u9fff]", sub.value) and not sub.value.endswith(".py"):
                    found.append(f"{path.name}:{sub.lineno}: {sub.value!r}")
    return found


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_show_no_literal_text_outside_the_catalog(path):
    assert _literal_ui_text(path) == []


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_page_names_do_not_shadow_importable_modules(path):
    """AppTest puts pages/ first on sys.path: pages/requests.py once hid the requests library."""
    import importlib.util
    import sys

    name = path.stem
    pages_dir = str(path.parent)
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if p not in ("", pages_dir, str(ROOT))]
    try:
        assert importlib.util.find_spec(name) is None, f"pages/{name}.py shadows the module {name!r}"
    finally:
        sys.path[:] = saved


MARKDOWN_CALLS = {"markdown", "write", "caption", "info", "success", "warning", "error", "title", "header",
                  "subheader", "toast"}
SAFE_CALLS = {"t", "plain"}
NOT_STREAMLIT = {"log", "logger", "logging", "handle", "buffer", "writer"}


def _safe(node: ast.AST) -> bool:
    """A catalog text ``t(...)`` or a value escaped by ``plain(...)``: the only ways into Markdown."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in SAFE_CALLS
    return False


def _formatting(node: ast.AST):
    """Every f-string, ``.format(...)`` or ``%`` expression in ``node`` that is not wholly safe."""
    if _safe(node):
        return
    if isinstance(node, ast.JoinedStr):
        if not all(_safe(v.value) for v in node.values if isinstance(v, ast.FormattedValue)):
            yield node
            return
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        if not all(_safe(a) for a in [*node.args, *(k.value for k in node.keywords)]):
            yield node
            return
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, (ast.Constant,
                                                                                                   ast.JoinedStr)):
        if not _safe(node.right):
            yield node
            return
    for child in ast.iter_child_nodes(node):
        yield from _formatting(child)


def _markdown_offenders(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in MARKDOWN_CALLS):
            continue
        receiver = node.func.value
        if isinstance(receiver, ast.Name) and receiver.id in NOT_STREAMLIT:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords if k.arg in {"body", "label"})]:
            for bad in _formatting(arg):
                found.append(f"{path.relative_to(ROOT)}:{bad.lineno}: st.{node.func.attr}({ast.unparse(bad)[:80]})")
    return found


MARKDOWN_FILES = [*UI_FILES, *python_files(ROOT / "lib" / "views")]


@pytest.mark.parametrize("path", sorted(set(MARKDOWN_FILES)), ids=lambda p: str(p.relative_to(ROOT)))
def test_T19_user_values_reach_markdown_only_through_plain(path):
    """T19: an f-string, ``.format`` or ``%`` handed to a Markdown element must build from ``t(...)`` and
    ``plain(...)`` only; otherwise a visitor named ``http://x`` becomes a link and a draw result loses its "1."."""
    offenders = _markdown_offenders(path)
    assert offenders == [], "user values into Markdown without lib.ui.plain:\n" + "\n".join(offenders)


# ARCH1 (issue 14 "the house first"): the layers import downwards only. ``db/`` (models, engine, migrations) sits
# under the services: the demo loader that once lived in db/ and called services now lives in lib/demo. The domain
# is pure (above) and also never reaches the services, the database layer or the pages.
DB_MAY_NOT = ("lib.services", "lib.demo", "lib.views", "lib.ui", "pages", "streamlit")
DOMAIN_MAY_NOT = ("lib.services", "lib.demo", "lib.views", "lib.ui", "db", "pages", "streamlit")


def _imported_modules(source: str, module: str) -> set[str]:
    """Every module ``source`` imports, anywhere (a late import inside a function counts), relative ones
    resolved against ``module`` (``db.models`` importing ``.types`` is ``db.types``)."""
    found: set[str] = set()
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}  # ``from lib import services``
    return found


def _offending(modules: set[str], forbidden: tuple[str, ...]) -> set[str]:
    return {m for m in modules for f in forbidden if m == f or m.startswith(f + ".")}


def test_ARCH1_the_import_checker_sees_late_relative_and_package_imports():
    """ARCH1: the checker below is not blind: a late import, a ``from lib import services`` and a relative
    import out of the domain are all caught."""
    source = ("def f():\n    from lib.services import registers\n"
              "from lib import demo\nfrom ...services.tickets import read\nimport streamlit as st\n")
    assert _offending(_imported_modules(source, "lib.domain.registers.seals"), DOMAIN_MAY_NOT) == {
        "lib.services", "lib.services.registers", "lib.demo", "lib.services.tickets",
        "lib.services.tickets.read", "streamlit"}
    assert _offending(_imported_modules("from lib.domain.errors import DomainError\n", "db.models"),
                      DB_MAY_NOT) == set()


@pytest.mark.parametrize("path", sorted((ROOT / "db").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_ARCH1_db_imports_nothing_from_services_demo_views_or_pages(path):
    """ARCH1: ``db/`` (models, engine, DDL, every migration) imports no service, demo, view, page or Streamlit
    module: the database layer is below all of them."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    assert _offending(_imported_modules(path.read_text(encoding="utf-8"), module), DB_MAY_NOT) == set()


@pytest.mark.parametrize("path", python_files(ROOT / "lib" / "domain"),
                         ids=lambda p: str(p.relative_to(ROOT / "lib" / "domain")))
def test_ARCH1_domain_imports_nothing_from_services_db_or_streamlit(path):
    """ARCH1: ``lib/domain`` imports no service, no ``db`` module, no view, page or Streamlit: its rules take
    plain data and the services hand them what they need (lookups, settings, the clock)."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    assert _offending(_imported_modules(path.read_text(encoding="utf-8"), module), DOMAIN_MAY_NOT) == set()
