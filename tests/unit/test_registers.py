"""Register engine, domain layer (SPEC M5, issue 14): definitions, the life of an entry, the information hooks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from lib.domain.errors import Conflict, DomainError, FieldError, NotAllowed
from lib.domain.registers import REGISTRY, families, register
from lib.domain.registers import life as L
from lib.domain.registers.hooks import Ctx, Entry, RegisterHooks, StepView
from lib.domain.registers.model import Access, ChainStep, FieldDef, RegisterDef, build_chain, coerce
from lib.i18n import catalog

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)
INFO_CHAIN = ["部门主管", "部门经理", "信息中心经理", "信息查询员"]
SALES, SERVICE = 10, 20


def who(uid, *titles, dept=SALES, role="staff"):
    return Access(user_id=uid, role=role, titles=tuple(titles), department_id=dept)


APPLICANT = who(1)
SUPERVISOR = who(2, "部门主管", role="supervisor")
MANAGER = who(3, "部门经理", role="supervisor")
INFO_MANAGER = who(4, "信息中心经理", dept=SERVICE)
CLERK = who(5, "信息查询员", dept=SERVICE)
OTHER_SUPERVISOR = who(6, "部门主管", dept=SERVICE, role="supervisor")


def info_chain():
    return build_chain(INFO_CHAIN, return_to_first=True, department_titles=["部门主管", "部门经理"])


def test_S59_info_request_passes_supervisor_manager_info_centre_clerk_and_back():
    """S59: a 申请查询信息表 passes 部门主管 → 部门经理 → 信息中心经理 → 信息查询员, and returns to the 部门主管."""
    rdef = register("info_request")
    life = L.Life(created_by_id=APPLICANT.user_id, department_id=SALES)
    life, step = L.submit(rdef, life, APPLICANT, chain=info_chain(), now=NOW)
    assert (life.state, step.action, step.title) == (L.PENDING, "submit", "部门主管")
    signed = []
    for actor in (SUPERVISOR, MANAGER, INFO_MANAGER, CLERK, SUPERVISOR):
        for outsider in (APPLICANT, OTHER_SUPERVISOR, CLERK if actor is not CLERK else MANAGER):
            assert not L.may_act(rdef, outsider, life)
        assert L.may_act(rdef, actor, life)
        life, step = L.approve(rdef, life, actor, now=NOW)
        signed.append(step.title)
    assert signed == ["部门主管", "部门经理", "信息中心经理", "信息查询员", "部门主管"]
    assert life.state == L.APPROVED and life.locked(NOW)


def test_S59_special_loan_is_not_lent_before_the_department_manager_approves():
    """S59: a 特殊借阅登记 needs 部门经理 approval before saving: no return, no due and no blocker until then."""
    rdef = register("special_loan")
    chain = build_chain(["部门经理"], return_to_first=False, department_titles=["部门经理"])
    life, _ = L.submit(rdef, L.Life(created_by_id=1, department_id=SALES), APPLICANT, chain=chain, now=NOW)
    entry = Entry("special_loan", 7, life.state, {"borrowed_at": NOW, "returned_at": None})
    ctx = Ctx(now=NOW, settings={"registers.loan_days": 7})
    assert not life.locked(NOW)
    with pytest.raises(DomainError) as refused:
        rdef.hooks.guard(entry, "edit", frozenset(), ctx)
    assert refused.value.key == "registers.special_loan.not_lent"
    assert rdef.hooks.dues(entry, ctx) == () and rdef.hooks.blockers(entry, ctx) == []
    with pytest.raises(NotAllowed):
        L.approve(rdef, life, who(9, "部门经理", dept=SERVICE), now=NOW)  # another department's manager
    life, step = L.approve(rdef, life, MANAGER, now=NOW)
    assert life.state == L.APPROVED and life.locked(NOW) and step.title == "部门经理"
    lent = Entry("special_loan", 7, life.state, {"borrowed_at": NOW, "returned_at": None})
    rdef.hooks.guard(lent, "edit", frozenset(), ctx)
    (due,) = rdef.hooks.dues(lent, ctx)
    assert due.due_at == NOW + dt.timedelta(days=7)
    assert [b.key for b in rdef.hooks.blockers(lent, ctx)] == ["registers.blocker.open_loan"]


def test_general_registers_are_recorded_and_locked_at_submit():
    """seed 000 D14: 「可直接进行《一般借阅登记》」; 一般查询登记 needs no approval."""
    for key in ("general_query", "info_transfer", "info_receipt", "general_loan"):
        rdef = register(key)
        life, step = L.submit(rdef, L.Life(created_by_id=1), APPLICANT, chain=(), now=NOW)
        assert life.state == L.RECORDED and life.locked(NOW) and step.action == "submit"


def test_own_entry_is_not_approved_by_its_author_and_reject_needs_a_reason():
    rdef = register("special_loan")
    chain = (ChainStep("部门经理", department=True),)
    life, _ = L.submit(rdef, L.Life(created_by_id=MANAGER.user_id, department_id=SALES), MANAGER, chain=chain, now=NOW)
    with pytest.raises(NotAllowed) as own:
        L.approve(rdef, life, MANAGER, now=NOW)
    assert own.value.key == "registers.own_entry"
    other_manager = who(8, "部门经理")
    with pytest.raises(DomainError) as bare:
        L.reject(rdef, life, other_manager, now=NOW, reason="  ")
    assert bare.value.key == "registers.reason_required"
    life, step = L.reject(rdef, life, other_manager, now=NOW, reason="缺少用途")
    assert life.state == L.REJECTED and not life.locked(NOW) and step.note == "缺少用途"
    with pytest.raises(Conflict):
        L.approve(rdef, life, other_manager, now=NOW)
    again, _ = L.submit(rdef, life, MANAGER, chain=chain, now=NOW)
    assert again.state == L.PENDING and again.step_no == 0


def test_after_lock_only_the_listed_fields_are_set_once_and_corrections_need_a_reason():
    rdef = register("general_loan")
    life, _ = L.submit(rdef, L.Life(created_by_id=1), APPLICANT, chain=(), now=NOW)
    L.check_edit(rdef, life, APPLICANT, fields={"returned_at"}, current={"returned_at": None}, now=NOW)
    with pytest.raises(DomainError) as locked:
        L.check_edit(rdef, life, APPLICANT, fields={"content"}, current={}, now=NOW)
    assert locked.value.key == "registers.locked"
    with pytest.raises(Conflict):
        L.check_edit(rdef, life, APPLICANT, fields={"returned_at"}, current={"returned_at": NOW}, now=NOW)
    with pytest.raises(NotAllowed):
        L.check_edit(rdef, life, who(2), fields={"returned_at"}, current={}, now=NOW)
    with pytest.raises(DomainError):
        L.check_correct(life, APPLICANT, reason="", now=NOW)
    L.check_correct(life, APPLICANT, reason="借阅内容写错", now=NOW)
    with pytest.raises(Conflict):
        L.check_correct(L.Life(created_by_id=1, locked_at=NOW, superseded=True), APPLICANT, reason="x", now=NOW)


def test_lock_rules():
    workday_end = NOW + dt.timedelta(hours=8)
    rules = {"on_submit": ("submit", NOW), "on_final_approval": ("final", NOW), "never": ("final", None)}
    for rule, (event, expected) in rules.items():
        rdef = RegisterDef("x", "f", "s", fields=(FieldDef("a", "text"),), lock=rule)
        assert L.lock_time(rdef, event, NOW, workday_end) == expected
    daily = RegisterDef("x", "f", "s", fields=(FieldDef("a", "text"),), lock="at_workday_end")
    assert L.lock_time(daily, "create", NOW, workday_end) == workday_end
    life = L.Life(created_by_id=1, locked_at=workday_end)
    assert not life.locked(NOW) and life.locked(workday_end)


def test_values_are_typed_and_each_problem_names_its_field():
    rdef = register("info_request")
    errors: list[FieldError] = []
    assert coerce(rdef, rdef.field("content"), "  查注册资金  ", errors) == "查注册资金"
    assert coerce(rdef, rdef.field("urgency"), "urgent", errors) == "urgent"
    assert errors == []
    coerce(rdef, rdef.field("content"), "", errors)
    coerce(rdef, rdef.field("urgency"), "huge", errors)
    coerce(rdef, rdef.field("applied_at"), dt.datetime(2026, 1, 1, 9), errors)
    coerce(rdef, rdef.field("purpose"), "x" * 201, errors)
    coerce(rdef, rdef.field("purpose"), "a\x00b", errors)
    assert [(e.field, e.key) for e in errors] == [
        ("reg.info_request.content", "field.required"), ("reg.info_request.urgency", "registers.bad_choice"),
        ("reg.info_request.applied_at", "registers.needs_zone"), ("reg.info_request.purpose", "field.too_long"),
        ("reg.info_request.purpose", "field.control_chars")]
    money = FieldDef("amount", "money")
    assert str(coerce(rdef, money, "12.345", [])) == "12.35"
    assert coerce(rdef, FieldDef("phone", "phone"), "138-0013-8000", []) == "13800138000"


def test_loans_refuse_a_return_before_the_loan():
    rdef = register("general_loan")
    entry = Entry("general_loan", None, "draft", {"borrowed_at": NOW, "returned_at": NOW - dt.timedelta(hours=1)})
    (error,) = rdef.hooks.validate(entry, Ctx(now=NOW))
    assert (error.field, error.key) == ("reg.general_loan.returned_at", "registers.returned_before_lent")


def test_derived_signature_lines_come_from_the_steps():
    """The paper form's footer 审核人 / 批准人 (seed 000 D14) is filled from who signed which step."""
    steps = (StepView(1, "submit", "部门主管", 1, "申请人", NOW, step_index=0),
             StepView(2, "approve", "部门主管", 2, "王主管", NOW, step_index=0),
             StepView(3, "approve", "部门经理", 3, "李经理", NOW, step_index=1))
    entry = Entry("info_request", 1, "pending", {}, steps=steps)
    assert register("info_request").hooks.derive(entry, Ctx(now=NOW)) == {"reviewer": "王主管", "approver": "李经理"}


