"""Register engine against SQLite and PostgreSQL (SPEC M5, issue 14): S59, one scenario per information register,
locks and versions, gap-free numbers, two approvers at once, append-only steps, bounded lists and exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from db.engine import session_scope
from db.models import OrgUnit, User
from db.models_registers import RegisterStep, register_table
from lib.domain.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from lib.services import accounts
from lib.services import registers as R
from tests.db.helpers import audit_actions, race

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)  # Friday 10:00 in Shanghai
DAY = NOW.date()


def _dept(engine, name):
    with session_scope(engine) as session:
        unit = OrgUnit(kind="department", name=name)
        session.add(unit)
        session.flush()
        return unit.id


def person(engine, username, *titles, dept=None, role="staff"):
    with session_scope(engine) as session:
        user = User(username=username, name=username, password_hash="x", role=role, titles=list(titles),
                    trained_posts=[], department_id=dept, created_at=NOW)
        session.add(user)
        session.flush()
        return accounts.actor_of(user)


@pytest.fixture
def office(engine):
    sales, service = _dept(engine, "销售部"), _dept(engine, "客服部")
    people = {
        "applicant": person(engine, "applicant", dept=sales),
        "colleague": person(engine, "colleague", dept=sales),
        "outsider": person(engine, "outsider", dept=service),
        "supervisor": person(engine, "supervisor", "部门主管", dept=sales, role="supervisor"),
        "supervisor2": person(engine, "supervisor2", "部门主管", dept=sales, role="supervisor"),
        "manager": person(engine, "manager", "部门经理", dept=sales, role="supervisor"),
        "other_manager": person(engine, "other_manager", "部门经理", dept=service, role="supervisor"),
        "info_manager": person(engine, "info_manager", "信息中心经理", dept=service),
        "clerk": person(engine, "clerk", "信息查询员", dept=service),
        "cs_supervisor": person(engine, "cs_supervisor", "客服主管", dept=service, role="supervisor"),
    }
    return engine, people


def at(minutes):
    return NOW + dt.timedelta(minutes=minutes)


def request_values(p):
    return {"applicant_id": p["applicant"].id, "applied_at": NOW, "content": "查某公司经营范围和注册资金",
            "purpose": "投标资格审查", "urgency": "urgent"}


def loan_values(p, who="applicant"):
    return {"borrower_id": p[who].id, "content": "安装单 2026-11", "borrowed_at": NOW, "purpose": "核对安装地址"}


def test_S59_info_request_chain_end_to_end(office):
    """S59: 部门主管 → 部门经理 → 信息中心经理 → 信息查询员, back to 部门主管; 审核人/批准人 filled; locked, numbered."""
    engine, p = office
    entry_id = R.create_entry(engine, actor=p["applicant"], register="info_request", values=request_values(p), now=NOW)
    detail = R.get_entry(engine, actor=p["applicant"], register="info_request", entry_id=entry_id, now=NOW)
    assert detail.entry.state == "pending" and detail.entry.step_title == "部门主管" and detail.entry.no == 1
    assert detail.entry.due_at == NOW + dt.timedelta(hours=24)
    with pytest.raises(NotAllowed):
        R.approve_entry(engine, actor=p["manager"], register="info_request", entry_id=entry_id, now=at(1))
    for minute, who in enumerate(("supervisor", "manager", "info_manager", "clerk", "supervisor"), start=2):
        waiting = R.awaiting(engine, actor=p[who], register="info_request", now=at(minute))
        assert [e.id for e in waiting] == [entry_id], who
        R.approve_entry(engine, actor=p[who], register="info_request", entry_id=entry_id, now=at(minute))
    detail = R.get_entry(engine, actor=p["applicant"], register="info_request", entry_id=entry_id, now=at(10))
    assert detail.entry.state == "approved" and detail.entry.locked and detail.entry.due_at is None
    assert detail.entry.values["reviewer"] == "supervisor" and detail.entry.values["approver"] == "manager"
    assert [(s.action, s.title) for s in detail.steps] == [
        ("create", ""), ("submit", "部门主管"), ("approve", "部门主管"), ("approve", "部门经理"),
        ("approve", "信息中心经理"), ("approve", "信息查询员"), ("approve", "部门主管")]
    assert audit_actions(engine, "register") == ["create", "submit"] + ["approve"] * 5
    with pytest.raises(DomainError) as locked:
        R.edit_entry(engine, actor=p["applicant"], register="info_request", entry_id=entry_id,
                     values={"content": "改"}, now=at(11))
    assert locked.value.key == "registers.locked"


def test_S59_special_loan_needs_the_department_manager_before_it_is_lent(office):
    """S59: a 特殊借阅登记 is not lent (no return, no due, no blocker) before the 部门经理 approves."""
    engine, p = office
    entry_id = R.create_entry(engine, actor=p["applicant"], register="special_loan", values=loan_values(p), now=NOW)
    with pytest.raises(DomainError) as early:
        R.edit_entry(engine, actor=p["applicant"], register="special_loan", entry_id=entry_id,
                     values={"returned_at": at(30)}, now=at(30))
    assert early.value.key == "registers.special_loan.not_lent"
    assert R.blockers(engine, person_id=p["applicant"].id, now=at(30)) == []
    with pytest.raises(NotAllowed):
        R.approve_entry(engine, actor=p["other_manager"], register="special_loan", entry_id=entry_id, now=at(31))
    R.approve_entry(engine, actor=p["manager"], register="special_loan", entry_id=entry_id, step_no=0, now=at(32))
    detail = R.get_entry(engine, actor=p["applicant"], register="special_loan", entry_id=entry_id, now=at(33))
    assert detail.entry.state == "approved" and detail.entry.values["reviewer"] == "manager"
    assert detail.entry.due_at == NOW + dt.timedelta(days=7) and detail.may_edit == ("returned_at",)
    assert [b.key for b in R.blockers(engine, person_id=p["applicant"].id, now=at(33))] == ["registers.blocker.open_loan"]
    overdue = [d for d in R.open_dues(engine, NOW + dt.timedelta(days=8)) if d.entry_id == entry_id]
    assert [(d.register, d.kind, d.overdue) for d in overdue] == [("special_loan", "loan_return", True)]
    R.edit_entry(engine, actor=p["applicant"], register="special_loan", entry_id=entry_id,
                 values={"returned_at": at(60)}, now=at(60))
    assert R.blockers(engine, person_id=p["applicant"].id, now=at(61)) == []
    assert not [d for d in R.open_dues(engine, at(61)) if d.register == "special_loan"]


def test_general_query_is_logged_before_release_and_its_result_filled_once(office):
    """seed 000 D14: 「可由信息查询者作好《一般查询登记》,即可提供信息」: recorded at once, no chain."""
    engine, p = office
    values = {"asked_at": NOW, "enquirer": "张三", "content": "客户联系人电话", "purpose": "回访"}
    entry_id = R.create_entry(engine, actor=p["clerk"], register="general_query", values=values, now=NOW)
    entry = R.get_entry(engine, actor=p["clerk"], register="general_query", entry_id=entry_id, now=NOW).entry
    assert (entry.state, entry.locked, entry.no) == ("recorded", True, 1)
    R.edit_entry(engine, actor=p["clerk"], register="general_query", entry_id=entry_id,
                 values={"result": "已提供"}, now=at(5))
    with pytest.raises(Conflict):
        R.edit_entry(engine, actor=p["clerk"], register="general_query", entry_id=entry_id,
                     values={"result": "又改"}, now=at(6))
    with pytest.raises(DomainError):
        R.edit_entry(engine, actor=p["clerk"], register="general_query", entry_id=entry_id,
                     values={"enquirer": "李四"}, now=at(6))


def test_transfer_and_receipt_are_each_kept_by_their_own_side(office):
    """seed 000 D14: 《信息转交登记》 kept by the giver, 《信息接收登记》 by the receiver."""
    engine, p = office
    given = R.create_entry(engine, actor=p["applicant"], register="info_transfer", now=NOW, values={
        "giver_id": p["applicant"].id, "receiver_id": p["colleague"].id, "transferred_at": NOW,
        "content": "客户名单 20 份", "scope": "仅用于回访,不得外传"})
    received = R.create_entry(engine, actor=p["colleague"], register="info_receipt", now=at(5), values={
        "giver_id": p["applicant"].id, "received_at": at(5), "content": "客户名单 20 份", "requirement": "保密"})
    query = R.Query(first=DAY, last=DAY)
    mine = R.list_entries(engine, actor=p["applicant"], register="info_transfer", query=query, now=at(6))
    assert [e.id for e in mine.rows] == [given]
    assert R.list_entries(engine, actor=p["colleague"], register="info_transfer", query=query, now=at(6)).rows == ()
    assert R.list_entries(engine, actor=p["applicant"], register="info_receipt", query=query, now=at(6)).rows == ()
    with pytest.raises(NotAllowed):
        R.get_entry(engine, actor=p["applicant"], register="info_receipt", entry_id=received, now=at(6))
    entry = R.get_entry(engine, actor=p["colleague"], register="info_receipt", entry_id=received, now=at(6)).entry
    assert entry.names[entry.values["giver_id"]] == "applicant"


def test_general_loan_is_direct_and_overdue_after_the_loan_days(office):
    """seed 000 D14: 「可直接进行《一般借阅登记》」; an open loan past ``registers.loan_days`` is overdue."""
    engine, p = office
    entry_id = R.create_entry(engine, actor=p["applicant"], register="general_loan", values=loan_values(p), now=NOW)
    (due,) = [d for d in R.open_dues(engine, NOW + dt.timedelta(days=3)) if d.register == "general_loan"]
    assert (due.entry_id, due.overdue, due.keeper_id) == (entry_id, False, p["applicant"].id)
    (late,) = [d for d in R.open_dues(engine, NOW + dt.timedelta(days=7, minutes=1)) if d.register == "general_loan"]
    assert late.overdue
    with pytest.raises(ValidationFailed) as before:
        R.edit_entry(engine, actor=p["applicant"], register="general_loan", entry_id=entry_id,
                     values={"returned_at": NOW - dt.timedelta(hours=1)}, now=at(1))
    assert before.value.keys() == {"reg.general_loan.returned_at": "registers.returned_before_lent"}


def test_archive_access_needs_the_department_managers_signature_then_customer_service(office):
    """seed 001 D17: 「凡其他部门索取客户资料时,需各部门经理签字后向客服部申请查阅」."""
    engine, p = office
    entry_id = R.create_entry(engine, actor=p["applicant"], register="archive_access", now=NOW, values={
        "requester_id": p["applicant"].id, "customer": "某某化工", "purpose": "续签合同前核对信用", "requested_at": NOW})
    with pytest.raises(NotAllowed):
        R.approve_entry(engine, actor=p["cs_supervisor"], register="archive_access", entry_id=entry_id, now=at(1))
    R.approve_entry(engine, actor=p["manager"], register="archive_access", entry_id=entry_id, now=at(2))
    R.approve_entry(engine, actor=p["cs_supervisor"], register="archive_access", entry_id=entry_id, now=at(3))
    entry = R.get_entry(engine, actor=p["cs_supervisor"], register="archive_access", entry_id=entry_id, now=at(4)).entry
    assert entry.state == "approved" and entry.values["signed_by"] == "manager"


def test_rejected_entry_is_changed_and_submitted_again(office):
    engine, p = office
    entry_id = R.create_entry(engine, actor=p["applicant"], register="info_request", values=request_values(p), now=NOW)
    with pytest.raises(DomainError):
        R.reject_entry(engine, actor=p["supervisor"], register="info_request", entry_id=entry_id, reason=" ", now=at(1))
    R.reject_entry(engine, actor=p["supervisor"], register="info_request", entry_id=entry_id, reason="用途不清", now=at(1))
    R.edit_entry(engine, actor=p["applicant"], register="info_request", entry_id=entry_id,
                 values={**request_values(p), "purpose": "投标资格审查(甲项目)"}, now=at(2))
    R.submit_entry(engine, actor=p["applicant"], register="info_request", entry_id=entry_id, now=at(3))
    detail = R.get_entry(engine, actor=p["applicant"], register="info_request", entry_id=entry_id, now=at(3))
    assert detail.entry.state == "pending" and detail.entry.step_no == 0 and detail.entry.no == 1
    assert [s.action for s in detail.steps] == ["create", "submit", "reject", "edit", "submit"]


def test_a_correction_is_a_new_version_and_both_stay_visible(office):
    """issue 14: a locked entry is never edited or deleted; a correction supersedes it, with a reason, audited."""
    engine, p = office
    first = R.create_entry(engine, actor=p["applicant"], register="general_loan", values=loan_values(p), now=NOW)
    with pytest.raises(DomainError):
        R.correct_entry(engine, actor=p["applicant"], register="general_loan", entry_id=first,
                        values=loan_values(p), reason="", now=at(1))
    with pytest.raises(NotAllowed):
        R.correct_entry(engine, actor=p["colleague"], register="general_loan", entry_id=first,
                        values=loan_values(p), reason="写错", now=at(1))
    second = R.correct_entry(engine, actor=p["applicant"], register="general_loan", entry_id=first,
                             values={**loan_values(p), "content": "培训名单 2026-11"}, reason="借阅内容写错", now=at(1))
    with pytest.raises(Conflict):
        R.correct_entry(engine, actor=p["applicant"], register="general_loan", entry_id=first,
                        values=loan_values(p), reason="again", now=at(2))
    detail = R.get_entry(engine, actor=p["applicant"], register="general_loan", entry_id=first, now=at(2))
    assert [(v.id, v.version, v.values["content"]) for v in detail.versions] == [
        (first, 1, "安装单 2026-11"), (second, 2, "培训名单 2026-11")]
    assert detail.entry.superseded_by_id == second and not detail.may_correct
    newest = R.get_entry(engine, actor=p["applicant"], register="general_loan", entry_id=second, now=at(2)).entry
    assert (newest.state, newest.no, newest.reason) == ("recorded", 2, "借阅内容写错")
    listed = R.list_entries(engine, actor=p["applicant"], register="general_loan", query=R.Query(first=DAY, last=DAY),
                            now=at(2))
    assert [e.id for e in listed.rows] == [second]
    assert "correct" in audit_actions(engine, "register")


def test_two_approvers_at_once_write_one_step(office):
    """issue 14: two 部门主管 press approve on the same step together: one step, the other told (Conflict)."""
    engine, p = office
    for _ in range(3):
        entry_id = R.create_entry(engine, actor=p["applicant"], register="info_request", values=request_values(p),
                                  now=NOW)
        results = race(*(lambda who=who: R.approve_entry(engine, actor=p[who], register="info_request",
                                                         entry_id=entry_id, step_no=0, now=at(1))
                         for who in ("supervisor", "supervisor2")))
        assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"], results
        assert [r.key for r in results if r is not None] == ["registers.step_taken"]
        with session_scope(engine, write=False) as session:
            approvals = session.scalars(select(RegisterStep).where(
                RegisterStep.reg == "info_request", RegisterStep.entry_id == entry_id,
                RegisterStep.action == "approve")).all()
        assert len(approvals) == 1 and approvals[0].title == "部门主管"
        assert R.get_entry(engine, actor=p["applicant"], register="info_request", entry_id=entry_id,
                           now=at(2)).entry.step_no == 1


def test_numbers_have_no_gaps_under_concurrent_submits(office):
    engine, p = office
    values = {"asked_at": NOW, "enquirer": "客户", "content": "电话", "purpose": "回访"}
    results = race(*(lambda: R.create_entry(engine, actor=p["clerk"], register="general_query", values=values,
                                            now=NOW) for _ in range(6)))
    assert all(isinstance(r, int) for r in results), results
    with session_scope(engine, write=False) as session:
        numbers = sorted(session.execute(select(register_table("general_query").c.no)).scalars())
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_steps_are_append_only_and_entries_never_deleted(office):
    engine, p = office
    R.create_entry(engine, actor=p["clerk"], register="general_query", now=NOW,
                   values={"asked_at": NOW, "enquirer": "客户", "content": "电话", "purpose": "回访"})
    for statement in ("UPDATE register_step SET action = 'forged'", "DELETE FROM register_step",
                      "DELETE FROM reg_general_query"):
        with pytest.raises(DBAPIError, match="append-only|never deleted"):
            with session_scope(engine) as session:
                session.execute(text(statement))


def test_a_retried_form_writes_one_entry_and_bad_values_name_their_fields(office):
    engine, p = office
    values = {"asked_at": NOW, "enquirer": "客户", "content": "电话", "purpose": "回访"}
    first = R.create_entry(engine, actor=p["clerk"], register="general_query", values=values, idem_key="k1", now=NOW)
    again = R.create_entry(engine, actor=p["clerk"], register="general_query", values=values, idem_key="k1", now=NOW)
    assert first == again
    with pytest.raises(ValidationFailed) as bad:
        R.create_entry(engine, actor=p["clerk"], register="general_query", now=NOW,
                       values={**values, "enquirer": "", "asked_at": dt.datetime(2026, 1, 1)})
    assert bad.value.keys() == {"reg.general_query.enquirer": "field.required",
                                "reg.general_query.asked_at": "registers.needs_zone"}


def test_lists_are_bounded_paged_and_exported_safely(office):
    engine, p = office
    ids = [R.create_entry(engine, actor=p["clerk"], register="general_query", now=at(i), values={
        "asked_at": at(i), "enquirer": "=HYPERLINK(\"x\")" if i == 0 else f"客户{i}", "content": "电话",
        "purpose": "回访"}) for i in range(5)]
    with pytest.raises(DomainError) as unbounded:
        R.list_entries(engine, actor=p["clerk"], register="general_query", query=R.Query(), now=at(9))
    assert unbounded.value.key == "registers.bad_filter"
    with pytest.raises(DomainError):
        R.list_entries(engine, actor=p["clerk"], register="general_query",
                       query=R.Query(first=DAY - dt.timedelta(days=400), last=DAY), now=at(9))
    query = R.Query(first=DAY, last=DAY)
    page1 = R.list_entries(engine, actor=p["clerk"], register="general_query", query=query, limit=2, now=at(9))
    page2 = R.list_entries(engine, actor=p["clerk"], register="general_query", query=query, limit=2,
                           cursor=page1.next_cursor, now=at(9))
    page3 = R.list_entries(engine, actor=p["clerk"], register="general_query", query=query, limit=2,
                           cursor=page2.next_cursor, now=at(9))
    assert [e.id for e in page1.rows + page2.rows + page3.rows] == ids[::-1] and page3.next_cursor is None
    found = R.list_entries(engine, actor=p["clerk"], register="general_query",
                           query=R.Query(first=DAY, last=DAY, text="客户3"), now=at(9))
    assert [e.id for e in found.rows] == [ids[3]]
    csv_bytes = b"".join(R.export_csv(engine, actor=p["clerk"], register="general_query", query=query, now=at(9)))
    text_ = csv_bytes.decode("utf-8-sig")
    assert text_.splitlines()[0].startswith("编号,时间,询问人") and "'=HYPERLINK" in text_
    assert len(text_.strip().splitlines()) == 6
    book = load_workbook(io.BytesIO(R.export_xlsx(engine, actor=p["clerk"], register="general_query", query=query,
                                                  now=at(9))))
    assert book.active.max_row == 6
    with pytest.raises(DomainError) as capped:
        R.export_xlsx(engine, actor=p["clerk"], register="general_query", query=query, cap=4, now=at(9))
    assert capped.value.key == "registers.export_cap"


ACTION_NAMES = ("submit", "approve", "reject", "correct", "edit")


def test_any_sequence_keeps_locked_entries_unchanged_and_steps_by_titles_that_may_act(tmp_path_factory):
    """issue 14 property, through the services on SQLite: whatever people press in whatever order, a locked
    entry's values never change, and every approval step was signed by someone holding that step's title."""
    from hypothesis import HealthCheck, given, settings, strategies as st

    from tests.conftest import sqlite_engine

    engine = sqlite_engine(tmp_path_factory.mktemp("reg_property"))
    sales = _dept(engine, "销售部")
    people = [person(engine, "p_applicant", dept=sales),
              person(engine, "p_sup", "部门主管", dept=sales, role="supervisor"),
              person(engine, "p_sup2", "部门主管", dept=sales, role="supervisor"),
              person(engine, "p_mgr", "部门经理", dept=sales, role="supervisor"),
              person(engine, "p_info", "信息中心经理"), person(engine, "p_clerk", "信息查询员"),
              person(engine, "p_other", "部门经理", dept=_dept(engine, "客服部"))]
    by_id = {a.id: a for a in people}
    tbl = register_table("info_request")

    def snapshot_locked(moment):
        with session_scope(engine, write=False) as session:
            rows = session.execute(select(tbl).where(tbl.c.locked_at <= moment)).all()
        return {r.id: (r.content, r.purpose, r.urgency, r.remarks, r.reviewer, r.approver, r.state) for r in rows}

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.sampled_from(ACTION_NAMES), st.integers(0, len(people) - 1)), max_size=12))
    def run(actions):
        moment = NOW
        entry_id = R.create_entry(engine, actor=people[0], register="info_request", values=request_values(
            {"applicant": people[0]}), submit=False, now=moment)
        locked_before = snapshot_locked(moment)
        for action, index in actions:
            moment += dt.timedelta(minutes=1)
            actor = people[index]
            try:
                if action == "submit":
                    R.submit_entry(engine, actor=actor, register="info_request", entry_id=entry_id, now=moment)
                elif action == "approve":
                    R.approve_entry(engine, actor=actor, register="info_request", entry_id=entry_id, now=moment)
                elif action == "reject":
                    R.reject_entry(engine, actor=actor, register="info_request", entry_id=entry_id, reason="不符",
                                   now=moment)
                elif action == "correct":
                    entry_id = R.correct_entry(engine, actor=actor, register="info_request", entry_id=entry_id,
                                               values={**request_values({"applicant": people[0]}), "remarks": "更正"},
                                               reason="更正", now=moment)
                else:
                    R.edit_entry(engine, actor=actor, register="info_request", entry_id=entry_id,
                                 values={"content": f"改{moment.minute}"}, now=moment)
            except DomainError:
                pass
            now_locked = snapshot_locked(moment)
            for locked_id, values in locked_before.items():
                assert now_locked[locked_id] == values, "a locked entry changed"
            locked_before = now_locked
        with session_scope(engine, write=False) as session:
            steps = session.scalars(select(RegisterStep).where(RegisterStep.reg == "info_request",
                                                               RegisterStep.action == "approve")).all()
            chains = {r.id: (r.chain, r.created_by_id, r.department_id) for r in session.execute(select(tbl)).all()}
        for step in steps:
            chain, author, dept = chains[step.entry_id]
            expected = chain[step.step_index]
            actor = by_id[step.actor_id]
            assert step.title == expected["title"] and expected["title"] in actor.titles
            assert not expected["department"] or actor.department_id == dept
            assert expected["returning"] or actor.id != author

    run()
    engine.dispose()
