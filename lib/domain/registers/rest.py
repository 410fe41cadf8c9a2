"""Rest rooms, the customer lounge and the VIP hall (issue 16; REGISTERS.md §1.6, §1.8): rules as engine hooks.

Staff rest rooms, seed 004 D4 「职工休息室管理规定」:

- 休息室分配 (``rest_allocation``): the office assigns a room and a locker to a worker of one of the three eligibility
  classes (「1、从事体力劳动与机械化造作得一线工作人员; 2、没有办公室得人员; 3、其她特殊需求人员」; a special need says
  what it is). The allocation keeps its occupant from leaving until they moved out and the key came back, and once
  their leaving day is entered the move-out is due within 7 days (「离职人员必须在离职一周之内搬离休息室,由管理人员收回
  钥匙」; setting ``registers.rest.move_out_days``) — a due for the office in the inbox, overdue after that.
- 舍长与值日表 (``rest_duty``): each room's elected 舍长, the cleaning rota, and the key kept by the 舍长
  (「房间钥匙由舍长保管」, 「房间钥匙不得私配」: one key holder, the 舍长).
- 调换房间 (``rest_room_change``): 「未经办公室负责人员同意,不允许私自调换」 — approved by the office head.
- 延后休息 (``rest_late_stay``): nobody in the rest building 08:00–11:30 and 13:30–17:00 (settings), except who
  the 部长 allows to stay later (「部分人员由于工作安排可适当延后,需由部长批准」); a request outside those hours
  needs no approval and is refused.
- 检查 (``rest_inspection``): the office inspects 「定期」 (no period given: no cadence); a breach is 限期整改 (a due
  until rectified), 罚款 (a ledger proposal) or 取消休息资格. Assumed: D4 names no amount, so a fine is charged under
  the rest-room codes RR1–RR4 (seed 004 D18, the only rest-room catalogue with amounts) chosen by the inspector.

Customer lounge, seed 004 D7 「客户休息室规章制度」:

- 每日卫生检查 (``lounge_check``): the ten hygiene items, checked daily (a cadence); each failed item is one LG1
  proposal of ¥20 (「如有违反将被处以20元/次罚款」) for the staff member on duty, made when the lounge's supervisor
  approves the self-check (assumed: a supervisor confirms a staff self-check before a fine is proposed).
- 盘点 (``lounge_stock_count`` before and after work, daily; ``lounge_stock_week`` weekly): counted cash against
  the sales (「保证帐款相符」); the difference is derived.
- 财物损失 (``lounge_loss``): the loss repaid plus ¥20 (「责任人自行负责赔偿并处以20元/次罚款」) — the new code LG2,
  proposed on the supervisor's approval.

VIP hall, seed 004 D15 「贵宾厅规章制度」:

- 贵宾登记 (``vip_visit``): ticket (train, boarding time) and entry card; registered within 2 minutes of the guest
  presenting them (「2分钟内完成登记」, flagged when later); the reminder due 15 minutes before boarding
  (「提前15分钟提醒客户上车」), the escort to the ticket gate due by boarding, the SMS follow-up after the escort
  (「护送完客户后按公司要求进行短信回访」; no time given: setting, assumed 60 minutes) — each a due for the
  attendant in the inbox.
- 误车记录 (``vip_missed_train``): the 厅经理 records a missed train; when the guest was not reminded, the attendant
  bears 「所有责任」 — a VL1 ledger proposal (the losses, no fine) for the attendant, made on record. A missed train
  after a reminder is recorded without a charge.

Titles (assumed: the managed title list has none of them): 办公室 / 管理人员 → 行政主管; 办公室负责人员 → 综合部主管;
厅经理 and the customer lounge's supervisor → 客服主管; 部长 as is. The VIP 贵宾室/商务室 of seed 003 X1#46 (the
秘书's rooms for receptions) is a reception booking, not the D15 hall, and is not a register here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from lib.domain import office
from lib.domain.errors import FieldError
from lib.domain.registers.family_hooks import is_set, not_before
from lib.domain.registers.hooks import Blocker, Ctx, Due, Entry, LedgerProposal, RegisterHooks
from lib.domain.registers.model import Cadence, FieldDef, RegisterDef
from lib.domain.settings import SettingDef

FAMILY = "rest"
ME, NOW = "me", "now"
OFFICE = "行政主管"  # 办公室 / 管理人员 (assumed title)
OFFICE_HEAD = "综合部主管"  # 办公室负责人员 (assumed title)
CHIEF = "部长"
LOUNGE_HEAD = "客服主管"  # 厅经理; the customer lounge's supervisor (assumed title)
ELIGIBILITY = ("frontline", "no_office", "special")
OUTCOMES = ("none", "rectify", "fine", "revoke")  # 限期整改, 罚款, 取消休息资格
REST_CODES = ("RR1", "RR2", "RR3", "RR4")
COUNT_KINDS = ("before_work", "after_work")
# the ten hygiene items of seed 004 D7 一、休息室环境卫生, in the seed's order, with their short seed names
LOUNGE_ITEMS = {
    "item_hygiene": "个人卫生及工作环境卫生",
    "item_clean": "上班前整体清理",
    "item_papers": "书报架每天不少于3次",
    "item_plants": "绿植、门窗玻璃每周不少于3次",
    "item_shelf": "货架商品整洁",
    "item_ashtray": "烟灰缸(烟头不超过两个,每天清洗3次以上)",
    "item_cups": "一次性口杯",
    "item_bar": "吧台",
    "item_water": "纯净水桶",
    "item_air": "开窗通风",
}

SETTINGS = [
    SettingDef("registers.rest_room_change.chain", [OFFICE_HEAD], "titles", "titles",
               "seed 004 D4 「未经办公室负责人员同意,不允许私自调换」 (办公室负责人员 read as 综合部主管, assumed)"),
    SettingDef("registers.rest_late_stay.chain", [CHIEF], "titles", "titles",
               "seed 004 D4 「其中部分人员由于工作安排可适当延后,需由部长批准」"),
    SettingDef("registers.lounge_check.chain", [LOUNGE_HEAD], "titles", "titles",
               "seed 004 D7 「休息室工作人员应每日对照检查」 (confirmed by 客服主管 before a fine is proposed, assumed)"),
    SettingDef("registers.lounge_loss.chain", [LOUNGE_HEAD], "titles", "titles",
               "seed 004 D7 「因工作人员自身监管不严造成公司财物损失的,责任人自行负责赔偿」 (客服主管, assumed)"),
    SettingDef("registers.rest.move_out_days", 7, "int", "days", "seed 004 D4 「离职人员必须在离职一周之内搬离休息室」",
               minimum=1, maximum=60),
    SettingDef("registers.rest.morning_start", dt.time(8, 0), "time", "", "seed 004 D4 「上午:8:00-11:30」"),
    SettingDef("registers.rest.morning_end", dt.time(11, 30), "time", "", "seed 004 D4 「上午:8:00-11:30」"),
    SettingDef("registers.rest.afternoon_start", dt.time(13, 30), "time", "", "seed 004 D4 「下午1:30-5:00」"),
    SettingDef("registers.rest.afternoon_end", dt.time(17, 0), "time", "", "seed 004 D4 「下午1:30-5:00」"),
    SettingDef("registers.vip.register_minutes", 2, "int", "minutes", "seed 004 D15 「2分钟内完成登记」",
               minimum=1, maximum=60),
    SettingDef("registers.vip.reminder_minutes", 15, "int", "minutes", "seed 004 D15 「提前15分钟提醒客户上车」",
               minimum=1, maximum=180),
    SettingDef("registers.vip.sms_minutes", 60, "int", "minutes",
               "seed 004 D15 「护送完客户后按公司要求进行短信回访」 (no time given: assumed within an hour)",
               minimum=1, maximum=1440),
]


def _err(entry: Entry, field_key: str, key: str, **params) -> FieldError:
    return FieldError(f"reg.{entry.register}.{field_key}", key, dict(params))


def _tz(ctx: Ctx):
    return office.zone(str(ctx.settings.get("office.timezone") or "Asia/Shanghai"))


def _int_setting(ctx: Ctx, key: str, default: int) -> int:
    value = ctx.settings.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def _settled(entry: Entry) -> bool:
    return entry.state in ("recorded", "approved")


def _not_future(entry: Entry, field_key: str, ctx: Ctx) -> list[FieldError]:
    """A day a ledger proposal is dated by has happened (the ledger refuses a future day, SPEC 4.4)."""
    value = entry.values.get(field_key)
    day = office.local_day(value, _tz(ctx)) if isinstance(value, dt.datetime) else value
    if isinstance(day, dt.date) and day > office.local_day(ctx.now, _tz(ctx)):
        return [_err(entry, field_key, "registers.rest.in_future")]
    return []


# ---------------------------------------------------------------------------------------------- allocation
def move_out_due(leave_date: dt.date, days: int, tz) -> dt.datetime:
    """The end of the ``days``-th office day after leaving (seed 004 D4 「离职一周之内」): leaving 1 June, moved out by
    the end of 8 June."""
    return office.local_to_utc(leave_date + dt.timedelta(days=days + 1), dt.time(0, 0), tz)


def moved_out(values: Mapping[str, object]) -> bool:
    """Out of the room and the key back (「搬离休息室,由管理人员收回钥匙」)."""
    return is_set(values.get("moved_out_at")) and is_set(values.get("key_returned_at"))


class AllocationHooks(RegisterHooks):
    """A special need says what it is; moving out is not before the allocation; the occupant cannot leave until
    moved out with the key back; once a leaving day is entered, the move-out is due within 7 days."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = []
        if v.get("eligibility") == "special" and not is_set(v.get("special_need")):
            errors.append(_err(entry, "special_need", "registers.rest_allocation.need_required"))
        return (errors + not_before(entry, "moved_out_at", "assigned_on", "registers.rest_allocation.before_assigned")
                + not_before(entry, "key_returned_at", "assigned_on", "registers.rest_allocation.before_assigned"))

    def dues(self, entry: Entry, ctx: Ctx) -> Sequence[Due]:
        leave = entry.values.get("leave_date")
        if not _settled(entry) or not isinstance(leave, dt.date) or moved_out(entry.values):
            return ()
        days = _int_setting(ctx, "registers.rest.move_out_days", 7)
        return [Due("rest_move_out", move_out_due(leave, days, _tz(ctx)), OFFICE)]  # 「由管理人员收回钥匙」

    def blockers(self, entry: Entry, ctx: Ctx) -> Sequence[Blocker]:
        if not _settled(entry) or moved_out(entry.values):
            return []
        return [Blocker(entry.register, entry.id or 0, "registers.blocker.rest_allocation")]

    def blocking_field(self) -> str | None:
        return "person_id"


