"""涉密人员与涉密载体 as register hooks without a database (seed 001 D1–D3; REGISTERS.md §1.2, §1.2b; SPEC 5.2):
S58, K1–K15 one rule each, and the 脱密期 floor as a Hypothesis property."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain.errors import DomainError, ValidationFailed
from lib.domain.people import DEFAULT_TITLES
from lib.domain.registers import REGISTRY, families
from lib.domain.registers import life as L
from lib.domain.registers import secrecy as S
from lib.domain.registers.hooks import Blocker, Ctx, Entry, StepView
from lib.domain.registers.model import Access, ChainStep, may_create, may_open
from lib.i18n import catalog
from lib.services import settings as settings_service

NOW = dt.datetime(2025, 6, 2, 2, 0, tzinfo=dt.timezone.utc)
LEFT = dt.date(2024, 1, 15)
MONTHS = {"registers.secrecy_period.core_months": 36, "registers.secrecy_period.important_months": 24,
          "registers.secrecy_period.general_months": 12}


class Registers:
    """A fake ``Ctx.lookups``: entries of other registers, filtered like the services' ``entries``."""

    def __init__(self, *entries: Entry) -> None:
        self.all = entries

    def name_of(self, user_id: int) -> str:
        return f"u{user_id}"

    def entries(self, register: str, **equals: object) -> tuple[Entry, ...]:
        return tuple(e for e in self.all if e.register == register and e.state != "rejected"
                     and all((e.id if k in ("id", "no") else e.values.get(k)) == v for k, v in equals.items()))


def ctx(*entries: Entry) -> Ctx:
    return Ctx(now=NOW, settings=MONTHS, lookups=Registers(*entries))


def keys(errors) -> dict[str, str]:
    return {e.field: e.key for e in errors}


def hooks(key: str):
    return REGISTRY[key].hooks


def period(person: int = 7, level: str = "core", returned: dt.date | None = LEFT, months: int | None = None,
           extension: int | None = None, entry_id: int = 1, left: dt.date = LEFT) -> Entry:
    values = {"person_id": person, "level": level, "left_post_on": left, "returned_on": returned,
              "period_months": months, "extension_months": extension}
    values.update(hooks("secrecy_period").derive(Entry("secrecy_period", entry_id, "approved", values), ctx()))
    return Entry("secrecy_period", entry_id, "approved", values)


def carrier(no: int = 3, classification: str = "top_secret", holder: int | None = None,
            returned: dt.date | None = None) -> Entry:
    return Entry("secrecy_carrier", no, "recorded", {  # the fake reads a carrier's 登记号 as its id
        "title": "年度工作要点", "classification": classification, "term": "10年", "distribution": "局领导",
        "copies": 5, "serial_no": "001", "media": "paper", "holder_id": holder, "returned_on": returned})


def test_secrecy_registers_have_sources_quotes_catalog_labels_and_managed_titles():
    """Every register cites seed 001 D1–D3 and each field its quote; labels, choices, settings and every refusal
    key are in both catalogs; chain and access titles are on the managed list (T13)."""
    defs = settings_service.definitions()
    regs = families()["secrecy"]
    assert [r.key for r in regs] == [
        "secrecy_person", "secrecy_vetting", "secrecy_letter", "secrecy_training", "secrecy_key_post",
        "secrecy_travel", "secrecy_period", "secrecy_exit", "secrecy_carrier", "secrecy_dispatch", "secrecy_use",
        "secrecy_copy", "secrecy_carry", "secrecy_destruction", "secrecy_inventory"]
    for rdef in regs:
        assert rdef.source.startswith("seed 001 D") and all(f.quote for f in rdef.fields), rdef.key
        assert rdef.open_titles == ("保密员", "保密工作领导小组"), rdef.key
        if rdef.chain_setting:
            assert set(defs[rdef.chain_setting].default) <= set(DEFAULT_TITLES), rdef.key
        assert set(rdef.create_titles) | set(rdef.read_titles) | set(rdef.late_titles) <= set(DEFAULT_TITLES)
        for lang in ("zh_CN", "en"):
            words = catalog(lang)
            assert rdef.title_key in words and "registers.family.secrecy" in words
            for f in rdef.fields:
                assert rdef.label_key(f.key) in words, (lang, rdef.key, f.key)
                for choice in f.choices:
                    assert f"registers.choice.{rdef.key}.{f.key}.{choice}" in words
                if f.help:
                    assert f"registers.help.{rdef.key}.{f.key}" in words
            assert rdef.chain_setting is None or f"setting.{rdef.chain_setting}" in words
    source = open("lib/domain/registers/secrecy.py", encoding="utf-8").read()
    for key in set(re.findall(r'"(registers\.(?:secrecy[a-z_]*|blocker)\.[a-z_.]+)"', source)) - set(defs):
        for lang in ("zh_CN", "en"):
            assert key in catalog(lang), (lang, key)
    for level in S.LEVELS:
        assert defs[f"registers.secrecy_period.{level}_months"].minimum == S.FLOOR_MONTHS[level]
        assert f"setting.registers.secrecy_period.{level}_months" in catalog("en")
    assert REGISTRY["secrecy_person"].audit_reads and "audit.action.read_entry" in catalog("zh_CN")