def test_information_registers_have_seed_columns_sources_and_catalog_labels():
    """REGISTERS.md §1.3: columns exactly as the seed lists them, in its order; every label in both catalogs."""
    quotes = {key: [f.quote for f in REGISTRY[key].fields] for key in REGISTRY}
    assert quotes["general_query"] == ["时间", "询问人", "询问内容", "询问用途", "处理结果", "备注"]
    assert quotes["info_request"] == ["申请人", "申请时间", "查询内容", "查询用途", "待处理紧急度", "备注", "审核人:", "批准人:"]
    assert quotes["info_transfer"] == ["交接人", "接受人", "转交时间", "转交内容", "接受人责任范围", "备注"]
    assert quotes["info_receipt"] == ["转交人", "接受时间", "接收内容", "责任要求", "处理结果", "备注"]
    assert quotes["general_loan"] == ["借阅人", "借阅内容", "借阅时间", "借阅用途", "归还时间", "备注"]
    assert quotes["special_loan"] == ["借阅人", "借阅内容", "借阅时间", "借阅用途", "归还时间", "审核人", "备注"]
    assert families()["information"] == [REGISTRY[k] for k in quotes if REGISTRY[k].family == "information"]
    for lang in ("zh_CN", "en"):
        words = catalog(lang)
        for rdef in REGISTRY.values():
            assert rdef.source and rdef.title_key in words
            for f in rdef.fields:
                assert rdef.label_key(f.key) in words, (lang, rdef.key, f.key)
                for choice in f.choices:
                    assert f"registers.choice.{rdef.key}.{f.key}.{choice}" in words
            if rdef.hooks is not None:
                assert isinstance(rdef.hooks, RegisterHooks)


