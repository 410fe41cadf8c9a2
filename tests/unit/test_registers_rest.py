"""Rest rooms, the customer lounge and the VIP hall as register hooks without a database (issue 16; seed 004 D4, D7,
D15; REGISTERS.md §1.6, §1.8): RR1–RR12, one rule each."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from lib.domain.ledger import assess
from lib.domain.people import DEFAULT_TITLES
from lib.domain.registers import REGISTRY, families
from lib.domain.registers.hooks import Blocker, Ctx, Entry, LedgerProposal
from lib.domain.registers.rest import LOUNGE_ITEMS, banned_windows, move_out_due
from lib.domain.office import zone
from lib.i18n import catalog
from lib.services import settings as settings_service

TZ = zone("Asia/Shanghai")
NOW = dt.datetime(2024, 6, 3, 2, 0, tzinfo=dt.timezone.utc)  # Monday 3 June 10:00 in Shanghai
SETTINGS = {d.key: d.default for d in settings_service.definitions().values()}
CTX = Ctx(now=NOW, settings=SETTINGS)


def local(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 6) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, second, tzinfo=TZ).astimezone(dt.timezone.utc)


def hooks(key: str):
    return REGISTRY[key].hooks


def keys(errors) -> dict[str, str]:
    return {e.field: e.key for e in errors}


def test_RR1_rest_registers_cite_seed_004_with_catalog_labels_managed_titles_and_settings():
    """RR1: eleven registers, each citing seed 004 D4, D7 or D15 and every field its quote; labels, choices, chain
    and setting labels, hook keys, dues and the blocker in both catalogs; chain and access titles on the managed
    list; the seed's numbers as settings."""
    defs = settings_service.definitions()
    regs = families()["rest"]
    assert [r.key for r in regs] == ["rest_allocation", "rest_duty", "rest_room_change", "rest_late_stay",
                                     "rest_inspection", "lounge_check", "lounge_stock_count", "lounge_stock_week",
                                     "lounge_loss", "vip_visit", "vip_missed_train"]
    for rdef in regs:
        assert re.match(r"seed 004 D(4|7|15) ", rdef.source) and all(f.quote for f in rdef.fields), rdef.key
        if rdef.chain_setting:
            assert set(defs[rdef.chain_setting].default) <= set(DEFAULT_TITLES), rdef.key
        assert set(rdef.create_titles) | set(rdef.late_titles) <= set(DEFAULT_TITLES), rdef.key
        assert rdef.every is None or rdef.every.title in DEFAULT_TITLES
        for lang in ("zh_CN", "en"):
            words = catalog(lang)
            assert rdef.title_key in words and "registers.family.rest" in words
            for f in rdef.fields:
                assert rdef.label_key(f.key) in words, (lang, rdef.key, f.key)
                for choice in f.choices:
                    assert f"registers.choice.{rdef.key}.{f.key}.{choice}" in words, (rdef.key, f.key, choice)
    source = open("lib/domain/registers/rest.py", encoding="utf-8").read()
    used = set(re.findall(r'"(registers\.(?:rest_[a-z_]+|lounge_[a-z_]+|vip_[a-z_]+|vip|rest)\.[a-z_.]+)"', source))
    used |= {f"registers.due.{k}" for k in re.findall(r'Due\("([a-z_]+)"', source)}
    used |= {"registers.blocker.rest_allocation"}
    for key in used:
        for lang in ("zh_CN", "en"):
            assert (key in defs and f"setting.{key}" in catalog(lang)) or key in catalog(lang), (lang, key)
    assert (defs["registers.rest.move_out_days"].default, defs["registers.vip.register_minutes"].default,
            defs["registers.vip.reminder_minutes"].default) == (7, 2, 15)
    assert defs["registers.rest_late_stay.chain"].default == ["部长"]
    assert banned_windows(SETTINGS) == [(dt.time(8, 0), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0))]