class DutyHooks(RegisterHooks):
    """The key is kept by the 舍长 and nobody else (「房间钥匙由舍长保管」, 「房间钥匙不得私配」)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        if is_set(v.get("key_holder_id")) and v.get("key_holder_id") != v.get("room_head_id"):
            return [_err(entry, "key_holder_id", "registers.rest_duty.key_with_head")]
        return []


class RoomChangeHooks(RegisterHooks):
    """A change names another room."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        if is_set(v.get("to_room")) and str(v.get("to_room")).strip() == str(v.get("from_room") or "").strip():
            return [_err(entry, "to_room", "registers.rest_room_change.same_room")]
        return []


# ---------------------------------------------------------------------------------------------- staying late
def banned_windows(settings: Mapping[str, object]) -> list[tuple[dt.time, dt.time]]:
    """The hours nobody may be in the rest building (seed 004 D4 「上午:8:00-11:30,下午1:30-5:00」); a window whose
    start is not before its end is empty."""
    def get(key: str, default: dt.time) -> dt.time:
        value = settings.get(key)
        return value if isinstance(value, dt.time) else default
    windows = [(get("registers.rest.morning_start", dt.time(8, 0)), get("registers.rest.morning_end", dt.time(11, 30))),
               (get("registers.rest.afternoon_start", dt.time(13, 30)),
                get("registers.rest.afternoon_end", dt.time(17, 0)))]
    return [(start, end) for start, end in windows if start < end]


