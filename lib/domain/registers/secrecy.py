"""涉密人员与涉密载体, seed 001 D1 「涉密人员管理制度」, D2 「保密要害部门部位管理制度」, D3 「国家秘密载体管理制度」
(REGISTERS.md §1.2, §1.2b; SPEC 5.2): rules as engine hooks.

People (D1, D2):
- 涉密人员登记 (``secrecy_person``): level 核心/重要/一般 by the post's classification (D1 第三条); the department's
  初审名单 is recorded on the entry; the 部门负责人 of the person's department signs first (a department-scoped
  step: the entry belongs to the graded person's department, not the 保密员's), then 办公室 and 保密工作领导小组
  approve (第五条). A level change is a correction: a new version through the same chain (第六条), so the history stays.
  Every read of a record is audited.
- 审查记录 (``secrecy_vetting``): the three named aspects, written down (第七条); 社会关系清楚、配偶为中国公民 is kept
  only as an attestation that the conditions were checked (REGISTERS.md reading), never the personal facts.
- 保密责任书/承诺书 (``secrecy_letter``): by stage 进单位/在岗/离岗 (第八条); a 离岗保密承诺书 is signed on leaving (D2).
- 保密教育 (``secrecy_training``) (D1 第九、十条; D2 第七条).
- 要害部门上岗 (``secrecy_key_post``): a hard block unless the 保密责任书 is signed, the training done and the annual
  rating 称职(合格) or better (D2 第五、七、八条).
- 因私出国(境) (``secrecy_travel``): 办公室 approves, after the head's opinion (D2 第四条(六), 第九条).
- 脱密期 (``secrecy_period``): 3/2/1 years by level by default (D1 第十一条, settings), never below 3 y/2 y/6 months
  (D2 第十条), extendable only; it starts once every carrier the person held is returned (第十一条 「应清退所有
  涉密文件、资料及物品」), S58.
- 调动/辞职 (``secrecy_exit``): off the post first; during the 脱密期 a core person may not resign, others need
  approval, a file note and a 保密承诺书 (第十三、十四条).

Carriers (D3), all kept by the 保密员 (六.5): the carrier register with 密级, 保密期限, 发放范围, 制作数量 and a 顺序号
for 绝密/机密 (二.1); receipt and dispatch (三); reading and use (四.1, 四.3); copies (四.5); carrying out (四.8, 9);
destruction (六); the yearly inventory (五.3).

Only the 保密员, the 保密工作领导小组 and admins open these registers (``open_titles``); the approvers of a step read the
entry they sign. Titles (assumed, the managed list has neither 办公室 nor 主管领导): 办公室 is 行政主管 (as 行政办 for
seals), 本单位主管领导 is 总经理, 部门负责人 is 部门主管.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from lib.domain.errors import FieldError, ValidationFailed
from lib.domain.registers.family_hooks import AfterApproval, is_set, not_before, signer
from lib.domain.registers.hooks import Blocker, Ctx, Entry, RegisterHooks
from lib.domain.registers.model import Cadence, FieldDef, RegisterDef
from lib.domain.settings import SettingDef

FAMILY = "secrecy"
ME, NOW = "me", "now"
OFFICER = "保密员"
GROUP = "保密工作领导小组"
OFFICE = "行政主管"  # 本单位办公室 (assumed title)
LEADER = "总经理"  # 本单位主管领导 (assumed title)
HEAD = "部门主管"  # 部门负责人 (assumed title; department-scoped: the graded person's department)
OPEN = (OFFICER, GROUP)

LEVELS = ("core", "important", "general")  # 核心, 重要, 一般
CLASSES = ("top_secret", "secret", "confidential")  # 绝密, 机密, 秘密
FLOOR_MONTHS = {"core": 36, "important": 24, "general": 6}  # D2 第十条
DEFAULT_MONTHS = {"core": 36, "important": 24, "general": 12}  # D1 第十一条
RATINGS = ("excellent", "competent", "basic", "incompetent")  # 优秀, 称职(合格), 基本称职, 不称职
ELIGIBLE_RATINGS = ("excellent", "competent")
DOCUMENTS = ("responsibility", "commitment", "leaving_commitment")
STAGES = ("joining", "in_post", "leaving")
EXIT_KINDS = ("transfer", "resignation")
MEDIA = ("paper", "magnetic", "optical")
CHANNELS = ("confidential_transport", "confidential_post", "courier")  # 机要交通, 机要通信, 专人 (never 普通邮政)
PURPOSES = ("work", "foreign_affairs", "abroad")
METHODS = ("shredder", "paper_mill", "physical_chemical")


def _months_setting(level: str) -> str:
    return f"registers.secrecy_period.{level}_months"


SETTINGS = [
    SettingDef("registers.secrecy_person.chain", [HEAD, OFFICE, GROUP], "titles", "titles",
               "seed 001 D1 第五条 「部门负责人审核确定后,报送本单位办公室和本单位保密工作领导小组审批」"
               " (部门负责人 read as 部门主管 of the person's department, 办公室 as 行政主管, assumed)"),
    SettingDef("registers.secrecy_travel.chain", [OFFICE], "titles", "titles",
               "seed 001 D2 第九条 「因私出国(境),须报经办公室批准」"),
    SettingDef("registers.secrecy_period.chain", [GROUP], "titles", "titles",
               "seed 001 D1 第十七条 (六) 「涉密人员的脱密期管理」"),
    SettingDef("registers.secrecy_exit.chain", [GROUP], "titles", "titles",
               "seed 001 D1 第十三、十四条 「经本单位保密工作领导小组批准」"),
    SettingDef("registers.secrecy_copy.chain", [LEADER], "titles", "titles",
               "seed 001 D3 四.5 「应当经本单位的主管领导批准」 (主管领导 read as 总经理, assumed)"),
    SettingDef("registers.secrecy_carry.chain", [LEADER], "titles", "titles",
               "seed 001 D3 四.8 「携带绝密级秘密载体应当经本单位主管领导批准」"),
    SettingDef("registers.secrecy_destruction.chain", [LEADER], "titles", "titles",
               "seed 001 D3 六.1 「销毁秘密载体,应当经本单位主管领导审核批准」"),
    *[SettingDef(_months_setting(level), DEFAULT_MONTHS[level], "int", "months",
                 f"seed 001 D1 第十一条 「脱密期一般为:核心涉密人员3年;重要涉密人员2年;一般涉密人员1年」; never below "
                 f"{FLOOR_MONTHS[level]} months (D2 第十条)", minimum=FLOOR_MONTHS[level], maximum=240)
      for level in LEVELS],
]


def _err(entry: Entry, field_key: str, key: str, **params) -> FieldError:
    return FieldError(f"reg.{entry.register}.{field_key}", key, dict(params))


def _others(ctx: Ctx, register: str, **equals: object) -> tuple[Entry, ...]:
    """Entries of another register through the services' read-only lookup (none without one)."""
    entries = getattr(ctx.lookups, "entries", None)
    return tuple(entries(register, **equals)) if entries is not None else ()


