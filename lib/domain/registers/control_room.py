"""The control room 中控室 / 消防控制室, seed 004 D2, D9, D12, D16, D20 (REGISTERS.md §1.5; SPEC 5.5): rules as
engine hooks.

- 值班记录 (``cr_duty_log``): one duty log, numbered gap-free **per post** (the engine's ``stream_field``), never
  deleted (the table's triggers), corrected only by a new version (「记录必须字迹清楚,整洁干净,不得有乱涂乱画或
  缺页、丢页现象」 [CR-a 004@1177]). Each entry says what happened (异常/故障/报警/可疑/火灾/其他) and how it was
  handled (「对发现的情况和处理办法做好详细记录」). The responsible shift is computed from the handover times (the
  service's lookup ``shift_at``; S19: from the completed handover on, the incoming shift). A fault closes only
  once it cleared by itself or was reported (生产调度室, 工程部, 弱电班 …) — S60, 「如果故障不能自动消除立即上报
  生产调度室和具体部门」 [CR-b 004@1000].
- 报警记录 (``cr_alarm``): two people, one on site and one at the console (「一人负责出现场确认,一人仍在消防控制室
  执机」 [CR-r 004@18877]); it ends in a reset (「如是误报,按复位程序操作」) or a confirmed fire, 119 called and the
  部门主管 told (「拨打119电话通知公安消防部门并报告部门主管」 [CR-t 004@19254]).
- 消防监控系统运行情况记录表 (``cr_fire_record``): every shift (「每班应认真填写」 [CR-q 004@18671]); a handover on a
  fire post does not complete without the outgoing shift's record (lib/services/handover, SPEC H4).
- The check calendar, one register per check, each a :class:`Cadence` due in the inbox (a missed one overdue):
  video browsing every 15 minutes (「每15分钟对视频进行一次浏览」 [CR-d 004@10441]), the 秩序维护主管's daily
  inspection (「每日至少一次」 [CR-e 004@10538]), devices each shift (「每天接班时对各种保安器械…」 [CR-v
  004@19297]), detectors weekly (「每周一次对系统探测器进行测试」 [CR-x 004@19450]), pumps monthly with 工程部
  (「每月一次配合工程部…」 [CR-z 004@19514]).
- 视频查阅/复制 (``cr_cctv_request``): the 部长 signs (「中控员未见部长签字不得私自执行」 [CR-f 004@10579]);
  outsiders are always refused (「非本公司人员不得查看中控室录像」 [CR-i 004@14057]); copying is off unless the
  setting allows it (D16 「任何人员无权拷贝中控室录像」 against D12, reading 11: stricter default).
- 录像/盘带登记 (``cr_recording``): kept at least one month (「录相带应保存不少于1个月」 [CR-j 004@14210]); erasing it
  earlier is refused.

Assumed: "a shift" for the per-shift dues is at most 12 hours (「每班连续工作时间不超过12小时」, D20), a setting; a
post is named as the handover page names it (the post's name); the two alarm responders are two different people
on duty when the alarm came (a published roster's, on any post; unchecked where no roster covers that moment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from lib.domain.errors import DomainError, FieldError
from lib.domain.registers.family_hooks import is_set, not_before, signer
from lib.domain.registers.hooks import Ctx, Entry, RegisterHooks
from lib.domain.registers.model import Cadence, FieldDef, RegisterDef
from lib.domain.settings import SettingDef

FAMILY = "control_room"
ME, NOW = "me", "now"
OPERATOR = "中控员"
SHIFTS = "rotation.shift"  # the handover writes shift codes (night, day ...): lists show their labels
SUPERVISOR = "秩序维护主管"
HEAD = "部长"
ENTRY_TYPES = ("abnormal", "fault", "alarm", "suspicious", "fire", "other")  # 异常 故障 报警 可疑 火灾 其他
REPORTED_TO = ("duty_leader", "dispatch", "department", "engineering", "low_voltage", "technicians")
ALARM_OUTCOMES = ("reset", "fire")  # 误报 → 复位; 确认火灾 → 119
RESULTS = ("ok", "abnormal")
ORGS = ("internal", "external")
ACCESS_KINDS = ("view", "copy")

SETTINGS = [
    SettingDef("registers.cr_check_video.minutes", 15, "int", "minutes",
               "seed 004 D12 「中控员/监控员负责每15分钟对视频进行一次浏览」 (SPEC cctv.browse)", minimum=1, maximum=240),
    SettingDef("registers.cr_shift.minutes", 720, "int", "minutes",
               "seed 004 D20 「每班应认真填写」; 「每班连续工作时间不超过12小时」 (a shift read as at most 12 h, assumed)",
               minimum=60, maximum=1440),
    SettingDef("registers.cr_cctv_request.chain", [HEAD], "titles", "titles",
               "seed 004 D12 「颐家中心部长负责视频查阅或者复制工作的批准,中控员未见部长签字不得私自执行」"),
    SettingDef("registers.cr_cctv.copy_allowed", False, "bool", "",
               "seed 004 D16 「任何人员无权拷贝中控室录像」 against D12 「视频查阅或者复制」: off unless the site allows it "
               "(SPEC cctv.copy_allowed)"),
    SettingDef("registers.cr_cctv.retention_days", 31, "int", "days",
               "seed 004 D16 「录相带应保存不少于1个月」 (a month read as 31 days, the floor; SPEC cctv.retention)",
               minimum=31, maximum=3660),
]


def _err(entry: Entry, field_key: str, key: str, **params) -> FieldError:
    return FieldError(f"reg.{entry.register}.{field_key}", key, dict(params))


# ---------------------------------------------------------------------------------------------- duty log
def shift_at(handovers: Iterable[tuple[str, str, dt.datetime | None]], at: dt.datetime) -> str:
    """The shift responsible at ``at`` on a post, from its handovers ``(out_shift, in_shift, completed_at)``:
    the incoming shift of the last handover completed at or before ``at``; before any, the outgoing shift of the
    first one completed after it (or still open); "" with no handover (S19, seed 004 D12)."""
    done = sorted(((c, i) for _o, i, c in handovers if c is not None and c <= at), key=lambda p: p[0])
    if done:
        return done[-1][1]
    later = [(c, o) for o, _i, c in handovers if c is None or c > at]
    later.sort(key=lambda p: (p[0] is None, p[0] or at))
    return later[0][1] if later else ""


def unknown_post(entry: Entry, ctx: Ctx) -> list[FieldError]:
    """A page names a post of the office (its numbering stream; the handover reads the post's log by it), checked
    when the entry is made (the service's ``is_post`` lookup)."""
    lookup = getattr(ctx.lookups, "is_post", None)
    post = entry.values.get("post")
    if entry.state != "draft" or lookup is None or not is_set(post) or lookup(str(post)):
        return []
    return [_err(entry, "post", "registers.cr.unknown_post")]


def fault_may_close(values: Mapping[str, object]) -> bool:
    """S60: a fault closes once it cleared by itself or was reported (生产调度室, 工程部, 弱电班 …)."""
    return is_set(values.get("auto_cleared_at")) or is_set(values.get("reported_to"))


class DutyLogHooks(RegisterHooks):
    """The responsible shift from the handover times (the service's ``shift_at`` lookup, else as typed); a fault
    not cleared by itself needs ``reported_to`` before it closes (S60); a report names when it was made."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        v = entry.values
        lookup = getattr(ctx.lookups, "shift_at", None)
        found = ""
        if lookup is not None and is_set(v.get("post")) and isinstance(v.get("occurred_at"), dt.datetime):
            found = lookup(str(v["post"]), v["occurred_at"]) or ""
        return {"responsible_shift": (found or str(v.get("shift") or ""))[:20]}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = (unknown_post(entry, ctx)
                  + not_before(entry, "closed_at", "occurred_at", "registers.cr_duty_log.before_occurred")
                  + not_before(entry, "reported_at", "occurred_at", "registers.cr_duty_log.before_occurred")
                  + not_before(entry, "auto_cleared_at", "occurred_at", "registers.cr_duty_log.before_occurred"))
        if is_set(v.get("closed_at")) and v.get("type") == "fault" and not fault_may_close(v):
            errors.append(_err(entry, "reported_to", "registers.cr_duty_log.fault_not_reported"))
        if is_set(v.get("reported_to")) and not is_set(v.get("reported_at")):
            errors.append(_err(entry, "reported_at", "registers.cr_duty_log.reported_at_required"))
        return errors


# ---------------------------------------------------------------------------------------------- alarms
class AlarmHooks(RegisterHooks):
    """Two different people, one on site and one at the console; an alarm ends in a reset or a confirmed fire
    with 119 called and the 部门主管 told; the outcome comes with its end time."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = (not_before(entry, "ended_at", "received_at", "registers.cr_alarm.before_received")
                  + not_before(entry, "fire_called_at", "received_at", "registers.cr_alarm.before_received"))
        if is_set(v.get("onsite_id")) and v.get("onsite_id") == v.get("console_id"):
            errors.append(_err(entry, "console_id", "registers.cr_alarm.two_people"))
        errors += self._on_duty(entry, ctx)
        outcome = v.get("outcome")
        if is_set(v.get("ended_at")) and not is_set(outcome):
            errors.append(_err(entry, "outcome", "registers.cr_alarm.outcome_required"))
        if outcome == "fire":
            if not is_set(v.get("fire_called_at")):
                errors.append(_err(entry, "fire_called_at", "registers.cr_alarm.call_119"))
            if not is_set(v.get("head_told_at")):
                errors.append(_err(entry, "head_told_at", "registers.cr_alarm.tell_head"))
        if outcome == "reset" and is_set(v.get("fire_called_at")):
            errors.append(_err(entry, "outcome", "registers.cr_alarm.reset_but_called"))
        return errors

    @staticmethod
    def _on_duty(entry: Entry, ctx: Ctx) -> list[FieldError]:
        """When the alarm is entered, both responders are among those a published roster has on duty then (on any
        post: 「派保安员到现场查看」). Assumed: with no roster covering that moment nothing is checked."""
        lookup = getattr(ctx.lookups, "on_duty", None)
        received = entry.values.get("received_at")
        if entry.state != "draft" or lookup is None or not isinstance(received, dt.datetime):
            return []
        present = lookup(received)
        if not present:
            return []
        return [_err(entry, key, "registers.cr_alarm.not_on_duty") for key in ("onsite_id", "console_id")
                if is_set(entry.values.get(key)) and entry.values.get(key) not in present]


# ---------------------------------------------------------------------------------------------- records, checks
class FindingsHooks(RegisterHooks):
    """A record or check that is not OK says what is wrong (「有异常报弱电班」)."""

    flag = "result"

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        if v.get(self.flag) in ("abnormal", False) and not is_set(v.get("findings")):
            return [_err(entry, "findings", "registers.cr_check.findings_required")]
        return []


class FireRecordHooks(FindingsHooks):
    """As a check; and the record names a post of the office (the handover finds it by the post's name)."""

    flag = "system_ok"

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        return [*unknown_post(entry, ctx), *super().validate(entry, ctx)]


# ---------------------------------------------------------------------------------------------- CCTV
class CctvRequestHooks(RegisterHooks):
    """Outsiders are refused whatever the chain; copying only when the setting allows it; the request is carried
    out only after the 部长 signed (the signer is kept as 批准人)."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"approved_by": signer(entry, 0) if entry.state == "approved" else ""}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = not_before(entry, "to_at", "from_at", "registers.cr_cctv_request.ends_before_start")
        if v.get("kind") == "copy" and not ctx.settings.get("registers.cr_cctv.copy_allowed"):
            errors.append(_err(entry, "kind", "registers.cr_cctv_request.copy_off"))
        if is_set(v.get("executed_at")) and entry.state != "approved":
            errors.append(_err(entry, "executed_at", "registers.cr_cctv_request.not_signed"))
        return errors

    def guard(self, entry: Entry, action: str, actor_titles: frozenset[str], ctx: Ctx) -> None:
        if entry.values.get("org") == "external" and action in ("create", "submit", "approve", "edit"):
            raise DomainError("registers.cr_cctv_request.outsider_refused")
        if action == "edit" and is_set(entry.values.get("executed_at")) and entry.state != "approved":
            raise DomainError("registers.cr_cctv_request.not_signed")


def retain_until(to_at: object, days: int) -> dt.datetime | None:
    """The earliest a recording may be erased: ``days`` (at least a month) after its end."""
    return to_at + dt.timedelta(days=days) if isinstance(to_at, dt.datetime) else None


class RecordingHooks(RegisterHooks):
    """A recording is kept at least one month after it ends: erasing it earlier is refused."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        days = max(31, int(ctx.settings.get("registers.cr_cctv.retention_days") or 31))
        return {"retain_until": retain_until(entry.values.get("to_at"), days)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = not_before(entry, "to_at", "from_at", "registers.cr_recording.ends_before_start")
        keep = v.get("retain_until")
        erased = v.get("erased_at")
        if isinstance(erased, dt.datetime) and isinstance(keep, dt.datetime) and erased < keep:
            errors.append(_err(entry, "erased_at", "registers.cr_recording.kept_one_month"))
        return errors


# ---------------------------------------------------------------------------------------------- definitions
def _t(key: str, type_: str, **kw) -> FieldDef:
    return FieldDef(key, type_, **kw)


def _check_fields(extra: tuple[FieldDef, ...] = ()) -> tuple[FieldDef, ...]:
    return (
        _t("post", "text", required=True, max_len=100, quote="(◇) 岗位 中控室/消防控制室"),
        _t("done_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 检查时间"),
        _t("result", "choice", required=True, default="ok", choices=RESULTS, quote="(◇) 结果 「是否正常」"),
        _t("findings", "long_text", max_len=500, quote="「遇系统故障及时记录并报修」; 「有异常报弱电班」"),
        *extra,
    )


def _check(key: str, source: str, cadence: Cadence, extra: tuple[FieldDef, ...] = ()) -> RegisterDef:
    return RegisterDef(key, FAMILY, source, fields=_check_fields(extra), lock="on_submit", date_field="done_at",
                       title_field="post", every=cadence, hooks=FindingsHooks())


REGISTERS = [
    RegisterDef(
        "cr_duty_log", FAMILY, "seed 004 D2 [CR-a, CR-ae, CR-af, CR-b] 值班记录 「不得有乱涂乱画或缺页、丢页现象」",
        fields=(
            # post, type and shift are not indexed here: lists and the handover read a date range by its
            # (date, id) index, which an index on a column of few values would displace (bench/gen_control_room.py)
            _t("post", "text", required=True, max_len=100, quote="(◇) 岗位 (编号按岗位连续)"),
            _t("occurred_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 时间"),
            _t("shift", "text", max_len=20, codes=SHIFTS, quote="(◇) 班次"),
            _t("type", "choice", required=True, choices=ENTRY_TYPES,
               quote="异常、故障、报警、可疑、火灾 「一切异常情况」"),
            _t("description", "long_text", required=True, max_len=1000, quote="「对发现的情况…做好详细记录」"),
            _t("action", "long_text", max_len=1000, quote="「处理办法」"),
            _t("reported_to", "choice", choices=REPORTED_TO,
               quote="「发现异常及时向当班领导汇报」; 「上报生产调度室和具体部门」; 工程部; 弱电班; 工程技术人员"),
            _t("reported_at", "datetime", quote="(◇) 上报时间 「立即上报」"),
            _t("auto_cleared_at", "datetime", quote="「故障不能自动消除」 (自动消除时间)"),
            _t("closed_at", "datetime", quote="(◇) 关闭时间"),
            _t("responsible_shift", "text", max_len=20, derived=True, codes=SHIFTS,
               quote="「交接班…」 责任班次 (以交接班完成时间划分)"),
        ),
        lock="on_submit", editable_after_lock=("action", "reported_to", "reported_at", "auto_cleared_at", "closed_at"),
        date_field="occurred_at", title_field="description", stream_field="post", hooks=DutyLogHooks()),
    RegisterDef(
        "cr_alarm", FAMILY, "seed 004 D20 [CR-o, CR-r, CR-s, CR-p, CR-t] 报警记录 「一人负责出现场确认,一人仍在消防控制室执机」",
        fields=(
            _t("zone", "text", required=True, max_len=100, quote="报警部位"),
            _t("received_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 报警时间"),
            _t("contacted", "text", max_len=100, quote="「与报警部位的值班员或保安员联系」"),
            _t("onsite_id", "person", required=True, indexed=True, quote="「一人负责出现场确认」"),
            _t("console_id", "person", required=True, default=ME, quote="「一人仍在消防控制室执机」"),
            _t("cause", "long_text", max_len=500, quote="「迅速查清报警原因并做好记录」"),
            _t("outcome", "choice", choices=ALARM_OUTCOMES, quote="「如是误报,按复位程序操作」; 「确认火灾发生后」"),
            _t("fire_called_at", "datetime", quote="「拨打119电话通知公安消防部门」"),
            _t("head_told_at", "datetime", quote="「并报告部门主管」"),
            _t("ended_at", "datetime", quote="(◇) 处理完毕"),
        ),
        lock="on_submit", editable_after_lock=("cause", "outcome", "fire_called_at", "head_told_at", "ended_at"),
        date_field="received_at", title_field="zone", hooks=AlarmHooks()),
    RegisterDef(
        "cr_fire_record", FAMILY, "seed 004 D20 [CR-q] 消防监控系统运行情况记录表 「每班应认真填写」",
        fields=(
            _t("post", "text", required=True, max_len=100, quote="(◇) 岗位 消防控制室"),
            _t("shift", "text", required=True, max_len=20, codes=SHIFTS, quote="「每班」 班次"),
            _t("recorded_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 填写时间"),
            _t("system_ok", "bool", default=True, quote="(△) 消防监控系统运行正常 (表的栏目原文未给出)"),
            _t("findings", "long_text", max_len=1000, quote="(△) 运行情况"),
        ),
        lock="on_submit", date_field="recorded_at", title_field="shift",
        every=Cadence(unit="minutes", setting="registers.cr_shift.minutes", title=OPERATOR), hooks=FireRecordHooks()),
    _check("cr_check_video", "seed 004 D12 [CR-d] 视频浏览 「每15分钟对视频进行一次浏览」",
           Cadence(unit="minutes", every=15, setting="registers.cr_check_video.minutes", title=OPERATOR)),
    _check("cr_check_supervisor", "seed 004 D12 [CR-e] 主管检查 「每日至少一次对中控室监控/中控系统进行运行检查和工作督导」",
           Cadence(unit="days", every=1, title=SUPERVISOR)),
    _check("cr_check_devices", "seed 004 D20 [CR-v, CR-w] 器械检查 「每天接班时对各种保安器械对讲机、手电筒、巡更器的充电情况」",
           Cadence(unit="minutes", setting="registers.cr_shift.minutes", title=OPERATOR)),
    _check("cr_check_detectors", "seed 004 D20 [CR-x] 探测器测试 「每周一次对系统探测器进行测试」",
           Cadence(unit="days", every=7, title=OPERATOR)),
    _check("cr_check_pumps", "seed 004 D20 [CR-z, CR-ab] 消防泵/喷淋泵测试 「每月一次配合工程部进行消防泵,喷淋泵系统进行测试」",
           Cadence(unit="months", every=1, title=OPERATOR),
           extra=(_t("engineer", "text", max_len=50, quote="「配合工程部」 (工程部人员)"),)),
    RegisterDef(
        "cr_cctv_request", FAMILY, "seed 004 D12, D16 [CR-f, CR-h, CR-i] 视频查阅/复制 「中控员未见部长签字不得私自执行」",
        fields=(
            _t("requester_id", "person", required=True, default=ME, indexed=True, quote="(◇) 申请人"),
            _t("org", "choice", required=True, default="internal", choices=ORGS,
               quote="「非本公司人员不得查看中控室录像」"),
            _t("kind", "choice", required=True, default="view", choices=ACCESS_KINDS, quote="「视频查阅或者复制」"),
            _t("camera", "text", required=True, max_len=100, quote="(◇) 监控点"),
            _t("from_at", "datetime", required=True, indexed=True, quote="(◇) 录像起"),
            _t("to_at", "datetime", required=True, quote="(◇) 录像止"),
            _t("purpose", "long_text", required=True, max_len=500, quote="(◇) 事由"),
            _t("approved_by", "text", max_len=50, derived=True, quote="部长签字"),
            _t("executed_at", "datetime", quote="(◇) 执行时间 「未见部长签字不得私自执行」"),
        ),
        chain_setting="registers.cr_cctv_request.chain", read_scope="own", read_titles=(HEAD, OPERATOR),
        lock="on_final_approval", editable_after_lock=("executed_at",), late_titles=(OPERATOR,),
        date_field="from_at", title_field="camera", subject_field="requester_id", hooks=CctvRequestHooks()),
    RegisterDef(
        "cr_recording", FAMILY, "seed 004 D16 [CR-j, CR-m] 录像/盘带登记 「录相带应保存不少于1个月」; 「做到盘带登记清楚」",
        fields=(
            _t("media", "text", required=True, max_len=50, indexed=True, quote="「盘带登记清楚」 (盘带编号)"),
            _t("camera", "text", required=True, max_len=100, quote="(◇) 监控点"),
            _t("from_at", "datetime", required=True, quote="(◇) 录像起"),
            _t("to_at", "datetime", required=True, indexed=True, quote="(◇) 录像止"),
            _t("retain_until", "datetime", derived=True, quote="「保存不少于1个月」"),
            _t("erased_at", "datetime", quote="(◇) 覆盖/销毁时间"),
        ),
        read_titles=(HEAD, OPERATOR), lock="on_submit", editable_after_lock=("erased_at",),
        date_field="to_at", title_field="media", hooks=RecordingHooks()),
]