def test_RR2_allocation_is_by_the_office_to_one_of_three_classes_and_a_special_need_says_what():
    """RR2: 「休息室申请条件 1、…一线工作人员; 2、没有办公室得人员; 3、其她特殊需求人员」; 办公室 (行政主管) assigns
    room and locker; a special need is described."""
    rdef = REGISTRY["rest_allocation"]
    assert rdef.field("eligibility").choices == ("frontline", "no_office", "special")
    assert rdef.create_titles == ("行政主管",) and rdef.field("locker").quote.endswith("柜子内摆放整齐」")
    h = hooks("rest_allocation")
    special = Entry("rest_allocation", 1, "draft", {"eligibility": "special", "room": "201", "assigned_on": NOW.date()})
    assert keys(h.validate(special, CTX)) == {"reg.rest_allocation.special_need": "registers.rest_allocation.need_required"}
    assert h.validate(Entry("rest_allocation", 1, "draft", {**special.values, "special_need": "夜班"}), CTX) == []
    assert h.validate(Entry("rest_allocation", 1, "draft", {**special.values, "eligibility": "frontline"}), CTX) == []


def test_RR3_a_leaver_moves_out_within_a_week_a_due_and_a_departure_blocker():
    """RR3: 「离职人员必须在离职一周之内搬离休息室,由管理人员收回钥匙」: leaving 1 June, the move-out is due by the end
    of 8 June (office time); the allocation blocks its occupant until moved out AND the key is back."""
    h = hooks("rest_allocation")
    base = {"person_id": 7, "eligibility": "frontline", "room": "201", "assigned_on": dt.date(2024, 1, 2)}
    living = Entry("rest_allocation", 3, "recorded", base)
    assert h.dues(living, CTX) == () and h.blocking_field() == "person_id"
    assert h.blockers(living, CTX) == [Blocker("rest_allocation", 3, "registers.blocker.rest_allocation")]
    leaving = Entry("rest_allocation", 3, "recorded", {**base, "leave_date": dt.date(2024, 6, 1)})
    (due,) = h.dues(leaving, CTX)
    assert (due.kind, due.due_at) == ("rest_move_out", local(9, 0)) == ("rest_move_out", move_out_due(
        dt.date(2024, 6, 1), 7, TZ))
    out = {**leaving.values, "moved_out_at": local(5, 18)}
    assert h.dues(Entry("rest_allocation", 3, "recorded", out), CTX)  # the key is not back yet
    assert h.blockers(Entry("rest_allocation", 3, "recorded", out), CTX)
    done = Entry("rest_allocation", 3, "recorded", {**out, "key_returned_at": local(5, 18, 5)})
    assert h.dues(done, CTX) == () and h.blockers(done, CTX) == []
    shorter = Ctx(now=NOW, settings={**SETTINGS, "registers.rest.move_out_days": 3})
    assert h.dues(leaving, shorter)[0].due_at == local(5, 0)
    assert h.blockers(Entry("rest_allocation", 3, "draft", base), CTX) == []  # a draft assigns nothing
    early = Entry("rest_allocation", 3, "recorded", {**base, "moved_out_at": local(1, 9, month=1)})
    assert keys(h.validate(early, CTX)) == {
        "reg.rest_allocation.moved_out_at": "registers.rest_allocation.before_assigned"}


def test_RR4_the_room_head_draws_the_rota_and_keeps_the_only_key():
    """RR4: 「每个休息室选出一名舍长…排出值日表,房间钥匙由舍长保管」; 「房间钥匙不得私配」: the key holder is the 舍长."""
    h = hooks("rest_duty")
    values = {"room": "201", "room_head_id": 5, "elected_on": NOW.date(), "rota": "周一 张三", "key_holder_id": 6}
    assert keys(h.validate(Entry("rest_duty", 1, "draft", values), CTX)) == {
        "reg.rest_duty.key_holder_id": "registers.rest_duty.key_with_head"}
    assert h.validate(Entry("rest_duty", 1, "draft", {**values, "key_holder_id": 5}), CTX) == []


def test_RR5_a_room_change_needs_the_office_head_and_another_room():
    """RR5: 「未经办公室负责人员同意,不允许私自调换」: the chain is the office head (综合部主管, assumed); the same room
    is no change."""
    rdef = REGISTRY["rest_room_change"]
    assert settings_service.definitions()[rdef.chain_setting].default == ["综合部主管"]
    assert rdef.lock == "on_final_approval"
    h = hooks("rest_room_change")
    same = Entry("rest_room_change", 1, "draft", {"from_room": "201", "to_room": " 201 "})
    assert keys(h.validate(same, CTX)) == {"reg.rest_room_change.to_room": "registers.rest_room_change.same_room"}
    assert h.validate(Entry("rest_room_change", 1, "draft", {"from_room": "201", "to_room": "305"}), CTX) == []