def test_register_settings_have_labels():
    from lib.domain.registers import information, life

    for lang in ("zh_CN", "en"):
        for definition in information.SETTINGS + life.SETTINGS:
            assert f"setting.{definition.key}" in catalog(lang)


def test_a_definition_refuses_a_common_column_or_an_unknown_lock_rule():
    with pytest.raises(ValueError):
        FieldDef("state", "text")
    with pytest.raises(ValueError):
        RegisterDef("x", "f", "s", fields=(FieldDef("a", "text"),), lock="sometimes")
    with pytest.raises(ValueError):
        RegisterDef("x", "f", "s", fields=(FieldDef("a", "text"),), editable_after_lock=("b",))


PEOPLE = [APPLICANT, SUPERVISOR, MANAGER, INFO_MANAGER, CLERK, OTHER_SUPERVISOR, who(7, "部门经理", dept=SERVICE)]
ACTIONS = st.lists(st.tuples(st.sampled_from(["submit", "approve", "reject", "correct", "edit"]),
                             st.sampled_from(PEOPLE)), max_size=25)


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_any_sequence_leaves_a_locked_entry_locked_and_every_step_by_a_title_that_may_act(actions):
    """Whatever happens, a locked entry stays locked with its steps, and each signed step was signed by someone
    holding its title (of the entry's department when the step says so), never by the author."""
    rdef = register("info_request")
    chain = info_chain()
    life = L.Life(created_by_id=APPLICANT.user_id, department_id=SALES)
    signed: list[tuple[L.Step, Access]] = []
    for action, actor in actions:
        before = life
        try:
            if action == "submit":
                life, _ = L.submit(rdef, life, actor, chain=chain, now=NOW)
            elif action == "approve":
                life, step = L.approve(rdef, life, actor, now=NOW)
                signed.append((step, actor))
            elif action == "reject":
                life, _ = L.reject(rdef, life, actor, now=NOW, reason="不符")
            elif action == "correct":
                L.check_correct(life, actor, reason="更正", now=NOW)
            else:
                L.check_edit(rdef, life, actor, fields={"content"}, current={}, now=NOW)
                assert not before.locked(NOW), "a locked entry was edited"
        except (DomainError,):
            assert life == before
        if before.locked(NOW):
            assert life == before
    for step, actor in signed:
        expected = chain[step.step_index]
        assert step.title == expected.title and expected.title in actor.titles
        assert not expected.department or actor.department_id == SALES
        assert expected.returning or actor.user_id != APPLICANT.user_id


