"""Points and fines ledger (SPEC M4 4.4): the violation catalogue as data, assessment of
one violation, append-only entries with reversals, and totals.

Money is ``Decimal`` yuan. ``fine`` is the punitive amount and goes to the department
fund (seed 001 D8); ``compensation`` repays a cost (handset price, losses, call
charges) and does not. Team points are signed: −2 means the team loses 2 points.
The warnings ladder and penalty order (SPEC 4.5) live in ``lib.domain.discipline``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from lib.domain.errors import Conflict, DomainError, FieldError, ValidationFailed
from lib.domain.settings import SettingDef

CENT = Decimal("0.01")

SETTINGS: list[SettingDef] = [
    # a managed titles list, not free text: an office whose 总经理 is titled 副总 adds it here (T13)
    SettingDef("ledger.decider_titles", ["总经理"], "titles", "titles", "seed 004 D14 「部门经理提出，总经理决定」"),
]


class Action(StrEnum):
    """Non-money consequence of a violation."""

    VERBAL_WARNING = "verbal_warning"
    WRITTEN_WARNING = "written_warning"
    MAJOR_DEMERIT = "major_demerit"
    DISMISSAL = "dismissal"
    PERSUADE_TO_RESIGN = "persuade_to_resign"
    COUNTS_AS_ABSENCE = "counts_as_absence"
    DEEMED_RESIGNED = "deemed_resigned"
    SUPERVISOR_DECIDES = "supervisor_decides"


class MoneyRule(StrEnum):
    """How a code's money is computed beyond its per-occurrence ladder."""

    LADDER = "ladder"
    PURCHASE_PRICE = "purchase_price"
    FINE_PLUS_LOSSES = "fine_plus_losses"
    CALL_CHARGES = "call_charges"
    BASE_PAY = "base_pay"
    EARLY_LEAVE = "early_leave"
    ABSENCE = "absence"


class Payer(StrEnum):
    PERSON = "person"
    TEAM_SPLIT = "team_split"


class CountingWindow(StrEnum):
    LIFETIME = "lifetime"
    MONTH = "month"


class EntryStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    COLLECTED = "collected"
    WAIVED = "waived"


@dataclass(frozen=True)
class Step:
    """What the n-th occurrence costs; the last step repeats for later occurrences."""

    fine: Decimal = Decimal(0)
    action: Action | None = None


@dataclass(frozen=True)
class ViolationRule:
    """One catalogue line (SPEC 4.4 table)."""

    code: str
    team_points: int
    steps: tuple[Step, ...]
    source: str
    money: MoneyRule = MoneyRule.LADDER
    window: CountingWindow = CountingWindow.LIFETIME
    serious_action: Action | None = None
    params: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def label_key(self) -> str:
        return f"ledger.violation.{self.code}"

    def step(self, occurrence_no: int) -> Step:
        return self.steps[min(occurrence_no, len(self.steps)) - 1]


def _fine(amount: int) -> tuple[Step, ...]:
    return (Step(Decimal(amount)),)


def _warn_then(amount: int) -> tuple[Step, ...]:
    return (Step(action=Action.VERBAL_WARNING), Step(Decimal(amount)))