def test_RR6_staying_late_into_the_banned_hours_needs_the_chief_and_only_then():
    """RR6: nobody in the rest building 8:00–11:30 and 13:30–17:00 「部分人员…可适当延后,需由部长批准」: a stay
    until 08:30 or 14:00 is asked of the 部长; until 12:00 needs nobody's approval and is refused as a request."""
    assert settings_service.definitions()["registers.rest_late_stay.chain"].default == ["部长"]
    h = hooks("rest_late_stay")
    for until in (dt.time(8, 30), dt.time(11, 30), dt.time(14, 0)):
        assert h.validate(Entry("rest_late_stay", 1, "draft", {"until": until}), CTX) == [], until
    for until in (dt.time(8, 0), dt.time(12, 0), dt.time(17, 30)):
        assert keys(h.validate(Entry("rest_late_stay", 1, "draft", {"until": until}), CTX)) == {
            "reg.rest_late_stay.until": "registers.rest_late_stay.outside_banned_hours"}, until
    moved = Ctx(now=NOW, settings={**SETTINGS, "registers.rest.afternoon_start": dt.time(12, 0)})
    assert h.validate(Entry("rest_late_stay", 1, "draft", {"until": dt.time(12, 30)}), moved) == []


def test_RR7_an_inspection_failure_is_rectified_by_a_deadline_or_proposed_as_a_fine():
    """RR7: 「限期整改或处以罚款,情节严重者,取消其休息资格」: a failure says what was found and names the person; 限期整改
    is due by the end of its deadline until rectified; 罚款 proposes its RR code on record (D4 names no amount:
    the D18 rest-room codes, assumed)."""
    rdef = REGISTRY["rest_inspection"]
    assert rdef.create_titles == ("行政主管",) and rdef.field("code").choices == ("RR1", "RR2", "RR3", "RR4")
    h = hooks("rest_inspection")
    day = dt.date(2024, 6, 3)
    failed = {"inspected_on": day, "room": "201", "passed": False, "outcome": "fine"}
    assert keys(h.validate(Entry("rest_inspection", 1, "draft", failed), CTX)) == {
        "reg.rest_inspection.finding": "registers.rest_inspection.finding_required",
        "reg.rest_inspection.person_id": "registers.rest_inspection.person_required",
        "reg.rest_inspection.code": "registers.rest_inspection.code_required"}
    assert keys(h.validate(Entry("rest_inspection", 1, "draft", {"passed": True, "outcome": "revoke", "person_id": 9}), CTX)) == {
        "reg.rest_inspection.outcome": "registers.rest_inspection.passed_no_outcome"}
    fine = {**failed, "finding": "楼道内乱扔烟头", "person_id": 9, "code": "RR3"}
    assert h.validate(Entry("rest_inspection", 1, "draft", fine), CTX) == []
    recorded = Entry("rest_inspection", 4, "recorded", fine)
    assert h.effects(recorded, "submit", CTX) == [LedgerProposal("RR3", 9, day, note="楼道内乱扔烟头")]
    assert h.effects(Entry("rest_inspection", 4, "draft", fine), "create", CTX) == ()
    rectify = {**fine, "outcome": "rectify", "code": None, "rectify_by": dt.date(2024, 6, 5)}
    entry = Entry("rest_inspection", 4, "recorded", rectify)
    assert h.effects(entry, "submit", CTX) == ()
    assert [(d.kind, d.due_at) for d in h.dues(entry, CTX)] == [("rest_rectify", local(6, 0))]
    assert h.dues(Entry("rest_inspection", 4, "recorded", {**rectify, "rectified_at": local(4, 9)}), CTX) == ()
    late = Entry("rest_inspection", 4, "draft", {**rectify, "rectify_by": dt.date(2024, 6, 1)})
    assert keys(h.validate(late, CTX)) == {
        "reg.rest_inspection.rectify_by": "registers.rest_inspection.before_inspection"}


