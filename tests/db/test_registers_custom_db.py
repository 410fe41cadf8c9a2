"""Registers an admin makes without code (issue 14 low-code) against SQLite and PostgreSQL: RG-custom-1..8.

A definition is checked whole and versioned (append-only); its entries live in ``reg_custom_entry`` and go through
the same steps (S59), locks, versions, audit, lists and exports as a code register."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from db.engine import session_scope
from db.models import AuditEvent
from db.models_registers import CUSTOM_ENTRY, RegisterStep
from lib.domain.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from lib.services import registers as R
from lib.services.registers import custom as RC
from tests.db.helpers import race
from tests.db.test_registers_db import NOW, _dept, person

DAY = NOW.date()
NEWSPAPER = [
    {"key": "paper", "label": "报纸名称", "type": "text", "required": True},
    {"key": "copies", "label": "份数", "type": "int", "required": True},
    {"key": "kind", "label": "类别", "type": "choice", "choices": "日报、晚报"},
    {"key": "note", "label": "备注", "type": "long_text"},
]


def at(hours: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


@pytest.fixture
def office(engine):
    unit = _dept(engine, "综合部")
    people = {
        "admin": person(engine, "admin1", role="admin"),
        "clerk": person(engine, "clerk", dept=unit),
        "lead": person(engine, "lead", "综合部主管", dept=unit, role="supervisor"),
        "lead2": person(engine, "lead2", "综合部主管", dept=unit, role="supervisor"),
        "boss": person(engine, "boss", "总经理", dept=unit, role="supervisor"),
    }
    return engine, people


def define(engine, admin, *, name="报刊签收登记", fields=NEWSPAPER, chain=("综合部主管",), lock="on_final_approval", **kw):
    return RC.save_definition(engine, actor=admin, name=name, fields=fields, chain=list(chain), lock=lock, now=NOW,
                              **kw)


def rows(engine, actor, key, **query):
    return R.list_entries(engine, actor=actor, register=key, query=R.Query(first=DAY - dt.timedelta(days=1),
                                                                          last=DAY + dt.timedelta(days=1), **query),
                          now=at(5)).rows


def test_RG_custom_1_definition_is_checked_whole_and_says_what_to_fix(office):
    engine, p = office
    with pytest.raises(ValidationFailed) as caught:
        RC.save_definition(engine, actor=p["admin"], name="", fields=[
            {"key": "Bad Key", "label": "甲", "type": "text"}, {"key": "state", "label": "乙", "type": "text"},
            {"key": "kind", "label": "", "type": "choice", "choices": ""},
            {"key": "kind", "label": "丁", "type": "text"}], chain=["不存在的岗位"], lock="sometimes", now=NOW)
    keys = [(e.field, e.key) for e in caught.value.errors]
    assert keys == [("regdef.name", "field.required"), ("regdef.fields", "regdef.bad_key"),
                    ("regdef.fields", "regdef.reserved_key"), ("regdef.fields", "regdef.label_required"),
                    ("regdef.fields", "regdef.no_choices"), ("regdef.fields", "regdef.duplicate_key"),
                    ("regdef.chain", "regdef.unknown_title"), ("regdef.lock", "regdef.bad_lock")]
    with pytest.raises(ValidationFailed) as caught:
        define(engine, p["admin"], fields=[{"key": "", "label": ""}])
    assert caught.value.keys() == {"regdef.fields": "regdef.no_fields"}
    with pytest.raises(NotAllowed):
        define(engine, p["lead"])
    first = define(engine, p["admin"])
    with pytest.raises(ValidationFailed) as caught:
        define(engine, p["admin"])
    assert caught.value.keys() == {"regdef.name": "regdef.name_taken"}
    with pytest.raises(ValidationFailed) as caught:  # a code register's title is taken too
        define(engine, p["admin"], name="一般查询登记")
    assert caught.value.keys() == {"regdef.name": "regdef.name_taken"}
    assert [d.id for d in RC.list_definitions(engine)] == [first]


def test_RG_custom_2_S59_entry_goes_through_the_chain_locks_and_is_audited(office):
    """S59 on an admin-made register: the chain's title signs, the entry locks, the keeper cannot sign it."""
    engine, p = office
    key = f"custom_{define(engine, p['admin'])}"
    with pytest.raises(ValidationFailed) as caught:
        R.create_entry(engine, actor=p["clerk"], register=key, values={"paper": "", "copies": "x", "kind": "周刊"},
                       now=NOW)
    assert caught.value.keys() == {f"reg.{key}.paper": "field.required", f"reg.{key}.copies": "registers.bad_value",
                                   f"reg.{key}.kind": "registers.bad_choice"}
    entry_id = R.create_entry(engine, actor=p["clerk"], register=key, values={"paper": "人民日报", "copies": 3,
                                                                              "kind": "日报"}, now=NOW)
    (row,) = rows(engine, p["clerk"], key)
    assert (row.no, row.state, row.step_title, row.values["paper"], row.values["copies"]) == (
        1, "pending", "综合部主管", "人民日报", 3)
    assert [e.id for e in R.awaiting(engine, actor=p["lead"], register=key, now=at(1))] == [entry_id]
    assert R.awaiting(engine, actor=p["boss"], register=key, now=at(1)) == ()
    with pytest.raises(NotAllowed):
        R.approve_entry(engine, actor=p["boss"], register=key, entry_id=entry_id, now=at(1))
    R.approve_entry(engine, actor=p["lead"], register=key, entry_id=entry_id, step_no=0, now=at(1))
    detail = R.get_entry(engine, actor=p["clerk"], register=key, entry_id=entry_id, now=at(2))
    assert (detail.entry.state, detail.entry.locked, detail.may_edit, detail.may_correct) == ("approved", True, (),
                                                                                             True)
    assert [s.action for s in detail.steps] == ["create", "submit", "approve"]
    with pytest.raises(DomainError) as refused:
        R.edit_entry(engine, actor=p["clerk"], register=key, entry_id=entry_id, values={"copies": 5}, now=at(2))
    assert refused.value.key == "registers.locked"
    new_id = R.correct_entry(engine, actor=p["clerk"], register=key, entry_id=entry_id,
                             values={"paper": "人民日报", "copies": 4, "kind": "日报"}, reason="份数点错", now=at(3))
    versions = R.get_entry(engine, actor=p["clerk"], register=key, entry_id=new_id, now=at(3)).versions
    assert [(v.id, v.version, v.values["copies"]) for v in versions] == [(entry_id, 1, 3), (new_id, 2, 4)]
    with session_scope(engine, write=False) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "register",
                                                                 AuditEvent.entity_id == f"{key}:{entry_id}")
                                  .order_by(AuditEvent.id)).all()
    assert actions == ["create", "submit", "approve", "correct"]