def test_K20_the_person_an_entry_is_about_never_signs_or_returns_its_step():
    """K20 (issue 16; seed 001 D1 第五条): with ``subject_id`` set (``RegisterDef.subject_field``) the person the
    entry is about gets no buttons and is refused approve and reject even holding the step's title in the entry's
    department; another holder signs. A "back to" step is not a signature and stays theirs."""
    grading = REGISTRY["secrecy_person"]
    assert grading.subject_field == "person_id"
    chain = (ChainStep("部门主管", department=True), ChainStep("行政主管"))
    life = L.Life(state=L.PENDING, created_by_id=APPLICANT.user_id, department_id=SALES, chain=chain,
                  subject_id=SUPERVISOR.user_id)
    assert not L.may_act(grading, SUPERVISOR, life)
    with pytest.raises(NotAllowed) as own:
        L.approve(grading, life, SUPERVISOR, now=NOW)
    assert own.value.key == "registers.own_record"
    with pytest.raises(NotAllowed):
        L.reject(grading, life, SUPERVISOR, now=NOW, reason="x")
    deputy = who(8, "部门主管", role="supervisor")
    assert L.may_act(grading, deputy, life)
    signed, step = L.approve(grading, life, deputy, now=NOW)
    assert (signed.step_no, step.title) == (1, "部门主管")
    returning = L.Life(state=L.PENDING, created_by_id=APPLICANT.user_id, department_id=SALES,
                       chain=(ChainStep("部门主管", department=True, returning=True),), subject_id=SUPERVISOR.user_id)
    assert L.may_act(grading, SUPERVISOR, returning)