def needs_chief(until: dt.time, settings: Mapping[str, object]) -> bool:
    """Staying until ``until`` reaches into a banned window, so the 部长 must approve it."""
    return any(start < until <= end for start, end in banned_windows(settings))


class LateStayHooks(RegisterHooks):
    """Only a stay into the banned hours is asked for (a stay outside them needs nobody's approval)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        until = entry.values.get("until")
        if isinstance(until, dt.time) and not needs_chief(until, ctx.settings):
            return [_err(entry, "until", "registers.rest_late_stay.outside_banned_hours")]
        return []


# ---------------------------------------------------------------------------------------------- inspection
class InspectionHooks(RegisterHooks):
    """A failed inspection says what was found; any outcome names the person; a fine names its code (RR1–RR4) and
    is proposed in the ledger when the inspection is recorded; 限期整改 names its deadline and is due until
    rectified."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        outcome = v.get("outcome") or "none"
        errors = []
        if v.get("passed"):
            if outcome != "none":
                errors.append(_err(entry, "outcome", "registers.rest_inspection.passed_no_outcome"))
        elif not is_set(v.get("finding")):
            errors.append(_err(entry, "finding", "registers.rest_inspection.finding_required"))
        if outcome != "none" and not is_set(v.get("person_id")):
            errors.append(_err(entry, "person_id", "registers.rest_inspection.person_required"))
        if outcome == "fine" and not is_set(v.get("code")):
            errors.append(_err(entry, "code", "registers.rest_inspection.code_required"))
        if outcome == "rectify" and not is_set(v.get("rectify_by")):
            errors.append(_err(entry, "rectify_by", "registers.rest_inspection.deadline_required"))
        if is_set(v.get("rectified_at")) and outcome != "rectify":
            errors.append(_err(entry, "rectified_at", "registers.rest_inspection.nothing_to_rectify"))
        return (errors + _not_future(entry, "inspected_on", ctx)
                + not_before(entry, "rectify_by", "inspected_on", "registers.rest_inspection.before_inspection"))

    def effects(self, entry: Entry, action: str, ctx: Ctx):
        v = entry.values
        if action != "submit" or not _settled(entry) or v.get("outcome") != "fine":
            return ()
        return [LedgerProposal(str(v["code"]), int(v["person_id"]), v["inspected_on"],
                               note=str(v.get("finding") or "")[:500])]

    def dues(self, entry: Entry, ctx: Ctx) -> Sequence[Due]:
        v = entry.values
        deadline = v.get("rectify_by")
        if not _settled(entry) or v.get("outcome") != "rectify" or is_set(v.get("rectified_at")) \
                or not isinstance(deadline, dt.date):
            return ()
        # the office that inspected follows the rectification up (「办公室人员将定期…进行检查」)
        return [Due("rest_rectify", office.local_to_utc(deadline + dt.timedelta(days=1), dt.time(0, 0), _tz(ctx)),
                    OFFICE)]


