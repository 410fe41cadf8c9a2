"""Seals on the register engine (seed 001 D18, REGISTERS.md §1.4), on SQLite and PostgreSQL: SE1 the seal's
lifecycle refuses a skipped step, SE2 a use is registered only after the 印章管理员 approved it, SE3 a new seal
goes through 行政办 and is then carved, SE4 a use names a real seal of the ledger that is 启用 on the day of use."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models_registers import register_table
from lib.domain.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from lib.i18n import catalog, translate
from lib.services import registers as R
from tests.db.registers_family_kit import DAY, NOW, at, make_office

D = dt.timedelta


@pytest.fixture
def office(engine):
    return engine, make_office(engine)


def test_SE1_seal_lifecycle_goes_step_by_step_and_refuses_a_skipped_step(office):
    """SE1: 刻制 → 发放 → 启用 → 停用 → 收回 → 销毁, each dated once, in order; a skipped step is refused with a
    translated reason, a date before the previous step's too; only 行政办 (行政主管) keeps the ledger."""
    engine, p = office
    values = {"seal_type": "contract", "name": "合同专用章(一)", "carved_on": DAY}
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["applicant"], register="seal", values=values, now=NOW)
    with pytest.raises(DomainError) as jumped:
        R.create_entry(engine, actor=p["admin_office"], register="seal", now=NOW,
                       values={**values, "activated_on": DAY})
    assert jumped.value.key == "registers.seal.skipped.active"
    seal = R.create_entry(engine, actor=p["admin_office"], register="seal", values=values, now=NOW)
    entry = R.get_entry(engine, actor=p["admin_office"], register="seal", entry_id=seal, now=at(1)).entry
    assert (entry.state, entry.values["status"], entry.locked, entry.no) == ("recorded", "carved", True, 1)

    def step(values, minutes):
        R.edit_entry(engine, actor=p["admin_office"], register="seal", entry_id=seal, values=values, now=at(minutes))

    for skipped, key in (({"activated_on": DAY}, "active"), ({"destroyed_on": DAY}, "destroyed"),
                         ({"suspended_on": DAY}, "suspended")):
        with pytest.raises(DomainError) as refused:
            step(skipped, 2)
        assert refused.value.key == f"registers.seal.skipped.{key}"
        assert refused.value.key in catalog("zh_CN") and refused.value.key in catalog("en")
    with pytest.raises(ValidationFailed) as early:
        step({"issued_on": DAY - D(days=1), "keeper_id": p["seal_keeper"].id}, 3)
    assert early.value.keys() == {"reg.seal.issued_on": "registers.seal.date_before_previous"}
    step({"issued_on": DAY + D(days=1), "keeper_id": p["seal_keeper"].id}, 4)
    step({"activated_on": DAY + D(days=1)}, 5)
    entry = R.get_entry(engine, actor=p["admin_office"], register="seal", entry_id=seal, now=at(6)).entry
    assert entry.values["status"] == "active" and entry.values["keeper_id"] == p["seal_keeper"].id
    with pytest.raises(Conflict):
        step({"activated_on": DAY + D(days=2)}, 7)  # each step dated once; a change is a correction
    with pytest.raises(DomainError) as jumped:
        step({"recalled_on": DAY + D(days=30)}, 8)
    assert jumped.value.key == "registers.seal.skipped.recalled"
    for minutes, (field, days) in enumerate((("suspended_on", 30), ("recalled_on", 31), ("destroyed_on", 40)), 9):
        step({field: DAY + D(days=days)}, minutes)
    entry = R.get_entry(engine, actor=p["admin_office"], register="seal", entry_id=seal, now=at(20)).entry
    assert entry.values["status"] == "destroyed"
    with session_scope(engine, write=False) as session:
        tbl = register_table("seal")
        assert session.execute(select(tbl.c.status).where(tbl.c.id == seal)).scalar() == "destroyed"


def active_seal(engine, p, name: str = "合同专用章(一)", seal_type: str = "contract") -> int:
    """A seal of the ledger carved, issued and put in use (启用) ten days before ``DAY``."""
    return R.create_entry(engine, actor=p["admin_office"], register="seal", now=NOW, values={
        "seal_type": seal_type, "name": name, "carved_on": DAY - D(days=12), "issued_on": DAY - D(days=11),
        "keeper_id": p["seal_keeper"].id, "activated_on": DAY - D(days=10)})


def use_values(p, **extra):
    return {"department": "销售部", "requester_id": p["applicant"].id, "requested_at": NOW, "seal_type": "contract",
            "seal": "合同专用章(一)", "document": "某公司采购合同", "purpose": "签订合同", "copies": 2, **extra}


