"""Office phones, seed 002 #1 「办公电话使用管理规定及流程」 (REGISTERS.md §1.1; SPEC 5.1): rules as engine hooks.

- 电话台账 (``phone_line``): number, kind 办公固定电话/内线/传真, team, assigned user; a business staff member's
  line is personal (「业务人员电话专人专用」: it names its user), a fax names who answers for it
  (「传真的使用由团队主任或指定专人负责」). A line still assigned to a person keeps them from leaving.
- 临时共用 (``phone_sharing``): only a 团队主任 assigns it (「由团队主任内部调剂,指定和某人暂时共用」), and only for a
  borrower (and with a colleague) of their own team (the guard, through the ``team_of`` lookup).
- 暂借登记表 (``phone_call_log``): the borrower logs each 拨打电话号码.
- 故障反馈 (``phone_fault``): reported → repairing → repaired, or shared while it cannot be fixed quickly; the status
  is derived from the dates, a later step never before an earlier one.
- 线路增改 (``phone_change``): 变动理由 required; department → 行政管理中心 → 校长, and implemented only after the
  校长 approved (S56) — whatever the chain setting says.
- 离职交接 (``phone_handover``): handset condition; a human-caused fault is charged at the purchase price
  (「按电话机采购价格原价赔偿」); the handover blocks departure until 行政管理中心 receives it.
- 话费核对/缴纳 (``phone_bill``): by the 5th (setting) of month M+1 行政管理中心 reconciles month M (first step) and
  财务部 pays (second step); unreconciled or unpaid after the 5th is overdue (S57). Each due names who acts
  (the chain's titles), not whoever typed the statement in.
- 话费查出的费用 (``phone_bill_charge``): each finding of a month (a person, or a team when nobody can be traced;
  amount; reason) is one row; when 行政管理中心 signs the month's reconciliation every finding becomes a PH5
  proposal in the ledger (a team's split over its members). A reconciled month takes no more findings.

行政管理中心 is read as the title 行政主管 and 财务部 as 综合部主管 (assumed: the managed title list has neither).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from lib.domain import office
from lib.domain.errors import DomainError, FieldError
from lib.domain.registers.family_hooks import is_set, not_before, signer
from lib.domain.registers.hooks import Blocker, Ctx, Due, Entry, LedgerProposal, RegisterHooks
from lib.domain.registers.model import Cadence, FieldDef, RegisterDef
from lib.domain.settings import SettingDef

FAMILY = "phones"
ME, NOW = "me", "now"
ADMIN_CENTER = "行政主管"  # 行政管理中心 (assumed title)
FINANCE = "综合部主管"  # 财务部 (assumed title)
DIRECTOR = "团队主任"
PRINCIPAL = "校长"
LINE_KINDS = ("desk", "internal", "fax")  # 办公固定电话, 内线, 传真
LINE_STATUSES = ("installed", "in_use", "repairing", "suspended")
FAULT_STATUSES = ("reported", "repairing", "repaired", "sharing")
DIALLED = re.compile(r"[0-9][0-9 +\-#*]{1,29}")

SETTINGS = [
    SettingDef("registers.phone_change.chain", ["部门主管", ADMIN_CENTER, PRINCIPAL], "titles", "titles",
               "seed 002 #1 「需将变动理由反馈至行政管理中心,由行政管理中心上报校长进行审核批准后方可实施」"
               " (行政管理中心 read as 行政主管, assumed)"),
    SettingDef("registers.phone_handover.chain", [ADMIN_CENTER], "titles", "titles",
               "seed 002 #1 「离职人员需做好固定电话的交接工作」; 「离职时电话机有故障需向行政管理中心反馈」"),
    SettingDef("registers.phone_bill.chain", [ADMIN_CENTER, FINANCE], "titles", "titles",
               "seed 002 #1 「每月5日前行政管理中心…进行统计、核对」; 「财务部负责做好每个月的5日前…话费的缴纳」"
               " (财务部 read as 综合部主管, assumed)"),
    SettingDef("registers.phone_bill.deadline_day", 5, "int", "day",
               "seed 002 #1 「每月5日前」 (read as: by the end of the 5th; SPEC phone.bill_deadline_day)",
               minimum=1, maximum=28),
]


def _err(entry: Entry, field_key: str, key: str, **params) -> FieldError:
    return FieldError(f"reg.{entry.register}.{field_key}", key, dict(params))


# ---------------------------------------------------------------------------------------------- lines
class PhoneLineHooks(RegisterHooks):
    """A personal line names its user; a fax names who answers for it; a line in a person's name blocks them
    from leaving until it is reassigned (a correction) or suspended."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = []
        if v.get("personal") and not is_set(v.get("user_id")):
            errors.append(_err(entry, "user_id", "registers.phone_line.personal_needs_user"))
        if v.get("kind") == "fax" and not is_set(v.get("fax_keeper_id")):
            errors.append(_err(entry, "fax_keeper_id", "registers.phone_line.fax_needs_keeper"))
        return errors

    def blockers(self, entry: Entry, ctx: Ctx) -> Sequence[Blocker]:
        if entry.state not in ("recorded", "approved") or entry.values.get("status") == "suspended":
            return []
        return [Blocker(entry.register, entry.id or 0, "registers.blocker.phone_line")]

    def blocking_field(self) -> str | None:
        return "user_id"