def test_RG_custom_3_a_removed_field_stays_on_old_entries_and_versions_are_append_only(office):
    engine, p = office
    definition_id = define(engine, p["admin"], chain=())
    key = f"custom_{definition_id}"
    old = R.create_entry(engine, actor=p["clerk"], register=key, values={"paper": "晚报", "copies": 1,
                                                                         "note": "放前台"}, now=NOW)
    RC.save_definition(engine, actor=p["admin"], definition_id=definition_id, expected_version=1, name="报刊签收登记",
                       fields=NEWSPAPER[:3] + [{"key": "receiver", "label": "签收人", "type": "person"}],
                       chain=[], lock="on_submit", now=at(1))
    with pytest.raises(Conflict):  # edited from a stale version
        RC.save_definition(engine, actor=p["admin"], definition_id=definition_id, expected_version=1, name="报刊签收登记",
                           fields=NEWSPAPER, now=at(1))
    with pytest.raises(ValidationFailed) as caught:  # a key keeps its type: old entries hold it
        RC.save_definition(engine, actor=p["admin"], definition_id=definition_id, name="报刊签收登记",
                           fields=[*NEWSPAPER[:3], {"key": "note", "label": "备注", "type": "int"}], now=at(1))
    assert caught.value.errors[0].key == "regdef.type_changed"
    rdef = R.definition(key, engine)
    assert [f.key for f in rdef.typed_fields] == ["paper", "copies", "kind", "receiver"]
    assert [(f.key, f.derived) for f in rdef.fields if f.derived] == [("note", True)]
    new = R.create_entry(engine, actor=p["clerk"], register=key, values={"paper": "日报", "copies": 2,
                                                                         "receiver": p["clerk"].id}, now=at(2))
    by_id = {r.id: r for r in rows(engine, p["clerk"], key)}
    assert by_id[old].values["note"] == "放前台" and by_id[new].values["note"] is None
    assert by_id[new].names[p["clerk"].id] == "clerk"
    with session_scope(engine, write=False) as session:
        made_with = dict(session.execute(select(CUSTOM_ENTRY.c.id, CUSTOM_ENTRY.c.definition_version)).all())
    assert made_with == {old: 1, new: 2}
    assert [v.version for v in RC.history(engine, definition_id=definition_id)] == [1, 2]
    for statement in ("UPDATE register_definition_version SET name = 'x'", "DELETE FROM register_definition_version",
                      "DELETE FROM reg_custom_entry", "DELETE FROM register_definition"):
        with pytest.raises(DBAPIError):
            with session_scope(engine) as session:
                session.execute(text(statement))


