"""Company seals, seed 001 D18 「公司印章使用管理制度」 (REGISTERS.md §1.4; the seed text stops at 5.4.1).

- 印章台账 (``seal``): the five types of 3.1–3.5 and the lifecycle 5.1.2 names, 刻制 → 发放 → 启用 → 停用 →
  收回 → 销毁, one date per step, each set once, in order (the guard refuses a skipped step); the status is
  derived from the dates. A seal with no 刻制 date yet is one 行政办 approved and has not had carved.
- 印章配置申请 (``seal_config``): a department asks for a new seal (5.3.2); once 行政办 approves, a new seal
  entry is opened in the approver's name, to be carved and issued.
- 用印申请/使用登记 (``seal_use``): a department asks (5.3.1), the 印章管理员 reviews (用印审核), then the use
  is registered with its date and keeper (使用登记, 5.4.1) — never before the approval. Columns assumed (△):
  the seed gives none. The seal it names must be one of the ledger's, of the type chosen, and 启用 on the day of
  use (today while not yet used): REGISTERS.md §2.2 「SealUse: validate seal is active」, since 5.1.2 puts 用印 only
  between 启用 and 停用 (SE4).
- 更换/停用申请 (``seal_change``), proposed by the 印章管理员 to 行政办 (5.4.1).
- 印鉴档案 (``seal_impression``) and 监督检查 (``seal_audit``), kept by 行政办 (5.1.3, 5.1.5).
Chains are settings; 行政办 is read as the title 行政主管 (assumed: the managed list has no 行政办 title).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from lib.domain import office
from lib.domain.errors import DomainError, FieldError
from lib.domain.registers.family_hooks import AfterApproval, is_set, not_before
from lib.domain.registers.hooks import Ctx, Entry, OpenEntry, RegisterHooks
from lib.domain.registers.model import FieldDef, RegisterDef
from lib.domain.settings import SettingDef

FAMILY = "seals"
ME, NOW = "me", "now"
SEAL_TYPES = ("company", "legal_rep", "finance", "contract", "other")  # 3.1 … 3.5
# (status once the step is done, its date field), in the order 5.1.2 gives: 刻制、发放、启用、停用、收回、销毁
LIFECYCLE = (("carved", "carved_on"), ("issued", "issued_on"), ("active", "activated_on"),
             ("suspended", "suspended_on"), ("recalled", "recalled_on"), ("destroyed", "destroyed_on"))
STATUSES = ("requested", *(status for status, _ in LIFECYCLE))
ADMIN_OFFICE = "行政主管"  # 行政办 (assumed title)
CONFIG_MAX = 10

SETTINGS = [
    SettingDef("registers.seal_use.chain", ["印章管理员"], "titles", "titles",
               "seed 001 D18 「5.4印章管理员 5.4.1负责印章的保管、用印审核、使用登记」"),
    SettingDef("registers.seal_config.chain", [ADMIN_OFFICE], "titles", "titles",
               "seed 001 D18 「5.3.2负责根据工作需要提出印章配置申请」; 「5.1.1根据公司需要,确定公司印章的种类、范围、数量」"
               " (行政办 read as 行政主管, assumed)"),
    SettingDef("registers.seal_change.chain", [ADMIN_OFFICE], "titles", "titles",
               "seed 001 D18 「提出印章更换、停用申请」 to 行政办 (assumed)"),
]


def seal_status(values: Mapping[str, object]) -> str:
    """The furthest lifecycle step with a date (``requested`` before 刻制)."""
    status = "requested"
    for name, field_key in LIFECYCLE:
        if is_set(values.get(field_key)):
            status = name
    return status


def skipped_step(values: Mapping[str, object]) -> tuple[str, str] | None:
    """The first lifecycle step dated while the one before it is not: (step, missing previous step)."""
    for (before, before_field), (step, step_field) in zip(LIFECYCLE, LIFECYCLE[1:]):
        if is_set(values.get(step_field)) and not is_set(values.get(before_field)):
            return step, before
    return None


class SealHooks(RegisterHooks):
    """The seal's status comes from its dates; a step is only dated after the one before it, not earlier."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"status": seal_status(entry.values)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        errors: list[FieldError] = []
        for (_, before), (_, after) in zip(LIFECYCLE, LIFECYCLE[1:]):
            errors += not_before(entry, after, before, "registers.seal.date_before_previous")
        return errors

    def guard(self, entry: Entry, action: str, actor_titles: frozenset[str], ctx: Ctx) -> None:
        if action in ("create", "edit", "submit"):
            skipped = skipped_step(entry.values)
            if skipped is not None:
                raise DomainError(f"registers.seal.skipped.{skipped[0]}")