def test_S58_core_period_ends_three_years_after_leaving_and_resignation_before_then_is_blocked():
    """S58: a core person who left on 2024-01-15 (everything returned): the 脱密期 ends 2027-01-15; a resignation
    asked before then is refused, whatever else it carries; on the day it ends the rule no longer applies."""
    core = period()
    assert (core.values["starts_on"], core.values["ends_on"]) == (LEFT, dt.date(2027, 1, 15))
    assert S.declassification_end(LEFT, "core", 36) == dt.date(2027, 1, 15)
    h = hooks("secrecy_exit")
    ask = {"person_id": 7, "kind": "resignation", "requested_on": dt.date(2027, 1, 14), "special_reason": "出国定居",
           "file_noted": True, "commitment_signed": True}
    assert keys(h.validate(Entry("secrecy_exit", None, "draft", ask), ctx(core))) == {
        "reg.secrecy_exit.kind": "registers.secrecy_exit.core_resignation_blocked"}
    after = {**ask, "requested_on": dt.date(2027, 1, 15), "special_reason": None, "file_noted": False}
    assert h.validate(Entry("secrecy_exit", None, "draft", after), ctx(core)) == []


def test_S58_a_five_month_general_period_is_rejected():
    """S58: 「一般涉密人员脱密期限不得少于6个月」: 5 months is refused by the rule and by the register's validate."""
    with pytest.raises(ValidationFailed) as short:
        S.declassification_end(LEFT, "general", 5)
    assert short.value.keys() == {"reg.secrecy_period.period_months": "registers.secrecy.below_floor"}
    assert short.value.errors[0].params == {"floor": 6}
    assert S.declassification_end(LEFT, "general", 6) == dt.date(2024, 7, 15)
    entry = period(level="general", months=5)
    assert entry.values["ends_on"] is None
    assert keys(hooks("secrecy_period").validate(entry, ctx())) == {
        "reg.secrecy_period.period_months": "registers.secrecy.below_floor"}


def test_K1_the_default_period_is_by_level_from_the_settings_and_never_below_the_floor():
    """K1: 3/2/1 years by default (D1 第十一条), from the settings; a setting below the floor still gives the floor."""
    assert [period(level=lv).values["ends_on"] for lv in S.LEVELS] == [
        dt.date(2027, 1, 15), dt.date(2026, 1, 15), dt.date(2025, 1, 15)]
    assert S.default_months("general", {"registers.secrecy_period.general_months": 18}) == 18
    assert S.default_months("general", {"registers.secrecy_period.general_months": 3}) == 6
    assert S.default_months("core", {}) == 36


def test_K2_the_period_starts_only_when_every_carrier_is_returned():
    """K2: 「应清退所有涉密文件、资料及物品」: no start (nor end) before the return; returned later, it starts later;
    recording the return is refused while the person still holds a carrier or has one out."""
    assert period(returned=None).values["ends_on"] is None
    late = period(returned=dt.date(2024, 3, 1))
    assert (late.values["starts_on"], late.values["ends_on"]) == (dt.date(2024, 3, 1), dt.date(2027, 3, 1))
    h = hooks("secrecy_period")
    held = carrier(holder=7)
    assert keys(h.validate(period(), ctx(held))) == {"reg.secrecy_period.returned_on": "registers.secrecy_period.still_holds"}
    out = Entry("secrecy_use", 5, "recorded", {"carrier_no": 3, "user_id": 7, "out_at": NOW, "returned_at": None})
    assert keys(h.validate(period(), ctx(out))) == {"reg.secrecy_period.returned_on": "registers.secrecy_period.still_holds"}
    assert h.validate(period(), ctx(carrier(holder=7, returned=LEFT))) == []
    # while nothing is returned, an exit is judged as during the period
    assert S.in_period(None, dt.date(2030, 1, 1))