def test_SE2_seal_use_is_registered_only_after_the_seal_keepers_approval(office):
    """SE2: 用印申请 → 印章管理员 用印审核 → 使用登记 with date and keeper; nobody else reviews, nothing is
    registered before the review, and the date and keeper go together."""
    engine, p = office
    active_seal(engine, p)
    with pytest.raises(ValidationFailed) as early:
        R.create_entry(engine, actor=p["applicant"], register="seal_use", now=NOW,
                       values=use_values(p, used_at=NOW, keeper_id=p["seal_keeper"].id))
    assert early.value.keys()["reg.seal_use.used_at"] == "registers.seal_use.not_approved"
    use = R.create_entry(engine, actor=p["applicant"], register="seal_use", values=use_values(p), now=NOW)
    entry = R.get_entry(engine, actor=p["applicant"], register="seal_use", entry_id=use, now=at(1)).entry
    assert (entry.state, entry.step_title) == ("pending", "印章管理员")
    with pytest.raises((ValidationFailed, DomainError)) as unapproved:
        R.edit_entry(engine, actor=p["applicant"], register="seal_use", entry_id=use, now=at(2),
                     values={"used_at": at(2), "keeper_id": p["seal_keeper"].id})
    refused = unapproved.value
    assert (refused.keys().get("reg.seal_use.used_at") if isinstance(refused, ValidationFailed) else refused.key) \
        == "registers.seal_use.not_approved"
    for other in ("admin_office", "supervisor", "colleague"):
        with pytest.raises(NotAllowed):
            R.approve_entry(engine, actor=p[other], register="seal_use", entry_id=use, now=at(3))
    assert [r.id for r in R.awaiting(engine, actor=p["seal_keeper"], register="seal_use", now=at(3))] == [use]
    R.approve_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=use, step_no=0, now=at(4))
    entry = R.get_entry(engine, actor=p["applicant"], register="seal_use", entry_id=use, now=at(5)).entry
    assert (entry.state, entry.locked, entry.values["reviewed_by"]) == ("approved", True, "seal_keeper")
    with pytest.raises(ValidationFailed) as half:
        R.edit_entry(engine, actor=p["applicant"], register="seal_use", entry_id=use, values={"used_at": at(6)},
                     now=at(6))
    assert half.value.keys() == {"reg.seal_use.keeper_id": "registers.seal_use.date_and_keeper"}
    R.edit_entry(engine, actor=p["applicant"], register="seal_use", entry_id=use, now=at(7),
                 values={"used_at": at(7), "keeper_id": p["seal_keeper"].id})
    entry = R.get_entry(engine, actor=p["applicant"], register="seal_use", entry_id=use, now=at(8)).entry
    assert entry.values["used_at"] == at(7) and entry.values["keeper_id"] == p["seal_keeper"].id
    rejected = R.create_entry(engine, actor=p["colleague"], register="seal_use", values=use_values(p), now=at(9))
    R.reject_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=rejected, reason="用途不明",
                   now=at(10))
    with pytest.raises(ValidationFailed):
        R.edit_entry(engine, actor=p["colleague"], register="seal_use", entry_id=rejected, now=at(11),
                     values=use_values(p, used_at=at(11), keeper_id=p["seal_keeper"].id))


def test_SE3_a_new_seal_goes_through_the_admin_office_then_is_carved(office):
    """SE3: a department's 印章配置申请 is approved by 行政办; the approval opens the new seal in the ledger (in
    行政办's name, 待刻制), which 行政办 then carves, issues and puts in use."""
    engine, p = office
    request = R.create_entry(engine, actor=p["applicant"], register="seal_config", now=NOW, values={
        "requester_id": p["applicant"].id, "requested_at": NOW, "seal_type": "other", "name": "销售部业务专用章",
        "quantity": 1, "grounds": "新设销售部门需要业务用章"})
    with pytest.raises(NotAllowed):
        R.approve_entry(engine, actor=p["seal_keeper"], register="seal_config", entry_id=request, now=at(1))
    seal_table = register_table("seal")
    with session_scope(engine, write=False) as session:
        assert session.execute(select(seal_table.c.id)).all() == []
    R.approve_entry(engine, actor=p["admin_office"], register="seal_config", entry_id=request, step_no=0, now=at(2))
    with session_scope(engine, write=False) as session:
        (row,) = session.execute(select(seal_table)).all()
    assert (row.state, row.created_by_id, row.request_id, row.name, row.seal_type, row.status) == \
        ("draft", p["admin_office"].id, request, "销售部业务专用章", "other", "requested")
    draft = {"seal_type": "other", "name": "销售部业务专用章", "request_id": request, "carved_on": DAY + D(days=3)}
    R.edit_entry(engine, actor=p["admin_office"], register="seal", entry_id=row.id, values=draft, now=at(3))
    R.submit_entry(engine, actor=p["admin_office"], register="seal", entry_id=row.id, now=at(4))
    R.edit_entry(engine, actor=p["admin_office"], register="seal", entry_id=row.id, now=at(5),
                 values={"issued_on": DAY + D(days=4), "keeper_id": p["seal_keeper"].id})
    entry = R.get_entry(engine, actor=p["admin_office"], register="seal", entry_id=row.id, now=at(6)).entry
    assert (entry.state, entry.values["status"], entry.no) == ("recorded", "issued", 1)


def _seal_error(refused: ValidationFailed) -> tuple[str, dict]:
    (error,) = [e for e in refused.errors if e.field == "reg.seal_use.seal"]
    return error.key, error.params