def status_on(values: Mapping[str, object], day: dt.date) -> str:
    """The seal's status on ``day``: the furthest lifecycle step dated on or before it (``requested`` before
    刻制). ``active`` on a day means 启用 by then and not yet 停用, 收回 or 销毁."""
    status = "requested"
    for name, field_key in LIFECYCLE:
        done = values.get(field_key)
        if isinstance(done, dt.date) and done <= day:
            status = name
    return status


def seal_refusal(name: object, seal_type: object, day: dt.date,
                 seals: Sequence[Mapping[str, object]]) -> tuple[str, dict] | None:
    """Why a use may not name the seal ``name`` (SE4), as (catalog key, params), or None when it may.

    ``seals`` are the ledger's current entries of that name (their values). None of them: not in the ledger.
    None of the chosen type: the wrong seal. Else one of them must be ``active`` on ``day``; if none is, the
    reason names the latest one's status that day (``registers.seal_use.seal_state.<status>``)."""
    if not is_set(name):
        return None
    if not seals:
        return "registers.seal_use.no_seal", {"seal": str(name)}
    typed = [s for s in seals if seal_type is None or s.get("seal_type") == seal_type]
    if not typed:
        return "registers.seal_use.wrong_type", {"seal": str(name)}
    if any(status_on(s, day) == "active" for s in typed):
        return None
    return f"registers.seal_use.seal_state.{status_on(typed[-1], day)}", {"seal": str(name), "day": day.isoformat()}


class SealUseHooks(AfterApproval):
    """用印审核 before 使用登记: the date and keeper are filled only after the 印章管理员 approved; both together.
    The seal named is a real one of the ledger, of the chosen type, 启用 on the day of use (SE4): checked on
    every save (the form names the field), and again when the use is submitted or approved, since the seal may
    have been 停用 or 销毁 meanwhile."""

    late = ("used_at", "keeper_id")
    refusal = "registers.seal_use.not_approved"
    signed_by = "reviewed_by"

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        errors = list(super().validate(entry, ctx))
        used, keeper = entry.values.get("used_at"), entry.values.get("keeper_id")
        if is_set(used) != is_set(keeper):
            missing = "keeper_id" if is_set(used) else "used_at"
            errors.append(FieldError(f"reg.{entry.register}.{missing}", "registers.seal_use.date_and_keeper"))
        refused = self._seal_refusal(entry, ctx)
        if refused is not None:
            errors.append(FieldError(f"reg.{entry.register}.seal", refused[0], refused[1]))
        return errors + not_before(entry, "used_at", "requested_at", "registers.seal_use.used_before_request")

    def guard(self, entry: Entry, action: str, actor_titles: frozenset[str], ctx: Ctx) -> None:
        super().guard(entry, action, actor_titles, ctx)
        if action in ("submit", "approve"):
            refused = self._seal_refusal(entry, ctx)
            if refused is not None:
                raise DomainError(refused[0], **refused[1])

    @staticmethod
    def _seal_refusal(entry: Entry, ctx: Ctx) -> tuple[str, dict] | None:
        entries = getattr(ctx.lookups, "entries", None)
        if entries is None:  # no ledger to read (a pure test of the other rules)
            return None
        name = entry.values.get("seal")
        seals = [e.values for e in entries("seal", name=name)] if is_set(name) else []
        tz = office.zone(str(ctx.settings.get("office.timezone") or "Asia/Shanghai"))
        used = entry.values.get("used_at")
        day = office.local_day(used if isinstance(used, dt.datetime) else ctx.now, tz)
        return seal_refusal(name, entry.values.get("seal_type"), day, seals)


class SealConfigHooks(RegisterHooks):
    """Once 行政办 approves a 印章配置申请, the new seals are opened in the 印章台账 (to be carved and issued)."""

    def effects(self, entry: Entry, action: str, ctx: Ctx):
        if action != "approve" or entry.state != "approved":
            return ()
        count = min(int(entry.values.get("quantity") or 1), CONFIG_MAX)
        return [OpenEntry("seal", {"seal_type": entry.values.get("seal_type"), "name": entry.values.get("name"),
                                   "request_id": entry.id}) for _ in range(count)]


def _t(key: str, type_: str, **kw) -> FieldDef:
    return FieldDef(key, type_, **kw)


def _seal_type(**kw) -> FieldDef:
    return _t("seal_type", "choice", required=True, choices=SEAL_TYPES, indexed=True,
              quote="3.1公司公章 3.2法定代表人个人名章 3.3财务专用章 3.4合同专用章 3.5其他印章", **kw)


