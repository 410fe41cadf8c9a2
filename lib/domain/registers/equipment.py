"""Equipment (REGISTERS.md §1.9): the office-equipment ledger, repair forms and laptop loans of seed 003 X6#20–26,
and the machine-room records of seed 000 D10 「信息机房管理」.

- 办公设备管理台帐 (``equipment``): numbered when a department takes it (「对部门领取的设备进行编号」), kept by
  人力资源及行政管理部 (read as 行政主管 / 综合部主管, assumed); 调换 and 报废 each dated once (「维修保养、设备调换」
  [EQ-a]), the status derived from them, and shown 维修中 at read time while a repair form of the asset is open
  (:meth:`EquipmentHooks.shown`: the ledger entry, locked, is never edited by a repair).
- 盘点清查 (``equipment_stocktake``): 「每半年盘点清查一次,作到账物相符」 [EQ-e], a register due every six months
  (a setting) for the 行政主管 who keeps the ledger.
- 设备维修单 (``equipment_repair``): in or out of warranty, the 维修记录 the 部门主管 fills.
- 笔记本电脑借用单 (``laptop_loan``): an open loan is due back and keeps its borrower from leaving.
- 机房 records (seed 000 D10 1.3 「出入登记、设备机历登记、设备巡检、重大故障」): access (非机房工作人员 only
  after 信息中心 approves), device history, inspections, major faults, and changes 「经负责人书面批准后方可进行」.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from lib.domain.errors import FieldError
from lib.domain.registers.family_hooks import AfterApproval, is_set, not_before
from lib.domain.registers.hooks import Blocker, Ctx, Due, Entry, RegisterHooks
from lib.domain.registers.model import Cadence, FieldDef, RegisterDef
from lib.domain.settings import SettingDef

FAMILY = "equipment"
ME, NOW = "me", "now"
ADMIN_TITLES = ("行政主管", "综合部主管")  # 人力资源及行政管理部 (assumed titles)
CATEGORIES = ("computer", "laptop", "printer", "phone", "projector", "network", "other")

SETTINGS = [
    SettingDef("registers.laptop_loan.days", 7, "int", "days",
               "(assumed) seed 003 X6#26 《笔记本电脑借用单》 gives no return period", minimum=1, maximum=365),
    SettingDef("registers.machine_access.chain", ["信息中心经理"], "titles", "titles",
               "seed 000 D10 「严禁非机房工作人员进入机房,特殊情况需经信息中心批准,并认真填写登记表后方可进入」"),
    SettingDef("registers.machine_change.chain", ["信息中心经理"], "titles", "titles",
               "seed 000 D10 「各类硬件设备的添加、更换必需经负责人书面批准后方可进行」 (负责人 read as 信息中心经理)"),
    SettingDef("registers.equipment_stocktake.every_months", 6, "int", "months",
               "seed 003 X6#23 [EQ-e] 「建立办公设备管理台帐,每半年盘点清查一次,作到账物相符」", minimum=1, maximum=12),
    SettingDef("registers.machine_inspection.every_months", 1, "int", "months",
               "seed 000 D10 「定期(如每月或每季度)对机房硬件设备设施进行巡检」 (monthly by default; 3 for quarterly)",
               minimum=1, maximum=12),
]


STOCKTAKER = "行政主管"  # who keeps the ledger and counts it (人力资源及行政管理部, assumed as ADMIN_TITLES)


class EquipmentHooks(RegisterHooks):
    """In use until 调换 or 报废 is dated (报废 wins); neither before it was issued; a swap names the asset it was
    swapped for, not itself. 维修中 is not stored: a repair form is another register, so :meth:`shown` reads it."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        v = entry.values
        if is_set(v.get("scrapped_on")):
            return {"status": "scrapped"}
        return {"status": "swapped" if is_set(v.get("swapped_on")) else "in_use"}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = [*not_before(entry, "scrapped_on", "issued_on", "registers.equipment.scrapped_before_issued"),
                  *not_before(entry, "swapped_on", "issued_on", "registers.equipment.swapped_before_issued")]
        if is_set(v.get("swapped_on")) != is_set(v.get("swapped_for")):
            missing = "swapped_for" if is_set(v.get("swapped_on")) else "swapped_on"
            errors.append(FieldError(f"reg.equipment.{missing}", "registers.equipment.swap_needs_both"))
        elif is_set(v.get("swapped_for")) and str(v.get("swapped_for")).strip() == str(v.get("asset_no") or ""):
            errors.append(FieldError("reg.equipment.swapped_for", "registers.equipment.swapped_for_itself"))
        return errors

    def shown(self, entries: Sequence[Mapping[str, object]], ctx: Ctx) -> Sequence[Mapping[str, object]]:
        """An item in use whose repair form is still open (no 修复时间) shows as 维修中 (``repair``)."""
        lookups = ctx.lookups
        wanted = [str(v.get("asset_no")) for v in entries if v.get("status") == "in_use" and is_set(v.get("asset_no"))]
        if not wanted or lookups is None or not hasattr(lookups, "open_repairs"):
            return [{} for _ in entries]
        repairing = lookups.open_repairs(wanted)
        return [{"status": "repair"} if v.get("status") == "in_use" and v.get("asset_no") in repairing else {}
                for v in entries]


