"""The life of an entry (issue 14): draft → submitted → (steps) → approved / rejected → locked.

Pure transition functions: each takes the entry's state and the acting person and returns the new state
and the step to append, or raises a DomainError with a catalog key. A locked entry is never changed:
a correction is a new version that supersedes it. Step titles, the department titles and how long a step
may wait are settings (``SETTINGS`` below and each register's chain setting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from lib.domain.errors import Conflict, DomainError, NotAllowed
from lib.domain import office
from lib.domain.registers.model import Access, Cadence, ChainStep, RegisterDef, may_create, may_open, reads_all
from lib.domain.settings import SettingDef

DRAFT, PENDING, APPROVED, REJECTED, RECORDED = "draft", "pending", "approved", "rejected", "recorded"
STATES = (DRAFT, PENDING, APPROVED, REJECTED, RECORDED)
OPEN_STATES = (DRAFT, PENDING, REJECTED)

SETTINGS = [
    SettingDef("registers.department_titles", ["部门主管", "部门经理"], "titles", "titles",
               "seed 000 D14 「各部门主管负责对本部门人员所查询相关信息的审核批准监管」"),
    SettingDef("registers.step_hours", 24, "int", "h", "(assumed) how long an approval step may wait",
               minimum=1, maximum=720),
    SettingDef("registers.cadence_notice_days", 7, "int", "days",
               "(assumed) how long before a recurring register is due the inbox lists it (at most half its period)",
               minimum=0, maximum=60),
]


@dataclass(frozen=True)
class Life:
    """An entry's lifecycle columns (what the transitions read and write)."""

    state: str = DRAFT
    created_by_id: int | None = None
    department_id: int | None = None
    chain: tuple[ChainStep, ...] = ()
    step_no: int = 0
    locked_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    superseded: bool = False
    subject_id: int | None = None  # the person the entry is about (``RegisterDef.subject_field``): never signs it

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_at is not None and self.locked_at <= now

    @property
    def current_step(self) -> ChainStep | None:
        if self.state != PENDING or self.step_no >= len(self.chain):
            return None
        return self.chain[self.step_no]


@dataclass(frozen=True)
class Step:
    """The step row a transition appends (``register_step``)."""

    action: str
    title: str = ""
    step_index: int | None = None
    note: str = ""


def lock_time(register: RegisterDef, event: str, now: dt.datetime, workday_end: dt.datetime | None) -> dt.datetime | None:
    """When an entry locks, decided at ``event`` (``create``, ``submit`` or ``final``) by its lock rule."""
    if register.lock == "at_workday_end":
        return workday_end if event == "create" else None
    if register.lock == "on_submit" and event in ("submit", "final"):
        return now
    if register.lock == "on_final_approval" and event == "final":
        return now
    return None


def check_may_create(register: RegisterDef, who: Access) -> None:
    if not may_create(register, who):
        raise NotAllowed("registers.may_not_create")


def may_read(register: RegisterDef, who: Access, life: Life) -> bool:
    """Keeper, everyone a register is open to, its department, or a title that acts on it now; a register with
    ``open_titles`` only to those titles and the chain's titles."""
    if not may_open(register, who):
        return any(may_act_on(step, who, life) for step in life.chain)
    if reads_all(register, who) or life.created_by_id == who.user_id:
        return True
    if register.read_scope == "department" and who.department_id is not None \
            and who.department_id == life.department_id:
        return True
    return any(may_act_on(step, who, life) for step in life.chain)


def may_act_on(step: ChainStep, who: Access, life: Life) -> bool:
    """Whether ``who`` holds the step's title (and, for a department step, is of the entry's department)."""
    if step.title not in who.titles_set:
        return False
    return not step.department or (who.department_id is not None and who.department_id == life.department_id)


def may_act(register: RegisterDef, who: Access, life: Life) -> bool:
    """The approve/reject buttons show only to a title that may act on the current step (not one's own entry,
    not an entry about oneself)."""
    step = life.current_step
    if step is None or not may_act_on(step, who, life):
        return False
    if about_oneself(life, who, step):
        return False
    return register.self_approval or step.returning or who.user_id != life.created_by_id


def about_oneself(life: Life, who: Access, step: ChainStep) -> bool:
    """Whether ``who`` is the person the entry is about (issue 16 K20: a graded 涉密人员 who is their department's
    部门主管 does not confirm their own grading, seed 001 D1 第五条 「部门负责人审核确定」 — another holder of the
    title signs). A "back to" step only hands results back, so it is not a signature on oneself."""
    return life.subject_id is not None and who.user_id == life.subject_id and not step.returning


def submit(register: RegisterDef, life: Life, who: Access, *, chain: tuple[ChainStep, ...], now: dt.datetime
           ) -> tuple[Life, Step]:
    """A draft (or a rejected entry, again) goes in; with no chain it is recorded at once (seed 000 D14:
    「可直接进行《一般借阅登记》」). The chain is copied onto the entry here, so a settings change never
    rewrites approvals in flight."""
    if life.superseded:
        raise Conflict("registers.superseded")
    if life.state not in (DRAFT, REJECTED):
        raise Conflict("registers.already_submitted")
    if life.created_by_id != who.user_id and who.role != "admin":
        raise NotAllowed("registers.not_keeper")
    if life.locked(now):
        raise DomainError("registers.locked")
    if not chain:
        return replace(life, state=RECORDED, chain=(), step_no=0, submitted_at=now, decided_at=now,
                       locked_at=lock_time(register, "final", now, None) or life.locked_at), Step("submit")
    locked_at = lock_time(register, "submit", now, None) or life.locked_at
    return (replace(life, state=PENDING, chain=chain, step_no=0, submitted_at=now, decided_at=None,
                    locked_at=locked_at), Step("submit", title=chain[0].title, step_index=0))


