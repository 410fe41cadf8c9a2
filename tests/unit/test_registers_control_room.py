"""The control room's registers as hooks without a database (seed 004 D2, D9, D12, D16, D20; REGISTERS.md §1.5;
SPEC 5.5): S60 and C1–C…, one rule each; and the engine's per-field numbering stream."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lib.domain.errors import DomainError
from lib.domain.people import DEFAULT_TITLES
from lib.domain.registers import REGISTRY, families
from lib.domain.registers import life as L
from lib.domain.registers.control_room import fault_may_close, retain_until, shift_at
from lib.domain.registers.hooks import Ctx, Entry, StepView
from lib.domain.registers.model import FieldDef, RegisterDef
from lib.i18n import catalog
from lib.services import settings as settings_service
from lib.services.registers import store


NOW = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.timezone.utc)  # Monday 1 March 10:00 in Shanghai
MIN = dt.timedelta(minutes=1)
CTX = Ctx(now=NOW, settings={"office.timezone": "Asia/Shanghai", "registers.cr_cctv.retention_days": 31})


def entry(register: str, state: str = "recorded", steps=(), **values) -> Entry:
    return Entry(register=register, id=1, state=state, values=values, created_by_id=1, steps=tuple(steps))


def keys(errors) -> dict[str, str]:
    return {e.field: e.key for e in errors}


def validate(register: str, ctx: Ctx = CTX, **values):
    e = entry(register, **values)
    derived = REGISTRY[register].hooks.derive(e, ctx)
    return keys(REGISTRY[register].hooks.validate(entry(register, **{**values, **derived}), ctx))


def test_engine_stream_field_names_the_numbering_stream_and_must_be_a_field():
    """A register numbered per post takes its stream from the field; others keep the one stream ""."""
    per_post = RegisterDef("t_log", "t", "test", fields=(FieldDef("post", "text"),), stream_field="post")
    plain = RegisterDef("t_plain", "t", "test", fields=(FieldDef("post", "text"),))
    assert store.stream_of(per_post, {"post": "中控室"}) == "中控室"
    assert store.stream_of(per_post, {"post": "x" * 50}) == "x" * 40
    assert store.stream_of(per_post, {}) == ""
    assert store.stream_of(plain, {"post": "中控室"}) == ""
    with pytest.raises(ValueError, match="unknown field"):
        RegisterDef("t_bad", "t", "test", fields=(FieldDef("post", "text"),), stream_field="desk")


def test_control_room_registers_have_sources_quotes_catalog_labels_and_managed_titles():
    """Every register cites seed 004, every field its quote; labels, choices, settings and hook keys are in both
    catalogs; chain, cadence and access titles are on the managed list."""
    defs = settings_service.definitions()
    regs = families()["control_room"]
    assert [r.key for r in regs] == ["cr_duty_log", "cr_alarm", "cr_fire_record", "cr_check_video",
                                     "cr_check_supervisor", "cr_check_devices", "cr_check_detectors",
                                     "cr_check_pumps", "cr_cctv_request", "cr_recording"]
    for rdef in regs:
        assert rdef.source.startswith("seed 004") and all(f.quote for f in rdef.fields), rdef.key
        if rdef.chain_setting:
            assert set(defs[rdef.chain_setting].default) <= set(DEFAULT_TITLES), rdef.key
        titles = set(rdef.create_titles) | set(rdef.read_titles) | set(rdef.late_titles)
        assert titles | ({rdef.every.title} if rdef.every else set()) <= set(DEFAULT_TITLES), rdef.key
        for lang in ("zh_CN", "en"):
            words = catalog(lang)
            assert rdef.title_key in words and "registers.family.control_room" in words
            for f in rdef.fields:
                assert rdef.label_key(f.key) in words, (lang, rdef.key, f.key)
                for choice in f.choices:
                    assert f"registers.choice.{rdef.key}.{f.key}.{choice}" in words
    source = open("lib/domain/registers/control_room.py", encoding="utf-8").read()
    source += open("lib/services/handover.py", encoding="utf-8").read()
    for key in set(re.findall(r'"(registers\.cr_[a-z_]+\.[a-z_0-9]+)"', source)) - set(defs):
        for lang in ("zh_CN", "en"):
            assert key in catalog(lang), (lang, key)
    for key in (k for k in defs if k.startswith("registers.cr_")):
        assert f"setting.{key}" in catalog("zh_CN") and f"setting.{key}" in catalog("en")


def test_S60_duty_log_is_numbered_per_post_and_a_fault_closes_only_cleared_or_reported():
    """S60: the duty log is one numbered stream per post (「不得…缺页、丢页」); a fault that did not clear by itself
    cannot close without ``reported_to``; one that cleared by itself can."""
    rdef = REGISTRY["cr_duty_log"]
    assert (rdef.stream_field, rdef.numbered, rdef.lock) == ("post", True, "on_submit")
    assert set(rdef.editable_after_lock) >= {"reported_to", "reported_at", "auto_cleared_at", "closed_at"}
    fault = {"post": "中控室", "type": "fault", "description": "SCADA 报警: 2号泵故障", "occurred_at": NOW}
    assert validate("cr_duty_log", **fault, closed_at=NOW + 30 * MIN) == {
        "reg.cr_duty_log.reported_to": "registers.cr_duty_log.fault_not_reported"}
    assert validate("cr_duty_log", **fault, reported_to="dispatch", reported_at=NOW + 5 * MIN,
                    closed_at=NOW + 30 * MIN) == {}
    assert validate("cr_duty_log", **fault, auto_cleared_at=NOW + 3 * MIN, closed_at=NOW + 30 * MIN) == {}
    assert validate("cr_duty_log", **{**fault, "type": "abnormal"}, closed_at=NOW + 30 * MIN) == {}
    assert fault_may_close({"reported_to": "low_voltage"}) and not fault_may_close({"reported_to": ""})
    assert validate("cr_duty_log", **fault, reported_to="engineering") == {
        "reg.cr_duty_log.reported_at": "registers.cr_duty_log.reported_at_required"}
    assert validate("cr_duty_log", **fault, closed_at=NOW - MIN, auto_cleared_at=NOW - 2 * MIN) == {
        "reg.cr_duty_log.closed_at": "registers.cr_duty_log.before_occurred",
        "reg.cr_duty_log.auto_cleared_at": "registers.cr_duty_log.before_occurred"}


class Posts:
    """A fake ``Ctx.lookups`` knowing the office's posts."""

    def name_of(self, user_id: int) -> str:
        return f"u{user_id}"

    def is_post(self, name: str) -> bool:
        return name in ("中控室", "消防控制室")