def test_RR8_the_lounge_daily_check_has_the_ten_items_and_each_failed_item_is_one_LG1():
    """RR8: the ten hygiene items of seed 004 D7 as check boxes, checked daily (a cadence for the 客服主管); two
    failed items → two LG1 proposals (¥20 each, 「如有违反将被处以20元/次罚款」) for the person on duty, made
    when the check is approved, not when it is submitted; a failure is described."""
    rdef = REGISTRY["lounge_check"]
    items = [f.key for f in rdef.fields if f.type == "bool"]
    assert items == list(LOUNGE_ITEMS) and len(items) == 10
    assert (rdef.every.unit, rdef.every.every, rdef.every.title) == ("days", 1, "客服主管")
    h = hooks("lounge_check")
    values = {**{k: True for k in LOUNGE_ITEMS}, "checked_on": dt.date(2024, 6, 3), "responsible_id": 11,
              "item_papers": False, "item_ashtray": False}
    assert keys(h.validate(Entry("lounge_check", 1, "draft", values), CTX)) == {
        "reg.lounge_check.remarks": "registers.lounge_check.remarks_required"}
    values["remarks"] = "书报架只整理了1次;烟灰缸内有5个烟头"
    assert h.derive(Entry("lounge_check", 1, "draft", values), CTX) == {"failed": 2}
    assert h.effects(Entry("lounge_check", 1, "pending", values), "submit", CTX) == ()
    proposals = h.effects(Entry("lounge_check", 1, "approved", values), "approve", CTX)
    assert [(p.code, p.person_id, p.occurred_on, p.quantity) for p in proposals] == [
        ("LG1", 11, dt.date(2024, 6, 3), 1)] * 2
    assert [p.note for p in proposals] == [LOUNGE_ITEMS["item_papers"], LOUNGE_ITEMS["item_ashtray"]]
    assert sum(assess("LG1", n).fine for n in range(2)) == Decimal(40)
    clean = {**values, "item_papers": True, "item_ashtray": True}
    assert h.effects(Entry("lounge_check", 1, "approved", clean), "approve", CTX) == []


def test_RR9_stock_is_counted_before_and_after_work_daily_and_weekly_with_the_cash_difference():
    """RR9: 「每天上班前、下班后都要进行盘点。每周对一周的销售及库存结余进行一次盘点。保证帐款相符」: daily counts
    (before / after work) due again a day after the latest, the weekly count seven days after; the difference
    between counted and expected cash is derived (negative: a shortfall)."""
    daily, weekly = REGISTRY["lounge_stock_count"], REGISTRY["lounge_stock_week"]
    assert daily.field("kind").choices == ("before_work", "after_work")
    assert (daily.every.every, weekly.every.every, daily.date_field, weekly.date_field) == (
        1, 7, "counted_at", "week_ending")
    h = hooks("lounge_stock_count")
    short = {"cash": Decimal("480.00"), "expected_cash": Decimal("500.00")}
    assert h.derive(Entry("lounge_stock_count", 1, "draft", short), CTX) == {"difference": Decimal("-20.00")}
    assert hooks("lounge_stock_week").derive(Entry("lounge_stock_week", 1, "draft", {"cash": Decimal(5)}), CTX) == {
        "difference": None}


def test_RR10_a_lounge_loss_is_the_new_code_LG2_the_loss_plus_20():
    """RR10: 「责任人自行负责赔偿并处以20元/次罚款」: LG2 (fine ¥20 + the loss repaid) proposed for the person
    responsible once the supervisor approves; a loss is more than zero."""
    h = hooks("lounge_loss")
    values = {"found_on": dt.date(2024, 6, 2), "item": "矿泉水两箱", "loss": Decimal("56.00"), "responsible_id": 12,
              "cause": "下班未锁货架"}
    assert keys(h.validate(Entry("lounge_loss", 1, "draft", {**values, "loss": Decimal(0)}), CTX)) == {
        "reg.lounge_loss.loss": "registers.lounge_loss.loss_positive"}
    assert h.effects(Entry("lounge_loss", 1, "pending", values), "submit", CTX) == ()
    (proposal,) = h.effects(Entry("lounge_loss", 1, "approved", values), "approve", CTX)
    assert proposal == LedgerProposal("LG2", 12, dt.date(2024, 6, 2), amount=Decimal("56.00"), note="矿泉水两箱")
    charge = assess("LG2", 0, amount=proposal.amount)
    assert (charge.fine, charge.compensation) == (Decimal(20), Decimal("56.00"))