# ---------------------------------------------------------------------------------------------- 脱密期 rules
def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; a day the month lacks clamps to its last day (02-29 + 12 months -> 02-28)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (nxt - dt.timedelta(days=1)).day))


def default_months(level: str, settings: Mapping[str, object]) -> int:
    """The 脱密期 by level from the settings, never below the floor (seed 001 D1 第十一条; D2 第十条)."""
    value = settings.get(_months_setting(level))
    return max(int(value) if isinstance(value, int) else DEFAULT_MONTHS[level], FLOOR_MONTHS[level])


def period_start(left_post_on: dt.date, returned_on: dt.date | None) -> dt.date | None:
    """The 脱密期 starts when the person has left the post and returned every carrier (「应清退所有涉密文件、资料及物品」,
    seed 001 D1 第十一条); None while something is still held. Assumed: returning early does not start it early."""
    if returned_on is None:
        return None
    return max(left_post_on, returned_on)


def declassification_end(start: dt.date, level: str, months: int, extensions: Sequence[int] = ()) -> dt.date:
    """End of the 脱密期: never below the floor 3 y/2 y/6 months (seed 001 D2 第十条 「核心涉密人员脱密期限不少于3年,
    重要涉密人员脱密期限不得少于2年,一般涉密人员脱密期限不得少于6个月」), extendable only (D1 第十一条 「必要时可适当
    延长」); core 2024-01-15 + 36 months = 2027-01-15 (S58)."""
    if level not in FLOOR_MONTHS:
        raise ValidationFailed([FieldError("reg.secrecy_period.level", "registers.bad_choice")])
    if months < FLOOR_MONTHS[level]:
        raise ValidationFailed([FieldError("reg.secrecy_period.period_months", "registers.secrecy.below_floor",
                                           {"floor": FLOOR_MONTHS[level]})])
    if any(step < 0 for step in extensions):
        raise ValidationFailed([FieldError("reg.secrecy_period.extension_months", "registers.secrecy.extend_only")])
    return add_months(start, months + sum(extensions))


def in_period(end: dt.date | None, day: dt.date) -> bool:
    """Whether ``day`` falls before the 脱密期 ends (a period not yet started — carriers still held — counts)."""
    return end is None or day < end


def exit_refusals(kind: str, level: str, during: bool, *, special_reason: bool, file_noted: bool,
                  commitment: bool) -> list[tuple[str, str]]:
    """(field, key) problems of a transfer or resignation (seed 001 D1 第十三、十四条): during the 脱密期 a core person
    may not resign (「对于确有特殊原因而本人坚持申请辞职的非核心涉密人员」 — the exception names only 非核心); others
    need a special reason, a note in the personnel file and a 保密承诺书; after it a 保密承诺书."""
    if during and kind == "resignation" and level == "core":
        return [("kind", "registers.secrecy_exit.core_resignation_blocked")]
    problems = []
    if during:
        if not special_reason:
            problems.append(("special_reason", "registers.secrecy_exit.reason_required"))
        if not file_noted:
            problems.append(("file_noted", "registers.secrecy_exit.file_note_required"))
    if not commitment:
        problems.append(("commitment_signed", "registers.secrecy_exit.commitment_required"))
    return problems