def test_C1_a_page_names_a_post_of_the_office_when_it_is_made():
    """C1: the post names the numbering stream and the handover's log, so it is a post of the office; checked when
    the page is made (a later late-field edit is not refused for a post renamed since)."""
    ctx = Ctx(now=NOW, settings={}, lookups=Posts())
    page = {"post": "中控 室", "type": "other", "description": "巡视", "occurred_at": NOW}
    hooks = REGISTRY["cr_duty_log"].hooks
    assert keys(hooks.validate(entry("cr_duty_log", state="draft", **page), ctx)) == {
        "reg.cr_duty_log.post": "registers.cr.unknown_post"}
    assert keys(hooks.validate(entry("cr_duty_log", state="draft", **{**page, "post": "中控室"}), ctx)) == {}
    assert keys(hooks.validate(entry("cr_duty_log", state="recorded", **page), ctx)) == {}
    fire = {"post": "消防室", "shift": "夜班", "recorded_at": NOW, "system_ok": True}
    assert keys(REGISTRY["cr_fire_record"].hooks.validate(entry("cr_fire_record", state="draft", **fire), ctx)) == {
        "reg.cr_fire_record.post": "registers.cr.unknown_post"}


class Handovers:
    """A fake ``Ctx.lookups`` giving the responsible shift the handover service would."""

    def __init__(self, handovers) -> None:
        self.handovers = handovers

    def name_of(self, user_id: int) -> str:
        return f"u{user_id}"

    def shift_at(self, post: str, at: dt.datetime) -> str:
        return shift_at(self.handovers, at) if post == "中控室" else ""


def test_C2_responsible_shift_is_computed_from_the_handover_times():
    """C2 (S19): from the completed handover on, the incoming shift; before it the outgoing one; the typed shift
    only where no handover says."""
    done = NOW + 2 * MIN
    handovers = [("night", "day", done), ("day", "night", None)]
    assert shift_at(handovers, NOW) == "night"
    assert shift_at(handovers, done) == "day"
    assert shift_at(handovers, done + 9 * 60 * MIN) == "day"
    assert shift_at([], NOW) == ""
    ctx = Ctx(now=NOW, settings={}, lookups=Handovers(handovers))
    hooks = REGISTRY["cr_duty_log"].hooks
    later = entry("cr_duty_log", post="中控室", occurred_at=done + 8 * MIN, shift="night")
    assert hooks.derive(later, ctx) == {"responsible_shift": "day"}
    elsewhere = entry("cr_duty_log", post="消防控制室", occurred_at=done + 8 * MIN, shift="夜班")
    assert hooks.derive(elsewhere, ctx) == {"responsible_shift": "夜班"}


def test_C3_alarm_needs_two_different_people_one_on_site_one_at_the_console():
    """C3: 「一人负责出现场确认,一人仍在消防控制室执机」."""
    alarm = {"zone": "B1 配电房", "received_at": NOW}
    assert validate("cr_alarm", **alarm, onsite_id=7, console_id=7) == {
        "reg.cr_alarm.console_id": "registers.cr_alarm.two_people"}
    assert validate("cr_alarm", **alarm, onsite_id=7, console_id=8) == {}
    assert {f.key for f in REGISTRY["cr_alarm"].fields if f.required} >= {"onsite_id", "console_id"}


