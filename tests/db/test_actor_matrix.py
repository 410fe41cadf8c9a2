"""R6: services check the actor, not only pages.

Every public write service (a function in ``lib/services`` with an ``actor`` keyword that opens a write
transaction, itself or through a helper) re-reads the acting user inside the call: a deactivated user is
refused and nothing is written, a role or title taken away counts at once, and ``add_note`` checks whose
ticket it is.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlmodel import SQLModel

from db.engine import session_scope
from db.models import User
from lib.domain.errors import NotAllowed
from lib.services import base
from lib.services.tickets import write as tickets
from lib.services.tickets.write import TicketForm
from tests.db.helpers import make_user
from tests.sources import module_name, python_files

SERVICES = Path(__file__).resolve().parents[2] / "lib" / "services"


def _is_write_scope(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "session_scope"
            and not any(k.arg == "write" and isinstance(k.value, ast.Constant) and k.value.value is False
                        for k in node.keywords))


def _imported_service_modules(tree: ast.Module) -> dict[str, str]:
    """Local name -> service module key for ``from lib.services[.pkg] import module [as name]``."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lib.services"):
            package = node.module.removeprefix("lib.services").lstrip(".")
            for alias in node.names:
                names[alias.asname or alias.name] = f"{package}.{alias.name}" if package else alias.name
    return names


def write_services() -> list[tuple[str, str]]:
    """Public functions taking ``engine`` and an ``actor`` that open a write transaction, directly or
    through any function of lib/services they call (found by reading the source, not by a list)."""
    trees = {module_name(p).removeprefix("lib.services."): ast.parse(p.read_text(encoding="utf-8"))
             for p in python_files(SERVICES)}
    funcs = {(m, n.name): n for m, t in trees.items() for n in t.body if isinstance(n, ast.FunctionDef)}
    calls = {}
    for (module, name), node in funcs.items():
        imported = _imported_service_modules(trees[module])
        found = set()
        for c in ast.walk(node):
            if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and (module, c.func.id) in funcs:
                found.add((module, c.func.id))
            if (isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name)
                    and (imported.get(c.func.value.id), c.func.attr) in funcs):
                found.add((imported[c.func.value.id], c.func.attr))
        calls[(module, name)] = found
    writing = {k for k, n in funcs.items() if any(_is_write_scope(c) for c in ast.walk(n))}
    grew = True
    while grew:
        grew = False
        for key in funcs:
            if key not in writing and calls[key] & writing:
                writing.add(key)
                grew = True
    result = []
    for module, name in sorted(writing):
        node = funcs[(module, name)]
        params = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
        if not name.startswith("_") and params and params[0] == "engine" and "actor" in params:
            result.append((module, name))
    return result


WRITERS = write_services()


def service(module: str, name: str):
    return getattr(importlib.import_module(f"lib.services.{module}"), name)


def dummy_call(fn, engine, actor):
    """Call with the actor and a placeholder for every other required argument: the actor check comes first."""
    params = inspect.signature(inspect.unwrap(fn)).parameters
    kwargs = {n: None for n, p in params.items()
              if n not in ("engine", "actor") and p.default is inspect.Parameter.empty}
    return fn(engine, actor=actor, **kwargs)


def row_counts(engine) -> dict[str, int]:
    with session_scope(engine, write=False) as session:
        return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                for t in SQLModel.metadata.sorted_tables}


def deactivate(engine, actor) -> None:
    with session_scope(engine) as session:
        session.execute(update(User).where(User.id == actor.id).values(active=False))


def test_R6_the_write_services_are_found_and_every_one_rechecks_the_actor():
    assert len(WRITERS) >= 80, WRITERS  # the scan finds them (85 when this was written)
    assert ("tickets.write", "add_note") in WRITERS and ("accounts", "set_active") in WRITERS
    unchecked = [f"{m}.{n}" for m, n in WRITERS if not getattr(service(m, n), "checks_actor", False)]
    assert unchecked == [], f"write services without @acting: {unchecked}"


def test_R6_every_write_service_refuses_a_deactivated_user_and_writes_nothing(engine):
    admin = make_user(engine, username="gone", role="admin",
                      titles=["客服部经理", "部门经理", "总经理", "值班经理", "销售经理"])
    deactivate(engine, admin)
    before = row_counts(engine)
    wrong = []
    for module, name in WRITERS:
        try:
            dummy_call(service(module, name), engine, admin)
            wrong.append(f"{module}.{name}: accepted")
        except NotAllowed as exc:
            if exc.key != "auth.inactive":
                wrong.append(f"{module}.{name}: {exc.key}")
        except Exception as exc:  # noqa: BLE001 - listed, so the test says which service trusted the actor
            wrong.append(f"{module}.{name}: {type(exc).__name__}: {exc}")
    assert wrong == [], "\n".join(wrong)
    assert row_counts(engine) == before


def test_R6_a_user_removed_from_the_database_is_refused(engine):
    ghost = base.Actor(id=987654, username="ghost", name="ghost", role="admin")
    with pytest.raises(NotAllowed) as refused:
        tickets.log_ticket(engine, actor=ghost, form=TicketForm(type="complaint", phone="13900001111"))
    assert refused.value.key == "auth.inactive"