# ---------------------------------------------------------------------------------------------- sharing
class PhoneSharingHooks(RegisterHooks):
    """Only the borrower's own 团队主任 assigns sharing (create_titles gives the title; the guard the team)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = not_before(entry, "to_at", "from_at", "registers.phone_sharing.ends_before_start")
        if is_set(v.get("host_user_id")) and v.get("host_user_id") == v.get("borrower_id"):
            errors.append(_err(entry, "host_user_id", "registers.phone_sharing.same_person"))
        return errors

    def guard(self, entry: Entry, action: str, actor_titles: frozenset[str], ctx: Ctx) -> None:
        """「由团队主任内部调剂」 (REGISTERS.md §1.1: the 团队主任 of the borrower's team; ``same_team(host, actor)``):
        the borrower, and the colleague whose phone is shared when named, are of the director's own team — not
        merely of the same department (P9). A director in no team assigns nobody."""
        if action not in ("create", "submit", "edit"):
            return
        if DIRECTOR not in actor_titles:
            raise DomainError("registers.phone_sharing.director_only")
        team_of = getattr(ctx.lookups, "team_of", None)
        if team_of is None:
            return  # a pure check without the database
        mine = team_of(entry.created_by_id) if isinstance(entry.created_by_id, int) else None
        borrower, host = entry.values.get("borrower_id"), entry.values.get("host_user_id")
        if isinstance(borrower, int) and (mine is None or team_of(borrower) != mine):
            raise DomainError("registers.phone_sharing.not_borrowers_director")
        if isinstance(host, int) and team_of(host) != mine:
            raise DomainError("registers.phone_sharing.host_other_team")


class CallLogHooks(RegisterHooks):
    """拨打电话号码 is a number as dialled (short numbers, extensions and premium lines included)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        dialled = entry.values.get("dialled")
        if is_set(dialled) and not DIALLED.fullmatch(str(dialled)):
            return [_err(entry, "dialled", "registers.phone_call_log.bad_number")]
        return []


# ---------------------------------------------------------------------------------------------- faults
def fault_status(values: Mapping[str, object]) -> str:
    if is_set(values.get("repaired_at")):
        return "repaired"
    if is_set(values.get("shared_at")):
        return "sharing"
    if is_set(values.get("repairing_at")):
        return "repairing"
    return "reported"


class PhoneFaultHooks(RegisterHooks):
    """reported → repairing → repaired (or shared meanwhile); each step not before the one before it."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"status": fault_status(entry.values)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = (not_before(entry, "repairing_at", "reported_at", "registers.phone_fault.before_previous")
                  + not_before(entry, "repaired_at", "repairing_at", "registers.phone_fault.before_previous")
                  + not_before(entry, "shared_at", "reported_at", "registers.phone_fault.before_previous"))
        if is_set(v.get("repaired_at")) and not is_set(v.get("repairing_at")):
            errors.append(_err(entry, "repaired_at", "registers.phone_fault.repaired_before_repairing"))
        return errors


# ---------------------------------------------------------------------------------------------- line changes
def principal_approval(entry: Entry) -> str:
    """Who signed as 校长 since the entry was last submitted ("" while nobody has)."""
    submits = [s.seq for s in entry.steps if s.action == "submit"]
    since = submits[-1] if submits else 0
    names = [s.actor_name for s in entry.steps if s.action == "approve" and s.seq > since and s.title == PRINCIPAL]
    return names[-1] if names else ""


class PhoneChangeHooks(RegisterHooks):
    """S56: a line is added or changed (implemented_at) only after the 校长 approved — never before, even when an
    admin shortened the chain setting; a 改动 names the line it changes."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"approved_by": principal_approval(entry)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = []
        if v.get("kind") == "change" and not is_set(v.get("line")):
            errors.append(_err(entry, "line", "registers.phone_change.line_required"))
        if is_set(v.get("implemented_at")) and (entry.state != "approved" or not principal_approval(entry)):
            errors.append(_err(entry, "implemented_at", "registers.phone_change.principal_first"))
        return errors + not_before(entry, "implemented_at", "requested_at", "registers.phone_change.before_request")

    def guard(self, entry: Entry, action: str, actor_titles: frozenset[str], ctx: Ctx) -> None:
        # The service's edit guard sees no steps (validate, which does, checks the 校长's signature); with steps
        # given, the guard checks it too.
        if action == "edit" and is_set(entry.values.get("implemented_at")) and (
                entry.state != "approved" or (entry.steps and not principal_approval(entry))):
            raise DomainError("registers.phone_change.principal_first")


# ---------------------------------------------------------------------------------------------- handover
def compensation(values: Mapping[str, object]) -> Decimal | None:
    """「若人为原因导致损坏者,按电话机采购价格原价赔偿」: the purchase price when the fault is human-caused."""
    price = values.get("purchase_price")
    if values.get("human_caused") and isinstance(price, Decimal):
        return price
    return None


class PhoneHandoverHooks(RegisterHooks):
    """The leaver hands the phone over; a faulty handset says what is wrong, a human-caused fault the purchase
    price (the compensation); until 行政管理中心 receives it (approves), the leaver cannot leave."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"compensation": compensation(entry.values)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = []
        if not v.get("handset_ok") and not is_set(v.get("fault")):
            errors.append(_err(entry, "fault", "registers.phone_handover.fault_required"))
        if v.get("human_caused"):
            if v.get("handset_ok"):
                errors.append(_err(entry, "human_caused", "registers.phone_handover.ok_but_damaged"))
            price = v.get("purchase_price")
            if not isinstance(price, Decimal) or price <= 0:
                errors.append(_err(entry, "purchase_price", "registers.phone_handover.price_required"))
        return errors

    def effects(self, entry: Entry, action: str, ctx: Ctx):
        amount = compensation(entry.values)
        if action != "approve" or entry.state != "approved" or amount is None:
            return ()
        # PH3 (「按电话机采购价格原价赔偿」) proposed in the ledger for the leaver, dated the handover's day
        handed = entry.values.get("handed_at")
        tz = office.zone(str(ctx.settings.get("office.timezone") or "Asia/Shanghai"))
        day = office.local_day(handed if isinstance(handed, dt.datetime) else ctx.now, tz)
        return [LedgerProposal("PH3", int(entry.values["leaver_id"]), day, amount=amount,
                               note=str(entry.values.get("line") or ""))]

    def blockers(self, entry: Entry, ctx: Ctx) -> Sequence[Blocker]:
        if entry.state == "approved":
            return []
        return [Blocker(entry.register, entry.id or 0, "registers.blocker.phone_handover")]

    def blocking_field(self) -> str | None:
        return "leaver_id"


# ---------------------------------------------------------------------------------------------- monthly bill
def month_charges(ctx: Ctx, month: object) -> tuple[Entry, ...]:
    """The month's recorded charges (``phone_bill_charge``), current versions only; none without the lookup."""
    entries = getattr(ctx.lookups, "entries", None)
    if entries is None or not isinstance(month, dt.date):
        return ()
    return tuple(e for e in entries("phone_bill_charge", month=month) if e.state == "recorded")


def charge_proposal(ctx: Ctx, values: Mapping[str, object], day: dt.date, note: str) -> LedgerProposal | None:
    """PH5 for one finding: the person charged (2× the charges, the ledger's rule), or the team's split when
    nobody can be traced (「按所在团队均摊处理」: one share per member, written by the ledger)."""
    amount = values.get("amount")
    if not isinstance(amount, Decimal) or amount <= 0:
        return None
    text = " ".join(x for x in (note, str(values.get("cause") or "")) if x)[:500]
    who = values.get("person_id")
    if isinstance(who, int) and not isinstance(who, bool):
        return LedgerProposal("PH5", who, day, amount=amount, note=text)
    member = _team_member(ctx, values.get("team"))
    if member not in (None, False):
        return LedgerProposal("PH5", int(member), day, amount=amount, note=text, traceable=False)
    return None


def _month_errors(entry: Entry) -> list[FieldError]:
    """A bill and its charges name a month by its first day (seed 002 #1: the month's statement)."""
    month = entry.values.get("month")
    if isinstance(month, dt.date) and month.day != 1:
        return [_err(entry, "month", "registers.phone_bill.first_of_month")]
    return []


class PhoneBillChargeHooks(RegisterHooks):
    """One finding of a month's bill (P8: a month may charge several people and teams): a person or a team (one of
    the two), an amount above zero, a reason; proposed with the bill's reconciliation, so a month whose bill is
    already reconciled takes no more charges (a correction of the bill is the way then)."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v, month = entry.values, entry.values.get("month")
        errors = _month_errors(entry)
        person, team = is_set(v.get("person_id")), is_set(v.get("team"))
        if person == team:
            errors.append(_err(entry, "person_id", "registers.phone_bill_charge.person_or_team"))
        elif team and _team_member(ctx, v.get("team")) is False:
            errors.append(_err(entry, "team", "registers.phone_bill.unknown_team"))
        amount = v.get("amount")
        if isinstance(amount, Decimal) and amount <= 0:
            errors.append(_err(entry, "amount", "registers.phone_bill_charge.amount_positive"))
        entries = getattr(ctx.lookups, "entries", None)
        if entries is not None and isinstance(month, dt.date) and entry.state in ("draft", "rejected"):
            bills = entries("phone_bill", month=month)
            if any(b.state == "approved" or is_set(b.values.get("reconciled_by")) for b in bills):
                errors.append(_err(entry, "month", "registers.phone_bill_charge.bill_reconciled"))
        return errors


def bill_deadline(month: dt.date, deadline_day: int, tz) -> dt.datetime:
    """The end of day ``deadline_day`` of the month after ``month`` (office time), as aware UTC (S57)."""
    year, mon = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    return office.local_to_utc(dt.date(year, mon, deadline_day) + dt.timedelta(days=1), dt.time(0, 0), tz)


def reconciled(entry: Entry) -> bool:
    """The first step (行政管理中心's reconciliation) is signed since the last submit."""
    submits = [s.seq for s in entry.steps if s.action == "submit"]
    since = submits[-1] if submits else 0
    return any(s.action == "approve" and s.seq > since and s.step_index == 0 for s in entry.steps)


def _team_member(ctx: Ctx, team: object) -> int | bool | None:
    """A member of the named team (the ledger splits over that member's team); False when no such team has anyone;
    None when the services gave no team lookup (a pure check without the database)."""
    lookup = getattr(ctx.lookups, "team_member", None)
    if lookup is None or not is_set(team):
        return None
    found = lookup(str(team))
    return found if found is not None else False


class PhoneBillHooks(RegisterHooks):
    """Month M is due by the 5th of M+1: reconciliation (first step) then payment (second step); both open after
    the deadline are overdue. Charges found name who pays; untraceable ones name the team that shares them."""

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        errors = _month_errors(entry)
        if is_set(v.get("charged_amount")) and not is_set(v.get("charged_id")):
            errors.append(_err(entry, "charged_id", "registers.phone_bill.who_pays"))
        if is_set(v.get("untraceable_amount")) and not is_set(v.get("team")):
            errors.append(_err(entry, "team", "registers.phone_bill.team_required"))
        elif is_set(v.get("untraceable_amount")) and _team_member(ctx, v.get("team")) is False:
            errors.append(_err(entry, "team", "registers.phone_bill.unknown_team"))
        return errors

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"reconciled_by": signer(entry, 0) if entry.state in ("pending", "approved") else ""}

    def effects(self, entry: Entry, action: str, ctx: Ctx):
        """PH5 (「信息费、168、QQ等充值、网络游戏充值」 found when the bill is checked), proposed in the ledger when
        行政管理中心 signs the reconciliation (the chain's first step), dated that day: the person charged pays twice
        the charges; an untraceable amount is split equally over the team the bill names (「按所在团队均摊处理」,
        SPEC 4.4 PH5, reading 22: the ledger writes one share per member)."""
        approvals = [s for s in entry.steps if s.action == "approve"]
        if action != "approve" or not approvals or approvals[-1].step_index != 0:
            return ()
        v = entry.values
        tz = office.zone(str(ctx.settings.get("office.timezone") or "Asia/Shanghai"))
        day = office.local_day(ctx.now, tz)
        month = v.get("month")
        note = f"{month:%Y-%m}" if isinstance(month, dt.date) else ""
        proposals = []
        who, amount = v.get("charged_id"), v.get("charged_amount")
        if isinstance(who, int) and isinstance(amount, Decimal) and amount > 0:
            proposals.append(LedgerProposal("PH5", who, day, amount=amount, note=note))
        shared, member = v.get("untraceable_amount"), _team_member(ctx, v.get("team"))
        if isinstance(shared, Decimal) and shared > 0 and member not in (None, False):  # False is an int too
            proposals.append(LedgerProposal("PH5", member, day, amount=shared, note=note, traceable=False))
        # every further finding of the month (P8): one charge row each, person or team
        for charge in month_charges(ctx, month):
            proposal = charge_proposal(ctx, charge.values, day, note)
            if proposal is not None:
                proposals.append(proposal)
        return tuple(proposals)

    def dues(self, entry: Entry, ctx: Ctx) -> Sequence[Due]:
        month = entry.values.get("month")
        if entry.state == "approved" or not isinstance(month, dt.date):
            return ()
        day = int(ctx.settings.get("registers.phone_bill.deadline_day") or 5)
        tz = office.zone(str(ctx.settings.get("office.timezone") or "Asia/Shanghai"))
        # the inbox reads dues without steps: the stored 核对人 says the first step is signed
        done = reconciled(entry) or is_set(entry.values.get("reconciled_by"))
        paying = entry.state == "pending" and done
        # who acts: 行政管理中心 reconciles, 财务部 pays (the chain's titles as set, seed 002 #1), never the person
        # who typed the statement in (issue 16 P7)
        chain = [str(t) for t in (ctx.settings.get("registers.phone_bill.chain") or ()) if t]
        title = (chain[1] if len(chain) > 1 else FINANCE) if paying else (chain[0] if chain else ADMIN_CENTER)
        return [Due("phone_bill_pay" if paying else "phone_bill_reconcile", bill_deadline(month, day, tz), title)]


def _t(key: str, type_: str, **kw) -> FieldDef:
    return FieldDef(key, type_, **kw)


REGISTERS = [
    RegisterDef(
        "phone_line", FAMILY, "seed 002 #1 [PH-a, PH-b, PH-m] 电话台账 「行政管理中心负责…电话的安装、使用、维修、停机」",
        fields=(
            _t("number", "text", required=True, unique=True, max_len=30, indexed=True, quote="(◇) 电话号码"),
            _t("kind", "choice", required=True, choices=LINE_KINDS, quote="办公固定电话、内线、传真"),
            _t("team", "text", required=True, max_len=50, quote="(◇) 团队 「各团队」"),
            _t("user_id", "person", indexed=True, quote="(◇) 使用人"),
            _t("personal", "bool", quote="「业务人员电话专人专用,不得给予他人使用」"),
            _t("fax_keeper_id", "person", quote="「传真的使用由团队主任或指定专人负责」"),
            _t("status", "choice", required=True, default="in_use", choices=LINE_STATUSES,
               quote="安装、使用、维修、停机"),
            _t("handset_model", "text", max_len=100, quote="(△) 话机型号"),
            _t("purchase_price", "money", quote="电话机采购价格"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        create_titles=(ADMIN_CENTER,), lock="on_submit", title_field="number", hooks=PhoneLineHooks()),
    RegisterDef(
        "phone_sharing", FAMILY, "seed 002 #1 [PH-c] 临时共用 「可向团队主任汇报,并由团队主任内部调剂,指定和某人暂时共用」",
        fields=(
            _t("borrower_id", "person", required=True, indexed=True, quote="(◇) 暂借使用人员"),
            _t("host_line", "text", required=True, max_len=30, quote="(◇) 共用电话"),
            _t("host_user_id", "person", quote="(◇) 指定和某人暂时共用"),
            _t("cause", "long_text", required=True, max_len=500, quote="「电话机、线路等故障」「不能及时修复」"),
            _t("from_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 起"),
            _t("to_at", "datetime", quote="(△) 止"),
        ),
        create_titles=(DIRECTOR,), read_scope="department", read_titles=(ADMIN_CENTER,), lock="on_submit",
        editable_after_lock=("to_at",), date_field="from_at", title_field="host_line", hooks=PhoneSharingHooks()),
    RegisterDef(
        "phone_call_log", FAMILY, "seed 002 #1 [PH-d] 暂借登记表 「做好拨打电话号码记录」",
        fields=(
            _t("dialled", "text", required=True, max_len=30, quote="拨打电话号码"),
            _t("called_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 时间"),
            _t("borrower_id", "person", required=True, default=ME, indexed=True, quote="暂借使用人员"),
            _t("host_line", "text", max_len=30, quote="(◇) 共用电话"),
            _t("sheet_no", "text", max_len=40, quote="「需向行政管理中心索要登记表」"),
        ),
        read_scope="own", read_titles=(ADMIN_CENTER,), lock="on_submit", date_field="called_at",
        title_field="dialled", hooks=CallLogHooks()),
    RegisterDef(
        "phone_fault", FAMILY, "seed 002 #1 [PH-e] 故障反馈 「使用者如发现电话机、线路等故障要及时向行政管理中心反馈」",
        fields=(
            _t("line", "text", required=True, max_len=30, indexed=True, quote="(◇) 电话/线路"),
            _t("reporter_id", "person", required=True, default=ME, quote="(◇) 反馈人"),
            _t("reported_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 反馈时间"),
            _t("description", "long_text", required=True, max_len=500, quote="(◇) 故障情况"),
            _t("repairing_at", "datetime", quote="(◇) 维修"),
            _t("repaired_at", "datetime", quote="(◇) 修复"),
            _t("shared_at", "datetime", quote="「不能及时修复」→ 暂时共用"),
            _t("status", "choice", choices=FAULT_STATUSES, derived=True, indexed=True, quote="(◇) 状态"),
        ),
        read_scope="department", read_titles=(ADMIN_CENTER,), lock="on_submit",
        editable_after_lock=("repairing_at", "repaired_at", "shared_at"), late_titles=(ADMIN_CENTER,),
        date_field="reported_at",
        title_field="line", hooks=PhoneFaultHooks()),
    RegisterDef(
        "phone_change", FAMILY, "seed 002 #1 [PH-f] 线路增改 「由行政管理中心上报校长进行审核批准后方可实施」",
        fields=(
            _t("kind", "choice", required=True, choices=("add", "change"), quote="增加或改动通信线路"),
            _t("department", "text", required=True, max_len=50, quote="(◇) 部门"),
            _t("line", "text", max_len=30, quote="(◇) 线路"),
            _t("grounds", "long_text", required=True, max_len=500, quote="变动理由"),
            _t("requested_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 申请时间"),
            _t("approved_by", "text", max_len=50, derived=True, quote="校长审核批准"),
            _t("implemented_at", "datetime", quote="方可实施"),
        ),
        chain_setting="registers.phone_change.chain", read_scope="department", read_titles=(ADMIN_CENTER, PRINCIPAL),
        lock="on_final_approval", editable_after_lock=("implemented_at",), date_field="requested_at",
        title_field="grounds", hooks=PhoneChangeHooks()),
    RegisterDef(
        "phone_handover", FAMILY, "seed 002 #1 [PH-g, PH-k] 离职交接 「保证电话机的设备完好方可离职」",
        fields=(
            _t("leaver_id", "person", required=True, default=ME, indexed=True, quote="离职人员"),
            _t("line", "text", required=True, max_len=30, quote="固定电话"),
            _t("handset_ok", "bool", quote="电话机的设备完好"),
            _t("fault", "long_text", max_len=500, quote="「离职时电话机有故障需向行政管理中心反馈」"),
            _t("human_caused", "bool", quote="人为原因导致损坏"),
            _t("purchase_price", "money", quote="电话机采购价格"),
            _t("compensation", "money", derived=True, quote="「按电话机采购价格原价赔偿」"),
            _t("handed_at", "datetime", required=True, default=NOW, indexed=True, quote="(△) 交接时间"),
        ),
        chain_setting="registers.phone_handover.chain", read_scope="own", read_titles=(ADMIN_CENTER,),
        lock="on_final_approval", date_field="handed_at", title_field="line",
        subject_field="leaver_id", hooks=PhoneHandoverHooks()),
    RegisterDef(
        "phone_bill", FAMILY, "seed 002 #1 [PH-h, PH-i, PH-j] 话费核对/缴纳 「每月5日前」",
        fields=(
            _t("month", "date", required=True, unique=True, indexed=True, quote="上月话费清单 (月份)"),
            _t("statement_total", "money", required=True, quote="查询、打印(营业厅)上月话费清单"),
            _t("findings", "long_text", max_len=1000, quote="统计、核对 「信息费、168、QQ等充值、网络游戏充值」"),
            _t("charged_id", "person", quote="(◇) 责任人"),
            _t("charged_amount", "money", quote="(◇) 私人/信息费金额"),
            _t("untraceable_amount", "money", quote="「按所在团队均摊处理」"),
            _t("team", "text", max_len=50, quote="所在团队"),
            _t("reconciled_by", "text", max_len=50, derived=True, quote="行政管理中心…统计、核对 (核对人)"),
        ),
        create_titles=(ADMIN_CENTER,), read_scope="department", read_titles=(ADMIN_CENTER, FINANCE),
        chain_setting="registers.phone_bill.chain", lock="on_final_approval", title_field="findings",
        self_approval=True,  # 行政管理中心 enters the statement it then reconciles
        # the next month's bill is due by the 5th of the month after it, entered or not (S57)
        every=Cadence(unit="months", field="month", day_setting="registers.phone_bill.deadline_day",
                      title=ADMIN_CENTER),
        subject_field="charged_id", hooks=PhoneBillHooks()),
    RegisterDef(
        "phone_bill_charge", FAMILY, "seed 002 #1 [PH-i, PH-j] 话费核对 (责任人/团队) 「信息费、168、QQ等充值…按所在团队均摊处理」",
        fields=(
            _t("month", "date", required=True, indexed=True, quote="上月话费清单 (月份)"),
            _t("person_id", "person", indexed=True, quote="(◇) 责任人"),
            _t("team", "text", max_len=50, quote="「无法查明的按所在团队均摊处理」 所在团队"),
            _t("amount", "money", required=True, quote="(◇) 私人/信息费金额"),
            _t("cause", "text", required=True, max_len=200, quote="「信息费、168、QQ等充值、网络游戏充值」"),
        ),
        create_titles=(ADMIN_CENTER,), read_scope="department", read_titles=(ADMIN_CENTER, FINANCE),
        lock="on_submit", date_field="month", title_field="cause", hooks=PhoneBillChargeHooks()),
]