class OnDuty:
    """A fake ``Ctx.lookups``: who a published roster has on duty (nobody: no roster)."""

    def __init__(self, ids) -> None:
        self.ids = frozenset(ids)

    def name_of(self, user_id: int) -> str:
        return f"u{user_id}"

    def on_duty(self, at: dt.datetime) -> frozenset[int]:
        return self.ids


def test_C3_alarm_responders_are_on_duty_when_a_roster_says_who_is():
    """C3: 「出现报警信号后,一人负责出现场确认,一人仍在消防控制室执机」 — two of those on duty; a later edit (the
    outcome) is not checked again, and without a roster covering the moment nothing is checked (assumed)."""
    hooks = REGISTRY["cr_alarm"].hooks
    alarm = {"zone": "B1 配电房", "received_at": NOW, "onsite_id": 7, "console_id": 8}
    roster = Ctx(now=NOW, settings={}, lookups=OnDuty({8, 9}))
    assert keys(hooks.validate(entry("cr_alarm", state="draft", **alarm), roster)) == {
        "reg.cr_alarm.onsite_id": "registers.cr_alarm.not_on_duty"}
    assert keys(hooks.validate(entry("cr_alarm", state="draft", **{**alarm, "onsite_id": 9}), roster)) == {}
    assert keys(hooks.validate(entry("cr_alarm", state="recorded", **alarm), roster)) == {}
    no_roster = Ctx(now=NOW, settings={}, lookups=OnDuty(()))
    assert keys(hooks.validate(entry("cr_alarm", state="draft", **alarm), no_roster)) == {}


def test_C4_alarm_ends_in_a_reset_or_a_confirmed_fire_with_119_and_the_head_told():
    """C4: 误报 → 复位; 火灾 → 119 and the 部门主管 told; no end without an outcome."""
    alarm = {"zone": "3F 烟感", "received_at": NOW, "onsite_id": 7, "console_id": 8}
    assert validate("cr_alarm", **alarm, ended_at=NOW + 10 * MIN) == {
        "reg.cr_alarm.outcome": "registers.cr_alarm.outcome_required"}
    assert validate("cr_alarm", **alarm, outcome="reset", ended_at=NOW + 10 * MIN) == {}
    assert validate("cr_alarm", **alarm, outcome="fire", ended_at=NOW + 10 * MIN) == {
        "reg.cr_alarm.fire_called_at": "registers.cr_alarm.call_119",
        "reg.cr_alarm.head_told_at": "registers.cr_alarm.tell_head"}
    assert validate("cr_alarm", **alarm, outcome="fire", fire_called_at=NOW + MIN, head_told_at=NOW + 2 * MIN,
                    ended_at=NOW + 60 * MIN) == {}
    assert validate("cr_alarm", **alarm, outcome="reset", fire_called_at=NOW + MIN) == {
        "reg.cr_alarm.outcome": "registers.cr_alarm.reset_but_called"}


def test_C5_check_calendar_is_one_cadence_per_check_for_its_title():
    """C5: video every 15 minutes (a setting), the 秩序维护主管 daily, devices and the fire record each shift (≤ 12 h,
    a setting), detectors weekly, pumps monthly — each a due in the inbox, overdue once missed."""
    defs = settings_service.definitions()
    cadence = {r.key: (r.every.unit, r.every.every, r.every.setting, r.every.title)
               for r in families()["control_room"] if r.every is not None}
    assert cadence == {
        "cr_fire_record": ("minutes", 1, "registers.cr_shift.minutes", "中控员"),
        "cr_check_video": ("minutes", 15, "registers.cr_check_video.minutes", "中控员"),
        "cr_check_supervisor": ("days", 1, None, "秩序维护主管"),
        "cr_check_devices": ("minutes", 1, "registers.cr_shift.minutes", "中控员"),
        "cr_check_detectors": ("days", 7, None, "中控员"),
        "cr_check_pumps": ("months", 1, None, "中控员"),
    }
    assert defs["registers.cr_check_video.minutes"].default == 15
    assert defs["registers.cr_shift.minutes"].default == 720
    tz = dt.timezone(dt.timedelta(hours=8))
    video = REGISTRY["cr_check_video"].every
    assert L.cadence_due(video, NOW, every=15, day=None, tz=tz) == NOW + 15 * MIN
    pumps = REGISTRY["cr_check_pumps"].every
    assert L.cadence_due(pumps, NOW, every=1, day=None, tz=tz) == NOW.replace(month=4)