def test_RR11_a_vip_visit_is_registered_within_two_minutes_and_the_reminder_escort_and_sms_are_dues():
    """RR11 (seed note 004 scenario 27): ticket and card shown 10:00:00, registered 10:02:30 → flagged late;
    boarding 11:30 → the reminder is due 11:15 and the escort 11:30; after the escort, the SMS follow-up is due
    (60 minutes, assumed); all done → nothing due."""
    h = hooks("vip_visit")
    values = {"guest": "王先生", "train": "G1234", "boarding_at": local(3, 11, 30), "entry_card": "金卡",
              "presented_at": local(3, 10), "registered_at": local(3, 10, 2, 30)}
    assert h.derive(Entry("vip_visit", 1, "draft", values), CTX) == {"registered_late": True}
    assert h.derive(Entry("vip_visit", 1, "draft", {**values, "registered_at": local(3, 10, 2)}), CTX) == {
        "registered_late": False}
    visit = Entry("vip_visit", 1, "recorded", values)
    assert [(d.kind, d.due_at) for d in h.dues(visit, CTX)] == [("vip_reminder", local(3, 11, 15)),
                                                               ("vip_escort", local(3, 11, 30))]
    escorted = {**values, "reminded_at": local(3, 11, 14), "escorted_at": local(3, 11, 25)}
    assert [(d.kind, d.due_at) for d in h.dues(Entry("vip_visit", 1, "recorded", escorted), CTX)] == [
        ("vip_sms", local(3, 12, 25))]
    assert h.dues(Entry("vip_visit", 1, "recorded", {**escorted, "sms_at": local(3, 12)}), CTX) == []
    assert keys(h.validate(Entry("vip_visit", 1, "recorded", {**values, "sms_at": local(3, 12)}), CTX)) == {
        "reg.vip_visit.sms_at": "registers.vip_visit.sms_after_escort"}
    assert keys(h.validate(Entry("vip_visit", 1, "draft", {**values, "registered_at": local(3, 9)}), CTX)) == {
        "reg.vip_visit.registered_at": "registers.vip_visit.before_previous"}


def test_RR12_a_missed_train_without_a_reminder_is_the_attendants_VL1():
    """RR12: 「由礼宾员忘记提醒客户导致的误车,礼宾员需承担所有责任」: recorded by the 厅经理 (客服主管, assumed); not
    reminded → VL1 for the attendant carrying the losses (no fine named); reminded → recorded, no charge."""
    rdef = REGISTRY["vip_missed_train"]
    assert rdef.create_titles == ("客服主管",)
    h = hooks("vip_missed_train")
    values = {"visit_no": 3, "attendant_id": 14, "train": "G1234", "missed_at": local(3, 16, 10),
              "reminded": False, "loss": Decimal("300.00"), "account": "未提醒"}
    assert h.effects(Entry("vip_missed_train", 1, "recorded", values), "submit", CTX) == [
        LedgerProposal("VL1", 14, dt.date(2024, 6, 3), amount=Decimal("300.00"), note="G1234")]
    assert h.effects(Entry("vip_missed_train", 1, "recorded", {**values, "reminded": True}), "submit", CTX) == ()
    charge = assess("VL1", 0, amount=Decimal("300.00"))
    assert (charge.fine, charge.compensation) == (Decimal(0), Decimal("300.00"))


def test_RR13_a_day_a_ledger_proposal_is_dated_by_is_not_in_the_future():
    """RR13: the inspection, the lounge check, the loss and the missed train date their ledger proposals, and the
    ledger takes no future day: tomorrow (office time) is refused on the field, today is fine."""
    tomorrow, today = dt.date(2024, 6, 4), dt.date(2024, 6, 3)
    cases = {"rest_inspection": "inspected_on", "lounge_check": "checked_on", "lounge_loss": "found_on",
             "vip_missed_train": "missed_at"}
    for register, field in cases.items():
        base = {k: True for k in LOUNGE_ITEMS} if register == "lounge_check" else {"passed": True}
        late = local(4, 0, 30) if field == "missed_at" else tomorrow
        assert keys(hooks(register).validate(Entry(register, 1, "draft", {**base, field: late}), CTX)) == {
            f"reg.{register}.{field}": "registers.rest.in_future"}, register
        fine = local(3, 23, 59) if field == "missed_at" else today
        assert hooks(register).validate(Entry(register, 1, "draft", {**base, field: fine}), CTX) == [], register