def key_post_refusals(*, letter_signed: bool, trained: bool, rating: str | None, conditions: bool
                      ) -> list[tuple[str, str]]:
    """What keeps a person off a key post (seed 001 D2 第五条 「年度岗位考核必须为“称职(合格)”以上」,
    「社会关系清楚,配偶为中国公民」; 第七条 「上岗前应接受保密教育和培训」; 第八条 「未签订的,不得在保密要害部门、部位工作」)."""
    problems = []
    if not letter_signed:
        problems.append(("person_id", "registers.secrecy_key_post.no_letter"))
    if not trained:
        problems.append(("person_id", "registers.secrecy_key_post.not_trained"))
    if rating not in ELIGIBLE_RATINGS:
        problems.append(("rating", "registers.secrecy_key_post.rating_too_low"))
    if not conditions:
        problems.append(("conditions_checked", "registers.secrecy_key_post.conditions"))
    return problems


# ---------------------------------------------------------------------------------------------- carrier rules
def needs_serial(classification: str | None) -> bool:
    """「绝密级、机密级的应当编排顺序号」 (seed 001 D3 二.1)."""
    return classification in ("top_secret", "secret")


def two_people(first: object, second: object) -> bool:
    """Two named people, not one twice (「二人护送制」, 「二人以上同行」, 「二人以上押运和监销」, seed 001 D3)."""
    return is_set(first) and is_set(second) and first != second


def carry_refusals(classification: str | None, purpose: str | None, carrier_id: object, companion_id: object
                   ) -> list[tuple[str, str]]:
    """Carrying out (seed 001 D3 四.8, 四.9): 绝密 never to 涉外活动 or abroad (「禁止携带绝密级秘密载体参加涉外活动」,
    「禁止将绝密级秘密载体携带出境」), otherwise with two or more people (「并有二人以上同行」)."""
    if classification != "top_secret":
        return []
    if purpose in ("foreign_affairs", "abroad"):
        return [("purpose", "registers.secrecy_carry.top_secret_never")]
    if not two_people(carrier_id, companion_id):
        return [("companion_id", "registers.secrecy_carry.two_people")]
    return []


def copy_refusals(classification: str | None, *, approval_ref: bool, issuer_permits: bool) -> list[tuple[str, str]]:
    """Copies (seed 001 D3 四.5): 绝密 only with the approval of the classifying or a higher authority, 机密/秘密 only
    when the issuer allows copying (then the unit's 主管领导 approves: the chain)."""
    if classification == "top_secret" and not approval_ref:
        return [("approval_ref", "registers.secrecy_copy.authority_required")]
    if classification in ("secret", "confidential") and not issuer_permits:
        return [("issuer_permits", "registers.secrecy_copy.issuer_forbids")]
    return []


# ---------------------------------------------------------------------------------------------- hooks
def _carrier(ctx: Ctx, number: object) -> Entry | None:
    if not isinstance(number, int):
        return None
    found = [e for e in _others(ctx, "secrecy_carrier", no=number) if e.state in ("recorded", "approved")]
    return found[-1] if found else None


def carriers_held(ctx: Ctx, person_id: object) -> int:
    """How many carriers ``person_id`` still holds: kept in their name, or taken out to read or use."""
    if not isinstance(person_id, int):
        return 0
    kept = [e for e in _others(ctx, "secrecy_carrier", holder_id=person_id) if not is_set(e.values.get("returned_on"))]
    out = [e for e in _others(ctx, "secrecy_use", user_id=person_id) if not is_set(e.values.get("returned_at"))]
    return len(kept) + len(out)


def head_signer(entry: Entry, ctx: Ctx) -> int | None:
    """Who signed as 部门负责人 since the entry was last submitted: the latest approval of a department-scoped
    title (``registers.department_titles``), None while nobody has."""
    scoped = set(ctx.settings.get("registers.department_titles") or (HEAD,))
    submits = [s.seq for s in entry.steps if s.action == "submit"]
    since = submits[-1] if submits else 0
    signed = [s.actor_id for s in entry.steps if s.action == "approve" and s.seq > since and s.title in scoped]
    return signed[-1] if signed else None


class PersonHooks(RegisterHooks):
    """The person's level names the post's classification; the 部门负责人 of the person's department signs first
    (a department-scoped step: the entry belongs to the person's department), recorded as who confirmed."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"head_id": head_signer(entry, ctx)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        if is_set(v.get("head_id")) and v.get("head_id") == v.get("person_id"):
            return [_err(entry, "head_id", "registers.secrecy_person.own_head")]
        return []


class LetterHooks(RegisterHooks):
    """「离岗保密承诺书」 is signed on leaving (seed 001 D2 第十条); the stages are 进单位、在岗、离岗 (D1 第八条)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        if entry.values.get("document") == "leaving_commitment" and entry.values.get("stage") != "leaving":
            return [_err(entry, "stage", "registers.secrecy_letter.leaving_stage")]
        return []