class StocktakeHooks(RegisterHooks):
    """账物相符 is the point of the count: a count that does not match says what differs."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        if not v.get("matched") and not is_set(v.get("findings")):
            return [FieldError("reg.equipment_stocktake.findings", "registers.equipment_stocktake.findings_required")]
        return []


class RepairHooks(RegisterHooks):
    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        return not_before(entry, "finished_at", "reported_at", "registers.equipment_repair.finished_before_reported")


class LaptopLoanHooks(RegisterHooks):
    """An open loan (recorded, not returned) is due back on its 应还日期 (or ``registers.laptop_loan.days`` after
    it was lent) and blocks its borrower's departure (REGISTERS.md §2.2)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        return (not_before(entry, "returned_at", "lent_at", "registers.returned_before_lent")
                + not_before(entry, "due_back", "lent_at", "registers.laptop_loan.due_before_lent"))

    @staticmethod
    def _open(entry: Entry) -> bool:
        return entry.state in ("recorded", "approved") and not is_set(entry.values.get("returned_at"))

    def dues(self, entry: Entry, ctx: Ctx) -> Sequence[Due]:
        lent = entry.values.get("lent_at")
        if not self._open(entry) or not isinstance(lent, dt.datetime):
            return ()
        due_back = entry.values.get("due_back")
        if isinstance(due_back, dt.date):
            return [Due("laptop_return", lent + dt.timedelta(days=(due_back - lent.date()).days + 1))]
        days = int(ctx.settings.get("registers.laptop_loan.days") or 7)
        return [Due("laptop_return", lent + dt.timedelta(days=days))]

    def blockers(self, entry: Entry, ctx: Ctx) -> Sequence[Blocker]:
        if not self._open(entry):
            return []
        return [Blocker(entry.register, entry.id or 0, "registers.blocker.open_laptop_loan")]

    def blocking_field(self) -> str | None:
        return "borrower_id"


class MachineAccessHooks(AfterApproval):
    """A visitor enters after 信息中心 approves; the time they left is filled after that, not before they came."""

    late = ("left_at",)
    refusal = "registers.machine_access.not_approved"
    signed_by = "approved_by"

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        return [*super().validate(entry, ctx),
                *not_before(entry, "left_at", "entered_at", "registers.machine_access.left_before_entered")]


class MachineChangeHooks(AfterApproval):
    """A change is made (and its time written) only after the 负责人's written approval."""

    late = ("done_at",)
    refusal = "registers.machine_change.not_approved"
    signed_by = "approved_by"


class FaultHooks(RegisterHooks):
    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        return not_before(entry, "resolved_at", "occurred_at", "registers.machine_fault.resolved_before")


def _t(key: str, type_: str, **kw) -> FieldDef:
    return FieldDef(key, type_, **kw)