def test_K3_the_period_can_be_extended_never_shortened():
    """K3: 「必要时可适当延长」: an extension adds months; a negative one is refused; a corrected version of the same
    leaving that ends earlier than the current one is refused."""
    assert period(extension=12).values["ends_on"] == dt.date(2028, 1, 15)
    with pytest.raises(ValidationFailed) as shorter:
        S.declassification_end(LEFT, "core", 36, [-1])
    assert shorter.value.keys() == {"reg.secrecy_period.extension_months": "registers.secrecy.extend_only"}
    assert REGISTRY["secrecy_period"].field("extension_months").minimum == 1
    current = period(months=48, entry_id=1)
    corrected = period(months=40, entry_id=2)
    assert keys(hooks("secrecy_period").validate(corrected, ctx(current))) == {
        "reg.secrecy_period.period_months": "registers.secrecy.extend_only"}
    assert hooks("secrecy_period").validate(period(months=60, entry_id=2), ctx(current)) == []


@given(level=st.sampled_from(S.LEVELS), months=st.integers(min_value=0, max_value=240),
       extensions=st.lists(st.integers(min_value=-24, max_value=120), max_size=5),
       start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2080, 12, 31)))
def test_K3_property_the_period_never_ends_before_the_floor(level, months, extensions, start):
    """Whatever the level, period and extensions asked for: either the rule refuses, or the end is on or after the
    floor (3 y/2 y/6 months) and the period asked for."""
    try:
        end = S.declassification_end(start, level, months, extensions)
    except ValidationFailed:
        assert months < S.FLOOR_MONTHS[level] or any(e < 0 for e in extensions)
        return
    assert end >= S.add_months(start, S.FLOOR_MONTHS[level])
    assert end >= S.add_months(start, months)


def test_K4_transfers_and_non_core_resignations_during_the_period_need_approval_note_and_letter():
    """K4: off the post first (a 脱密期 record); during it a non-core person resigns or anyone transfers only with a
    special reason, a file note and a 保密承诺书 (the 保密工作领导小组 approves: the chain); after it a 保密承诺书."""
    h = hooks("secrecy_exit")
    bare = {"person_id": 7, "kind": "transfer", "requested_on": dt.date(2025, 1, 1)}
    assert keys(h.validate(Entry("secrecy_exit", None, "draft", bare), ctx())) == {
        "reg.secrecy_exit.person_id": "registers.secrecy_exit.leave_post_first"}
    general = period(level="important")  # ends 2026-01-15
    for kind in ("transfer", "resignation"):
        assert keys(h.validate(Entry("secrecy_exit", None, "draft", {**bare, "kind": kind}), ctx(general))) == {
            "reg.secrecy_exit.special_reason": "registers.secrecy_exit.reason_required",
            "reg.secrecy_exit.file_noted": "registers.secrecy_exit.file_note_required",
            "reg.secrecy_exit.commitment_signed": "registers.secrecy_exit.commitment_required"}
    full = {**bare, "kind": "resignation", "special_reason": "家庭原因", "file_noted": True, "commitment_signed": True}
    assert h.validate(Entry("secrecy_exit", None, "draft", full), ctx(general)) == []
    later = {**bare, "requested_on": dt.date(2026, 2, 1)}
    assert keys(h.validate(Entry("secrecy_exit", None, "draft", later), ctx(general))) == {
        "reg.secrecy_exit.commitment_signed": "registers.secrecy_exit.commitment_required"}
    assert REGISTRY["secrecy_exit"].chain_setting == "registers.secrecy_exit.chain"