def test_RG_custom_4_lists_exports_and_search_stay_within_one_register(office):
    engine, p = office
    first = f"custom_{define(engine, p['admin'], chain=())}"
    gifts = define(engine, p["admin"], name="来访礼品签收", chain=(),
                   fields=[{"key": "paper", "label": "礼品", "type": "text", "required": True}])
    second = f"custom_{gifts}"
    for n in range(3):
        R.create_entry(engine, actor=p["clerk"], register=first, values={"paper": f"日报{n}", "copies": n + 1},
                       now=at(n))
    R.create_entry(engine, actor=p["clerk"], register=second, values={"paper": "日报礼盒"}, now=at(1))
    assert [r.values["paper"] for r in rows(engine, p["clerk"], first)] == ["日报2", "日报1", "日报0"]
    assert [r.values["paper"] for r in rows(engine, p["clerk"], first, text="报1")] == ["日报1"]
    assert [r.no for r in rows(engine, p["clerk"], second)] == [1]
    assert [r.values["copies"] for r in rows(engine, p["clerk"], first, equals={"copies": 2})] == [2]
    query = R.Query(first=DAY, last=DAY)
    csv_text = b"".join(R.export_csv(engine, actor=p["clerk"], register=first, query=query, now=at(5))
                        ).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "编号,报纸名称,份数,类别,备注,状态,登记人"
    assert len(csv_text.splitlines()) == 4
    sheet = load_workbook(io.BytesIO(R.export_xlsx(engine, actor=p["clerk"], register=first, query=query,
                                                   now=at(5)))).active
    assert sheet.title == "报刊签收登记" and sheet.max_row == 4
    with pytest.raises(DomainError) as capped:
        R.export_xlsx(engine, actor=p["clerk"], register=first, query=query, cap=2, now=at(5))
    assert capped.value.key == "registers.export_cap"
    with pytest.raises(DomainError):  # an entry of one register is not opened through another
        R.get_entry(engine, actor=p["clerk"], register=second, entry_id=rows(engine, p["clerk"], first)[0].id)
    with pytest.raises(DomainError):
        R.list_entries(engine, actor=p["clerk"], register="custom_999", query=query)


def test_RG_custom_5_two_approvers_at_once_write_one_step(office):
    engine, p = office
    key = f"custom_{define(engine, p['admin'], chain=('综合部主管', '总经理'))}"
    for _ in range(3):
        entry_id = R.create_entry(engine, actor=p["clerk"], register=key, values={"paper": "日报", "copies": 1},
                                  now=NOW)
        results = race(*(lambda who=who: R.approve_entry(engine, actor=p[who], register=key, entry_id=entry_id,
                                                         step_no=0, now=at(1)) for who in ("lead", "lead2")))
        assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"], results
        with session_scope(engine, write=False) as session:
            approvals = session.scalars(select(RegisterStep).where(
                RegisterStep.reg == key, RegisterStep.entry_id == entry_id, RegisterStep.action == "approve")).all()
        assert len(approvals) == 1
        dues = R.open_dues(engine, at(30), register=key)
        assert [(d.entry_id, d.step_title, d.overdue) for d in dues if d.entry_id == entry_id] == [
            (entry_id, "总经理", True)]
