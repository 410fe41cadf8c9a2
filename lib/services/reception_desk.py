"""Formal reception applications (SPEC M2.5, seed 002 #3, #7, #9, #17).

「先报批、后接待」: each step is an append-only ``reception_step`` row with ``UNIQUE
(application_id, seq)``; the writer reads the application's ``seq``, lets the domain decide
the next state and inserts ``seq + 1`` while moving the application only ``WHERE seq = old``,
so two people pressing the same step at once give one step. Meal caps and short notice are
flags shown with the application, not refusals (reading 13, 15).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import ReceptionApplicationRecord, ReceptionMeal, ReceptionStep
from lib.domain import reception as rules
from lib.domain.errors import Conflict, DomainError, FieldError, NotAllowed, ValidationFailed
from lib.domain.reception import Action, ReceptionClass, ReceptionState
from lib.domain.text import optional_text
from lib.services import settings
from lib.services.limits import column_max
from lib.services.base import SUPERVISORS, WRITERS, Actor, acting, audit, require, utcnow
from lib.services.showroom.write import names_of, renamed

LIST_LIMIT = 500
REPORT_MAX_DAYS = 92
CHAIRMAN_TITLE = "董事长"
# Who acts at each step (seed 002 #3: 部门负责人 reviews, the 销售部负责人 / leadership approves; #9: GM).
STEP_TITLES = {
    Action.dept_review: ("部门经理", "部门主管", "部门负责人"),
    Action.approve: ("总经理", "副总", "销售部负责人"),
}
REJECT_TITLES = STEP_TITLES[Action.dept_review] + STEP_TITLES[Action.approve]
FIELD_NAMES = {"guest_count": "reception_guest_count", "reception_class": "reception_class",
               "starts_on": "reception_starts_on", "ends_on": "reception_ends_on", "reason": "reception_reason",
               "host": "reception_host"}


@dataclass(frozen=True)
class MealForm:
    venue: str
    diners: int
    cost: str | int | Decimal
    paid_by_guest: bool = False


@dataclass(frozen=True)
class ReceptionForm:
    guest_count: int | None
    reception_class: str | None
    starts_on: dt.date | None
    reason: str
    host: str
    ends_on: dt.date | None = None
    requirements: str = ""
    guest_title: str = ""
    needs_leader: bool = False
    meals: tuple[MealForm, ...] = ()


@dataclass(frozen=True)
class FlagRow:
    key: str
    params: dict


@dataclass(frozen=True)
class ApplicationRow:
    id: int
    reception_class: str
    guest_count: int
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    host: str
    guest_title: str
    state: str
    seq: int
    chairman_confirmed: bool
    feedback_due: dt.date | None
    feedback_overdue: bool
    meals: int
    flags: tuple[FlagRow, ...]
    created_by_id: int | None
    actions: tuple[str, ...]
    needs_chairman: bool


def _settings(session: Session) -> rules.ReceptionSettings:
    return rules.ReceptionSettings.from_values(settings.current_values(session, [s.key for s in rules.SETTINGS]))


def _holidays(session: Session) -> frozenset[dt.date]:
    values = settings.get(session, "holidays") or []
    found = set()
    for value in values:
        try:
            found.add(dt.date.fromisoformat(str(value)))
        except ValueError:
            continue
    return frozenset(found)


COST_MAX = Decimal(1_000_000)


def _meals(form: ReceptionForm) -> list[rules.Meal]:
    meals, errors = [], []
    for index, meal in enumerate(form.meals, start=1):
        try:
            cost = Decimal(str(meal.cost))
            diners = int(meal.diners)
        except (InvalidOperation, TypeError, ValueError, OverflowError):
            cost = diners = None
        # NaN, a cost over the NUMERIC(12, 2) column or a diner count over the guest limit: refused (R15)
        if meal.venue not in set(rules.Venue) or cost is None or not cost.is_finite() or not 0 <= cost <= COST_MAX \
                or not 1 <= diners <= rules.GUEST_COUNT_MAX:
            errors.append(FieldError("reception_meals", "reception.meal_invalid", {"index": index}))
            continue
        meals.append(rules.Meal(rules.Venue(meal.venue), diners, cost, bool(meal.paid_by_guest)))
    if errors:
        raise ValidationFailed(errors)
    return meals


@acting
def create_application(engine: Engine, *, actor: Actor, form: ReceptionForm,
                       now: dt.datetime | None = None) -> tuple[int, list[FlagRow]]:
    """Draft a 《客户接待申请表》 (seed 002 #3 required fields); returns its id and the warnings (S32)."""
    require(actor, WRITERS)
    try:
        klass = ReceptionClass(form.reception_class) if form.reception_class else None
    except ValueError:
        klass = None
    errors: list[FieldError] = []
    typed = {name: optional_text(f"reception_{name}", getattr(form, name), column_max(f"reception_application.{name}"),
                                 errors) for name in ("reason", "host", "requirements", "guest_title")}
    if errors:
        raise ValidationFailed(errors)
    application = rules.ReceptionApplication(
        guest_count=form.guest_count, reception_class=klass, starts_on=form.starts_on, reason=typed["reason"],
        host=typed["host"], ends_on=form.ends_on, requirements=typed["requirements"],
        guest_title=typed["guest_title"], needs_leader=bool(form.needs_leader))
    try:
        rules.validate_application(application)
    except ValidationFailed as exc:
        raise renamed(exc, FIELD_NAMES) from None
    meals = _meals(form)
    now = now or utcnow()
    with session_scope(engine) as session:
        config = _settings(session)
        try:
            flags = rules.meal_flags(klass, meals, config)
        except DomainError as exc:
            raise ValidationFailed([FieldError("reception_meals", exc.key, dict(exc.params))]) from None
        ends_on = application.ends_on or application.starts_on
        row = ReceptionApplicationRecord(
            guest_count=application.guest_count, reception_class=klass.value, starts_on=application.starts_on,
            ends_on=ends_on, reason=application.reason, host=application.host,
            requirements=application.requirements, guest_title=application.guest_title,
            needs_leader=application.needs_leader, state=ReceptionState.draft.value, seq=0,
            feedback_due=rules.feedback_due(ends_on, config, _holidays(session)), created_by_id=actor.id,
            created_at=now)
        session.add(row)
        session.flush()
        for meal in meals:
            session.add(ReceptionMeal(application_id=row.id, venue=meal.venue.value, diners=meal.diners,
                                      cost=Decimal(str(meal.cost)), paid_by_guest=meal.paid_by_guest))
        audit(session, actor=actor, entity="reception", entity_id=row.id, action="create", at=now,
              after={"class": klass.value, "guests": row.guest_count, "starts_on": row.starts_on.isoformat(),
                     "meals": len(meals), "flags": [f.key for f in flags]})
        return row.id, [FlagRow(f.key, dict(f.params)) for f in flags]


def _check_actor(actor: Actor, action: Action, row: ReceptionApplicationRecord, meals: list[rules.Meal]) -> str:
    """The title the actor acts with; steps without a title are the applicant's or a supervisor's."""
    if action in STEP_TITLES or action == Action.reject:
        titles = REJECT_TITLES if action == Action.reject else STEP_TITLES[action]
        held = next((t for t in titles if actor.has_title(t)), None)
        if held is None:
            raise NotAllowed("reception.step_needs_title", titles="、".join(titles))
        if action == Action.approve:
            for meal in meals:
                needed = rules.meal_approver_titles(meal)
                if not any(actor.has_title(t) for t in needed):
                    raise NotAllowed("reception.meal_needs_approver", titles="、".join(needed))
        return held
    if actor.role not in SUPERVISORS and actor.id != row.created_by_id:
        raise NotAllowed("reception.own_applications_only")
    return ""


@acting
def advance(engine: Engine, *, actor: Actor, application_id: int, action: str, note: str = "",
            seen_seq: int | None = None, now: dt.datetime | None = None) -> str:
    """Move an application one step (seed 002 #3, #7); class A needs the chairman's confirmation (S33)."""
    require(actor, WRITERS)
    step = Action(action)
    errors: list[FieldError] = []
    # the note is kept on the step and in the audit too, so the step's column is its limit (feedback included)
    note = optional_text("reception_feedback" if step == Action.file_feedback else "reception_note", note,
                         column_max("reception_step.note"), errors)
    if errors:
        raise ValidationFailed(errors)
    if step == Action.file_feedback and not note:
        raise ValidationFailed([FieldError("reception_feedback", "field.required")])
    if step == Action.reject and not note:
        raise ValidationFailed([FieldError("reception_note", "field.required")])
    now = now or utcnow()
    try:
        with session_scope(engine) as session:
            row = session.get(ReceptionApplicationRecord, application_id)
            if row is None:
                raise DomainError("reception.not_found")
            if seen_seq is not None and seen_seq != row.seq:
                raise Conflict("reception.changed")
            meals = [rules.Meal(rules.Venue(m.venue), m.diners, m.cost, m.paid_by_guest) for m in session.exec(
                select(ReceptionMeal).where(ReceptionMeal.application_id == application_id)).all()]
            title = _check_actor(actor, step, row, meals)
            target = rules.advance(ReceptionState(row.state), step, reception_class=ReceptionClass(row.reception_class),
                                   chairman_confirmed=row.chairman_confirmed_at is not None)
            values = {"state": target.value, "seq": row.seq + 1}
            if step == Action.submit:
                values["submitted_on"] = now.astimezone(settings.office_zone(session)).date()
            if step == Action.file_feedback:
                values["feedback"] = note
            _move(session, row, values)
            session.add(ReceptionStep(application_id=application_id, seq=row.seq + 1, action=step.value,
                                      from_state=row.state, to_state=target.value, by_id=actor.id, title=title,
                                      note=note, at=now))
            session.flush()
            audit(session, actor=actor, entity="reception", entity_id=application_id, action=step.value, at=now,
                  before={"state": row.state}, after={"state": target.value, "title": title}, reason=note)
            return target.value
    except IntegrityError:
        raise Conflict("reception.changed") from None


def _move(session: Session, row: ReceptionApplicationRecord, values: dict) -> None:
    result = session.execute(update(ReceptionApplicationRecord).where(
        ReceptionApplicationRecord.id == row.id, ReceptionApplicationRecord.seq == row.seq).values(**values))
    if result.rowcount != 1:
        raise Conflict("reception.changed")


@acting
def chairman_confirm(engine: Engine, *, actor: Actor, application_id: int, now: dt.datetime | None = None) -> None:
    """The 董事长 confirms a class-A itinerary (「A类客户《商务考察行程安排表》需提交董事长确认」, seed 002 #3)."""
    require(actor, WRITERS)
    if not actor.has_title(CHAIRMAN_TITLE):
        raise NotAllowed("reception.step_needs_title", titles=CHAIRMAN_TITLE)
    now = now or utcnow()
    with session_scope(engine) as session:
        row = session.get(ReceptionApplicationRecord, application_id)
        if row is None:
            raise DomainError("reception.not_found")
        if row.reception_class != ReceptionClass.A.value or row.state != ReceptionState.approved.value:
            raise DomainError("reception.chairman_not_needed")
        result = session.execute(update(ReceptionApplicationRecord).where(
            ReceptionApplicationRecord.id == application_id,
            ReceptionApplicationRecord.chairman_confirmed_at.is_(None)).values(
            chairman_confirmed_at=now, chairman_confirmed_by_id=actor.id))
        if result.rowcount != 1:
            raise Conflict("reception.already_confirmed")
        audit(session, actor=actor, entity="reception", entity_id=application_id, action="chairman_confirm", at=now,
              after={"chairman_confirmed_at": now.isoformat()})


def applications(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date,
                 now: dt.datetime | None = None) -> list[ApplicationRow]:
    """Receptions starting in a date range, plus every held one whose feedback is still due (S33)."""
    require(actor, WRITERS)
    if last < first:
        raise DomainError("search.bad_range")
    if (last - first).days + 1 > REPORT_MAX_DAYS:
        raise DomainError("search.range_too_long", days=REPORT_MAX_DAYS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        config = _settings(session)
        holidays = _holidays(session)
        today = now.astimezone(settings.office_zone(session)).date()
        in_range = session.exec(select(ReceptionApplicationRecord).where(
            ReceptionApplicationRecord.starts_on >= first, ReceptionApplicationRecord.starts_on <= last)
            .order_by(ReceptionApplicationRecord.starts_on).limit(LIST_LIMIT)).all()
        awaiting = session.exec(select(ReceptionApplicationRecord).where(
            ReceptionApplicationRecord.state == ReceptionState.held.value)
            .order_by(ReceptionApplicationRecord.feedback_due).limit(LIST_LIMIT)).all()
        rows = list({r.id: r for r in [*awaiting, *in_range]}.values())
        meals: dict[int, list[rules.Meal]] = {}
        if rows:
            for m in session.exec(select(ReceptionMeal).where(ReceptionMeal.application_id.in_([r.id for r in rows]))):
                meals.setdefault(m.application_id, []).append(
                    rules.Meal(rules.Venue(m.venue), m.diners, m.cost, m.paid_by_guest))
    result = []
    for r in rows:
        klass = ReceptionClass(r.reception_class)
        flags = rules.meal_flags(klass, meals.get(r.id, []), config)
        if r.submitted_on is not None:
            flags += rules.notice_warnings(r.submitted_on, r.starts_on, r.needs_leader, config)
        overdue = r.state == ReceptionState.held.value and rules.feedback_overdue(r.ends_on, False, today, config,
                                                                                   holidays)
        result.append(ApplicationRow(
            id=r.id, reception_class=r.reception_class, guest_count=r.guest_count, starts_on=r.starts_on,
            ends_on=r.ends_on, reason=r.reason, host=r.host, guest_title=r.guest_title, state=r.state, seq=r.seq,
            chairman_confirmed=r.chairman_confirmed_at is not None, feedback_due=r.feedback_due,
            feedback_overdue=overdue, meals=len(meals.get(r.id, [])),
            flags=tuple(FlagRow(f.key, dict(f.params)) for f in flags), created_by_id=r.created_by_id,
            actions=next_actions(ReceptionState(r.state), klass),
            needs_chairman=klass == ReceptionClass.A and r.state == ReceptionState.approved.value
            and r.chairman_confirmed_at is None))
    return result


def next_actions(state: ReceptionState, klass: ReceptionClass) -> tuple[str, ...]:
    """The steps the domain allows from ``state`` (the chairman's confirmation assumed given)."""
    allowed = []
    for action in Action:
        try:
            rules.advance(state, action, reception_class=klass, chairman_confirmed=True)
        except DomainError:
            continue
        allowed.append(action.value)
    return tuple(allowed)


def steps(engine: Engine, *, actor: Actor, application_id: int) -> list[tuple[dt.datetime, str, str, str, str]]:
    """The approval chain so far: when, which step, who, with which title, the note."""
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(ReceptionStep).where(ReceptionStep.application_id == application_id)
                            .order_by(ReceptionStep.seq)).all()
        names = names_of(session, {r.by_id for r in rows})
    return [(r.at, r.action, names.get(r.by_id, ""), r.title, r.note) for r in rows]