class KeyPostHooks(RegisterHooks):
    """A hard block: no key post without a signed 保密责任书, the training and a rating of 称职 or better."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        person, day = v.get("person_id"), v.get("assigned_on")
        if not isinstance(day, dt.date):
            return []
        letters = [e for e in _others(ctx, "secrecy_letter", person_id=person)
                   if e.values.get("document") == "responsibility" and isinstance(e.values.get("signed_on"), dt.date)
                   and e.values["signed_on"] <= day]
        trained = [e for e in _others(ctx, "secrecy_training", person_id=person)
                   if e.values.get("result") == "pass" and isinstance(e.values.get("trained_on"), dt.date)
                   and e.values["trained_on"] <= day]
        problems = key_post_refusals(letter_signed=bool(letters), trained=bool(trained), rating=v.get("rating"),
                                     conditions=bool(v.get("conditions_checked")))
        return [_err(entry, f, k) for f, k in problems]


class TravelHooks(AfterApproval):
    """Abroad only once 办公室 approved (「未获批准的,不得擅自出国(境)」); back not before leaving."""

    late = ("departed_on",)
    refusal = "registers.secrecy_travel.not_approved"
    signed_by = "approved_by"

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        return [*super().validate(entry, ctx),
                *not_before(entry, "to_on", "from_on", "registers.secrecy.ends_before_start")]


def _period_end(values: Mapping[str, object], settings: Mapping[str, object]) -> dt.date | None:
    left, level = values.get("left_post_on"), values.get("level")
    if not isinstance(left, dt.date) or level not in FLOOR_MONTHS:
        return None
    start = period_start(left, values.get("returned_on") if isinstance(values.get("returned_on"), dt.date) else None)
    if start is None:
        return None
    months = values.get("period_months")
    months = months if isinstance(months, int) else default_months(str(level), settings)
    extension = values.get("extension_months")
    try:
        return declassification_end(start, str(level), months, [extension] if isinstance(extension, int) else [])
    except ValidationFailed:
        return None  # validate names the field


class PeriodHooks(RegisterHooks):
    """The 脱密期: the period by level (settings) unless one is given, never below the floor; extended only (one
    extension, set once after approval; a corrected version never ends earlier); it starts when every carrier
    held is returned, so 「清退」 is refused while the person still holds one (S58)."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        v = entry.values
        left = v.get("left_post_on")
        returned = v.get("returned_on")
        start = period_start(left, returned) if isinstance(left, dt.date) and isinstance(returned, dt.date) else None
        return {"starts_on": start, "ends_on": _period_end(v, ctx.settings)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        level, months = v.get("level"), v.get("period_months")
        errors = []
        if level in FLOOR_MONTHS and isinstance(months, int) and months < FLOOR_MONTHS[level]:
            errors.append(_err(entry, "period_months", "registers.secrecy.below_floor", floor=FLOOR_MONTHS[level]))
        if is_set(v.get("returned_on")) and carriers_held(ctx, v.get("person_id")):
            errors.append(_err(entry, "returned_on", "registers.secrecy_period.still_holds"))
        # the period follows the person's record as it stands (a level change is a new version of the record,
        # D1 第六条): a period at another level is refused (K18); checked while the period is written, not after
        records = _others(ctx, "secrecy_person", person_id=v.get("person_id"))
        if level in FLOOR_MONTHS and entry.state in ("draft", "rejected") and records \
                and all(r.values.get("level") != level for r in records):
            errors.append(_err(entry, "level", "registers.secrecy_period.not_current_level"))
        end = _period_end(v, ctx.settings)
        earlier = [e for e in _others(ctx, "secrecy_period", person_id=v.get("person_id"))
                   if e.id != entry.id and e.values.get("left_post_on") == v.get("left_post_on")
                   and isinstance(e.values.get("ends_on"), dt.date)]
        if end is not None and any(e.values["ends_on"] > end for e in earlier):
            errors.append(_err(entry, "period_months", "registers.secrecy.extend_only"))
        return errors


def _latest_period(ctx: Ctx, person_id: object) -> Entry | None:
    periods = [e for e in _others(ctx, "secrecy_period", person_id=person_id) if isinstance(
        e.values.get("left_post_on"), dt.date)]
    return max(periods, key=lambda e: (e.values["left_post_on"], e.id or 0)) if periods else None


class ExitHooks(RegisterHooks):
    """Transfer or resignation: off the post first (a 脱密期 record), then by the rules of D1 第十三、十四条 (S58)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        day = v.get("requested_on")
        if not isinstance(day, dt.date) or getattr(ctx.lookups, "entries", None) is None:
            return []
        period = _latest_period(ctx, v.get("person_id"))
        if period is None:
            return [_err(entry, "person_id", "registers.secrecy_exit.leave_post_first")]
        ends_on = period.values.get("ends_on")
        during = in_period(ends_on if isinstance(ends_on, dt.date) else None, day)
        problems = exit_refusals(str(v.get("kind")), str(period.values.get("level")), during,
                                 special_reason=is_set(v.get("special_reason")), file_noted=bool(v.get("file_noted")),
                                 commitment=bool(v.get("commitment_signed")))
        return [_err(entry, f, k) for f, k in problems]


class CarrierHooks(RegisterHooks):
    """「绝密级、机密级的应当编排顺序号」; a carrier kept in a person's name blocks their leaving until it is returned
    (「离岗、离职前,应当将所保管的秘密载体全部清退」, seed 001 D3 五.4)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        if needs_serial(v.get("classification")) and not is_set(v.get("serial_no")):
            return [_err(entry, "serial_no", "registers.secrecy_carrier.serial_required")]
        return []

    def blockers(self, entry: Entry, ctx: Ctx) -> Sequence[Blocker]:
        if entry.state not in ("recorded", "approved") or is_set(entry.values.get("returned_on")):
            return []
        return [Blocker(entry.register, entry.id or 0, "registers.blocker.secrecy_carrier")]

    def blocking_field(self) -> str | None:
        return "holder_id"


class DispatchHooks(RegisterHooks):
    """收发: 清点、登记、编号、签收 (the fields); 绝密 passed on by two people (「实行二人护送制」, seed 001 D3 三.5)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        if v.get("classification") == "top_secret" and not two_people(v.get("escort_id"), v.get("second_escort_id")):
            return [_err(entry, "second_escort_id", "registers.secrecy_dispatch.two_escorts")]
        return []


class UseHooks(RegisterHooks):
    """阅读和使用 「应当办理登记、签收手续」: the carrier is a registered one, its 密级 copied from it (a 绝密 read is
    thereby the 文字记载 四.1 asks for); back not before out; out and not back blocks the reader's leaving."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        carrier = _carrier(ctx, entry.values.get("carrier_no"))
        return {"classification": carrier.values.get("classification") if carrier else None}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        errors = not_before(entry, "returned_at", "out_at", "registers.secrecy.ends_before_start")
        if getattr(ctx.lookups, "entries", None) is not None and _carrier(ctx, entry.values.get("carrier_no")) is None:
            errors.append(_err(entry, "carrier_no", "registers.secrecy.no_carrier"))
        return errors

    def blockers(self, entry: Entry, ctx: Ctx) -> Sequence[Blocker]:
        if is_set(entry.values.get("returned_at")) or entry.state not in ("recorded", "approved"):
            return []
        return [Blocker(entry.register, entry.id or 0, "registers.blocker.secrecy_use")]

    def blocking_field(self) -> str | None:
        return "user_id"


class CopyHooks(RegisterHooks):
    """A copy keeps the original's 密级, 保密期限 and 发放范围 (「不得改变其密级、保密期限和知悉范围」, derived, never typed)
    and needs the right authority (seed 001 D3 四.5)."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        carrier = _carrier(ctx, entry.values.get("carrier_no"))
        source = carrier.values if carrier is not None else {}
        return {"classification": source.get("classification"), "term": source.get("term"),
                "distribution": source.get("distribution"), "approved_by": signer(entry, 0)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        if getattr(ctx.lookups, "entries", None) is not None and _carrier(ctx, v.get("carrier_no")) is None:
            return [_err(entry, "carrier_no", "registers.secrecy.no_carrier")]
        problems = copy_refusals(v.get("classification"), approval_ref=is_set(v.get("approval_ref")),
                                 issuer_permits=bool(v.get("issuer_permits")))
        return [_err(entry, f, k) for f, k in problems]


class CarryHooks(RegisterHooks):
    """Carrying a carrier out (seed 001 D3 四.8, 四.9): its 密级 from the register; 绝密 with two or more people and
    never to 涉外活动 or abroad; the 主管领导 approves (the chain)."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        carrier = _carrier(ctx, entry.values.get("carrier_no"))
        return {"classification": carrier.values.get("classification") if carrier else None}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        if getattr(ctx.lookups, "entries", None) is not None and _carrier(ctx, v.get("carrier_no")) is None:
            return [_err(entry, "carrier_no", "registers.secrecy.no_carrier")]
        problems = carry_refusals(v.get("classification"), v.get("purpose"), v.get("carrier_id"),
                                  v.get("companion_id"))
        return [_err(entry, f, k) for f, k in problems]


class DestructionHooks(AfterApproval):
    """Destroyed only after the 主管领导 approved (六.1); at a paper mill two or more escort and watch (六.2)."""

    late = ("destroyed_on",)
    refusal = "registers.secrecy_destruction.not_approved"
    signed_by = "approved_by"

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = list(super().validate(entry, ctx))
        if v.get("method") == "paper_mill" and not two_people(v.get("escort_id"), v.get("second_escort_id")):
            errors.append(_err(entry, "second_escort_id", "registers.secrecy_destruction.two_escorts"))
        return errors


class InventoryHooks(RegisterHooks):
    """「每年应定期…清查、核对,发现问题及时向市保密局报告」 (seed 001 D3 五.3): a missing or mismatched carrier needs the
    date it was reported."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        problems = (v.get("missing") or 0) + (v.get("discrepancies") or 0)
        if problems and not is_set(v.get("reported_on")):
            return [_err(entry, "reported_on", "registers.secrecy_inventory.report_required")]
        return []


def _t(key: str, type_: str, **kw) -> FieldDef:
    return FieldDef(key, type_, **kw)


def _closed(**kw) -> dict:
    """What every register of the family shares: closed to all but the 保密员 and 保密工作领导小组."""
    return {"open_titles": OPEN, "read_titles": OPEN, "read_scope": "own", **kw}


REGISTERS = [
    RegisterDef(
        "secrecy_person", FAMILY, "seed 001 D1 [SC-a, SC-b, SC-c, SC-h] 涉密人员登记 「提出初审名单,部门负责人审核确定后」",
        fields=(
            _t("person_id", "person", required=True, unique=True, indexed=True, quote="(◇) 涉密人员"),
            _t("level", "choice", required=True, choices=LEVELS, quote="核心/重要/一般涉密人员 (第三条)"),
            _t("post", "text", required=True, max_len=100, quote="涉密岗位 「工作任务、工作岗位和职责范围」"),
            _t("since", "date", required=True, indexed=True, quote="(◇) 上岗日期"),
            _t("employment", "choice", required=True, default="regular", choices=("regular", "seconded", "rehired"),
               quote="「借调、返聘人员在涉密岗位工作的按照在职涉密人员进行管理」"),
            _t("key_post", "bool", quote="(◇) 保密要害部门、部位"),
            _t("proposal", "text", required=True, max_len=200, quote="「各有关部门…提出初审名单」"),
            _t("head_id", "person", derived=True, quote="「部门负责人审核确定」 (who signed the first step)"),
        ),
        chain_setting="registers.secrecy_person.chain", lock="on_final_approval", date_field="since",
        title_field="post", audit_reads=True, department_field="person_id",
        subject_field="person_id", hooks=PersonHooks(), **_closed()),
    RegisterDef(
        "secrecy_vetting", FAMILY, "seed 001 D1 [SC-d] 审查记录 「对审查情况书面记载备案」",
        fields=(
            _t("person_id", "person", required=True, indexed=True, quote="(◇) 涉密人员"),
            _t("political", "long_text", required=True, max_len=500, quote="现状政治表现"),
            _t("work", "long_text", required=True, max_len=500, quote="工作表现"),
            _t("discipline", "long_text", required=True, max_len=500, quote="学习及遵守保密法规制度和纪律的情况"),
            _t("conditions_checked", "bool", quote="「社会关系清楚,配偶为中国公民」 (attested only)"),
            _t("result", "choice", required=True, choices=("pass", "fail"), quote="(◇) 审查结论"),
            _t("vetted_on", "date", required=True, indexed=True, quote="(◇) 审查日期"),
        ),
        create_titles=(GROUP,), lock="on_submit", date_field="vetted_on", title_field="result",
        audit_reads=True, **_closed()),
    RegisterDef(
        "secrecy_letter", FAMILY, "seed 001 D1 [SC-e], D2 [SC-m, SC-p] 保密责任书/保密承诺书/离岗保密承诺书",
        fields=(
            _t("person_id", "person", required=True, indexed=True, quote="(◇) 涉密人员"),
            _t("document", "choice", required=True, choices=DOCUMENTS, quote="保密责任书、保密承诺书、离岗保密承诺书"),
            _t("stage", "choice", required=True, choices=STAGES, quote="「按进单位、在岗、离岗、几个阶段签订」"),
            _t("signed_on", "date", required=True, indexed=True, quote="(◇) 签订日期"),
            _t("countersigned_id", "person", quote="「与所属工作人员签订《保密责任书》」 (部门负责人)"),
        ),
        lock="on_submit", date_field="signed_on", title_field="document", hooks=LetterHooks(), **_closed()),
    RegisterDef(
        "secrecy_training", FAMILY, "seed 001 D1 [SC-at], D2 第七条 保密教育/考核 「上岗前应接受保密教育和培训」",
        fields=(
            _t("person_id", "person", required=True, indexed=True, quote="(◇) 涉密人员"),
            _t("trained_on", "date", required=True, indexed=True, quote="(◇) 日期"),
            _t("topic", "text", required=True, max_len=100, quote="(◇) 内容"),
            _t("result", "choice", required=True, choices=("pass", "fail"), quote="「定期进行考核」"),
        ),
        lock="on_submit", date_field="trained_on", title_field="topic", **_closed()),
    RegisterDef(
        "secrecy_key_post", FAMILY, "seed 001 D2 [SC-l, SC-ak, SC-aj, SC-m] 要害部门上岗 「未签订的,不得在保密要害部门、部位工作」",
        fields=(
            _t("person_id", "person", required=True, indexed=True, quote="(◇) 工作人员"),
            _t("department", "text", required=True, max_len=100, quote="保密要害部门、部位"),
            _t("rating", "choice", required=True, choices=RATINGS, quote="「年度岗位考核必须为“称职(合格)”以上」"),
            _t("conditions_checked", "bool", quote="「社会关系清楚,配偶为中国公民」 (attested only)"),
            _t("assigned_on", "date", required=True, indexed=True, quote="(◇) 上岗日期"),
        ),
        lock="on_submit", date_field="assigned_on", title_field="department", hooks=KeyPostHooks(), **_closed()),
    RegisterDef(
        "secrecy_travel", FAMILY, "seed 001 D2 [SC-n, SC-ai] 因私出国(境) 「须报经办公室批准」",
        fields=(
            _t("person_id", "person", required=True, indexed=True, quote="(◇) 工作人员"),
            _t("destination", "text", required=True, max_len=100, quote="(◇) 国家(地区)"),
            _t("from_on", "date", required=True, indexed=True, quote="(◇) 出境日期"),
            _t("to_on", "date", required=True, quote="(◇) 回国日期"),
            _t("head_opinion", "long_text", required=True, max_len=500, quote="「对所属工作人员…因私出国(境)申请提出意见」"),
            _t("approved_by", "text", max_len=50, derived=True, quote="办公室批准"),
            _t("departed_on", "date", quote="「未获批准的,不得擅自出国(境)」"),
        ),
        chain_setting="registers.secrecy_travel.chain", lock="on_final_approval", editable_after_lock=("departed_on",),
        late_titles=OPEN, date_field="from_on", title_field="destination",
        subject_field="person_id", hooks=TravelHooks(), **_closed()),
    RegisterDef(
        "secrecy_period", FAMILY, "seed 001 D1 [SC-g, SC-f], D2 [SC-o] 脱密期 「核心涉密人员3年;重要涉密人员2年;一般涉密人员1年」",
        fields=(
            _t("person_id", "person", required=True, indexed=True, quote="(◇) 涉密人员"),
            _t("level", "choice", required=True, choices=LEVELS, quote="(◇) 离岗时涉密等级"),
            _t("left_post_on", "date", required=True, indexed=True, quote="「脱离涉密岗位」"),
            _t("period_months", "int", minimum=1, maximum=240,
               help=True, quote="脱密期 (月;空:按等级 3/2/1 年,不少于 3 年/2 年/6 个月)"),
            _t("returned_on", "date", quote="「应清退所有涉密文件、资料及物品」"),
            _t("extension_months", "int", minimum=1, maximum=120, quote="「必要时可适当延长涉密人员的脱密期」"),
            _t("starts_on", "date", derived=True, quote="(◇) 脱密期起"),
            _t("ends_on", "date", derived=True, indexed=True, quote="(◇) 脱密期满"),
        ),
        chain_setting="registers.secrecy_period.chain", lock="on_final_approval",
        editable_after_lock=("returned_on", "extension_months"), late_titles=OPEN, date_field="left_post_on",
        title_field="level", subject_field="person_id", hooks=PeriodHooks(), **_closed()),
    RegisterDef(
        "secrecy_exit", FAMILY, "seed 001 D1 [SC-av, SC-i, SC-j, SC-au] 调动/辞职 「涉密人员在脱密期一般不得辞职」",
        fields=(
            _t("person_id", "person", required=True, indexed=True, quote="(◇) 涉密人员"),
            _t("kind", "choice", required=True, choices=EXIT_KINDS, quote="调动、辞职"),
            _t("destination", "text", max_len=100, quote="(◇) 调往单位"),
            _t("requested_on", "date", required=True, indexed=True, quote="(◇) 申请日期"),
            _t("special_reason", "long_text", max_len=500, quote="「确有特殊原因」"),
            _t("file_noted", "bool", quote="「在其人事档案注明涉密身份和脱密期」"),
            _t("commitment_signed", "bool", quote="「签订保密承诺书后,方可办理」"),
        ),
        chain_setting="registers.secrecy_exit.chain", lock="on_final_approval", date_field="requested_on",
        title_field="destination", subject_field="person_id", hooks=ExitHooks(), **_closed()),
    RegisterDef(
        "secrecy_carrier", FAMILY, "seed 001 D3 [SC-r, SC-as, SC-ar, SC-ab, SC-ad] 秘密载体台账 「标明密级和保密期限,注明发放范围及制作数量」",
        fields=(
            _t("title", "text", required=True, max_len=200, quote="(◇) 载体名称"),
            _t("classification", "choice", required=True, choices=CLASSES, indexed=True, quote="密级"),
            _t("term", "text", required=True, max_len=40, quote="保密期限"),
            _t("distribution", "text", required=True, max_len=200, quote="发放范围"),
            _t("copies", "int", required=True, minimum=1, maximum=10000, quote="制作数量"),
            _t("serial_no", "text", max_len=40, quote="「绝密级、机密级的应当编排顺序号」"),
            _t("media", "choice", required=True, choices=MEDIA, quote="纸介质、磁介质、光盘"),
            _t("storage", "text", max_len=100, quote="「由本单位的保密室保存」"),
            _t("holder_id", "person", indexed=True, quote="(◇) 保管人"),
            _t("returned_on", "date", quote="「将所保管的秘密载体全部清退,并办理移交手续」"),
        ),
        create_titles=(OFFICER,), lock="on_submit", editable_after_lock=("returned_on",), late_titles=OPEN,
        title_field="title", hooks=CarrierHooks(), **_closed()),
    RegisterDef(
        "secrecy_dispatch", FAMILY, "seed 001 D3 [SC-s, SC-am, SC-an, SC-t] 收发登记 「履行清点、登记、编号、签收等手续」",
        fields=(
            _t("direction", "choice", required=True, choices=("in", "out"), quote="收发"),
            _t("title", "text", required=True, max_len=200, quote="(◇) 载体名称"),
            _t("classification", "choice", required=True, choices=CLASSES, quote="密级"),
            _t("number", "text", required=True, max_len=40, quote="编号"),
            _t("counterpart", "text", required=True, max_len=100, quote="收发件单位名称"),
            _t("count", "int", required=True, minimum=1, maximum=10000, quote="清点"),
            _t("channel", "choice", required=True, choices=CHANNELS, quote="「必须通过机要交通、机要通信或者指派专人进行」"),
            _t("signed_by_id", "person", required=True, quote="签收"),
            _t("escort_id", "person", quote="(◇) 传递人"),
            _t("second_escort_id", "person", quote="「传递绝密级秘密载体,实行二人护送制」"),
            _t("at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 时间"),
        ),
        create_titles=(OFFICER,), lock="on_submit", date_field="at", title_field="title", hooks=DispatchHooks(),
        **_closed()),
    RegisterDef(
        "secrecy_use", FAMILY, "seed 001 D3 [SC-ao, SC-u, SC-v] 阅读/使用登记 「应当办理登记、签收手续」",
        fields=(
            _t("carrier_no", "int", required=True, minimum=1, indexed=True, quote="(◇) 载体登记号"),
            _t("classification", "choice", choices=CLASSES, derived=True, quote="密级"),
            _t("kind", "choice", required=True, choices=("read", "use"), quote="阅读、使用"),
            _t("user_id", "person", required=True, indexed=True, quote="(◇) 阅读/使用人 (签收)"),
            _t("out_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 借出时间"),
            _t("returned_at", "datetime", quote="「管理人员要随时掌握秘密载体的去向」"),
        ),
        create_titles=(OFFICER,), lock="on_submit", editable_after_lock=("returned_at",), late_titles=OPEN,
        date_field="out_at", hooks=UseHooks(), **_closed()),
    RegisterDef(
        "secrecy_copy", FAMILY, "seed 001 D3 [SC-w, SC-ap, SC-x] 复制 「不得改变其密级、保密期限和知悉范围」",
        fields=(
            _t("carrier_no", "int", required=True, minimum=1, indexed=True, quote="(◇) 原件登记号"),
            _t("classification", "choice", choices=CLASSES, derived=True, quote="密级 (同原件)"),
            _t("term", "text", max_len=40, derived=True, quote="保密期限 (同原件)"),
            _t("distribution", "text", max_len=200, derived=True, quote="知悉范围 (同原件)"),
            _t("copies", "int", required=True, minimum=1, maximum=1000, quote="(◇) 份数"),
            _t("approval_ref", "text", max_len=100, quote="「必须经密级确定机关或上级机关批准」 (批准文号)"),
            _t("issuer_permits", "bool", quote="「制发机关、单位允许复制」"),
            _t("sealed", "bool", quote="「复制件应当加盖本单位的公章」"),
            _t("requested_on", "date", required=True, indexed=True, quote="(◇) 日期"),
            _t("approved_by", "text", max_len=50, derived=True, quote="本单位的主管领导批准"),
        ),
        create_titles=(OFFICER,), chain_setting="registers.secrecy_copy.chain", lock="on_final_approval",
        date_field="requested_on", hooks=CopyHooks(), **_closed()),
    RegisterDef(
        "secrecy_carry", FAMILY, "seed 001 D3 [SC-z, SC-aa] 携带外出 「携带绝密级秘密载体应当经本单位主管领导批准,并有二人以上同行」",
        fields=(
            _t("carrier_no", "int", required=True, minimum=1, indexed=True, quote="(◇) 载体登记号"),
            _t("classification", "choice", choices=CLASSES, derived=True, quote="密级"),
            _t("purpose", "choice", required=True, choices=PURPOSES, quote="工作外出、涉外活动、出境"),
            _t("carrier_id", "person", required=True, indexed=True, quote="携带人"),
            _t("companion_id", "person", quote="「二人以上同行」"),
            _t("destination", "text", required=True, max_len=100, quote="(◇) 去向"),
            _t("out_on", "date", required=True, indexed=True, quote="(◇) 日期"),
        ),
        chain_setting="registers.secrecy_carry.chain", lock="on_final_approval", date_field="out_on",
        title_field="destination", hooks=CarryHooks(), **_closed()),
    RegisterDef(
        "secrecy_destruction", FAMILY, "seed 001 D3 [SC-ae, SC-af, SC-ag] 销毁 「应当经本单位主管领导审核批准,并履行清点、登记手续」",
        fields=(
            _t("carriers", "long_text", required=True, max_len=1000, quote="(◇) 载体 (登记号、名称)"),
            _t("count", "int", required=True, minimum=1, maximum=100000, quote="清点"),
            _t("method", "choice", required=True, choices=METHODS, quote="碎纸机、造纸厂、物理或化学方法"),
            _t("escort_id", "person", quote="押运和监销"),
            _t("second_escort_id", "person", quote="「由二人以上押运和监销」"),
            _t("requested_on", "date", required=True, indexed=True, quote="(◇) 日期"),
            _t("approved_by", "text", max_len=50, derived=True, quote="主管领导审核批准"),
            _t("destroyed_on", "date", quote="(◇) 销毁日期"),
        ),
        create_titles=(OFFICER,), chain_setting="registers.secrecy_destruction.chain", lock="on_final_approval",
        editable_after_lock=("destroyed_on",), late_titles=OPEN, date_field="requested_on", title_field="carriers",
        hooks=DestructionHooks(), **_closed()),
    RegisterDef(
        "secrecy_inventory", FAMILY, "seed 001 D3 [SC-ac] 年度清查 「每年应定期对当年所存秘密载体进行清查、核对」",
        fields=(
            _t("year", "int", required=True, unique=True, minimum=2000, maximum=2099, quote="(◇) 年度"),
            _t("checked_on", "date", required=True, indexed=True, quote="(◇) 清查日期"),
            _t("carriers_checked", "int", required=True, minimum=0, maximum=100000, quote="清查、核对"),
            _t("missing", "int", minimum=0, maximum=100000, quote="(◇) 缺失"),
            _t("discrepancies", "int", minimum=0, maximum=100000, quote="(◇) 不符"),
            _t("findings", "long_text", max_len=1000, quote="发现问题"),
            _t("reported_on", "date", quote="「及时向市保密局报告」"),
        ),
        create_titles=(OFFICER,), lock="on_submit", date_field="checked_on", title_field="findings",
        every=Cadence(unit="months", every=12, field="checked_on", title=OFFICER), hooks=InventoryHooks(),
        **_closed()),
]
