"""The office's minor registers (REGISTERS.md §1.10), defined as data: mail and parcels, 收发文, newspapers,
gifts, archives, meetings, safety checks and open-flame permits. Hooks only where a seed rule asks for one:
an external archive request needs a 介绍信 (seed 003 X6#3), minutes are due within 3 days (seed 001 D10), a failed
safety item needs a note of what is wrong (整改, seed 003 X7#38).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from lib.domain.errors import FieldError
from lib.domain.registers.family_hooks import AfterApproval, is_set, not_before
from lib.domain.registers.hooks import Ctx, Due, Entry, RegisterHooks
from lib.domain.registers.model import FieldDef, RegisterDef
from lib.domain.settings import SettingDef

FAMILY = "office"
ME, NOW = "me", "now"
SAFETY_ITEMS = ("power_ok", "sockets_ok", "flame_ok", "document_control_ok")

SETTINGS = [
    SettingDef("registers.archive_loan.chain", ["副总"], "titles", "titles",
               "seed 003 X6#3 「经本单位分管档案领导批准后可准予查阅」 (分管档案领导 read as 副总, assumed)"),
    SettingDef("registers.meeting.minutes_days", 3, "int", "days", "seed 001 D10 「会议纪要 (3天内完成起草)」",
               minimum=1, maximum=30),
    SettingDef("registers.flame_permit.chain", ["秩序维护主管"], "titles", "titles",
               "seed 001 D22 「因工作确需动用明火,应由公司保卫部门同意」 (保卫部门 read as 秩序维护主管, assumed)"),
]


class ArchiveLoanHooks(AfterApproval):
    """外单位查、借档案: a 介绍信 is required, the 分管档案领导 approves; returned only after that, not before."""

    late = ("returned_at",)
    refusal = "registers.archive_loan.not_approved"
    signed_by = "approved_by"

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        errors = list(super().validate(entry, ctx))
        if not entry.values.get("letter"):
            errors.append(FieldError(f"reg.{entry.register}.letter", "registers.archive_loan.needs_letter"))
        return errors + not_before(entry, "returned_at", "requested_at", "registers.returned_before_lent")


class MeetingHooks(RegisterHooks):
    """Minutes drafted within ``registers.meeting.minutes_days`` of the meeting (seed 001 D10)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        return not_before(entry, "minutes_at", "held_at", "registers.meeting.minutes_before_meeting")

    def dues(self, entry: Entry, ctx: Ctx) -> Sequence[Due]:
        held = entry.values.get("held_at")
        if entry.state != "recorded" or is_set(entry.values.get("minutes_at")) or not isinstance(held, dt.datetime):
            return ()
        days = int(ctx.settings.get("registers.meeting.minutes_days") or 3)
        return [Due("meeting_minutes", held + dt.timedelta(days=days))]