# ---------------------------------------------------------------------------------------------- customer lounge
def failed_items(values: Mapping[str, object]) -> list[str]:
    """The hygiene items not ticked as done (seed 004 D7), in the seed's order."""
    return [key for key in LOUNGE_ITEMS if not values.get(key)]


class LoungeCheckHooks(RegisterHooks):
    """Failed items are described; each is one LG1 proposal (¥20) for the person on duty once the check is
    approved (「如有违反将被处以20元/次罚款」)."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"failed": len(failed_items(entry.values))}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        errors = _not_future(entry, "checked_on", ctx)
        if failed_items(entry.values) and not is_set(entry.values.get("remarks")):
            errors.append(_err(entry, "remarks", "registers.lounge_check.remarks_required"))
        return errors

    def effects(self, entry: Entry, action: str, ctx: Ctx):
        v = entry.values
        if action != "approve" or entry.state != "approved":
            return ()
        return [LedgerProposal("LG1", int(v["responsible_id"]), v["checked_on"], note=LOUNGE_ITEMS[key])
                for key in failed_items(v)]


def cash_difference(values: Mapping[str, object]) -> Decimal | None:
    """Counted cash less what the sales say (「保证帐款相符」): negative is a shortfall."""
    cash, expected = values.get("cash"), values.get("expected_cash")
    if isinstance(cash, Decimal) and isinstance(expected, Decimal):
        return cash - expected
    return None


class StockCountHooks(RegisterHooks):
    """The difference between the cash counted and the cash the sales say, derived."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"difference": cash_difference(entry.values)}