def test_K5_a_key_post_is_a_hard_block_without_letter_training_and_rating():
    """K5: D2 第五、七、八条: no 保密责任书 signed before, no passed training before, a rating below 称职, or the
    conditions not attested: each refuses the assignment, naming the field."""
    h = hooks("secrecy_key_post")
    day = dt.date(2025, 3, 1)
    ask = {"person_id": 7, "department": "机要室", "rating": "basic", "conditions_checked": False, "assigned_on": day}
    assert keys(h.validate(Entry("secrecy_key_post", None, "draft", ask), ctx())) == {
        "reg.secrecy_key_post.person_id": "registers.secrecy_key_post.not_trained",
        "reg.secrecy_key_post.rating": "registers.secrecy_key_post.rating_too_low",
        "reg.secrecy_key_post.conditions_checked": "registers.secrecy_key_post.conditions"}
    assert ("person_id", "registers.secrecy_key_post.no_letter") in S.key_post_refusals(
        letter_signed=False, trained=True, rating="competent", conditions=True)
    letter = Entry("secrecy_letter", 1, "recorded", {"person_id": 7, "document": "responsibility", "stage": "joining",
                                                      "signed_on": day})
    training = Entry("secrecy_training", 2, "recorded", {"person_id": 7, "trained_on": day - dt.timedelta(days=3),
                                                          "topic": "保密法", "result": "pass"})
    good = {**ask, "rating": "competent", "conditions_checked": True}
    assert h.validate(Entry("secrecy_key_post", None, "draft", good), ctx(letter, training)) == []
    too_late = Entry("secrecy_letter", 1, "recorded", {**letter.values, "signed_on": day + dt.timedelta(days=1)})
    assert keys(h.validate(Entry("secrecy_key_post", None, "draft", good), ctx(too_late, training))) == {
        "reg.secrecy_key_post.person_id": "registers.secrecy_key_post.no_letter"}


def test_K6_the_leaving_commitment_is_signed_on_leaving():
    """K6: 「离岗保密承诺书」 at the 离岗 stage; letters by stage 进单位/在岗/离岗."""
    h = hooks("secrecy_letter")
    wrong = Entry("secrecy_letter", None, "draft", {"document": "leaving_commitment", "stage": "in_post"})
    assert keys(h.validate(wrong, ctx())) == {"reg.secrecy_letter.stage": "registers.secrecy_letter.leaving_stage"}
    assert REGISTRY["secrecy_letter"].field("stage").choices == ("joining", "in_post", "leaving")


def test_K7_private_travel_is_approved_by_the_office_before_leaving():
    """K7: 「须报经办公室批准…未获批准的,不得擅自出国(境)」: the chain is 办公室 (行政主管); 出境 is recorded only once approved."""
    assert settings_service.definitions()["registers.secrecy_travel.chain"].default == ["行政主管"]
    h = hooks("secrecy_travel")
    values = {"person_id": 7, "from_on": dt.date(2025, 7, 1), "to_on": dt.date(2025, 6, 1),
              "departed_on": dt.date(2025, 7, 1)}
    assert keys(h.validate(Entry("secrecy_travel", 1, "pending", values), ctx())) == {
        "reg.secrecy_travel.departed_on": "registers.secrecy_travel.not_approved",
        "reg.secrecy_travel.to_on": "registers.secrecy.ends_before_start"}
    with pytest.raises(DomainError):
        h.guard(Entry("secrecy_travel", 1, "pending", values), "edit", frozenset(), ctx())
    ok = {**values, "to_on": dt.date(2025, 7, 9)}
    assert h.validate(Entry("secrecy_travel", 1, "approved", ok), ctx()) == []


def test_K8_top_secret_and_secret_carriers_carry_a_serial_number():
    """K8: 「绝密级、机密级的应当编排顺序号」; a 秘密 carrier needs none."""
    h = hooks("secrecy_carrier")
    for level in ("top_secret", "secret"):
        entry = Entry("secrecy_carrier", None, "draft", {**carrier(classification=level).values, "serial_no": None})
        assert keys(h.validate(entry, ctx())) == {"reg.secrecy_carrier.serial_no": "registers.secrecy_carrier.serial_required"}
    plain = Entry("secrecy_carrier", None, "draft", {**carrier(classification="confidential").values, "serial_no": None})
    assert h.validate(plain, ctx()) == []


def test_K9_top_secret_is_passed_on_by_two_escorts_and_never_by_ordinary_post():
    """K9: 「传递绝密级秘密载体,实行二人护送制」: two different escorts; the channels are 机要交通/机要通信/专人 only."""
    h = hooks("secrecy_dispatch")
    values = {"classification": "top_secret", "escort_id": 4, "second_escort_id": 4}
    assert keys(h.validate(Entry("secrecy_dispatch", None, "draft", values), ctx())) == {
        "reg.secrecy_dispatch.second_escort_id": "registers.secrecy_dispatch.two_escorts"}
    assert h.validate(Entry("secrecy_dispatch", None, "draft", {**values, "second_escort_id": 5}), ctx()) == []
    assert h.validate(Entry("secrecy_dispatch", None, "draft", {"classification": "secret"}), ctx()) == []
    assert REGISTRY["secrecy_dispatch"].field("channel").choices == ("confidential_transport", "confidential_post",
                                                                      "courier")


