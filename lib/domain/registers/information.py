"""The information registers of seed 000 D14 「信息管理制度」 and customer-archive access (seed 001 D17).

Columns exactly as 「附:相关表格于后」 lists them (REGISTERS.md §1.3), in the seed's order. The chains are
settings; the return deadline of a loan is a setting too, as the seed gives none (「直至归还」).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from lib.domain.errors import DomainError, FieldError
from lib.domain.registers.hooks import Blocker, Ctx, Due, Entry, RegisterHooks
from lib.domain.registers.model import FieldDef, RegisterDef
from lib.domain.settings import SettingDef

FAMILY = "information"
ME, NOW = "me", "now"  # defaults the form fills with the acting person / the current time
URGENCY = ("normal", "urgent", "critical")  # 一般/紧急/特急: levels not given by the seed (REGISTERS.md, △)

SETTINGS = [
    SettingDef("registers.info_request.chain", ["部门主管", "部门经理", "信息中心经理", "信息查询员"], "titles", "titles",
               "seed 000 D14 「部门主管审核后交由部门经理批准,审批完后提交给信息中心经理,再由信息中心经理交由信息查询员」"),
    SettingDef("registers.info_request.return_to_first", True, "bool", "",
               "seed 000 D14 「查询完后返还给各部门主管」"),
    SettingDef("registers.special_loan.chain", ["部门经理"], "titles", "titles",
               "seed 000 D14 「需由部门经理批准后,填写《特殊借阅登记》,方可借阅」"),
    SettingDef("registers.archive_access.chain", ["部门经理", "客服主管"], "titles", "titles",
               "seed 001 D17 「需各部门经理签字后向客服部申请查阅」"),
    SettingDef("registers.loan_days", 7, "int", "days", "(assumed) seed 000 D14 gives no deadline: 「直至归还」",
               minimum=1, maximum=365),
]


def _approver(entry: Entry, index: int) -> str:
    """The name of whoever signed step ``index`` (the paper form's 审核人 / 批准人 line)."""
    since = _last_submit(entry)
    names = [s.actor_name for s in entry.steps if s.action == "approve" and s.seq > since and s.step_index == index]
    return names[-1] if names else ""


def _last_submit(entry: Entry) -> int:
    seqs = [s.seq for s in entry.steps if s.action == "submit"]
    return seqs[-1] if seqs else 0


class InfoRequestHooks(RegisterHooks):
    """申请查询信息表: 审核人 is the 部门主管 who reviewed, 批准人 the 部门经理 who approved (seed 000 D14)."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"reviewer": _approver(entry, 0), "approver": _approver(entry, 1)}


class LoanHooks(RegisterHooks):
    """Loans: a return is not before the loan; an open loan is due back ``registers.loan_days`` after it began
    and keeps its borrower from leaving (seed 000 D14 「对自身所有信息的安全保管直至归还」)."""

    needs_approval = False

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        lent, back = entry.values.get("borrowed_at"), entry.values.get("returned_at")
        if isinstance(lent, dt.datetime) and isinstance(back, dt.datetime) and back < lent:
            return [FieldError(f"reg.{entry.register}.returned_at", "registers.returned_before_lent")]
        return ()

    def _lent(self, entry: Entry) -> bool:
        started = entry.state in (("approved",) if self.needs_approval else ("recorded", "approved"))
        return started and entry.values.get("returned_at") is None

    def dues(self, entry: Entry, ctx: Ctx) -> Sequence[Due]:
        lent = entry.values.get("borrowed_at")
        if not self._lent(entry) or not isinstance(lent, dt.datetime):
            return ()
        days = int(ctx.settings.get("registers.loan_days", 7))
        return [Due("loan_return", lent + dt.timedelta(days=days))]

    def blockers(self, entry: Entry, ctx: Ctx) -> Sequence[Blocker]:
        return [Blocker(entry.register, entry.id or 0, "registers.blocker.open_loan")] if self._lent(entry) else []

    def blocking_field(self) -> str | None:
        return "borrower_id"


class SpecialLoanHooks(LoanHooks):
    """特殊借阅登记: nothing is lent, and so nothing returned, before the 部门经理 approves (S59); 审核人 is that
    manager."""

    needs_approval = True

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"reviewer": _approver(entry, 0)}

    def guard(self, entry: Entry, action: str, actor_titles: frozenset[str], ctx: Ctx) -> None:
        if action == "edit" and entry.state != "approved":
            raise DomainError("registers.special_loan.not_lent")


class ArchiveAccessHooks(RegisterHooks):
    """Customer-archive access: the 部门经理's signature is the first step (seed 001 D17)."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"signed_by": _approver(entry, 0)}


def _t(key: str, type_: str, **kw) -> FieldDef:
    return FieldDef(key, type_, **kw)


REGISTERS = [
    RegisterDef(
        "general_query", FAMILY, "seed 000 D14 [IN-a, IN-e] 《一般查询登记》",
        fields=(
            _t("asked_at", "datetime", required=True, default=NOW, indexed=True, quote="时间"),
            _t("enquirer", "text", required=True, max_len=50, quote="询问人"),
            _t("content", "long_text", required=True, max_len=500, quote="询问内容"),
            _t("purpose", "text", required=True, max_len=200, quote="询问用途"),
            _t("result", "text", max_len=200, quote="处理结果"),
            _t("remarks", "text", max_len=200, quote="备注"),
        ),
        lock="on_submit", editable_after_lock=("result",), date_field="asked_at", title_field="enquirer"),
    RegisterDef(
        "info_request", FAMILY, "seed 000 D14 [IN-b, IN-f] 《申请查询信息表》",
        fields=(
            _t("applicant_id", "person", required=True, default=ME, indexed=True, quote="申请人"),
            _t("applied_at", "datetime", required=True, default=NOW, indexed=True, quote="申请时间"),
            _t("content", "long_text", required=True, max_len=500, quote="查询内容"),
            _t("purpose", "text", required=True, max_len=200, quote="查询用途"),
            _t("urgency", "choice", required=True, choices=URGENCY, default="normal", quote="待处理紧急度"),
            _t("remarks", "text", max_len=200, quote="备注"),
            _t("reviewer", "text", max_len=50, derived=True, quote="审核人:"),
            _t("approver", "text", max_len=50, derived=True, quote="批准人:"),
        ),
        chain_setting="registers.info_request.chain", return_setting="registers.info_request.return_to_first",
        read_scope="department", read_titles=("信息中心经理", "信息查询员"),
        lock="on_final_approval", date_field="applied_at", title_field="content",
        subject_field="applicant_id", hooks=InfoRequestHooks()),
    RegisterDef(
        "info_transfer", FAMILY, "seed 000 D14 [IN-c, IN-g] 《信息转交登记》 「由信息转交者保存」",
        fields=(
            _t("giver_id", "person", required=True, default=ME, indexed=True, quote="交接人"),
            _t("receiver_id", "person", required=True, indexed=True, quote="接受人"),
            _t("transferred_at", "datetime", required=True, default=NOW, indexed=True, quote="转交时间"),
            _t("content", "long_text", required=True, max_len=500, quote="转交内容"),
            _t("scope", "text", required=True, max_len=200, quote="接受人责任范围"),
            _t("remarks", "text", max_len=200, quote="备注"),
        ),
        read_scope="own", lock="on_submit", date_field="transferred_at", title_field="content"),
    RegisterDef(
        "info_receipt", FAMILY, "seed 000 D14 [IN-c, IN-h] 《信息接收登记》 「由信息接收者保存」",
        fields=(
            _t("giver_id", "person", required=True, indexed=True, quote="转交人"),
            _t("received_at", "datetime", required=True, default=NOW, indexed=True, quote="接受时间"),
            _t("content", "long_text", required=True, max_len=500, quote="接收内容"),
            _t("requirement", "text", max_len=200, quote="责任要求"),
            _t("result", "text", max_len=200, quote="处理结果"),
            _t("remarks", "text", max_len=200, quote="备注"),
        ),
        read_scope="own", lock="on_submit", editable_after_lock=("result",), date_field="received_at",
        title_field="content"),
    RegisterDef(
        "general_loan", FAMILY, "seed 000 D14 [IN-d, IN-i] 《一般借阅登记》 「可直接进行」",
        fields=(
            _t("borrower_id", "person", required=True, default=ME, indexed=True, quote="借阅人"),
            _t("content", "text", required=True, max_len=200, quote="借阅内容"),
            _t("borrowed_at", "datetime", required=True, default=NOW, indexed=True, quote="借阅时间"),
            _t("purpose", "text", required=True, max_len=200, quote="借阅用途"),
            _t("returned_at", "datetime", quote="归还时间"),
            _t("remarks", "text", max_len=200, quote="备注"),
        ),
        lock="on_submit", editable_after_lock=("returned_at",), date_field="borrowed_at", title_field="content",
        hooks=LoanHooks()),
    RegisterDef(
        "special_loan", FAMILY, "seed 000 D14 [IN-d, IN-j] 《特殊借阅登记》 「需由部门经理批准后…方可借阅」",
        fields=(
            _t("borrower_id", "person", required=True, default=ME, indexed=True, quote="借阅人"),
            _t("content", "text", required=True, max_len=200, quote="借阅内容"),
            _t("borrowed_at", "datetime", required=True, default=NOW, indexed=True, quote="借阅时间"),
            _t("purpose", "text", required=True, max_len=200, quote="借阅用途"),
            _t("returned_at", "datetime", quote="归还时间"),
            _t("reviewer", "text", max_len=50, derived=True, quote="审核人"),
            _t("remarks", "text", max_len=200, quote="备注"),
        ),
        chain_setting="registers.special_loan.chain", read_scope="department",
        lock="on_final_approval", editable_after_lock=("returned_at",), date_field="borrowed_at",
        title_field="content", subject_field="borrower_id", hooks=SpecialLoanHooks()),
    RegisterDef(
        "archive_access", FAMILY, "seed 001 D17 [IN-l] 「凡其他部门索取客户资料时,需各部门经理签字后向客服部申请查阅」",
        fields=(
            _t("requester_id", "person", required=True, default=ME, indexed=True, quote="其他部门索取客户资料"),
            _t("customer", "text", required=True, max_len=100, quote="客户资料"),
            _t("purpose", "text", required=True, max_len=200, quote="申请查阅"),
            _t("requested_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 申请时间"),
            _t("signed_by", "text", max_len=50, derived=True, quote="部门经理签字"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        chain_setting="registers.archive_access.chain", read_scope="department",
        read_titles=("客服部经理", "客服主管"), lock="on_final_approval", date_field="requested_at",
        title_field="customer", subject_field="requester_id", hooks=ArchiveAccessHooks()),
]
