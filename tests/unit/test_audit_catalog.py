"""T15: the audit log reads in the user's language, so every entity and action a service writes has a label."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lib.domain import reception
from lib.domain.complaints import model as complaint_model
from lib.domain.roster import rules as roster
from lib.domain.roster import requests as roster_requests
from lib.domain.rotation import rules as rotation
from lib.i18n import LANGS, catalog

ROOT = Path(__file__).resolve().parents[2]
SERVICE_FILES = sorted((ROOT / "lib" / "services").rglob("*.py"))

# Values a service writes through a variable: "file:expression" -> the values it can take. A new variable
# action fails the test below until it is listed here (and labelled in the catalog).
DYNAMIC = {
    "handover.py:action": ("acknowledge", "add_item", "check_in", "checklist", "close_item", "no_relief", "note",
                           "pause", "resume", "sign", "submit", "take", "refuse", "assign"),
    "roster.py:new.value": tuple(s.value for s in roster.RosterStatus),
    "roster.py:swap.status.value": tuple(s.value for s in roster_requests.SwapStatus),
    "roster.py:decided.status.value": tuple(s.value for s in roster_requests.AbsenceStatus),
    "roster.py:status": tuple(s.value for s in roster_requests.CheckInStatus),
    "kpi/rankings.py:source": ("import", "manual"),
    "link_tokens.py:entity": ("kpi_display_link", "visitor_kiosk"),
    "kpi/rankings.py:decision": ("confirmed", "waived"),
    "kpi/warning_cases.py:event": (),  # filled below from the service's own list
    "reception_desk.py:step.value": tuple(a.value for a in reception.Action),
    "tickets/write.py:action": tuple(a.value for a in complaint_model.Action),
    "rotation.py:event.type.value": tuple(e.value for e in rotation.EventType),
    "rotation.py:kind.value": tuple(m.value for m in rotation.DrawMethod),
    "visitors/register.py:action": ("register", "check_out"),
    "registers/write.py:action": ("submit", "approve", "reject"),
    "registers/write.py:effect.action": (),  # a register hook's Audit effect: label it when a hook adds one
}


def _key(path: Path) -> str:
    return path.relative_to(ROOT / "lib" / "services").as_posix()


def _dynamic(path: Path, expr: str) -> tuple[str, ...] | None:
    if _key(path) == "kpi/warning_cases.py" and expr == "event":
        from lib.services.kpi.warning_cases import EVENTS

        return tuple(EVENTS)
    return DYNAMIC.get(f"{_key(path)}:{expr}")


def _values(node: ast.AST, path: Path, unresolved: list[str]) -> set[str]:
    """The strings an ``entity=``/``action=`` expression can be: constants, both arms of ``a if c else b``,
    constant concatenations; variables through ``DYNAMIC``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body, path, unresolved) | _values(node.orelse, path, unresolved)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _values(node.left, path, unresolved), _values(node.right, path, unresolved)
        return {a + b for a in left for b in right}
    expr = ast.unparse(node)
    found = _dynamic(path, expr)
    if found is None:
        unresolved.append(f"{path.relative_to(ROOT)}:{node.lineno}: {expr}")
        return set()
    return set(found)


def written(kind: str) -> tuple[dict[str, list[str]], list[str]]:
    """Every ``kind`` ("entity" or "action") value passed to ``audit(...)`` in lib/services, with where."""
    seen: dict[str, list[str]] = {}
    unresolved: list[str] = []
    for path in SERVICE_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "audit"):
                continue
            for keyword in node.keywords:
                if keyword.arg == kind:
                    for value in _values(keyword.value, path, unresolved):
                        seen.setdefault(value, []).append(f"{path.name}:{node.lineno}")
    return seen, unresolved


@pytest.mark.parametrize("kind", ["entity", "action"])
def test_T15_every_audited_entity_and_action_has_a_label_in_both_languages(kind):
    seen, unresolved = written(kind)
    assert unresolved == [], f"audit {kind} from a variable: list its values in DYNAMIC:\n" + "\n".join(unresolved)
    assert len(seen) > 10
    for lang in LANGS:
        labels = catalog(lang)
        missing = {v: where for v, where in seen.items() if f"audit.{kind}.{v}" not in labels}
        assert missing == {}, f"{lang}: add audit.{kind}.<value> for " + ", ".join(
            f"{v} ({', '.join(w)})" for v, w in sorted(missing.items()))