def test_K10_a_copy_inherits_level_term_and_scope_and_needs_the_right_authority():
    """K10: 「不得改变其密级、保密期限和知悉范围」 (derived from the original, never typed); 绝密 needs the classifying
    or a higher authority's approval; 机密/秘密 only when the issuer allows; the 主管领导 signs (the chain)."""
    h = hooks("secrecy_copy")
    original = carrier(no=3)
    values = {"carrier_no": 3, "copies": 2, "approval_ref": None, "issuer_permits": False}
    derived = h.derive(Entry("secrecy_copy", None, "draft", values), ctx(original))
    assert {k: derived[k] for k in ("classification", "term", "distribution")} == {
        "classification": "top_secret", "term": "10年", "distribution": "局领导"}
    assert all(REGISTRY["secrecy_copy"].field(k).derived for k in ("classification", "term", "distribution"))
    copy = Entry("secrecy_copy", None, "draft", {**values, **derived})
    assert keys(h.validate(copy, ctx(original))) == {"reg.secrecy_copy.approval_ref": "registers.secrecy_copy.authority_required"}
    secret = carrier(no=4, classification="secret")
    copy2 = Entry("secrecy_copy", None, "draft", {**values, "carrier_no": 4, "classification": "secret"})
    assert keys(h.validate(copy2, ctx(secret))) == {"reg.secrecy_copy.issuer_permits": "registers.secrecy_copy.issuer_forbids"}
    unknown = Entry("secrecy_copy", None, "draft", {**values, "carrier_no": 99})
    assert keys(h.validate(unknown, ctx(original))) == {"reg.secrecy_copy.carrier_no": "registers.secrecy.no_carrier"}


def test_K11_top_secret_is_carried_out_by_two_and_never_abroad_or_to_foreign_affairs():
    """K11: D3 四.8–9: 绝密 with two or more people; never to 涉外活动 or abroad; 机密 may go with approval."""
    assert S.carry_refusals("top_secret", "work", 4, None) == [("companion_id", "registers.secrecy_carry.two_people")]
    assert S.carry_refusals("top_secret", "work", 4, 4) == [("companion_id", "registers.secrecy_carry.two_people")]
    assert S.carry_refusals("top_secret", "work", 4, 5) == []
    for purpose in ("foreign_affairs", "abroad"):
        assert S.carry_refusals("top_secret", purpose, 4, 5) == [("purpose", "registers.secrecy_carry.top_secret_never")]
        assert S.carry_refusals("secret", purpose, 4, None) == []
    h = hooks("secrecy_carry")
    entry = Entry("secrecy_carry", None, "draft", {"carrier_no": 3, "purpose": "abroad", "carrier_id": 4})
    entry = Entry("secrecy_carry", None, "draft", {**entry.values, **h.derive(entry, ctx(carrier()))})
    assert keys(h.validate(entry, ctx(carrier()))) == {"reg.secrecy_carry.purpose": "registers.secrecy_carry.top_secret_never"}


def test_K12_destruction_is_approved_first_and_a_paper_mill_needs_two_escorts():
    """K12: 「应当经本单位主管领导审核批准」 before 销毁 is recorded; 「送造纸厂…由二人以上押运和监销」; never sold as scrap
    (no such method)."""
    h = hooks("secrecy_destruction")
    values = {"carriers": "3 年度工作要点", "count": 5, "method": "paper_mill", "escort_id": 4,
              "destroyed_on": dt.date(2025, 6, 3)}
    assert keys(h.validate(Entry("secrecy_destruction", 1, "pending", values), ctx())) == {
        "reg.secrecy_destruction.destroyed_on": "registers.secrecy_destruction.not_approved",
        "reg.secrecy_destruction.second_escort_id": "registers.secrecy_destruction.two_escorts"}
    assert h.validate(Entry("secrecy_destruction", 1, "approved", {**values, "second_escort_id": 5}), ctx()) == []
    shredded = {**values, "method": "shredder", "escort_id": None}
    assert h.validate(Entry("secrecy_destruction", 1, "approved", shredded), ctx()) == []
    assert "scrap" not in REGISTRY["secrecy_destruction"].field("method").choices