CATALOGUE: dict[str, ViolationRule] = {
    r.code: r
    for r in (
        ViolationRule("PH1", -2, _fine(1), "seed 002 #1"),
        ViolationRule("PH2", -2, _fine(1), "seed 002 #1"),
        ViolationRule("PH3", -5, (Step(),), "seed 002 #1", MoneyRule.PURCHASE_PRICE),
        ViolationRule(
            "PH4", -5, _fine(10), "seed 002 #1", MoneyRule.FINE_PLUS_LOSSES, serious_action=Action.PERSUADE_TO_RESIGN
        ),
        ViolationRule("PH5", 0, (Step(),), "seed 002 #1", MoneyRule.CALL_CHARGES, params={"multiplier": Decimal(2)}),
        ViolationRule(
            "CS1", 0, (Step(Decimal(10)), Step(Decimal(30)), Step(action=Action.DISMISSAL)), "seed 001 D8"
        ),
        ViolationRule("CS2", 0, (Step(action=Action.MAJOR_DEMERIT),), "seed 001 D12"),
        ViolationRule("SQ1", 0, (Step(action=Action.WRITTEN_WARNING),), "seed 000 D1"),
        ViolationRule("SQ2", 0, (Step(action=Action.WRITTEN_WARNING),), "seed 000 D1"),
        ViolationRule(
            "SQ3",
            0,
            (Step(),),
            "seed 003 X1#17",
            MoneyRule.BASE_PAY,
            params={"serious_bonus_share": Decimal("0.5")},
        ),
        ViolationRule("SQ4", 0, _fine(20), "seed 003 X9#6"),
        ViolationRule(
            "AT1",
            0,
            (Step(Decimal(20)), Step(Decimal(40)), Step(action=Action.PERSUADE_TO_RESIGN)),
            "seed 003 X9#21",
            window=CountingWindow.MONTH,
        ),
        ViolationRule(
            "AT2",
            0,
            (Step(), Step(), Step(action=Action.COUNTS_AS_ABSENCE)),
            "seed 003 X8#16",
            MoneyRule.EARLY_LEAVE,
            window=CountingWindow.MONTH,
            params={
                "small_minutes": Decimal(10),
                "small_fine": Decimal(5),
                "absence_minutes": Decimal(30),
                "pay_days_per_absence_day": Decimal(2),
            },
        ),
        ViolationRule(
            "AT3",
            0,
            (Step(),),
            "seed 003 X6#51",
            MoneyRule.ABSENCE,
            params={"pay_days_per_absence_day": Decimal(2), "resigned_after_days": Decimal(5)},
        ),
        ViolationRule("RR1", 0, _warn_then(50), "seed 004 D18"),
        ViolationRule("RR2", 0, _fine(50), "seed 004 D18"),
        ViolationRule("RR3", 0, _warn_then(50), "seed 004 D18"),
        ViolationRule("RR4", 0, _fine(100), "seed 004 D18"),
        ViolationRule("LG1", 0, _fine(20), "seed 004 D7"),
        # 「因工作人员自身监管不严造成公司财物损失的,责任人自行负责赔偿并处以20元/次罚款」: the loss repaid plus ¥20
        ViolationRule("LG2", 0, _fine(20), "seed 004 D7", MoneyRule.FINE_PLUS_LOSSES),
        # 「由礼宾员忘记提醒客户导致的误车,礼宾员需承担所有责任」: no fine named; the attendant bears the losses
        ViolationRule("VL1", 0, (Step(),), "seed 004 D15", MoneyRule.FINE_PLUS_LOSSES),
    )
}


def rule_to_dict(rule: ViolationRule) -> dict:
    """JSON-ready form of a catalogue line, for the catalogue editor's storage (SPEC 4.4)."""
    return {
        "code": rule.code,
        "team_points": rule.team_points,
        "steps": [{"fine": str(s.fine), "action": s.action.value if s.action else None} for s in rule.steps],
        "source": rule.source,
        "money": rule.money.value,
        "window": rule.window.value,
        "serious_action": rule.serious_action.value if rule.serious_action else None,
        "params": {k: str(v) for k, v in rule.params.items()},
    }


def _optional_action(value: str | None) -> Action | None:
    return Action(value) if value else None