# What any signed-in account may do to itself, the wall's account included.
SELF_SERVICE = {("accounts", "change_own_password"), ("accounts", "set_language"), ("sessions", "logout_everywhere")}


def test_R6_the_display_account_writes_nothing(engine):
    wall = make_user(engine, username="wall", role="display")
    before = row_counts(engine)
    wrong = []
    for module, name in WRITERS:
        if (module, name) in SELF_SERVICE:
            continue
        try:
            dummy_call(service(module, name), engine, wall)
            wrong.append(f"{module}.{name}: accepted")
        except NotAllowed:
            pass
        except Exception as exc:  # noqa: BLE001
            wrong.append(f"{module}.{name}: {type(exc).__name__}")
    assert wrong == [], "\n".join(wrong)
    assert row_counts(engine) == before


def test_R6_a_role_taken_away_counts_even_if_the_page_still_holds_the_old_actor(engine):
    boss = make_user(engine, username="boss", role="supervisor", name="主管")
    staff = make_user(engine, username="s1", role="staff")
    ticket_id = tickets.log_ticket(engine, actor=staff, form=TicketForm(
        type="complaint", phone="13900001111", customer_name="李雷", problem="送货慢", category="trade_dispute",
        agent_no="017")).id
    with session_scope(engine) as session:
        session.execute(update(User).where(User.id == boss.id).values(role="staff"))
    with pytest.raises(NotAllowed) as refused:  # the page's Actor still says supervisor
        tickets.assign_ticket(engine, actor=boss, ticket_id=ticket_id, assignee_id=staff.id, reason="调整")
    assert refused.value.key == "auth.forbidden"


def test_R6_a_change_landing_inside_the_call_is_refused_in_the_write_transaction(engine):
    staff = make_user(engine, username="s1", role="staff", titles=["客服专员"])
    token = base._ACTING.set(staff)
    try:
        with session_scope(engine) as session:
            session.execute(update(User).where(User.id == staff.id).values(titles=[]))
        with pytest.raises(NotAllowed) as refused, session_scope(engine) as session:
            session.execute(select(func.count()).select_from(User))
    finally:
        base._ACTING.reset(token)
    assert refused.value.key == "auth.changed"


@pytest.fixture
def desk(engine):
    found = {
        "owner": make_user(engine, username="owner", role="staff", name="经办人"),
        "mate": make_user(engine, username="mate", role="staff", name="同组"),
        "other": make_user(engine, username="other", role="staff", name="销售", titles=["销售顾问"]),
        "cs": make_user(engine, username="cs", role="staff", name="客服", titles=["客服专员"]),
        "boss": make_user(engine, username="boss", role="supervisor", name="主管"),
    }
    with session_scope(engine) as session:
        from db.models import OrgUnit
        group = OrgUnit(kind="group", name="一组")
        session.add(group)
        session.flush()
        session.execute(update(User).where(User.id.in_([found["owner"].id, found["mate"].id]))
                        .values(group_id=group.id))
    found = {k: _reload(engine, v) for k, v in found.items()}
    form = TicketForm(type="complaint", phone="13900001111", customer_name="李雷", address="上海市浦东新区张江路100号",
                      problem="送货慢", category="trade_dispute", agent_no="017")
    found["ticket"] = tickets.log_ticket(engine, actor=found["cs"], form=form).id
    tickets.assign_ticket(engine, actor=found["boss"], ticket_id=found["ticket"], assignee_id=found["owner"].id,
                          reason="分派")
    return found


def _reload(engine, actor):
    from lib.services import accounts
    return accounts.load_actor(engine, actor.username)


def test_R6_staff_without_a_cs_title_cannot_note_someone_elses_ticket(engine, desk):
    with pytest.raises(NotAllowed) as refused:
        tickets.add_note(engine, actor=desk["other"], ticket_id=desk["ticket"], note="我来补一句")
    assert refused.value.key == "tickets.error.note_not_yours"
    for who in ("owner", "mate", "cs", "boss"):
        tickets.add_note(engine, actor=desk[who], ticket_id=desk["ticket"], note=f"{who} 的备注")


def test_R6_staff_cannot_approve_or_assign(engine, desk):
    with pytest.raises(NotAllowed):
        tickets.assign_ticket(engine, actor=desk["other"], ticket_id=desk["ticket"], assignee_id=desk["other"].id,
                              reason="我自己来")


APPROVALS = [("roster", "decide_swap"), ("roster", "decide_absence"), ("ledger", "decide_entry"),
             ("kpi.rankings", "decide_demotion"), ("kpi.warning_cases", "decide_case"),
             ("tickets.write", "assign_ticket"), ("settings", "change_setting"), ("accounts", "set_active")]


@pytest.mark.parametrize("module,name", APPROVALS)
def test_R6_staff_cannot_approve(engine, module, name):
    staff = make_user(engine, username="plain", role="staff", titles=["销售顾问"])
    before = row_counts(engine)
    with pytest.raises(NotAllowed):
        dummy_call(service(module, name), engine, staff)
    assert row_counts(engine) == before
