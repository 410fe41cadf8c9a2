"""Office phones as register hooks without a database (seed 002 #1; REGISTERS.md §1.1; SPEC 5.1): S56, S57 and
P1–P6, one rule each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lib.domain.errors import DomainError
from lib.domain.people import DEFAULT_TITLES
from lib.domain.registers import REGISTRY, families
from lib.domain.registers.hooks import Blocker, Ctx, Entry, LedgerProposal, StepView
from lib.domain.registers.phones import bill_deadline, fault_status
from lib.i18n import catalog
from lib.services import settings as settings_service

NOW = dt.datetime(2027, 3, 6, 2, 0, tzinfo=dt.timezone.utc)  # Saturday 6 March 10:00 in Shanghai
CTX = Ctx(now=NOW, settings={"registers.phone_bill.deadline_day": 5, "office.timezone": "Asia/Shanghai"})


def hooks(key: str):
    return REGISTRY[key].hooks


def keys(errors) -> dict[str, str]:
    return {e.field: e.key for e in errors}


def step(seq: int, action: str, title: str = "", name: str = "", index: int | None = None) -> StepView:
    return StepView(seq=seq, action=action, title=title, actor_id=1, actor_name=name, at=NOW, step_index=index)


class Departments:
    """A fake ``Ctx.lookups`` with the department lookup the sharing guard asks for."""

    def __init__(self, departments: dict[int, int]) -> None:
        self.departments = departments

    def name_of(self, user_id: int) -> str:
        return f"u{user_id}"

    def department_of(self, user_id: int) -> int | None:
        return self.departments.get(user_id)

    def team_of(self, user_id: int) -> int | None:  # P9: the sharing guard reads teams (here the same map)
        return self.departments.get(user_id)


def test_phone_registers_have_sources_quotes_catalog_labels_and_managed_titles():
    """Every phone register cites seed 002 #1, every field its quote; labels, choices, settings and hook keys are in
    both catalogs; chain and access titles are on the managed list (T13)."""
    defs = settings_service.definitions()
    regs = families()["phones"]
    assert [r.key for r in regs] == ["phone_line", "phone_sharing", "phone_call_log", "phone_fault", "phone_change",
                                     "phone_handover", "phone_bill", "phone_bill_charge"]
    for rdef in regs:
        assert rdef.source.startswith("seed 002 #1") and all(f.quote for f in rdef.fields), rdef.key
        if rdef.chain_setting:
            assert set(defs[rdef.chain_setting].default) <= set(DEFAULT_TITLES), rdef.key
        assert set(rdef.create_titles) | set(rdef.read_titles) <= set(DEFAULT_TITLES), rdef.key
        for lang in ("zh_CN", "en"):
            words = catalog(lang)
            assert rdef.title_key in words and "registers.family.phones" in words
            for f in rdef.fields:
                assert rdef.label_key(f.key) in words, (lang, rdef.key, f.key)
                for choice in f.choices:
                    assert f"registers.choice.{rdef.key}.{f.key}.{choice}" in words
            assert rdef.chain_setting is None or f"setting.{rdef.chain_setting}" in words
    assert defs["registers.phone_change.chain"].default == ["部门主管", "行政主管", "校长"]
    assert defs["registers.phone_bill.deadline_day"].default == 5
    import re
    source = open("lib/domain/registers/phones.py", encoding="utf-8").read()
    for key in set(re.findall(r'"(registers\.(?:phone_[a-z_]+|blocker|due)\.[a-z_.]+)"', source)) - set(defs):
        for lang in ("zh_CN", "en"):
            assert key in catalog(lang), (lang, key)
    assert "audit.action.phone_compensation" in catalog("zh_CN") and "audit.action.phone_compensation" in catalog("en")
    for kind in ("phone_bill_reconcile", "phone_bill_pay"):
        assert f"registers.due.{kind}" in catalog("zh_CN") and f"registers.due.{kind}" in catalog("en")


def test_S56_line_change_is_implemented_only_after_the_principal_and_needs_a_reason():
    """S56: 变动理由 is required; 实施 is refused until a 校长 has approved since the last submit — even when the entry
    is approved by a chain an admin shortened (no 校长 step)."""
    rdef = REGISTRY["phone_change"]
    assert rdef.field("grounds").required and rdef.field("grounds").quote == "变动理由"
    h = hooks("phone_change")
    values = {"kind": "add", "department": "销售部", "grounds": "新增传真", "requested_at": NOW - dt.timedelta(days=3),
              "implemented_at": NOW}
    chain = [step(1, "create"), step(2, "submit", "部门主管", index=0), step(3, "approve", "部门主管", "甲", 0),
             step(4, "approve", "行政主管", "乙", 1)]
    waiting = Entry("phone_change", 1, "pending", values, steps=tuple(chain))
    assert keys(h.validate(waiting, CTX)) == {"reg.phone_change.implemented_at": "registers.phone_change.principal_first"}
    with pytest.raises(DomainError) as refused:
        h.guard(waiting, "edit", frozenset({"行政主管"}), CTX)
    assert refused.value.key == "registers.phone_change.principal_first"
    no_principal = Entry("phone_change", 1, "approved", values, steps=tuple(chain))  # chain setting without 校长
    with pytest.raises(DomainError):
        h.guard(no_principal, "edit", frozenset(), CTX)
    assert keys(h.validate(no_principal, CTX)) == {
        "reg.phone_change.implemented_at": "registers.phone_change.principal_first"}
    signed = Entry("phone_change", 1, "approved", values, steps=(*chain, step(5, "approve", "校长", "王校长", 2)))
    assert h.validate(signed, CTX) == [] and h.guard(signed, "edit", frozenset(), CTX) is None
    assert h.derive(signed, CTX) == {"approved_by": "王校长"}
    resubmitted = Entry("phone_change", 1, "approved", values,
                        steps=(*chain, step(5, "approve", "校长", "王校长", 2), step(6, "submit", "部门主管", index=0)))
    assert h.derive(resubmitted, CTX) == {"approved_by": ""}  # a signature before the last submit does not count
    change = Entry("phone_change", 1, "draft", {**values, "kind": "change", "implemented_at": None})
    assert keys(h.validate(change, CTX)) == {"reg.phone_change.line": "registers.phone_change.line_required"}


def test_S56_only_the_borrowers_team_director_assigns_sharing():
    """S56 / P2: 「由团队主任内部调剂」: the create title is 团队主任; the guard refuses anyone without it, and a 团队主任 of
    another team (the borrower's department is not the entry's)."""
    rdef = REGISTRY["phone_sharing"]
    assert rdef.create_titles == ("团队主任",)
    h = hooks("phone_sharing")
    entry = Entry("phone_sharing", 1, "draft", {"borrower_id": 7, "host_line": "8001", "from_at": NOW},
                  created_by_id=1, department_id=10)
    ctx = Ctx(now=NOW, settings={}, lookups=Departments({1: 10, 7: 10, 8: 20}))
    with pytest.raises(DomainError) as not_director:
        h.guard(entry, "submit", frozenset({"部门主管"}), ctx)
    assert not_director.value.key == "registers.phone_sharing.director_only"
    assert h.guard(entry, "submit", frozenset({"团队主任"}), ctx) is None
    other_team = Entry("phone_sharing", 1, "draft", {**entry.values, "borrower_id": 8}, created_by_id=1,
                       department_id=10)
    with pytest.raises(DomainError) as foreign:
        h.guard(other_team, "submit", frozenset({"团队主任"}), ctx)
    assert foreign.value.key == "registers.phone_sharing.not_borrowers_director"
    same = Entry("phone_sharing", 1, "draft", {**entry.values, "host_user_id": 7, "to_at": NOW - dt.timedelta(hours=1)})
    assert keys(h.validate(same, ctx)) == {"reg.phone_sharing.host_user_id": "registers.phone_sharing.same_person",
                                          "reg.phone_sharing.to_at": "registers.phone_sharing.ends_before_start"}


def test_S57_bill_due_by_the_5th_of_next_month_reconcile_then_pay():
    """S57: February's bill is due at the end of 5 March (office time): to reconcile until 行政管理中心 signs step 0, then
    to pay; on 6 March either is overdue; a paid (approved) bill has no due."""
    h = hooks("phone_bill")
    deadline = dt.datetime(2027, 3, 5, 16, 0, tzinfo=dt.timezone.utc)  # 6 March 00:00 in Shanghai
    feb = {"month": dt.date(2027, 2, 1), "statement_total": Decimal("812.40")}
    pending = Entry("phone_bill", 1, "pending", feb, steps=(step(1, "create"), step(2, "submit", "行政主管", index=0)))
    (due,) = h.dues(pending, CTX)
    assert (due.kind, due.due_at) == ("phone_bill_reconcile", deadline) and due.due_at <= NOW
    reconciled = Entry("phone_bill", 1, "pending", feb,
                       steps=(*pending.steps, step(3, "approve", "行政主管", "乙", 0)))
    assert [(d.kind, d.due_at) for d in h.dues(reconciled, CTX)] == [("phone_bill_pay", deadline)]
    # P7: who acts — 行政管理中心 reconciles, 财务部 pays (the chain's titles as set)
    assert (due.title, h.dues(reconciled, CTX)[0].title) == ("行政主管", "综合部主管")
    moved = Ctx(now=NOW, settings={**CTX.settings, "registers.phone_bill.chain": ["行政主管", "财务主管"]})
    assert h.dues(reconciled, moved)[0].title == "财务主管"
    assert h.dues(Entry("phone_bill", 1, "approved", feb), CTX) == ()
    assert h.dues(Entry("phone_bill", 1, "rejected", feb), CTX)[0].kind == "phone_bill_reconcile"
    later = Ctx(now=NOW, settings={"registers.phone_bill.deadline_day": 10, "office.timezone": "Asia/Shanghai"})
    assert h.dues(pending, later)[0].due_at == deadline + dt.timedelta(days=5)
    tz = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    assert bill_deadline(dt.date(2026, 12, 1), 5, tz) == dt.datetime(2027, 1, 5, 16, 0, tzinfo=dt.timezone.utc)


def test_P1_personal_line_names_its_user_fax_its_keeper_and_an_assigned_line_blocks_leaving():
    """P1: 「业务人员电话专人专用」 and 「传真的使用由团队主任或指定专人负责」; a line in use in a person's name is a
    departure blocker (asked by ``user_id``), a suspended one is not."""
    h = hooks("phone_line")
    bad = Entry("phone_line", 1, "draft", {"number": "8001", "kind": "fax", "personal": True, "status": "in_use"})
    assert keys(h.validate(bad, CTX)) == {"reg.phone_line.user_id": "registers.phone_line.personal_needs_user",
                                         "reg.phone_line.fax_keeper_id": "registers.phone_line.fax_needs_keeper"}
    line = Entry("phone_line", 3, "recorded", {"number": "8001", "kind": "desk", "user_id": 7, "status": "in_use"})
    assert h.validate(line, CTX) == [] and h.blocking_field() == "user_id"
    assert list(h.blockers(line, CTX)) == [Blocker("phone_line", 3, "registers.blocker.phone_line")]
    suspended = Entry("phone_line", 3, "recorded", {**line.values, "status": "suspended"})
    assert list(h.blockers(suspended, CTX)) == []


def test_P2_shared_call_log_takes_numbers_as_dialled():
    """P2: 「做好拨打电话号码记录」: short numbers, premium lines and extensions are fine; words are not."""
    h = hooks("phone_call_log")
    for number in ("168", "13800138000", "021-6234 5678", "8001#2"):
        assert h.validate(Entry("phone_call_log", 1, "draft", {"dialled": number}), CTX) == [], number
    assert keys(h.validate(Entry("phone_call_log", 1, "draft", {"dialled": "张三"}), CTX)) == {
        "reg.phone_call_log.dialled": "registers.phone_call_log.bad_number"}


def test_P3_fault_goes_reported_repairing_repaired_or_shared():
    """P3: the status is derived from the dates; 修复 needs 维修 first and no step is before the one before it."""
    assert fault_status({}) == "reported"
    assert fault_status({"repairing_at": NOW}) == "repairing"
    assert fault_status({"repairing_at": NOW, "shared_at": NOW}) == "sharing"
    assert fault_status({"repairing_at": NOW, "shared_at": NOW, "repaired_at": NOW}) == "repaired"
    h = hooks("phone_fault")
    skipped = Entry("phone_fault", 1, "recorded", {"reported_at": NOW, "repaired_at": NOW})
    assert keys(h.validate(skipped, CTX)) == {
        "reg.phone_fault.repaired_at": "registers.phone_fault.repaired_before_repairing"}
    early = Entry("phone_fault", 1, "recorded", {"reported_at": NOW, "repairing_at": NOW - dt.timedelta(hours=1)})
    assert keys(h.validate(early, CTX)) == {"reg.phone_fault.repairing_at": "registers.phone_fault.before_previous"}


def test_P4_handover_charges_a_human_caused_fault_at_the_purchase_price_and_blocks_until_received():
    """P4: a faulty handset says what is wrong; human-caused damage needs the purchase price, which is the
    compensation (a PH3 ledger proposal on receipt); the handover blocks its leaver until approved."""
    h = hooks("phone_handover")
    assert keys(h.validate(Entry("phone_handover", 1, "draft", {"handset_ok": False}), CTX)) == {
        "reg.phone_handover.fault": "registers.phone_handover.fault_required"}
    assert keys(h.validate(Entry("phone_handover", 1, "draft", {"handset_ok": True, "human_caused": True}), CTX)) == {
        "reg.phone_handover.human_caused": "registers.phone_handover.ok_but_damaged",
        "reg.phone_handover.purchase_price": "registers.phone_handover.price_required"}
    broken = {"leaver_id": 7, "line": "8001", "handset_ok": False, "fault": "话筒摔裂", "human_caused": True,
              "purchase_price": Decimal("168.00")}
    assert h.derive(Entry("phone_handover", 1, "draft", broken), CTX) == {"compensation": Decimal("168.00")}
    assert h.derive(Entry("phone_handover", 1, "draft", {**broken, "human_caused": False}), CTX) == {
        "compensation": None}
    pending = Entry("phone_handover", 4, "pending", broken)
    assert [b.key for b in h.blockers(pending, CTX)] == ["registers.blocker.phone_handover"]
    assert h.blocking_field() == "leaver_id" and h.effects(pending, "approve", CTX) == ()
    received = Entry("phone_handover", 4, "approved", broken)
    assert list(h.blockers(received, CTX)) == []
    (charge,) = h.effects(received, "approve", CTX)
    assert charge == LedgerProposal("PH3", 7, dt.date(2027, 3, 6), amount=Decimal("168.00"), note="8001")


def test_P5_bill_month_is_a_first_day_and_charges_name_who_pays():
    """P5: the month is entered as its first day; private charges name their person, untraceable ones the team
    that splits them (「按所在团队均摊处理」)."""
    h = hooks("phone_bill")
    entry = Entry("phone_bill", 1, "draft", {"month": dt.date(2027, 2, 3), "charged_amount": Decimal("30"),
                                             "untraceable_amount": Decimal("12")})
    assert keys(h.validate(entry, CTX)) == {"reg.phone_bill.month": "registers.phone_bill.first_of_month",
                                           "reg.phone_bill.charged_id": "registers.phone_bill.who_pays",
                                           "reg.phone_bill.team": "registers.phone_bill.team_required"}


def test_P6_a_charge_found_at_reconciliation_proposes_PH5_for_the_person_once_at_the_first_step():
    """P6 (SPEC 4.4 PH5, seed 002 #1 「信息费、168…充值」): when 行政管理中心 signs the reconciliation (step 0), the
    person charged gets a PH5 proposal for the charges found (the ledger doubles them); not again when 财务部 pays,
    not for a bill without a charge, not for an untraceable amount alone (a team, not a person)."""
    bill = {"month": dt.date(2027, 2, 1), "statement_total": Decimal("812.40"), "charged_id": 7,
            "charged_amount": Decimal("36.00")}
    reconciled = Entry("phone_bill", 3, "pending", bill,
                       steps=(step(1, "submit"), step(2, "approve", "行政主管", "张行政", index=0)))
    (proposal,) = hooks("phone_bill").effects(reconciled, "approve", CTX)
    assert proposal == LedgerProposal("PH5", 7, dt.date(2027, 3, 6), amount=Decimal("36.00"), note="2027-02")
    paid = Entry("phone_bill", 3, "approved", bill, steps=(*reconciled.steps,
                                                           step(3, "approve", "综合部主管", "李财务", index=1)))
    assert hooks("phone_bill").effects(paid, "approve", CTX) == ()
    no_charge = Entry("phone_bill", 3, "pending", {**bill, "charged_id": None, "charged_amount": None,
                                                   "untraceable_amount": Decimal("30"), "team": "销售一组"},
                      steps=reconciled.steps)
    assert hooks("phone_bill").effects(no_charge, "approve", CTX) == ()
    assert hooks("phone_bill").effects(reconciled, "submit", CTX) == ()


class Teams:
    """A fake ``Ctx.lookups`` knowing one team, 销售一组, whose first member is user 21."""

    def name_of(self, user_id: int) -> str:
        return f"u{user_id}"

    def team_member(self, name: str) -> int | None:
        return 21 if name == "销售一组" else None


def test_P6_S49_an_untraceable_charge_is_split_over_the_team_the_bill_names():
    """P6/S49 (「按所在团队均摊处理」): an untraceable amount is one untraceable PH5 proposal through a member of the
    named team (the ledger writes a share per member); a team nobody is in is refused on the field."""
    ctx = Ctx(now=NOW, settings=CTX.settings, lookups=Teams())
    bill = {"month": dt.date(2027, 2, 1), "statement_total": Decimal("812.40"), "untraceable_amount": Decimal("30"),
            "team": "销售一组"}
    reconciled = Entry("phone_bill", 3, "pending", bill,
                       steps=(step(1, "submit"), step(2, "approve", "行政主管", "张行政", index=0)))
    assert hooks("phone_bill").effects(reconciled, "approve", ctx) == (
        LedgerProposal("PH5", 21, dt.date(2027, 3, 6), amount=Decimal("30"), note="2027-02", traceable=False),)
    assert keys(hooks("phone_bill").validate(Entry("phone_bill", None, "draft", {**bill, "team": "不存在组"}), ctx)) == {
        "reg.phone_bill.team": "registers.phone_bill.unknown_team"}
    assert hooks("phone_bill").validate(Entry("phone_bill", None, "draft", bill), ctx) == []


def test_P7_a_waiting_step_for_another_title_is_not_hidden_behind_an_earlier_hook_due():
    """P7: when a hook due for one title falls before a waiting approval step of another title, both are listed:
    the due for its title at its time, the step for its title ``registers.step_hours`` after it was reached."""
    from lib.domain.registers.hooks import Due
    from lib.services.registers import read

    H = dt.timedelta(hours=1)

    class Row:
        id, state, step_title, created_by_id, department_id = 7, "pending", "综合部主管", 3, 1
        chain = [{"title": "行政主管"}, {"title": "综合部主管"}]
        step_no, locked_at, submitted_at, decided_at, superseded_by_id = 1, None, NOW, None, None
        updated_at = NOW + H
        due_at = NOW + 2 * H
        _mapping = {**{f.key: None for f in REGISTRY["phone_bill"].fields}, "charged_id": 9}

    items = read._row_dues(REGISTRY["phone_bill"], Row, [Due("phone_bill_reconcile", NOW + 2 * H, "行政主管")],
                           NOW, 24)
    assert [(i.kind, i.due_at, i.for_title, i.step_title) for i in items] == [
        ("phone_bill_reconcile", NOW + 2 * H, "行政主管", "综合部主管"), ("step", NOW + 25 * H, None, "综合部主管")]
    assert {i.subject_id for i in items} == {9}  # the person charged signs no step of it (K20)
    same = read._row_dues(REGISTRY["phone_bill"], Row, [Due("phone_bill_pay", NOW + 2 * H, "综合部主管")], NOW, 24)
    assert [(i.kind, i.for_title) for i in same] == [("phone_bill_pay", "综合部主管")]


def test_P8_a_finding_names_a_person_or_a_team_and_becomes_its_own_PH5_proposal():
    """P8: a charge row names a person or a team (one of the two), an amount above zero; the bill's reconciliation
    proposes one PH5 per recorded finding of its month (a team's as a split), none for a draft finding."""
    from lib.domain.registers.phones import charge_proposal

    class Lookups(Departments):
        def __init__(self, charges, bills=()):
            super().__init__({})
            self.charges, self.bills = charges, bills

        def team_member(self, name: str) -> int | None:
            return 21 if name == "销售一组" else None

        def entries(self, register: str, **equals):
            return self.charges if register == "phone_bill_charge" else self.bills

    feb = dt.date(2027, 2, 1)
    h = hooks("phone_bill_charge")
    ctx = Ctx(now=NOW, settings=CTX.settings, lookups=Lookups(()))
    neither = Entry("phone_bill_charge", None, "draft", {"month": feb, "amount": Decimal("5"), "cause": "x"})
    assert keys(h.validate(neither, ctx)) == {"reg.phone_bill_charge.person_id": "registers.phone_bill_charge.person_or_team"}
    zero = Entry("phone_bill_charge", None, "draft", {"month": feb, "person_id": 7, "amount": Decimal("0"), "cause": "x"})
    assert keys(h.validate(zero, ctx)) == {"reg.phone_bill_charge.amount": "registers.phone_bill_charge.amount_positive"}
    assert charge_proposal(ctx, {"team": "销售一组", "amount": Decimal("30"), "cause": "168"}, NOW.date(), "2027-02") == \
        LedgerProposal("PH5", 21, NOW.date(), amount=Decimal("30"), note="2027-02 168", traceable=False)
    charges = (Entry("phone_bill_charge", 1, "recorded", {"month": feb, "person_id": 7, "amount": Decimal("36"),
                                                           "cause": "信息费"}),
               Entry("phone_bill_charge", 2, "recorded", {"month": feb, "person_id": 8, "amount": Decimal("20"),
                                                           "cause": "QQ"}),
               Entry("phone_bill_charge", 3, "draft", {"month": feb, "person_id": 9, "amount": Decimal("9"),
                                                        "cause": "草稿"}))
    ctx = Ctx(now=NOW, settings=CTX.settings, lookups=Lookups(charges))
    bill = Entry("phone_bill", 3, "pending", {"month": feb, "statement_total": Decimal("800")},
                 steps=(step(1, "submit"), step(2, "approve", "行政主管", "张行政", index=0)))
    assert [(e.person_id, e.amount) for e in hooks("phone_bill").effects(bill, "approve", ctx)] == [
        (7, Decimal("36")), (8, Decimal("20"))]