def approve(register: RegisterDef, life: Life, who: Access, *, now: dt.datetime, note: str = "") -> tuple[Life, Step]:
    """The current step's title signs; the last step approves the entry (and locks it, by its rule)."""
    step = _acting_step(register, life, who)
    index = life.step_no
    if index + 1 < len(life.chain):
        new = replace(life, step_no=index + 1)
    else:
        new = replace(life, step_no=index + 1, state=APPROVED, decided_at=now,
                      locked_at=lock_time(register, "final", now, None) or life.locked_at)
    return new, Step("approve", title=step.title, step_index=index, note=note)


def reject(register: RegisterDef, life: Life, who: Access, *, now: dt.datetime, reason: str) -> tuple[Life, Step]:
    """The current step's title refuses, with a reason; the keeper may change the entry and submit it again
    (unless its rule locked it at submit: then a correction is a new version)."""
    step = _acting_step(register, life, who)
    if not reason.strip():
        raise DomainError("registers.reason_required")
    return (replace(life, state=REJECTED, decided_at=now),
            Step("reject", title=step.title, step_index=life.step_no, note=reason))


def _acting_step(register: RegisterDef, life: Life, who: Access) -> ChainStep:
    if life.superseded:
        raise Conflict("registers.superseded")
    step = life.current_step
    if step is None:
        raise Conflict("registers.not_pending")
    if not may_act_on(step, who, life):
        raise NotAllowed("registers.not_your_step", title=step.title)
    if about_oneself(life, who, step):
        raise NotAllowed("registers.own_record", title=step.title)
    if not (register.self_approval or step.returning) and who.user_id == life.created_by_id:
        raise NotAllowed("registers.own_entry")
    return step


def check_edit(register: RegisterDef, life: Life, who: Access, *, fields: set[str], current: dict, now: dt.datetime
               ) -> None:
    """Before lock the keeper edits a draft or a rejected entry; after lock only ``editable_after_lock`` fields,
    each set once (归还时间 when the loan comes back), by the keeper or a title in ``late_titles`` (the 印章管理员's
    使用登记); anything else is a correction."""
    if life.superseded:
        raise Conflict("registers.superseded")
    late = life.locked(now) or life.state in (PENDING, APPROVED, RECORDED)
    if life.created_by_id != who.user_id and who.role != "admin" and not (late and fills_late(register, who)):
        raise NotAllowed("registers.not_keeper")
    if not fields:
        raise DomainError("registers.nothing_changed")
    if late:
        allowed = set(register.editable_after_lock)
        if not fields <= allowed:
            raise DomainError("registers.locked")
        if any(current.get(name) not in (None, "") for name in fields):
            raise Conflict("registers.already_set")


def fills_late(register: RegisterDef, who: Access) -> bool:
    """Whether ``who`` holds a title that may fill the register's late fields besides its keeper."""
    return bool(register.editable_after_lock) and bool(who.titles_set & set(register.late_titles))


def check_correct(life: Life, who: Access, *, reason: str, now: dt.datetime) -> None:
    """Only a locked entry is corrected, by its keeper or a supervisor, with a reason; once (the newest version)."""
    if life.superseded:
        raise Conflict("registers.superseded")
    if not life.locked(now):
        raise DomainError("registers.not_locked")
    if life.created_by_id != who.user_id and who.role not in ("admin", "supervisor"):
        raise NotAllowed("registers.not_keeper")
    if not reason.strip():
        raise DomainError("registers.reason_required")


def step_due(life: Life, last_step_at: dt.datetime | None, step_hours: int) -> dt.datetime | None:
    """A step waiting on a title is due ``registers.step_hours`` after the entry reached it."""
    if life.current_step is None or last_step_at is None:
        return None
    return last_step_at + dt.timedelta(hours=step_hours)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def cadence_due(cadence: Cadence, latest: dt.date | dt.datetime, *, every: int, day: int | None, tz
                ) -> dt.datetime:
    """When the next entry is due after the ``latest`` one (a date or an aware datetime), as aware UTC.

    Minutes and days add to the latest time (a date counts from its office-local midnight); months keep the
    day of the month (clamped) and the office-local clock. With ``day`` the latest entry names a period kept in
    arrears: the next period is ``every`` months on, due by the end of ``day`` of the month after it."""
    if isinstance(latest, dt.datetime):
        start = latest.astimezone(dt.timezone.utc)
    else:
        start = office.local_to_utc(latest, dt.time(0, 0), tz)
    if cadence.unit == "minutes":
        return start + dt.timedelta(minutes=every)
    if cadence.unit == "days":
        return start + dt.timedelta(days=every)
    local = start.astimezone(tz)
    if day is not None:
        period = _add_months(local.date().replace(day=1), every)
        following = _add_months(period, 1)
        last = (_add_months(following, 1) - dt.timedelta(days=1)).day
        return office.local_to_utc(following.replace(day=min(day, last)) + dt.timedelta(days=1), dt.time(0, 0), tz)
    return office.local_to_utc(_add_months(local.date(), every), local.time().replace(tzinfo=None), tz)


def cadence_listed(due: dt.datetime, latest_at: dt.datetime, now: dt.datetime, notice_days: int) -> bool:
    """A recurring due shows from ``notice_days`` before it (at most half its period before), and once overdue."""
    notice = min(dt.timedelta(days=notice_days), (due - latest_at) / 2)
    return now >= due - notice
