"""Formal reception applications: fields, approval states, meal caps, notice and feedback timers (SPEC §M2 2.5, seed 002).

「先报批、后接待」: an application moves DRAFT → SUBMITTED → DEPT_REVIEWED → APPROVED →
ITINERARY_CONFIRMED → HELD → FEEDBACK_FILED; a class-A itinerary is final only once the
chairman confirms it. Meal caps and notice periods only warn; the states refuse.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from lib.domain.errors import Conflict, DomainError, FieldError, NotAllowed, ValidationFailed
from lib.domain.settings import SettingDef
from lib.domain.workdays import nth_working_day

SETTINGS: list[SettingDef] = [
    SettingDef("reception.notice_with_leader", 3, "int", "days", "seed 002 #9 (reading 13)", minimum=0,
               maximum=366),
    SettingDef("reception.notice_other", 1, "int", "days", "seed 002 #7 (reading 13)", minimum=0, maximum=366),
    SettingDef("reception.feedback_due", 2, "int", "working days", "seed 002 #3", minimum=1, maximum=60),
    SettingDef("reception.meal_cap_a", 150, "int", "¥ per head", "seed 002 #17 (reading 15)", minimum=0,
               maximum=100000),
    SettingDef("reception.meal_cap_b", 130, "int", "¥ per head", "seed 002 #17 (reading 15)", minimum=0,
               maximum=100000),
    SettingDef("reception.meal_cap_c", 100, "int", "¥ per head", "seed 002 #17 (reading 15)", minimum=0,
               maximum=100000),
]


class ReceptionClass(enum.StrEnum):
    """Visitor classes of seed 002 #17 (reading 14): A highest, D suppliers."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class ReceptionState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    dept_reviewed = "dept_reviewed"
    approved = "approved"
    rejected = "rejected"
    itinerary_confirmed = "itinerary_confirmed"
    held = "held"
    feedback_filed = "feedback_filed"


class Action(enum.StrEnum):
    submit = "submit"
    dept_review = "dept_review"
    approve = "approve"
    reject = "reject"
    confirm_itinerary = "confirm_itinerary"
    hold = "hold"
    file_feedback = "file_feedback"


class Venue(enum.StrEnum):
    canteen = "canteen"
    outside = "outside"


_TRANSITIONS: dict[Action, tuple[frozenset[ReceptionState], ReceptionState]] = {
    Action.submit: (frozenset({ReceptionState.draft}), ReceptionState.submitted),
    Action.dept_review: (frozenset({ReceptionState.submitted}), ReceptionState.dept_reviewed),
    Action.approve: (frozenset({ReceptionState.dept_reviewed}), ReceptionState.approved),
    Action.reject: (frozenset({ReceptionState.submitted, ReceptionState.dept_reviewed}), ReceptionState.rejected),
    Action.confirm_itinerary: (frozenset({ReceptionState.approved}), ReceptionState.itinerary_confirmed),
    Action.hold: (frozenset({ReceptionState.itinerary_confirmed}), ReceptionState.held),
    Action.file_feedback: (frozenset({ReceptionState.held}), ReceptionState.feedback_filed),
}

GUEST_COUNT_MAX = 1000  # (assumed) more guests than any reception the seeds describe; keeps INTEGER safe
# (assumed) dates the office calendar can count working days in; year 9999 overflowed the feedback due date
DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))

_BEFORE_APPROVAL = frozenset(
    {ReceptionState.draft, ReceptionState.submitted, ReceptionState.dept_reviewed, ReceptionState.rejected}
)


@dataclass(frozen=True)
class ReceptionSettings:
    """Reception notice, feedback and meal-cap settings (SPEC M2 settings table)."""

    notice_with_leader_days: int = 3
    notice_other_days: int = 1
    feedback_due_working_days: int = 2
    meal_caps: Mapping[ReceptionClass, int] = field(
        default_factory=lambda: {ReceptionClass.A: 150, ReceptionClass.B: 130, ReceptionClass.C: 100}
    )

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> ReceptionSettings:
        """Build from setting values keyed as in ``SETTINGS``; missing keys keep the default."""
        d = cls()
        caps = {c: int(values.get(f"reception.meal_cap_{c.lower()}", cap)) for c, cap in d.meal_caps.items()}
        return cls(
            notice_with_leader_days=int(values.get("reception.notice_with_leader", d.notice_with_leader_days)),
            notice_other_days=int(values.get("reception.notice_other", d.notice_other_days)),
            feedback_due_working_days=int(values.get("reception.feedback_due", d.feedback_due_working_days)),
            meal_caps=caps,
        )


@dataclass(frozen=True)
class ReceptionApplication:
    """《客户接待申请表》 (seed 002 #3) with the #9 title and stay dates; 级别 is the class."""

    guest_count: int | None
    reception_class: ReceptionClass | None
    starts_on: dt.date | None
    reason: str
    host: str
    ends_on: dt.date | None = None
    requirements: str = ""
    guest_title: str = ""
    needs_leader: bool = False


@dataclass(frozen=True)
class Meal:
    venue: Venue
    diners: int
    cost: Decimal | int | str
    paid_by_guest: bool = False


@dataclass(frozen=True)
class Flag:
    """A warning to show, not a refusal; ``index`` points at the meal line when there is one."""

    key: str
    params: dict = field(default_factory=dict)
    index: int | None = None