def test_SE4_a_seal_use_names_a_real_seal_of_the_ledger_that_is_in_use(office):
    """SE4 (REGISTERS.md §2.2 「SealUse: validate seal is active」; seed 001 D18 5.1.2): a use naming a seal the
    ledger lacks, a seal of another type, or a seal not 启用 (issued only) is refused on the seal field with a
    translated message naming the seal and its state; a seal in use is accepted."""
    engine, p = office
    with pytest.raises(ValidationFailed) as unknown:
        R.create_entry(engine, actor=p["applicant"], register="seal_use", values=use_values(p), now=NOW)
    assert _seal_error(unknown.value) == ("registers.seal_use.no_seal", {"seal": "合同专用章(一)"})
    R.create_entry(engine, actor=p["admin_office"], register="seal", now=NOW, values={
        "seal_type": "contract", "name": "合同专用章(一)", "carved_on": DAY - D(days=3), "issued_on": DAY - D(days=2),
        "keeper_id": p["seal_keeper"].id})
    with pytest.raises(ValidationFailed) as issued:
        R.create_entry(engine, actor=p["applicant"], register="seal_use", values=use_values(p), now=at(1))
    key, params = _seal_error(issued.value)
    assert (key, params) == ("registers.seal_use.seal_state.issued", {"seal": "合同专用章(一)", "day": DAY.isoformat()})
    for lang in ("zh_CN", "en"):
        assert key in catalog(lang) and "合同专用章(一)" in translate(key, lang, **params)
    assert "已发放但尚未启用" in translate(key, "zh_CN", **params)
    active_seal(engine, p, name="财务专用章", seal_type="finance")
    with pytest.raises(ValidationFailed) as wrong:
        R.create_entry(engine, actor=p["applicant"], register="seal_use", now=at(2),
                       values=use_values(p, seal="财务专用章"))
    assert _seal_error(wrong.value)[0] == "registers.seal_use.wrong_type"
    use = R.create_entry(engine, actor=p["applicant"], register="seal_use", now=at(3),
                         values=use_values(p, seal="财务专用章", seal_type="finance"))
    assert R.get_entry(engine, actor=p["applicant"], register="seal_use", entry_id=use, now=at(4)).entry.state \
        == "pending"
    rows = R.list_entries(engine, actor=p["seal_keeper"], register="seal_use", now=at(4),
                          query=R.Query(first=DAY, last=DAY)).rows
    assert [r.id for r in rows] == [use]  # the refused attempts left nothing behind


def test_SE4_a_seal_destroyed_meanwhile_stops_the_approval_and_the_day_of_use_decides(office):
    """SE4: the 印章管理员 cannot approve a use whose seal was 停用/收回/销毁 after it was asked for (the guard
    says which seal and that it is destroyed); a use is registered only on a day its seal is 启用: a day before
    the seal's 停用 passes, a day after it is refused."""
    engine, p = office
    seal = active_seal(engine, p)
    pending = R.create_entry(engine, actor=p["applicant"], register="seal_use", values=use_values(p), now=at(1))
    spare = active_seal(engine, p, name="合同专用章(二)")
    later = R.create_entry(engine, actor=p["applicant"], register="seal_use", now=at(2),
                           values=use_values(p, seal="合同专用章(二)"))
    R.approve_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=later, step_no=0, now=at(3))
    for minutes, field in enumerate(("suspended_on", "recalled_on", "destroyed_on"), 4):
        R.edit_entry(engine, actor=p["admin_office"], register="seal", entry_id=seal, values={field: DAY},
                     now=at(minutes))
    with pytest.raises(DomainError) as refused:
        R.approve_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=pending, step_no=0, now=at(8))
    assert (refused.value.key, refused.value.params) == (
        "registers.seal_use.seal_state.destroyed", {"seal": "合同专用章(一)", "day": DAY.isoformat()})
    assert "已销毁" in translate(refused.value.key, "zh_CN", **refused.value.params)
    entry = R.get_entry(engine, actor=p["applicant"], register="seal_use", entry_id=pending, now=at(9)).entry
    assert (entry.state, entry.step_title) == ("pending", "印章管理员")  # nothing signed
    R.reject_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=pending, reason="印章已销毁",
                   step_no=0, now=at(9))  # refusing stays possible
    R.edit_entry(engine, actor=p["admin_office"], register="seal", entry_id=spare, values={"suspended_on": DAY + D(days=1)},
                 now=at(10))
    with pytest.raises(ValidationFailed) as after:
        R.edit_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=later, now=at(11),
                     values={"used_at": NOW + D(days=2), "keeper_id": p["seal_keeper"].id})
    assert _seal_error(after.value) == ("registers.seal_use.seal_state.suspended",
                                        {"seal": "合同专用章(二)", "day": (DAY + D(days=2)).isoformat()})
    R.edit_entry(engine, actor=p["seal_keeper"], register="seal_use", entry_id=later, now=at(12),
                 values={"used_at": at(12), "keeper_id": p["seal_keeper"].id})
    entry = R.get_entry(engine, actor=p["applicant"], register="seal_use", entry_id=later, now=at(13)).entry
    assert entry.values["used_at"] == at(12)