def test_C10_a_check_or_shift_record_not_ok_says_what_is_wrong():
    """C10: 「有异常报弱电班」 — a check not OK (or a fire record with the system not running normally) has findings."""
    check = {"post": "中控室", "done_at": NOW}
    assert validate("cr_check_devices", **check, result="abnormal") == {
        "reg.cr_check_devices.findings": "registers.cr_check.findings_required"}
    assert validate("cr_check_devices", **check, result="abnormal", findings="对讲机2号电池坏,已报弱电班") == {}
    assert validate("cr_check_video", **check, result="ok") == {}
    assert validate("cr_fire_record", post="消防控制室", shift="夜班", recorded_at=NOW, system_ok=False) == {
        "reg.cr_fire_record.findings": "registers.cr_check.findings_required"}


def test_C7_cctv_outsiders_are_always_refused():
    """C7: 「非本公司人员不得查看中控室录像」 — refused at create, submit and approval whatever the chain."""
    hooks = REGISTRY["cr_cctv_request"].hooks
    outsider = entry("cr_cctv_request", state="draft", org="external", kind="view")
    for action in ("create", "submit", "approve"):
        with pytest.raises(DomainError, match="outsider_refused"):
            hooks.guard(outsider, action, frozenset({"部长"}), CTX)
    hooks.guard(entry("cr_cctv_request", state="draft", org="internal", kind="view"), "create", frozenset(), CTX)
    assert settings_service.definitions()["registers.cr_cctv_request.chain"].default == ["部长"]


def test_C8_cctv_copy_is_off_by_default_and_execution_waits_for_the_head():
    """C8: D16 「任何人员无权拷贝」 by default (a setting); 「未见部长签字不得私自执行」."""
    assert settings_service.definitions()["registers.cr_cctv.copy_allowed"].default is False
    request = {"org": "internal", "camera": "大门", "from_at": NOW - 60 * MIN, "to_at": NOW}
    assert validate("cr_cctv_request", **request, kind="copy") == {
        "reg.cr_cctv_request.kind": "registers.cr_cctv_request.copy_off"}
    allowed = Ctx(now=NOW, settings={**CTX.settings, "registers.cr_cctv.copy_allowed": True})
    assert validate("cr_cctv_request", ctx=allowed, **request, kind="copy") == {}
    hooks = REGISTRY["cr_cctv_request"].hooks
    pending = entry("cr_cctv_request", state="pending", **request, kind="view", executed_at=NOW)
    assert keys(hooks.validate(pending, CTX)) == {
        "reg.cr_cctv_request.executed_at": "registers.cr_cctv_request.not_signed"}
    signed = (StepView(1, "submit", "", 1, "op", NOW), StepView(2, "approve", "部长", 2, "李部长", NOW, step_index=0))
    approved = entry("cr_cctv_request", state="approved", steps=signed, **request, kind="view", executed_at=NOW)
    assert keys(hooks.validate(approved, CTX)) == {}
    assert hooks.derive(approved, CTX) == {"approved_by": "李部长"}


def test_C9_recordings_are_kept_at_least_one_month():
    """C9: 「录相带应保存不少于1个月」 — the retention is a setting whose floor is a month (31 days)."""
    spec = settings_service.definitions()["registers.cr_cctv.retention_days"]
    assert (spec.default, spec.minimum) == (31, 31)
    end = NOW - 20 * 24 * 60 * MIN
    media = {"media": "D-0042", "camera": "大门", "from_at": end - 60 * MIN, "to_at": end}
    assert validate("cr_recording", **media, erased_at=NOW) == {
        "reg.cr_recording.erased_at": "registers.cr_recording.kept_one_month"}
    assert validate("cr_recording", **media, erased_at=end + 31 * 24 * 60 * MIN) == {}
    low = Ctx(now=NOW, settings={"registers.cr_cctv.retention_days": 7})  # below the floor: still a month
    assert REGISTRY["cr_recording"].hooks.derive(entry("cr_recording", **media), low) == {
        "retain_until": retain_until(end, 31)}


def test_C2_the_shift_a_handover_writes_is_listed_by_its_label_and_typed_text_as_typed():
    """C2: the handover writes the responsible shift as a code (``night``); the duty log's lists and exports show
    夜班 (en: its English label), and a shift typed by hand stays as typed."""
    from lib.domain.registers import REGISTRY
    from lib.domain.registers.model import code_label
    from lib.i18n import translate

    for register, key in (("cr_duty_log", "shift"), ("cr_duty_log", "responsible_shift"), ("cr_fire_record", "shift")):
        field = REGISTRY[register].field(key)
        assert code_label(field, "night", lambda k: translate(k, "zh_CN")) == "夜班"
        assert code_label(field, "day", lambda k: translate(k, "en")) == translate("rotation.shift.day", "en")
        assert code_label(field, "二班", lambda k: translate(k, "zh_CN")) == "二班"