def validate_application(app: ReceptionApplication) -> None:
    """来宾人数, 级别, 接待时间, 接待事由, 接待负责人 are required (seed 002 #3); 要求建议 is optional."""
    errors: list[FieldError] = []
    if not isinstance(app.guest_count, int) or isinstance(app.guest_count, bool) or app.guest_count < 1:
        errors.append(FieldError("guest_count", "reception.guest_count_required"))
    elif app.guest_count > GUEST_COUNT_MAX:
        errors.append(FieldError("guest_count", "reception.guest_count_range", {"max": GUEST_COUNT_MAX}))
    if app.reception_class is None:
        errors.append(FieldError("reception_class", "reception.field_required"))
    if app.starts_on is None:
        errors.append(FieldError("starts_on", "reception.field_required"))
    elif not all(DATE_RANGE[0] <= day <= DATE_RANGE[1] for day in (app.starts_on, app.ends_on) if day is not None):
        errors.append(FieldError("ends_on" if DATE_RANGE[0] <= app.starts_on <= DATE_RANGE[1] else "starts_on",
                                 "reception.date_out_of_range",
                                 {"first": DATE_RANGE[0].isoformat(), "last": DATE_RANGE[1].isoformat()}))
    elif app.ends_on is not None and app.ends_on < app.starts_on:
        errors.append(FieldError("ends_on", "reception.ends_before_start"))
    for name in ("reason", "host"):
        if not getattr(app, name).strip():
            errors.append(FieldError(name, "reception.field_required"))
    if errors:
        raise ValidationFailed(errors)


def advance(
    state: ReceptionState,
    action: Action,
    *,
    reception_class: ReceptionClass,
    chairman_confirmed: bool = False,
) -> ReceptionState:
    """The next state, or a refusal: 先报批后接待 (seed 002 #7); class A needs the chairman (seed 002 #3).

    Reading: a reception is held only after its itinerary is confirmed, as the SPEC's
    state order says; a rejected application stays rejected (a new one is drafted).
    """
    allowed_from, target = _TRANSITIONS[action]
    if action == Action.hold and state in _BEFORE_APPROVAL:
        raise NotAllowed("reception.hold_before_approval")
    if action == Action.hold and state == ReceptionState.approved:
        raise NotAllowed("reception.itinerary_not_confirmed")
    if state not in allowed_from:
        raise Conflict("reception.invalid_transition", state=str(state), action=str(action))
    if action == Action.confirm_itinerary and reception_class == ReceptionClass.A and not chairman_confirmed:
        raise NotAllowed("reception.chairman_confirmation_required")
    return target


def _money(value: Decimal | int | str) -> Decimal:
    return Decimal(str(value))


def meal_flags(
    reception_class: ReceptionClass, meals: Sequence[Meal], settings: ReceptionSettings = ReceptionSettings()
) -> list[Flag]:
    """Company-paid meals over the class's cap per head, tobacco and liquor excluded (seed 002 #17; SPEC S32).

    Readings: the cap is the top of the seed's range and is inclusive (readings 15, 26);
    class D is guest-paid or at the staff-meal rate, so a company-paid meal outside the
    canteen is flagged; meals the guest pays are not checked.
    """
    flags: list[Flag] = []
    for index, meal in enumerate(meals):
        if meal.diners < 1:
            raise DomainError("reception.meal_diners_invalid", index=index + 1)
        if meal.paid_by_guest:
            continue
        if reception_class == ReceptionClass.D:
            if meal.venue == Venue.outside:
                flags.append(Flag("reception.meal_d_guest_pays", {}, index))
            continue
        cap = Decimal(settings.meal_caps[reception_class])
        per_head = (_money(meal.cost) / meal.diners).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if per_head > cap:
            flags.append(
                Flag("reception.meal_over_cap", {"per_head": f"{per_head:.2f}", "cap": f"{cap:.0f}",
                                                 "reception_class": str(reception_class)}, index)
            )
    return flags


def meal_approver_titles(meal: Meal) -> tuple[str, ...]:
    """A canteen meal is signed by a 副总 or above; a meal outside by the 总经理 (seed 002 #7)."""
    return ("副总", "总经理") if meal.venue == Venue.canteen else ("总经理",)


def feedback_due(
    end_day: dt.date,
    settings: ReceptionSettings = ReceptionSettings(),
    extra_holidays: frozenset[dt.date] = frozenset(),
) -> dt.date:
    """Feedback is due by the 2nd working day after the reception ends (seed 002 #3; reading 18)."""
    return nth_working_day(end_day, settings.feedback_due_working_days, extra_holidays)


def feedback_overdue(
    end_day: dt.date,
    filed: bool,
    today: dt.date,
    settings: ReceptionSettings = ReceptionSettings(),
    extra_holidays: frozenset[dt.date] = frozenset(),
) -> bool:
    """Unfiled feedback is overdue from the day after it was due (seed 002 #3; SPEC S33)."""
    return not filed and today > feedback_due(end_day, settings, extra_holidays)


def notice_warnings(
    submitted_on: dt.date,
    starts_on: dt.date,
    needs_leader: bool,
    settings: ReceptionSettings = ReceptionSettings(),
) -> list[Flag]:
    """Warn when notice is shorter than 3 days with a leader, else 1 (seed 002 #9, #7; reading 13, warning only)."""
    required = settings.notice_with_leader_days if needs_leader else settings.notice_other_days
    given = (starts_on - submitted_on).days
    if given < required:
        return [Flag("reception.short_notice", {"required": required, "given": max(given, 0)})]
    return []