def rule_from_dict(data: Mapping) -> ViolationRule:
    """Inverse of ``rule_to_dict``; raises ``DomainError('ledger.bad_rule')`` on a malformed line."""
    try:
        steps = tuple(Step(Decimal(s["fine"]), _optional_action(s["action"])) for s in data["steps"])
        if not steps:
            raise ValueError("no steps")
        return ViolationRule(
            code=str(data["code"]),
            team_points=int(data["team_points"]),
            steps=steps,
            source=str(data["source"]),
            money=MoneyRule(data["money"]),
            window=CountingWindow(data["window"]),
            serious_action=_optional_action(data["serious_action"]),
            params={k: Decimal(v) for k, v in data["params"].items()},
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise DomainError("ledger.bad_rule", code=str(data.get("code", ""))) from exc


@dataclass(frozen=True)
class Assessment:
    """What one violation costs: signed team points, fine, compensation, action and who pays.

    ``shares`` lists ``(member, amount)`` when the team splits the cost (PH5 untraceable);
    the service then writes one ``team_split`` entry per member.
    """

    code: str
    occurrence_no: int
    team_points: int
    fine: Decimal
    compensation: Decimal
    action: Action | None
    payer: Payer = Payer.PERSON
    shares: tuple[tuple[str, Decimal], ...] = ()


def _require(value: Decimal | int | None, name: str) -> Decimal:
    if value is None:
        raise ValidationFailed([FieldError(name, "ledger.amount_required")])
    if Decimal(value) < 0:
        raise ValidationFailed([FieldError(name, "ledger.amount_negative")])
    return Decimal(value)


def split_equally(amount: Decimal, members: Sequence[str]) -> tuple[tuple[str, Decimal], ...]:
    """Split ``amount`` into equal cent shares; leftover cents go to the first members (seed 002 #1 「均摊」)."""
    if not members:
        raise ValidationFailed([FieldError("team_members", "ledger.team_required")])
    base = (amount / len(members)).quantize(CENT, rounding=ROUND_DOWN)
    leftover = int((amount - base * len(members)) / CENT)
    return tuple((m, base + (CENT if i < leftover else 0)) for i, m in enumerate(members))


def assess(
    code: str,
    prior_occurrences: int,
    *,
    catalogue: Mapping[str, ViolationRule] = CATALOGUE,
    disabled_codes: Collection[str] = frozenset(),
    amount: Decimal | int | None = None,
    quantity: int = 1,
    serious: bool = False,
    traceable: bool = True,
    team_members: Sequence[str] = (),
    minutes: int | None = None,
    days: int = 1,
    day_pay: Decimal | int | None = None,
    month_pay: Decimal | int | None = None,
    month_bonus: Decimal | int | None = None,
) -> Assessment:
    """Fine, compensation, action and team points of one violation, by its occurrence number (SPEC 4.4 table).

    ``prior_occurrences`` counts the person's earlier standing entries of the code in
    its counting window (see ``prior_occurrences``). ``quantity`` multiplies per-item
    fines (SQ4 cards, LG1 items). ``amount`` is the handset price (PH3), the losses
    (PH4) or the call charges (PH5). Readings: PH5 traceable costs 2× the charges;
    untraceable, the actual charges are split equally over ``team_members`` (SPEC
    reading 22). AT2 between 10 and 30 minutes has no automatic fine (seed note 003
    §5.1). Pay deductions (SQ3, AT2 as absence, AT3) are fines.
    """
    rule = catalogue.get(code)
    if rule is None:
        raise DomainError("ledger.unknown_code", code=code)
    if code in disabled_codes:
        raise DomainError("ledger.code_disabled", code=code)
    if quantity < 1:
        raise ValidationFailed([FieldError("quantity", "ledger.quantity_positive")])
    occurrence = prior_occurrences + 1
    step = rule.step(occurrence)
    fine = step.fine * quantity
    action = step.action
    compensation = Decimal(0)
    payer = Payer.PERSON
    shares: tuple[tuple[str, Decimal], ...] = ()
    params = rule.params
    if rule.money is MoneyRule.PURCHASE_PRICE:
        compensation = _require(amount, "amount")
    elif rule.money is MoneyRule.FINE_PLUS_LOSSES:
        compensation = Decimal(0) if amount is None else _require(amount, "amount")
    elif rule.money is MoneyRule.CALL_CHARGES:
        charges = _require(amount, "amount")
        if traceable:
            compensation = charges * params["multiplier"]
        else:
            compensation, payer = charges, Payer.TEAM_SPLIT
            shares = split_equally(charges, team_members)
    elif rule.money is MoneyRule.BASE_PAY:
        if serious:
            bonus_share = _require(month_bonus, "month_bonus") * params["serious_bonus_share"]
            fine = _require(month_pay, "month_pay") + bonus_share.quantize(CENT)
        else:
            fine = _require(day_pay, "day_pay")
    elif rule.money is MoneyRule.EARLY_LEAVE:
        fine, action = _early_leave(rule, action, minutes, day_pay)
    elif rule.money is MoneyRule.ABSENCE:
        if days < 1:
            raise ValidationFailed([FieldError("days", "ledger.quantity_positive")])
        fine = _require(day_pay, "day_pay") * params["pay_days_per_absence_day"] * days
        if days >= params["resigned_after_days"]:
            action = Action.DEEMED_RESIGNED
    if serious and rule.serious_action is not None:
        action = rule.serious_action
    return Assessment(code, occurrence, rule.team_points, fine, compensation, action, payer, shares)


def _early_leave(
    rule: ViolationRule, action: Action | None, minutes: int | None, day_pay: Decimal | int | None
) -> tuple[Decimal, Action | None]:
    """Leaving early: ≤10 min ¥5; over 30 min or the 3rd in a month = 1 day 旷工 (seed 003 X8#16)."""
    if minutes is None or minutes < 1:
        raise ValidationFailed([FieldError("minutes", "ledger.quantity_positive")])
    params = rule.params
    if action is Action.COUNTS_AS_ABSENCE or minutes > params["absence_minutes"]:
        return _require(day_pay, "day_pay") * params["pay_days_per_absence_day"], Action.COUNTS_AS_ABSENCE
    if minutes <= params["small_minutes"]:
        return params["small_fine"], None
    return Decimal(0), Action.SUPERVISOR_DECIDES


# --- Entries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    """One append-only ledger line; a reversal carries ``reverses`` and the negated amounts."""

    id: int
    person: str | None
    team: str
    code: str
    occurred_on: dt.date
    occurrence_no: int
    team_points: int
    fine: Decimal
    compensation: Decimal
    payer: Payer = Payer.PERSON
    action: Action | None = None
    status: EntryStatus = EntryStatus.PROPOSED
    reverses: int | None = None


COUNTED = frozenset({EntryStatus.CONFIRMED, EntryStatus.COLLECTED})
_TRANSITIONS = {
    EntryStatus.PROPOSED: {EntryStatus.CONFIRMED, EntryStatus.WAIVED},
    EntryStatus.CONFIRMED: {EntryStatus.COLLECTED, EntryStatus.WAIVED},
}


def transition(entry: LedgerEntry, target: EntryStatus, *, reversed_: bool = False) -> LedgerEntry:
    """Move an entry proposed→confirmed→collected|waived; a proposal may also be waived (SPEC 4.4; seed 004 D14).

    The manager proposes and the 总经理 confirms; the service checks the title.
    Reversal entries have no status of their own: they follow the entry they reverse.
    A reversed entry is settled: nothing can be collected or waived on it any more (T22).
    """
    if reversed_:
        raise DomainError("ledger.entry_reversed", id=entry.id)
    if entry.reverses is not None:
        raise DomainError("ledger.reversal_no_action", id=entry.id)
    if target not in _TRANSITIONS.get(entry.status, set()):
        raise DomainError("ledger.bad_transition", source=entry.status.value, target=target.value)
    return dataclasses.replace(entry, status=target)


REVERSED = "reversed"
REVERSAL = "reversal"


def shown_status(status: str, *, reverses: int | None, reversed_by: int | None) -> str:
    """The status people read: 已冲销 for a reversed entry, 冲销分录 for the reversing line itself (SPEC 4.4; T22).

    The stored status of a reversed entry stays what it was when it was reversed (the money
    history needs it), but a list must not show it as still confirmed and collectable.
    """
    if reverses is not None:
        return REVERSAL
    if reversed_by is not None:
        return REVERSED
    return status


def actions_open(status: str, *, reverses: int | None, reversed_by: int | None) -> tuple[str, ...]:
    """What may still be done to an entry from the list: collect a confirmed fine, reverse a counted one (T22)."""
    if reverses is not None or reversed_by is not None:
        return ()
    if status == EntryStatus.CONFIRMED.value:
        return ("collect", "reverse")
    if status == EntryStatus.COLLECTED.value:
        return ("reverse",)
    return ()


def reversal(entry: LedgerEntry, entries: Iterable[LedgerEntry], new_id: int) -> LedgerEntry:
    """A correction is a new entry cancelling ``entry``, never an edit (SPEC 4.4).

    Only a counted (confirmed or collected) entry can be reversed, once; a proposal is
    waived instead. The reversal keeps the original's date so period totals net out.
    """
    if entry.reverses is not None:
        raise DomainError("ledger.cannot_reverse_reversal")
    if entry.status not in COUNTED:
        raise DomainError("ledger.not_reversible", status=entry.status.value)
    if any(e.reverses == entry.id for e in entries):
        raise Conflict("ledger.already_reversed", id=entry.id)
    return dataclasses.replace(
        entry,
        id=new_id,
        team_points=-entry.team_points,
        fine=-entry.fine,
        compensation=-entry.compensation,
        status=EntryStatus.CONFIRMED,
        reverses=entry.id,
    )


def _effective_status(entry: LedgerEntry, by_id: Mapping[int, LedgerEntry]) -> EntryStatus | None:
    if entry.reverses is None:
        return entry.status
    target = by_id.get(entry.reverses)
    return None if target is None else target.status


def reversed_ids(entries: Iterable[LedgerEntry]) -> set[int]:
    """Ids of entries cancelled by a reversal."""
    return {e.reverses for e in entries if e.reverses is not None}


def prior_occurrences(
    entries: Iterable[LedgerEntry],
    person: str,
    code: str,
    on: dt.date,
    catalogue: Mapping[str, ViolationRule] = CATALOGUE,
) -> int:
    """The person's standing entries of ``code`` before the new one, in the code's window (SPEC 4.4; reading 20).

    Standing = not waived and not reversed; proposals count so two same-day
    proposals get occurrences 1 and 2. Window: lifetime, or the calendar month of
    ``on`` for AT1/AT2 (seed 003 X9#21 「当月内」, X8#16 「月累计」).
    """
    rows = list(entries)
    cancelled = reversed_ids(rows)
    monthly = catalogue[code].window is CountingWindow.MONTH
    return sum(
        1
        for e in rows
        if e.reverses is None
        and e.id not in cancelled
        and e.person == person
        and e.code == code
        and e.payer is Payer.PERSON
        and e.status is not EntryStatus.WAIVED
        and (not monthly or (e.occurred_on.year, e.occurred_on.month) == (on.year, on.month))
    )


@dataclass(frozen=True)
class Totals:
    """Sums of counted entries net of reversals."""

    team_points: int = 0
    fine: Decimal = Decimal(0)
    compensation: Decimal = Decimal(0)


def _counted(entries: Iterable[LedgerEntry], statuses: Collection[EntryStatus] = COUNTED) -> list[LedgerEntry]:
    rows = list(entries)
    by_id = {e.id: e for e in rows if e.reverses is None}
    return [e for e in rows if _effective_status(e, by_id) in statuses]


def totals(entries: Iterable[LedgerEntry]) -> Totals:
    """Confirmed and collected entries minus their reversals; proposals and waived entries count nothing (SPEC 4.4)."""
    rows = _counted(entries)
    return Totals(
        team_points=sum(e.team_points for e in rows),
        fine=sum((e.fine for e in rows), Decimal(0)),
        compensation=sum((e.compensation for e in rows), Decimal(0)),
    )


def by_team(entries: Iterable[LedgerEntry], month: dt.date | None = None) -> dict[str, Totals]:
    """Per-team totals, optionally of one calendar month (the 作风评比 period, seed 002 #1)."""
    rows = list(entries)
    if month is not None:
        rows = [e for e in rows if (e.occurred_on.year, e.occurred_on.month) == (month.year, month.month)]
    teams: dict[str, list[LedgerEntry]] = {}
    for e in rows:
        teams.setdefault(e.team, []).append(e)
    return {team: totals(team_rows) for team, team_rows in teams.items()}


@dataclass(frozen=True)
class FundTotal:
    """The department fund: fines collected by finance and fines confirmed but not yet collected."""

    collected: Decimal
    outstanding: Decimal

    @property
    def total(self) -> Decimal:
        return self.collected + self.outstanding


def fund_total(entries: Iterable[LedgerEntry]) -> FundTotal:
    """Fines go to the department fund, which finance collects and publishes (seed 001 D8)."""
    rows = list(entries)
    collected = _counted(rows, {EntryStatus.COLLECTED})
    outstanding = _counted(rows, {EntryStatus.CONFIRMED})
    return FundTotal(sum((e.fine for e in collected), Decimal(0)), sum((e.fine for e in outstanding), Decimal(0)))