class SafetyCheckHooks(RegisterHooks):
    """A failed item needs the problem written (the 整改通知单 of seed 003 X7#38); fixed not before checked."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        errors = not_before(entry, "fixed_at", "checked_at", "registers.safety_check.fixed_before_checked")
        if not all(entry.values.get(item) for item in SAFETY_ITEMS) and not is_set(entry.values.get("issues")):
            errors.append(FieldError(f"reg.{entry.register}.issues", "registers.safety_check.issues_required"))
        return errors


class FlamePermitHooks(AfterApproval):
    late = ("finished_at",)
    refusal = "registers.flame_permit.not_approved"
    signed_by = "approved_by"


def _t(key: str, type_: str, **kw) -> FieldDef:
    return FieldDef(key, type_, **kw)


DIRECTION = _t("direction", "choice", required=True, choices=("in", "out"), indexed=True, quote="收发")

REGISTERS = [
    RegisterDef(
        "mail_log", FAMILY, "seed 000 D9 [OT-a], D20 [OT-b] 「负责公司邮件、包裹、报纸的收发与转交」",
        fields=(
            DIRECTION,
            _t("kind", "choice", required=True, choices=("letter", "parcel", "express", "newspaper"),
               quote="快递、信件、包裹"),
            _t("at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 时间"),
            _t("sender", "text", required=True, max_len=100, quote="(◇) 寄件人"),
            _t("addressee", "text", required=True, max_len=100, indexed=True, quote="(◇) 收件人"),
            _t("tracking_no", "text", max_len=50, quote="(◇) 单号"),
            _t("handed_to", "text", max_len=50, quote="转交"),
            _t("handed_at", "datetime", quote="(◇) 转交时间"),
        ),
        lock="on_submit", editable_after_lock=("handed_to", "handed_at"), date_field="at", title_field="addressee"),
    RegisterDef(
        "document_log", FAMILY, "seed 001 D7 [OT-c] 「各类文件资料收发、传真均需在登记薄上作好详细登记、记录」",
        fields=(
            DIRECTION,
            _t("kind", "choice", required=True, choices=("document", "fax", "material"), quote="文件资料、传真"),
            _t("at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 时间"),
            _t("doc_no", "text", max_len=50, quote="(◇) 文号"),
            _t("doc_title", "text", required=True, max_len=200, quote="(◇) 标题"),
            _t("counterpart", "text", required=True, max_len=100, quote="(◇) 来文/发往单位"),
            _t("pages", "int", minimum=1, maximum=10000, quote="(◇) 页数"),
            _t("handler_id", "person", required=True, default=ME, quote="(◇) 经办人"),
            _t("remarks", "text", max_len=200, quote="记录"),
        ),
        lock="on_submit", date_field="at", title_field="doc_title"),
    RegisterDef(
        "newspaper_log", FAMILY, "seed 003 M#41 [OT-d] 报纸登记 「种类、数量」",
        fields=(
            _t("received_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 日期"),
            _t("title", "text", required=True, max_len=100, quote="种类"),
            _t("quantity", "int", required=True, default=1, minimum=1, maximum=1000, quote="数量"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        lock="on_submit", date_field="received_at", title_field="title"),
    RegisterDef(
        "gift_issue", FAMILY, "seed 003 X1#18 [OT-e] 礼品登记 (with the 市场专员)",
        fields=(
            _t("issued_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 日期"),
            _t("gift", "text", required=True, max_len=100, quote="礼品"),
            _t("quantity", "int", required=True, default=1, minimum=1, maximum=1000, quote="(◇) 数量"),
            _t("customer", "text", required=True, max_len=100, quote="(◇) 客户"),
            _t("issued_by_id", "person", required=True, default=ME, indexed=True, quote="(◇) 领用人"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        lock="on_submit", date_field="issued_at", title_field="gift"),
    RegisterDef(
        "archive_loan", FAMILY, "seed 003 X6#3 [OT-f] 外单位查、借档案",
        fields=(
            _t("organisation", "text", required=True, max_len=100, quote="外单位"),
            _t("letter", "bool", quote="单位介绍信"),
            _t("archive", "text", required=True, max_len=200, quote="(◇) 档案"),
            _t("purpose", "text", required=True, max_len=200, quote="审明查档案原因"),
            _t("requested_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 时间"),
            _t("approved_by", "text", max_len=50, derived=True, quote="分管档案领导批准"),
            _t("returned_at", "datetime", quote="(◇) 归还时间"),
        ),
        chain_setting="registers.archive_loan.chain", lock="on_final_approval", editable_after_lock=("returned_at",),
        date_field="requested_at", title_field="organisation", hooks=ArchiveLoanHooks()),
    RegisterDef(
        "archive_transfer", FAMILY, "seed 003 X6#7 [OT-g] 移交目录 「交接双方按移交目录清点核对,并履行签字手续」",
        fields=(
            _t("from_unit", "text", required=True, max_len=100, quote="各处室"),
            _t("catalogue", "long_text", required=True, max_len=1000, quote="移交目录"),
            _t("volumes", "int", required=True, minimum=1, maximum=100000, quote="(◇) 案卷数"),
            _t("handed_by", "text", required=True, max_len=50, quote="交接双方(移交人)"),
            _t("received_by_id", "person", required=True, default=ME, quote="交接双方(接收人)"),
            _t("transferred_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 日期"),
        ),
        lock="on_submit", date_field="transferred_at", title_field="from_unit"),
    RegisterDef(
        "archive_check", FAMILY, "seed 003 X6#9 [OT-h] 「每年对全部档案资料进行全面检查,并做详细记录」",
        fields=(
            _t("year", "int", required=True, minimum=2000, maximum=2099, quote="每年"),
            _t("checked_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 日期"),
            _t("checker_id", "person", required=True, default=ME, quote="(◇) 检查人"),
            _t("findings", "long_text", required=True, max_len=1000, quote="详细记录"),
        ),
        lock="on_submit", date_field="checked_at", title_field="findings"),
    RegisterDef(
        "meeting", FAMILY, "seed 001 D10 [OT-i], seed 004 D6 [OT-t] 会议 「会议纪要 (3天内完成起草)」",
        fields=(
            _t("subject", "text", required=True, max_len=200, quote="(◇) 会议"),
            _t("held_at", "datetime", required=True, default=NOW, indexed=True, quote="会议实施"),
            _t("place", "text", max_len=100, quote="会场"),
            _t("attendees", "long_text", max_len=1000, quote="签到"),
            _t("recorder_id", "person", required=True, default=ME, quote="会议记录"),
            _t("minutes_at", "datetime", quote="会议纪要"),
            _t("distributed_at", "datetime", quote="分发 「会议纪要及时下发」"),
        ),
        lock="on_submit", editable_after_lock=("minutes_at", "distributed_at"), date_field="held_at",
        title_field="subject", hooks=MeetingHooks()),
    RegisterDef(
        "meeting_notice", FAMILY, "seed 001 D10 [OT-j] 局外会议 「来文 登记 (接到上级有关部门通知后,立即登记)」",
        fields=(
            _t("received_at", "datetime", required=True, default=NOW, indexed=True, quote="来文"),
            _t("organiser", "text", required=True, max_len=100, quote="主办单位"),
            _t("subject", "text", required=True, max_len=200, quote="(◇) 会议"),
            _t("meeting_at", "datetime", quote="(◇) 会议时间"),
            _t("proposal", "text", max_len=200, quote="拟办"),
            _t("assigned_to", "text", max_len=100, quote="分办"),
        ),
        lock="on_submit", editable_after_lock=("proposal", "assigned_to"), date_field="received_at",
        title_field="subject"),
    RegisterDef(
        "safety_check", FAMILY, "seed 001 D22 [OT-l, EQ-t], D7; seed 003 X7#38 [OT-w] 安全检查",
        fields=(
            _t("checked_at", "datetime", required=True, default=NOW, indexed=True, quote="定期检查"),
            _t("checker_id", "person", required=True, default=ME, quote="(◇) 检查人"),
            _t("power_ok", "bool", quote="电源"),
            _t("sockets_ok", "bool", quote="插座"),
            _t("flame_ok", "bool", quote="明火隐患"),
            _t("document_control_ok", "bool", quote="文件控制执行"),
            _t("extinguisher_keeper_id", "person", quote="消防器材专人保管"),
            _t("issues", "long_text", max_len=1000, quote="安全隐患 / 整改通知单"),
            _t("fixed_at", "datetime", quote="及时消除 (整改完成)"),
        ),
        lock="on_submit", editable_after_lock=("fixed_at",), date_field="checked_at", title_field="issues",
        hooks=SafetyCheckHooks()),
    RegisterDef(
        "flame_permit", FAMILY, "seed 001 D22 [OT-m] 动用明火 「应由公司保卫部门同意」",
        fields=(
            _t("place", "text", required=True, max_len=100, quote="(◇) 地点"),
            _t("purpose", "text", required=True, max_len=200, quote="因工作确需动用明火"),
            _t("applicant_id", "person", required=True, default=ME, quote="(◇) 申请人"),
            _t("starts_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 开始时间"),
            _t("approved_by", "text", max_len=50, derived=True, quote="公司保卫部门同意"),
            _t("finished_at", "datetime", quote="(◇) 结束时间"),
        ),
        chain_setting="registers.flame_permit.chain", lock="on_final_approval", editable_after_lock=("finished_at",),
        date_field="starts_at", title_field="place", subject_field="applicant_id", hooks=FlamePermitHooks()),
]
