"""Seal, lost-and-found, equipment and minor register definitions and their pure hooks (issue 14; REGISTERS.md
§1.4, §1.7, §1.9, §1.10): SE/LF/EQ/MR rules without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.domain.errors import DomainError
from lib.domain.registers import REGISTRY, families
from lib.domain.registers.hooks import Ctx, Entry, RegisterHooks, StepView
from lib.domain.registers.model import ChainStep
from lib.domain.registers.seals import LIFECYCLE, seal_status, skipped_step
from lib.i18n import catalog
from lib.services import settings as settings_service

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)
DAY = NOW.date()
FAMILIES = ("seals", "lost_found", "equipment", "office")
CTX = Ctx(now=NOW, settings={"registers.lost_item.hand_in_hours": 24, "registers.laptop_loan.days": 7,
                             "registers.meeting.minutes_days": 3})


def hooks(key: str) -> RegisterHooks:
    return REGISTRY[key].hooks


def test_SE1_lifecycle_status_and_skipped_steps():
    """SE1: 刻制 → 发放 → 启用 → 停用 → 收回 → 销毁: the status is the furthest dated step; dating a step whose
    predecessor is not dated is refused, at submit and at edit, with its own catalog key."""
    assert seal_status({}) == "requested"
    dates = {}
    for status, field in LIFECYCLE:
        dates[field] = DAY
        assert seal_status(dates) == status and skipped_step(dates) is None
    for (before, before_field), (step, step_field) in zip(LIFECYCLE, LIFECYCLE[1:]):
        values = {f: DAY for _, f in LIFECYCLE if f != before_field}
        assert skipped_step(values)[1] == before
        with pytest.raises(DomainError) as refused:
            hooks("seal").guard(Entry("seal", 1, "recorded", {step_field: DAY}), "edit", frozenset(), CTX)
        assert refused.value.key.startswith("registers.seal.skipped.")
        assert refused.value.key in catalog("zh_CN") and refused.value.key in catalog("en")
    hooks("seal").guard(Entry("seal", 1, "recorded", {"carved_on": DAY}), "approve", frozenset(), CTX)
    errors = hooks("seal").validate(Entry("seal", 1, "recorded", {"carved_on": DAY, "issued_on": DAY - dt.timedelta(1)}),
                                    CTX)
    assert [(e.field, e.key) for e in errors] == [("reg.seal.issued_on", "registers.seal.date_before_previous")]


def test_SE2_seal_use_is_registered_after_approval_and_names_its_reviewer():
    use = hooks("seal_use")
    values = {"used_at": NOW, "keeper_id": 3, "requested_at": NOW}
    assert {e.key for e in use.validate(Entry("seal_use", 1, "pending", values), CTX)} == {"registers.seal_use.not_approved"}
    with pytest.raises(DomainError):
        use.guard(Entry("seal_use", 1, "pending", values), "edit", frozenset({"印章管理员"}), CTX)
    assert use.validate(Entry("seal_use", 1, "approved", values), CTX) == []
    assert [e.field for e in use.validate(Entry("seal_use", 1, "approved", {"used_at": NOW}), CTX)] == \
        ["reg.seal_use.keeper_id"]
    steps = (StepView(1, "submit", "印章管理员", 1, "申请人", NOW, step_index=0),
             StepView(2, "approve", "印章管理员", 2, "王管理员", NOW, step_index=0))
    assert use.derive(Entry("seal_use", 1, "approved", {}, steps=steps), CTX) == {"reviewed_by": "王管理员"}


def test_SE3_an_approved_config_request_opens_the_new_seals():
    config = hooks("seal_config")
    entry = Entry("seal_config", 7, "approved", {"seal_type": "finance", "name": "财务专用章(二)", "quantity": 2})
    effects = config.effects(entry, "approve", CTX)
    assert [(e.register, dict(e.values)) for e in effects] == \
        [("seal", {"seal_type": "finance", "name": "财务专用章(二)", "request_id": 7})] * 2
    assert config.effects(Entry("seal_config", 7, "pending", entry.values), "approve", CTX) == ()


def test_LF1_a_kept_item_is_due_to_be_handed_in_and_closed_once():
    lost = hooks("lost_item")
    kept = Entry("lost_item", 1, "recorded", {"found_at": NOW})
    assert lost.derive(kept, CTX) == {"status": "kept"}
    assert [(d.kind, d.due_at) for d in lost.dues(kept, CTX)] == [("lost_item_hand_in", NOW + dt.timedelta(hours=24))]
    handed = Entry("lost_item", 1, "recorded", {"found_at": NOW, "handed_in_at": NOW, "handed_to": "行政部"})
    assert lost.derive(handed, CTX) == {"status": "handed_in"} and lost.dues(handed, CTX) == ()
    both = Entry("lost_item", 1, "recorded", {**handed.values, "returned_at": NOW, "owner": "王"})
    assert "registers.lost_item.already_closed" in {e.key for e in lost.validate(both, CTX)}
    assert lost.derive(Entry("lost_item", None, "draft", {}), CTX) == {"status": "registered"}


def test_EQ1_an_open_laptop_loan_blocks_and_is_due_back():
    loan = hooks("laptop_loan")
    assert loan.blocking_field() == "borrower_id"
    open_loan = Entry("laptop_loan", 4, "recorded", {"lent_at": NOW, "due_back": DAY + dt.timedelta(days=1)})
    assert [b.key for b in loan.blockers(open_loan, CTX)] == ["registers.blocker.open_laptop_loan"]
    assert [d.due_at for d in loan.dues(open_loan, CTX)] == [NOW + dt.timedelta(days=2)]
    returned = Entry("laptop_loan", 4, "recorded", {"lent_at": NOW, "returned_at": NOW + dt.timedelta(hours=3)})
    assert loan.blockers(returned, CTX) == [] and loan.dues(returned, CTX) == ()
    assert loan.blockers(Entry("laptop_loan", 4, "draft", {"lent_at": NOW}), CTX) == []


def test_MR_archive_letter_minutes_due_and_safety_issues():
    assert {e.key for e in hooks("archive_loan").validate(Entry("archive_loan", 1, "draft", {"letter": False}), CTX)} \
        == {"registers.archive_loan.needs_letter"}
    meeting = Entry("meeting", 1, "recorded", {"held_at": NOW})
    assert [d.due_at for d in hooks("meeting").dues(meeting, CTX)] == [NOW + dt.timedelta(days=3)]
    assert hooks("meeting").dues(Entry("meeting", 1, "recorded", {"held_at": NOW, "minutes_at": NOW}), CTX) == ()
    failed = {"power_ok": True, "sockets_ok": False, "flame_ok": True, "document_control_ok": True}
    assert [e.key for e in hooks("safety_check").validate(Entry("safety_check", 1, "draft", failed), CTX)] == \
        ["registers.safety_check.issues_required"]


def test_family_registers_have_sources_quotes_catalog_labels_and_settings():
    """Every field carries the seed quote it comes from (◇/△ where the seed gives none); every label, choice,
    family and setting is in both catalogs; chain titles are on the managed list (T13); data-only registers
    have no hooks."""
    from lib.domain.people import DEFAULT_TITLES

    defs = settings_service.definitions()
    for fam in FAMILIES:
        for rdef in families()[fam]:
            assert rdef.source.startswith("seed") and all(f.quote for f in rdef.fields), rdef.key
            if rdef.chain_setting:
                assert set(defs[rdef.chain_setting].default) <= set(DEFAULT_TITLES), rdef.key
            assert set(rdef.create_titles) | set(rdef.read_titles) <= set(DEFAULT_TITLES), rdef.key
            for lang in ("zh_CN", "en"):
                words = catalog(lang)
                assert rdef.title_key in words and f"registers.family.{fam}" in words
                for f in rdef.fields:
                    assert rdef.label_key(f.key) in words, (lang, rdef.key, f.key)
                    for choice in f.choices:
                        assert f"registers.choice.{rdef.key}.{f.key}.{choice}" in words
                for key in (rdef.chain_setting,):
                    assert key is None or f"setting.{key}" in words
    data_only = {"seal_change", "seal_impression", "seal_audit", "machine_history", "machine_inspection", "mail_log",
                 "document_log", "newspaper_log", "gift_issue", "archive_transfer", "archive_check", "meeting_notice"}
    assert all(REGISTRY[key].hooks is None for key in data_only)
    assert [f.quote for f in REGISTRY["newspaper_log"].fields][1:3] == ["种类", "数量"]
    assert REGISTRY["seal"].field("seal_type").choices == ("company", "legal_rep", "finance", "contract", "other")
    assert ChainStep("印章管理员").title in defs["registers.seal_use.chain"].default


def test_EQ4_status_derives_swap_and_scrap_and_repair_is_shown_from_open_forms():
    """EQ4 (seed 003 X6#20–22 [EQ-a, EQ-c]): 调换 and 报废 derive the stored status (报废 wins); ``shown`` puts
    维修中 over an in-use item whose repair form is open, and over nothing else."""
    ledger = hooks("equipment")
    base = {"asset_no": "A1", "issued_on": DAY}
    assert ledger.derive(Entry("equipment", 1, "recorded", base), CTX) == {"status": "in_use"}
    swapped = {**base, "swapped_on": DAY, "swapped_for": "A2"}
    assert ledger.derive(Entry("equipment", 1, "recorded", swapped), CTX) == {"status": "swapped"}
    assert ledger.derive(Entry("equipment", 1, "recorded", {**swapped, "scrapped_on": DAY}), CTX) == \
        {"status": "scrapped"}
    assert [e.key for e in ledger.validate(Entry("equipment", 1, "recorded", {**base, "swapped_for": "A2"}), CTX)] \
        == ["registers.equipment.swap_needs_both"]

    class Repairs:
        def open_repairs(self, asset_nos):
            return frozenset({"A1", "A3"}) & set(asset_nos)

    ctx = Ctx(now=NOW, lookups=Repairs())
    rows = [{"asset_no": "A1", "status": "in_use"}, {"asset_no": "A2", "status": "in_use"},
            {"asset_no": "A3", "status": "scrapped"}]
    assert list(ledger.shown(rows, ctx)) == [{"status": "repair"}, {}, {}]
    stocktake = REGISTRY["equipment_stocktake"]
    assert (stocktake.every.unit, stocktake.every.setting, stocktake.every.title) == (
        "months", "registers.equipment_stocktake.every_months", "行政主管")
    assert settings_service.definitions()["registers.equipment_stocktake.every_months"].default == 6