REGISTERS = [
    RegisterDef(
        "seal", FAMILY, "seed 001 D18 [SL-b…SL-g] 印章台账 「统筹组织印章的刻制、发放、启用、停用、收回、销毁」",
        fields=(
            _seal_type(),
            _t("name", "text", required=True, max_len=100, quote="(◇) 印章名称"),
            _t("keeper_id", "person", indexed=True, quote="(◇) 保管人(印章管理员)"),
            _t("carved_on", "date", quote="刻制"),
            _t("issued_on", "date", quote="发放"),
            _t("activated_on", "date", quote="启用"),
            _t("suspended_on", "date", quote="停用"),
            _t("recalled_on", "date", quote="收回"),
            _t("destroyed_on", "date", quote="销毁"),
            _t("status", "choice", choices=STATUSES, derived=True, indexed=True, quote="(◇) 状态"),
            _t("request_id", "int", minimum=1, quote="(◇) 印章配置申请"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        create_titles=(ADMIN_OFFICE,), lock="on_submit",
        editable_after_lock=("keeper_id", "carved_on", "issued_on", "activated_on", "suspended_on", "recalled_on",
                             "destroyed_on"),
        title_field="name", hooks=SealHooks()),
    RegisterDef(
        "seal_config", FAMILY, "seed 001 D18 [SL-j] 印章配置申请 「5.3.2负责根据工作需要提出印章配置申请」",
        fields=(
            _t("requester_id", "person", required=True, default=ME, indexed=True, quote="(◇) 申请人"),
            _t("requested_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 申请时间"),
            _seal_type(),
            _t("name", "text", required=True, max_len=100, quote="(◇) 印章名称"),
            _t("quantity", "int", required=True, default=1, minimum=1, maximum=CONFIG_MAX, quote="数量"),
            _t("grounds", "long_text", required=True, max_len=500, quote="(◇) 申请理由"),
        ),
        chain_setting="registers.seal_config.chain", read_scope="department", read_titles=(ADMIN_OFFICE,),
        lock="on_final_approval", date_field="requested_at", title_field="name",
        subject_field="requester_id", hooks=SealConfigHooks()),
    RegisterDef(
        "seal_use", FAMILY, "seed 001 D18 [SL-j, SL-k] 用印申请/使用登记 「负责提出用印申请」「用印审核、使用登记」",
        fields=(
            _t("department", "text", max_len=50, quote="(△) 部门"),
            _t("requester_id", "person", required=True, default=ME, indexed=True, quote="(△) 申请人"),
            _t("requested_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 申请时间"),
            _seal_type(),
            _t("seal", "text", required=True, max_len=100, help=True, quote="(△) 印章"),
            _t("document", "text", required=True, max_len=200, quote="(△) 用印文件"),
            _t("purpose", "text", required=True, max_len=200, quote="(△) 用途"),
            _t("copies", "int", required=True, default=1, minimum=1, maximum=1000, quote="(△) 份数"),
            _t("reviewed_by", "text", max_len=50, derived=True, quote="用印审核"),
            _t("used_at", "datetime", quote="(△) 用印日期(使用登记)"),
            _t("keeper_id", "person", indexed=True, quote="(△) 保管人"),
        ),
        chain_setting="registers.seal_use.chain", read_scope="department", read_titles=("印章管理员", ADMIN_OFFICE),
        lock="on_final_approval", editable_after_lock=("used_at", "keeper_id"), late_titles=("印章管理员",),
        date_field="requested_at",
        title_field="document", subject_field="requester_id", hooks=SealUseHooks()),
    RegisterDef(
        "seal_change", FAMILY, "seed 001 D18 [SL-k] 「提出印章更换、停用申请」",
        fields=(
            _t("seal", "text", required=True, max_len=100, quote="(◇) 印章"),
            _t("kind", "choice", required=True, choices=("replace", "suspend"), quote="更换、停用"),
            _t("grounds", "long_text", required=True, max_len=500, quote="(◇) 理由"),
            _t("proposed_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 申请时间"),
        ),
        create_titles=("印章管理员",), chain_setting="registers.seal_change.chain", read_titles=(ADMIN_OFFICE,),
        read_scope="department", lock="on_final_approval", date_field="proposed_at", title_field="seal"),
    RegisterDef(
        "seal_impression", FAMILY, "seed 001 D18 [SL-h] 印鉴档案 「5.1.3建立并管理公司印鉴档案」",
        fields=(
            _t("seal", "text", required=True, max_len=100, quote="(◇) 印章"),
            _seal_type(),
            _t("filed_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 日期"),
            _t("impression", "text", required=True, max_len=200, quote="(◇) 印模(存放位置/编号)"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        create_titles=(ADMIN_OFFICE,), lock="on_submit", date_field="filed_at", title_field="seal"),
    RegisterDef(
        "seal_audit", FAMILY, "seed 001 D18 [SL-i] 「5.1.5定期对印章管理制度的执行情况进行监督、检查」",
        fields=(
            _t("checked_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 日期"),
            _t("checker_id", "person", required=True, default=ME, quote="(△) 检查人"),
            _t("findings", "long_text", required=True, max_len=1000, quote="(◇) 检查情况"),
        ),
        create_titles=(ADMIN_OFFICE,), lock="on_submit", date_field="checked_at", title_field="findings"),
]