def test_K13_the_yearly_inventory_is_due_and_problems_are_reported():
    """K13: 「每年应定期…清查、核对,发现问题及时向市保密局报告」: due again 12 months after the last, for the 保密员;
    missing or mismatched carriers need the report date."""
    rdef = REGISTRY["secrecy_inventory"]
    assert (rdef.every.unit, rdef.every.every, rdef.every.title) == ("months", 12, "保密员")
    h = hooks("secrecy_inventory")
    found = {"year": 2025, "carriers_checked": 40, "missing": 1, "discrepancies": 0}
    assert keys(h.validate(Entry("secrecy_inventory", None, "draft", found), ctx())) == {
        "reg.secrecy_inventory.reported_on": "registers.secrecy_inventory.report_required"}
    assert h.validate(Entry("secrecy_inventory", None, "draft", {**found, "reported_on": dt.date(2025, 12, 1)}),
                      ctx()) == []


def test_K14_only_the_secrecy_officer_the_group_and_admins_open_the_registers():
    """K14: every secrecy register is closed to other titles (even to list or create); an approver of a step reads
    only the entry they sign."""
    officer = Access(1, "staff", ("保密员",))
    group = Access(2, "supervisor", ("保密工作领导小组",))
    admin = Access(3, "admin")
    head = Access(4, "supervisor", ("部门主管", "行政主管"))
    for rdef in families()["secrecy"]:
        assert may_open(rdef, officer) and may_open(rdef, group) and may_open(rdef, admin)
        assert not may_open(rdef, head) and not may_create(rdef, head)
    life = L.Life(state="pending", created_by_id=1, department_id=1, chain=(ChainStep("行政主管"),), step_no=0)
    assert L.may_read(REGISTRY["secrecy_person"], head, life)
    assert not L.may_read(REGISTRY["secrecy_person"], Access(5, "supervisor", ("部门主管",)), life)
    assert not L.may_read(REGISTRY["secrecy_person"], Access(1, "staff"), L.Life(state="recorded", created_by_id=1))


def test_K15_carriers_held_block_leaving():
    """K15: 「离岗、离职前,应当将所保管的秘密载体全部清退」: a carrier in the person's name or one out to read or use
    is a departure blocker until returned."""
    h = hooks("secrecy_carrier")
    held = carrier(holder=7)
    assert h.blocking_field() == "holder_id"
    assert h.blockers(held, ctx()) == [Blocker("secrecy_carrier", held.id, "registers.blocker.secrecy_carrier")]
    assert h.blockers(carrier(holder=7, returned=LEFT), ctx()) == []
    use = hooks("secrecy_use")
    out = Entry("secrecy_use", 5, "recorded", {"carrier_no": 3, "user_id": 7, "out_at": NOW, "returned_at": None})
    assert use.blocking_field() == "user_id"
    assert use.blockers(out, ctx()) == [Blocker("secrecy_use", 5, "registers.blocker.secrecy_use")]
    back = Entry("secrecy_use", 5, "recorded", {**out.values, "returned_at": NOW})
    assert use.blockers(back, ctx()) == []
    assert S.carriers_held(ctx(held, out), 7) == 2


def test_person_record_is_graded_by_office_and_group_and_confirmed_by_another_head():
    """D1 第五条 / K17: the chain is the 部门负责人 (部门主管, of the person's department), then 办公室 and
    保密工作领导小组; who signed as 部门负责人 is recorded (derived) and is not the person; reads are audited."""
    rdef = REGISTRY["secrecy_person"]
    assert settings_service.definitions()[rdef.chain_setting].default == ["部门主管", "行政主管", "保密工作领导小组"]
    assert rdef.lock == "on_final_approval" and rdef.field("person_id").unique
    assert rdef.department_field == "person_id" and rdef.field("head_id").derived
    own = Entry("secrecy_person", None, "draft", {"person_id": 7, "head_id": 7})
    assert keys(rdef.hooks.validate(own, ctx())) == {"reg.secrecy_person.head_id": "registers.secrecy_person.own_head"}
    steps = (StepView(1, "submit", "部门主管", 1, "甲", NOW, step_index=0),)
    assert rdef.hooks.derive(Entry("secrecy_person", 1, "pending", {"person_id": 7}, steps=steps), ctx()) == {
        "head_id": None}
    signed = (*steps, StepView(2, "approve", "部门主管", 8, "乙", NOW, step_index=0))
    assert rdef.hooks.derive(Entry("secrecy_person", 1, "pending", {"person_id": 7}, steps=signed), ctx()) == {
        "head_id": 8}
    assert rdef.hooks.validate(Entry("secrecy_person", 1, "pending", {"person_id": 7, "head_id": 8}, steps=steps),
                               ctx()) == []