class LoungeLossHooks(RegisterHooks):
    """A loss has a value; once the supervisor approves, LG2 (the loss + ¥20) is proposed for the person
    responsible."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        loss = entry.values.get("loss")
        errors = _not_future(entry, "found_on", ctx)
        if isinstance(loss, Decimal) and loss <= 0:
            errors.append(_err(entry, "loss", "registers.lounge_loss.loss_positive"))
        return errors

    def effects(self, entry: Entry, action: str, ctx: Ctx):
        v = entry.values
        if action != "approve" or entry.state != "approved":
            return ()
        return [LedgerProposal("LG2", int(v["responsible_id"]), v["found_on"], amount=v.get("loss"),
                               note=str(v.get("item") or ""))]


# ---------------------------------------------------------------------------------------------- VIP hall
def registered_late(values: Mapping[str, object], minutes: int) -> bool:
    """Registered more than ``minutes`` after the guest presented ticket and card (「2分钟内完成登记」)."""
    shown, done = values.get("presented_at"), values.get("registered_at")
    if not isinstance(shown, dt.datetime) or not isinstance(done, dt.datetime):
        return False
    return done - shown > dt.timedelta(minutes=minutes)


def visit_dues(values: Mapping[str, object], reminder_minutes: int, sms_minutes: int) -> list[Due]:
    """What the attendant still owes the guest: the reminder before boarding, the escort by boarding, the SMS
    follow-up after the escort (seed 004 D15 第十四条, 第十五条)."""
    boarding, escorted = values.get("boarding_at"), values.get("escorted_at")
    dues = []
    if isinstance(boarding, dt.datetime):
        if not is_set(values.get("reminded_at")):
            dues.append(Due("vip_reminder", boarding - dt.timedelta(minutes=reminder_minutes)))
        if not is_set(escorted):
            dues.append(Due("vip_escort", boarding))
    if isinstance(escorted, dt.datetime) and not is_set(values.get("sms_at")):
        dues.append(Due("vip_sms", escorted + dt.timedelta(minutes=sms_minutes)))
    return dues


class VipVisitHooks(RegisterHooks):
    """Registered within 2 minutes (flagged when not), then reminder, escort and SMS as dues, in order."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        minutes = _int_setting(ctx, "registers.vip.register_minutes", 2)
        return {"registered_late": registered_late(entry.values, minutes)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = (not_before(entry, "registered_at", "presented_at", "registers.vip_visit.before_previous")
                  + not_before(entry, "reminded_at", "registered_at", "registers.vip_visit.before_previous")
                  + not_before(entry, "escorted_at", "registered_at", "registers.vip_visit.before_previous")
                  + not_before(entry, "sms_at", "escorted_at", "registers.vip_visit.before_previous"))
        if is_set(v.get("sms_at")) and not is_set(v.get("escorted_at")):
            errors.append(_err(entry, "sms_at", "registers.vip_visit.sms_after_escort"))
        return errors

    def dues(self, entry: Entry, ctx: Ctx) -> Sequence[Due]:
        if not _settled(entry):
            return ()
        return visit_dues(entry.values, _int_setting(ctx, "registers.vip.reminder_minutes", 15),
                          _int_setting(ctx, "registers.vip.sms_minutes", 60))


class MissedTrainHooks(RegisterHooks):
    """A missed train without a reminder is the attendant's: VL1 (the losses, no fine) is proposed on record."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        return _not_future(entry, "missed_at", ctx)

    def effects(self, entry: Entry, action: str, ctx: Ctx):
        v = entry.values
        if action != "submit" or not _settled(entry) or v.get("reminded"):
            return ()
        missed = v["missed_at"]
        day = office.local_day(missed, _tz(ctx)) if isinstance(missed, dt.datetime) else ctx.now.date()
        return [LedgerProposal("VL1", int(v["attendant_id"]), day, amount=v.get("loss"),
                               note=str(v.get("train") or ""))]


def _t(key: str, type_: str, **kw) -> FieldDef:
    return FieldDef(key, type_, **kw)


def _items() -> tuple[FieldDef, ...]:
    return tuple(_t(key, "bool", quote=quote) for key, quote in LOUNGE_ITEMS.items())


REGISTERS = [
    RegisterDef(
        "rest_allocation", FAMILY, "seed 004 D4 [RR-c, RR-d, RR-h, RR-n] 「单位将重新分配休息室」",
        fields=(
            _t("person_id", "person", required=True, indexed=True, quote="(◇) 申请休息室得职工"),
            _t("eligibility", "choice", required=True, choices=ELIGIBILITY,
               quote="休息室申请条件 1、从事体力劳动与机械化造作得一线工作人员; 2、没有办公室得人员; 3、其她特殊需求人员"),
            _t("special_need", "text", max_len=100, quote="3、其她特殊需求人员"),
            _t("room", "text", required=True, max_len=30, indexed=True, quote="「服从办公室统一安排房间」"),
            _t("locker", "text", max_len=30, quote="「个人物品必须在分配得柜子内摆放整齐」"),
            _t("assigned_on", "date", required=True, quote="(◇) 分配日期"),
            _t("leave_date", "date", quote="「离职人员必须在离职一周之内搬离休息室」"),
            _t("moved_out_at", "datetime", quote="搬离休息室"),
            _t("key_returned_at", "datetime", quote="「由管理人员收回钥匙」"),
        ),
        create_titles=(OFFICE,), lock="on_submit",
        editable_after_lock=("leave_date", "moved_out_at", "key_returned_at"), late_titles=(OFFICE,),
        date_field="assigned_on", title_field="room", hooks=AllocationHooks()),
    RegisterDef(
        "rest_duty", FAMILY, "seed 004 D4 [RR-e, RR-f] 「每个休息室选出一名舍长,舍长负责本房间卫生等方面管理」",
        fields=(
            _t("room", "text", required=True, max_len=30, indexed=True, quote="(◇) 休息室"),
            _t("room_head_id", "person", required=True, quote="「每个休息室选出一名舍长」"),
            _t("elected_on", "date", required=True, quote="(◇) 选出日期"),
            _t("rota", "long_text", required=True, quote="「排出值日表」"),
            _t("key_holder_id", "person", required=True, quote="「房间钥匙由舍长保管」; 「房间钥匙不得私配」"),
        ),
        lock="on_submit", date_field="elected_on", title_field="room", hooks=DutyHooks()),
    RegisterDef(
        "rest_room_change", FAMILY, "seed 004 D4 [RR-d] 「未经办公室负责人员同意,不允许私自调换」",
        fields=(
            _t("person_id", "person", required=True, default=ME, indexed=True, quote="(◇) 申请职工"),
            _t("from_room", "text", required=True, max_len=30, quote="(◇) 原房间"),
            _t("to_room", "text", required=True, max_len=30, quote="(◇) 调换至"),
            _t("grounds", "text", required=True, max_len=200, quote="(◇) 调换理由"),
            _t("wanted_on", "date", required=True, quote="(◇) 调换日期"),
        ),
        chain_setting="registers.rest_room_change.chain", lock="on_final_approval", date_field="wanted_on",
        title_field="to_room", subject_field="person_id", hooks=RoomChangeHooks()),
    RegisterDef(
        "rest_late_stay", FAMILY, "seed 004 D4 [RR-g] 「其中部分人员由于工作安排可适当延后,需由部长批准」",
        fields=(
            _t("person_id", "person", required=True, default=ME, indexed=True, quote="(◇) 休息人员"),
            _t("on_date", "date", required=True, quote="(◇) 日期"),
            _t("until", "time", required=True, quote="「可适当延后」"),
            _t("grounds", "text", required=True, max_len=200, quote="「由于工作安排」"),
        ),
        chain_setting="registers.rest_late_stay.chain", lock="on_final_approval", date_field="on_date",
        subject_field="person_id", hooks=LateStayHooks()),
    RegisterDef(
        "rest_inspection", FAMILY, "seed 004 D4 [RR-o, RR-i] 「办公室人员将定期按照休息室管理规定对有关部位进行检查」",
        fields=(
            _t("inspected_on", "date", required=True, quote="(◇) 检查日期"),
            _t("room", "text", required=True, max_len=30, indexed=True, quote="「对有关部位进行检查」"),
            _t("passed", "bool", quote="(◇) 检查合格"),
            _t("finding", "long_text", max_len=500, quote="「如发现违反相关规定人员」"),
            _t("person_id", "person", indexed=True, quote="(◇) 违规人员"),
            _t("outcome", "choice", required=True, default="none", choices=OUTCOMES,
               quote="「限期整改或处以罚款,情节严重者,取消其休息资格」"),
            _t("code", "choice", choices=REST_CODES, quote="处以罚款 (seed 004 D18 RR1–RR4, assumed)"),
            _t("rectify_by", "date", quote="「限期整改」"),
            _t("rectified_at", "datetime", quote="(◇) 整改完成"),
        ),
        create_titles=(OFFICE,), lock="on_submit", editable_after_lock=("rectified_at",), late_titles=(OFFICE,),
        date_field="inspected_on", title_field="room", hooks=InspectionHooks()),
    RegisterDef(
        "lounge_check", FAMILY, "seed 004 D7 [RR-k] 「上述情形,休息室工作人员应每日对照检查,如有违反将被处以20元/次罚款」",
        fields=(
            _t("checked_on", "date", required=True, quote="「每日对照检查」"),
            _t("responsible_id", "person", required=True, default=ME, indexed=True, quote="「休息室工作人员」"),
            *_items(),
            _t("remarks", "long_text", max_len=500, quote="(◇) 不合格情况"),
            _t("failed", "int", derived=True, minimum=0, maximum=len(LOUNGE_ITEMS), quote="「如有违反」"),
        ),
        chain_setting="registers.lounge_check.chain", lock="on_final_approval", date_field="checked_on",
        every=Cadence(unit="days", every=1, title=LOUNGE_HEAD),
        subject_field="responsible_id", hooks=LoungeCheckHooks()),
    RegisterDef(
        "lounge_stock_count", FAMILY, "seed 004 D7 [RR-l] 「每天上班前、下班后都要进行盘点」",
        fields=(
            _t("counted_at", "datetime", required=True, quote="「每天上班前、下班后」"),
            _t("kind", "choice", required=True, choices=COUNT_KINDS, quote="上班前 / 下班后"),
            _t("goods", "long_text", required=True, max_len=1000, quote="「对货架上销售商品进行妥善保管和销售」"),
            _t("expected_cash", "money", required=True, quote="(◇) 应收款"),
            _t("cash", "money", required=True, quote="(◇) 实收款"),
            _t("difference", "money", derived=True, quote="「保证帐款相符」"),
        ),
        lock="on_submit", date_field="counted_at", every=Cadence(unit="days", every=1, title=LOUNGE_HEAD),
        hooks=StockCountHooks()),
    RegisterDef(
        "lounge_stock_week", FAMILY, "seed 004 D7 [RR-l] 「每周对一周的销售及库存结余进行一次盘点」",
        fields=(
            _t("week_ending", "date", required=True, quote="「每周…进行一次盘点」"),
            _t("sales", "money", required=True, quote="「一周的销售」"),
            _t("stock", "long_text", required=True, max_len=1000, quote="「库存结余」"),
            _t("expected_cash", "money", required=True, quote="(◇) 应收款"),
            _t("cash", "money", required=True, quote="(◇) 实收款"),
            _t("difference", "money", derived=True, quote="「保证帐款相符,避免丢失现象发生」"),
        ),
        lock="on_submit", date_field="week_ending", every=Cadence(unit="days", every=7, title=LOUNGE_HEAD),
        hooks=StockCountHooks()),
    RegisterDef(
        "lounge_loss", FAMILY, "seed 004 D7 [RR-m] 「因工作人员自身监管不严造成公司财物损失的,责任人自行负责赔偿并处以20元/次罚款」",
        fields=(
            _t("found_on", "date", required=True, quote="(◇) 发现日期"),
            _t("item", "text", required=True, max_len=100, quote="「公司财物」"),
            _t("loss", "money", required=True, quote="「责任人自行负责赔偿」"),
            _t("responsible_id", "person", required=True, indexed=True, quote="「责任人」"),
            _t("cause", "long_text", required=True, max_len=500, quote="「因工作人员自身监管不严」"),
            _t("serious", "bool", quote="「为公司带来严重经济损失的,承担相应赔偿责任」"),
        ),
        chain_setting="registers.lounge_loss.chain", lock="on_final_approval", date_field="found_on",
        title_field="item", subject_field="responsible_id", hooks=LoungeLossHooks()),
    RegisterDef(
        "vip_visit", FAMILY, "seed 004 D15 [VL-a, VL-b, VL-c] 「要求客户提供车票和入厅需要的卡片后,2分钟内完成登记」",
        fields=(
            _t("guest", "text", required=True, max_len=50, quote="(◇) 客户"),
            _t("train", "text", required=True, max_len=20, quote="「车票」 (车次)"),
            _t("boarding_at", "datetime", required=True, indexed=True, quote="「提前15分钟提醒客户上车」 (上车时间)"),
            _t("entry_card", "text", required=True, max_len=50, quote="「入厅需要的卡片」"),
            _t("presented_at", "datetime", required=True, default=NOW, quote="「要求客户提供车票和入厅需要的卡片后」"),
            _t("registered_at", "datetime", required=True, default=NOW, quote="「2分钟内完成登记」"),
            _t("seated", "bool", quote="「引导客户入座」"),
            _t("memo", "text", max_len=200, quote="「做好备忘客」"),
            _t("registered_late", "bool", derived=True, quote="「2分钟内完成登记」"),
            _t("reminded_at", "datetime", quote="「提前15分钟提醒客户上车」"),
            _t("escorted_at", "datetime", quote="「礼宾员需把客户送到检票口」"),
            _t("sms_at", "datetime", quote="「在护送完客户后按公司要求进行短信回访」"),
        ),
        lock="on_submit", editable_after_lock=("reminded_at", "escorted_at", "sms_at"), late_titles=(LOUNGE_HEAD,),
        date_field="presented_at", title_field="guest", hooks=VipVisitHooks()),
    RegisterDef(
        "vip_missed_train", FAMILY, "seed 004 D15 [VL-b] 「由礼宾员忘记提醒客户导致的误车,礼宾员需承担所有责任」",
        fields=(
            _t("visit_no", "int", required=True, minimum=1, quote="(◇) 贵宾登记编号"),
            _t("attendant_id", "person", required=True, indexed=True, quote="「礼宾员」"),
            _t("train", "text", required=True, max_len=20, quote="(◇) 车次"),
            _t("missed_at", "datetime", required=True, quote="「误车」"),
            _t("reminded", "bool", quote="「提前15分钟提醒客户上车」"),
            _t("loss", "money", quote="「礼宾员需承担所有责任」"),
            _t("account", "long_text", required=True, max_len=500, quote="(◇) 经过"),
        ),
        create_titles=(LOUNGE_HEAD,), lock="on_submit", date_field="missed_at", title_field="train",
        hooks=MissedTrainHooks()),
]