REGISTERS = [
    RegisterDef(
        "equipment", FAMILY, "seed 003 X6#20–24 [EQ-a, EQ-b, EQ-e, EQ-f] 办公设备管理台帐",
        fields=(
            _t("asset_no", "text", required=True, unique=True, max_len=40, indexed=True, quote="编号 「对部门领取的设备进行编号」"),
            _t("category", "choice", required=True, choices=CATEGORIES, indexed=True, quote="分类 「对公司所有办公设备进行分类」"),
            _t("name", "text", required=True, max_len=100, quote="(◇) 设备名称"),
            _t("department", "text", required=True, max_len=50, quote="(◇) 领取部门"),
            _t("holder_id", "person", indexed=True, quote="(◇) 使用人"),
            _t("issued_on", "date", required=True, quote="配发"),
            _t("warranty_end", "date", quote="保修期"),
            _t("swapped_on", "date", quote="设备调换 [EQ-a] (调换日期)"),
            _t("swapped_for", "text", max_len=40, quote="(◇) 调换为 (the asset number it was swapped for)"),
            _t("scrapped_on", "date", quote="报废"),
            _t("status", "choice", choices=("in_use", "repair", "swapped", "scrapped"), derived=True, indexed=True,
               shown_choices=("repair",),
               quote="(◇) 状态 {在用, 维修, 调换, 报废} [EQ-a] (维修中 shown while a repair form is open)"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        create_titles=ADMIN_TITLES, lock="on_submit",
        editable_after_lock=("scrapped_on", "remarks", "swapped_on", "swapped_for"),
        title_field="name", hooks=EquipmentHooks()),
    RegisterDef(
        "equipment_stocktake", FAMILY, "seed 003 X6#23 [EQ-e] 「每半年盘点清查一次,作到账物相符」",
        fields=(
            _t("counted_on", "date", required=True, indexed=True, quote="盘点清查 (◇ 日期)"),
            _t("counter_id", "person", required=True, default=ME, quote="(◇) 盘点人"),
            _t("items_counted", "int", required=True, minimum=0, quote="(◇) 清查件数"),
            _t("matched", "bool", quote="账物相符"),
            _t("findings", "long_text", max_len=1000, quote="(◇) 不符情况 (required when the count does not match)"),
        ),
        create_titles=ADMIN_TITLES, read_titles=ADMIN_TITLES, lock="on_submit", date_field="counted_on",
        title_field="findings", hooks=StocktakeHooks(),
        every=Cadence(unit="months", setting="registers.equipment_stocktake.every_months", title=STOCKTAKER)),
    RegisterDef(
        "equipment_repair", FAMILY, "seed 003 X6#22 [EQ-c, EQ-d] 设备维修单",
        fields=(
            _t("asset_no", "text", required=True, max_len=40, indexed=True, quote="(◇) 设备编号"),
            _t("fault", "long_text", required=True, max_len=500, quote="(◇) 故障情况"),
            _t("in_warranty", "bool", quote="在保修期内"),
            _t("repairer", "text", max_len=100, quote="供应商 / 维修商"),
            _t("reported_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 报修时间"),
            _t("repair_record", "long_text", max_len=1000, quote="维修记录"),
            _t("finished_at", "datetime", quote="(△) 修复时间"),
        ),
        create_titles=("部门主管", *ADMIN_TITLES), read_scope="department", read_titles=ADMIN_TITLES,
        lock="on_submit", editable_after_lock=("repair_record", "finished_at", "repairer"), date_field="reported_at",
        title_field="asset_no", hooks=RepairHooks()),
    RegisterDef(
        "laptop_loan", FAMILY, "seed 003 X6#26 [EQ-g] 《笔记本电脑借用单》 「以个人名义借用笔记本电脑的需填写」",
        fields=(
            _t("borrower_id", "person", required=True, default=ME, indexed=True, quote="(◇) 借用人"),
            _t("asset_no", "text", required=True, max_len=40, indexed=True, quote="(◇) 电脑编号"),
            _t("purpose", "text", required=True, max_len=200, quote="(◇) 用途 「因工作需要」"),
            _t("lent_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 借出时间"),
            _t("due_back", "date", quote="(△) 应还日期"),
            _t("returned_at", "datetime", quote="(◇) 归还时间"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        read_scope="own", read_titles=ADMIN_TITLES, lock="on_submit", editable_after_lock=("returned_at",),
        date_field="lent_at", title_field="asset_no", hooks=LaptopLoanHooks()),
    RegisterDef(
        "machine_access", FAMILY, "seed 000 D10 1.3, 2.1 [EQ-h, EQ-q] 机房出入登记",
        fields=(
            _t("visitor", "text", required=True, max_len=50, quote="(◇) 进入人员"),
            _t("organisation", "text", max_len=100, quote="(◇) 单位/部门"),
            _t("purpose", "text", required=True, max_len=200, quote="(◇) 事由 「特殊情况」"),
            _t("entered_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 进入时间"),
            _t("left_at", "datetime", quote="(◇) 离开时间"),
            _t("escort_id", "person", required=True, default=ME, quote="(◇) 陪同人"),
            _t("approved_by", "text", max_len=50, derived=True, quote="信息中心批准"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        chain_setting="registers.machine_access.chain", read_titles=("信息中心经理",), read_scope="department",
        lock="on_final_approval", editable_after_lock=("left_at",), date_field="entered_at", title_field="visitor",
        hooks=MachineAccessHooks()),
    RegisterDef(
        "machine_history", FAMILY, "seed 000 D10 1.3 [EQ-h] 设备机历登记",
        fields=(
            _t("device", "text", required=True, max_len=100, indexed=True, quote="(◇) 设备"),
            _t("event", "choice", required=True, choices=("install", "change", "repair", "maintenance", "remove"),
               quote="(◇) 事项 「添加、更换」「维护」"),
            _t("occurred_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 时间"),
            _t("description", "long_text", required=True, max_len=1000, quote="详细登记和记录"),
            _t("operator_id", "person", required=True, default=ME, quote="(◇) 操作人"),
        ),
        lock="on_submit", date_field="occurred_at", title_field="device"),
    RegisterDef(
        "machine_inspection", FAMILY, "seed 000 D10 1.1, 1.2 [EQ-i, EQ-j] 设备巡检 「定期(如每月或每季度)」",
        fields=(
            _t("inspected_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 巡检时间"),
            _t("inspector_id", "person", required=True, default=ME, quote="机房管理人员"),
            _t("floor_ok", "bool", quote="防静电地板"),
            _t("ups_ok", "bool", quote="UPS"),
            _t("climate_ok", "bool", quote="恒温设备"),
            _t("sensors_ok", "bool", quote="温湿度感应器"),
            _t("fire_ok", "bool", quote="消防设备"),
            _t("rodent_ok", "bool", quote="防鼠设施"),
            _t("findings", "long_text", max_len=1000, quote="(◇) 发现问题"),
        ),
        lock="on_submit", date_field="inspected_at", title_field="findings",
        every=Cadence(unit="months", setting="registers.machine_inspection.every_months", title="信息中心经理")),
    RegisterDef(
        "machine_fault", FAMILY, "seed 000 D10 1.3, 3.1 [EQ-h] 重大故障 「及时上报和详细记录」",
        fields=(
            _t("occurred_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 发生时间"),
            _t("device", "text", required=True, max_len=100, indexed=True, quote="(◇) 设备"),
            _t("description", "long_text", required=True, max_len=1000, quote="异常情况"),
            _t("handling", "long_text", max_len=1000, quote="按照应急预案规程进行操作"),
            _t("reported_to", "text", required=True, max_len=100, quote="及时上报"),
            _t("resolved_at", "datetime", quote="(◇) 恢复时间"),
        ),
        lock="on_submit", editable_after_lock=("handling", "resolved_at"), date_field="occurred_at",
        title_field="device", hooks=FaultHooks()),
    RegisterDef(
        "machine_change", FAMILY, "seed 000 D10 5.1, 5.2 [EQ-k] 软件维护与设备变更 「经负责人书面批准后方可进行」",
        fields=(
            _t("device", "text", required=True, max_len=100, indexed=True, quote="计算机设备 / 软件系统"),
            _t("change", "long_text", required=True, max_len=1000, quote="维护、增删、配置的更改、添加、更换"),
            _t("requested_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 申请时间"),
            _t("requester_id", "person", required=True, default=ME, quote="(◇) 申请人"),
            _t("approved_by", "text", max_len=50, derived=True, quote="负责人书面批准"),
            _t("done_at", "datetime", quote="(◇) 实施时间"),
        ),
        chain_setting="registers.machine_change.chain", read_titles=("信息中心经理",), read_scope="department",
        lock="on_final_approval", editable_after_lock=("done_at",), date_field="requested_at", title_field="device",
        subject_field="requester_id", hooks=MachineChangeHooks()),
]
