"""KPIs and rankings (SPEC M4 4.1–4.3): monthly sales and demotions, the quarterly CS ranking,
satisfaction KPIs.

Demotions: the ranking triggers them (domain replay over a bounded look-back, so a
month's page never reads years of history); the manager confirms or waives each with a
reason (one decision per consultant and month, UNIQUE). A confirmed demotion is then
handed to the queue through the rotation module's ``set_demotion``, which the queue
honours (S8, S47).

Quarters: computed live from their inputs until a supervisor publishes them; a
published quarter is stored with the weights and tiers it used and never changes
(UNIQUE ``(year, quarter)``; the database refuses UPDATE and DELETE, migration 0006).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import (
    DemotionDecision,
    MonthlySales,
    QuarterPublication,
    QuarterResult,
)
from lib.domain import kpi as rules
from lib.domain.errors import Conflict, DomainError, FieldError, ValidationFailed
from lib.domain.kpi import KpiSettings, SatisfactionKpis, add_months, month_start
from lib.domain.text import optional_text
from lib.i18n import translate
from lib.services import people, rotation, settings
from lib.services.kpi import sources as kpi_sources
from lib.services.base import SUPERVISORS, WRITERS, Actor, acting, audit, require, utcnow
from lib.services.limits import column_max
from lib.services.kpi.common import (
    Person,
    active_people,
    kpi_settings,
    names,
    office_today,
    quarter_bounds,
    unique_errors,
)
from lib.services.ledger import (
    FundView,
    TeamRank,
    fund_view,
    person_points,
    team_ranking_in,
)

MAX_UNITS = 10_000
# A month's demotions replay this many months before it: longer than any trigger window
# plus a demotion, so older history cannot change the result.
LOOKBACK_MONTHS = 12
PENDING, CONFIRMED, WAIVED = "pending", "confirmed", "waived"


# ---- monthly sales ----------------------------------------------------------------------------------------

def consultants_in(session: Session) -> list[Person]:
    """People ranked in sales: active holders of the consultant titles, 销售顾问 / 实习销售顾问 by default
    (seed 000 D1 「全体销售顾问」; the setting ``people.consultant_titles`` the queue uses too, T13)."""
    titles = set(people.allowed_titles(session, "consultant"))
    return [p for p in active_people(session) if set(p.titles) & titles]


def consultants(engine: Engine) -> list[Person]:
    with session_scope(engine, write=False) as session:
        return consultants_in(session)


def check_month(session: Session, month: dt.date | None, field_name: str, errors: list[FieldError],
                now: dt.datetime | None = None) -> dt.date | None:
    if month is None:
        errors.append(FieldError(field_name, "field.required"))
        return None
    month = month_start(month)
    if month > month_start(office_today(session, now)):
        errors.append(FieldError(field_name, "kpi.month_in_future"))
        return None
    return month


def check_units(value: object, field_name: str, errors: list[FieldError]) -> int | None:
    if isinstance(value, bool):
        errors.append(FieldError(field_name, "kpi.bad_units", {"max": MAX_UNITS}))
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 <= value <= MAX_UNITS:
        errors.append(FieldError(field_name, "kpi.bad_units", {"max": MAX_UNITS}))
        return None
    return value


def write_units(session: Session, *, actor: Actor, figures: Mapping[tuple[dt.date, int], int], source: str,
                now: dt.datetime) -> int:
    """Insert or correct monthly figures; one audit row per month with before and after. Returns rows changed."""
    months = sorted({m for m, _ in figures})
    existing = {(r.month, r.consultant_id): r for r in session.exec(
        select(MonthlySales).where(MonthlySales.month.in_(months)))}
    changed = 0
    for month in months:
        before, after = {}, {}
        for (m, consultant_id), units in sorted(figures.items()):
            if m != month:
                continue
            row = existing.get((m, consultant_id))
            if row is not None and row.units == units:
                continue
            before[str(consultant_id)] = row.units if row is not None else None
            after[str(consultant_id)] = units
            if row is None:
                row = MonthlySales(month=m, consultant_id=consultant_id, units=units)
            row.units, row.source, row.entered_by_id, row.entered_at = units, source, actor.id, now
            session.add(row)
            changed += 1
        if after:
            audit(session, actor=actor, entity="kpi_monthly_sales", entity_id=month.isoformat(), action=source,
                  before=before, after=after, at=now)
    session.flush()
    return changed


@acting
def save_sales(engine: Engine, *, actor: Actor, month: dt.date | None, units: Mapping[int, object],
               now: dt.datetime | None = None) -> int:
    """The manager enters a month's units per consultant; blank figures are left out (seed 000 D1)."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    errors: list[FieldError] = []
    try:
        with session_scope(engine) as session:
            month = check_month(session, month, "kpi_month", errors, now)
            known = {p.id for p in active_people(session)}
            figures = {}
            for consultant_id, value in units.items():
                if value is None or value == "":
                    continue
                if consultant_id not in known:
                    errors.append(FieldError("kpi_consultant", "field.bad_choice"))
                    continue
                checked = check_units(value, "kpi_units", errors)
                if checked is not None and month is not None:
                    figures[(month, consultant_id)] = checked
            if not errors and not figures:
                errors.append(FieldError("kpi_units", "kpi.no_figures"))
            if errors:
                raise ValidationFailed(unique_errors(errors))
            return write_units(session, actor=actor, figures=figures, source="manual", now=now)
    except IntegrityError as exc:
        raise Conflict("kpi.sales_changed") from exc


# ---- ranking and demotions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SalesRow:
    consultant_id: int
    name: str
    units: int
    rank: int | None
    is_last: bool
    demoted: bool


@dataclass(frozen=True)
class Candidate:
    """A demotion the ranking triggered, with the manager's decision and whether the queue honours it."""

    consultant_id: int
    name: str
    trigger_month: dt.date
    start: dt.date
    end: dt.date
    rule: str
    last_months: tuple[dt.date, ...]
    decision: str
    reason: str
    decided_by: str
    in_queue: bool | None


@dataclass(frozen=True)
class SalesMonth:
    month: dt.date
    rows: tuple[SalesRow, ...]
    candidates: tuple[Candidate, ...]
    missing: tuple[str, ...]


@dataclass
class _History:
    sales: dict[dt.date, dict[int, int]] = field(default_factory=dict)
    decisions: dict[tuple[int, dt.date], DemotionDecision] = field(default_factory=dict)

    @property
    def waived(self) -> set[tuple[int, dt.date]]:
        return {(d.consultant_id, d.start_day) for d in self.decisions.values() if d.decision == WAIVED}


def _history(session: Session, month: dt.date) -> _History:
    """Sales and decisions of the look-back window ending with ``month`` (the month index, not history)."""
    first = add_months(month, -LOOKBACK_MONTHS)
    history = _History()
    for m, consultant_id, units in session.exec(select(MonthlySales.month, MonthlySales.consultant_id,
                                                       MonthlySales.units)
                                                .where(MonthlySales.month >= first, MonthlySales.month <= month)):
        history.sales.setdefault(m, {})[consultant_id] = units
    for d in session.exec(select(DemotionDecision).where(DemotionDecision.trigger_month >= first,
                                                          DemotionDecision.trigger_month <= month)):
        history.decisions[(d.consultant_id, d.trigger_month)] = d
    return history


def _serving(history: _History, month: dt.date, settings_: KpiSettings) -> set[int]:
    """Consultants the replay has serving a demotion during ``month`` (not ranked then, seed note 000 §5.6)."""
    serving, waived = set(), history.waived
    for earlier in sorted(m for m in history.sales if m < month):
        for d in rules.demotions(history.sales, earlier, settings_, waived):
            if d.start <= month <= d.end and (d.consultant, d.start) not in waived:
                serving.add(d.consultant)
    return serving


def _triggered(history: _History, month: dt.date, settings_: KpiSettings) -> list[rules.Demotion]:
    return rules.demotions(history.sales, month, settings_, history.waived)


def _sales_month(session: Session, month: dt.date) -> tuple[SalesMonth, list[rules.Demotion]]:
    settings_ = kpi_settings(session)
    history = _history(session, month)
    figures = history.sales.get(month, {})
    serving = _serving(history, month, settings_)
    ranked = rules.sales_ranking({p: u for p, u in figures.items() if p not in serving})
    triggered = _triggered(history, month, settings_)
    who = names(session, list(figures) + [d.consultant for d in triggered]
                + [d.decided_by_id for d in history.decisions.values()])
    rows = [SalesRow(r.consultant, who.get(r.consultant, ""), r.units, r.rank, r.is_last, False) for r in ranked]
    rows += [SalesRow(p, who.get(p, ""), figures[p], None, False, True)
             for p in sorted(serving & set(figures), key=lambda p: who.get(p, ""))]
    candidates = []
    for d in triggered:
        decision = history.decisions.get((d.consultant, month))
        candidates.append(Candidate(
            consultant_id=d.consultant, name=who.get(d.consultant, ""), trigger_month=month, start=d.start,
            end=d.end, rule=d.reason.value, last_months=d.last_months,
            decision=decision.decision if decision else PENDING, reason=decision.reason if decision else "",
            decided_by=who.get(decision.decided_by_id, "") if decision else "", in_queue=None))
    missing = tuple(p.name for p in consultants_in(session) if p.id not in figures)
    return SalesMonth(month, tuple(rows), tuple(candidates), missing), triggered


def sales_month(engine: Engine, *, actor: Actor, month: dt.date) -> SalesMonth:
    """A month's ranking (ties share a rank, everyone tied for fewest is last) and the demotions it triggers (S47).

    Consultants serving a demotion that month are listed unranked. Each confirmed
    demotion says whether the queue holds it.
    """
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        view, triggered = _sales_month(session, month_start(month))
    queue = _queue_demotions(engine, actor, triggered)
    candidates = tuple(dataclasses.replace(c, in_queue=(c.consultant_id, c.start) in queue)
                       if c.decision == CONFIRMED else c for c in view.candidates)
    return dataclasses.replace(view, candidates=candidates)


def _queue_demotions(engine: Engine, actor: Actor, triggered: list[rules.Demotion]) -> set[tuple[int, dt.date]]:
    """Which triggered demotions the queue already holds (read through the rotation module)."""
    if not triggered:
        return set()
    held = set()
    for start in {d.start for d in triggered}:
        for row in rotation.demotions(engine, actor=actor, around=start):
            if row.month_start <= start <= row.end_day:
                held.add((row.consultant_id, start))
    return held


@dataclass(frozen=True)
class DecisionResult:
    decision: str
    queue_error: DomainError | None = None


@acting
def decide_demotion(engine: Engine, *, actor: Actor, consultant_id: int, trigger_month: dt.date, confirm: bool,
                    reason: str, now: dt.datetime | None = None) -> DecisionResult:
    """The manager confirms or waives a triggered demotion, with a reason; once (seed 000 D1, S47).

    A confirmed demotion is then given to the queue; if that fails the decision
    stands and ``queue_error`` says why (the page offers to try again).
    """
    require(actor, SUPERVISORS)
    now = now or utcnow()
    errors: list[FieldError] = []
    reason = optional_text("kpi_reason", reason, 500, errors)
    if not reason:
        errors.append(FieldError("kpi_reason", "field.required"))
    if errors:
        raise ValidationFailed(errors)
    trigger_month = month_start(trigger_month)
    decision = CONFIRMED if confirm else WAIVED
    try:
        with session_scope(engine) as session:
            history = _history(session, trigger_month)
            found = next((d for d in _triggered(history, trigger_month, kpi_settings(session))
                          if d.consultant == consultant_id), None)
            if found is None:
                raise Conflict("kpi.demotion_not_triggered")
            if (consultant_id, trigger_month) in history.decisions:
                raise Conflict("kpi.demotion_decided")
            if confirm:
                _check_queue_reason(actor, found.reason.value, [m.isoformat() for m in found.last_months], reason)
            row = DemotionDecision(consultant_id=consultant_id, trigger_month=trigger_month, start_day=found.start,
                                   end_day=found.end, rule=found.reason.value,
                                   last_months=[m.isoformat() for m in found.last_months], decision=decision,
                                   reason=reason, decided_by_id=actor.id, decided_at=now)
            session.add(row)
            session.flush()
            audit(session, actor=actor, entity="kpi_demotion", entity_id=row.id, action=decision, reason=reason,
                  after={"consultant_id": consultant_id, "start": found.start.isoformat(),
                         "end": found.end.isoformat(), "rule": found.reason.value}, at=now)
    except IntegrityError as exc:
        raise Conflict("kpi.demotion_decided") from exc
    if not confirm:
        return DecisionResult(decision)
    try:
        apply_to_queue(engine, actor=actor, consultant_id=consultant_id, trigger_month=trigger_month, now=now)
    except DomainError as exc:
        return DecisionResult(decision, exc)
    return DecisionResult(decision)


def _queue_text(actor: Actor, rule: str, last_months: list[str], reason: str) -> str:
    return translate("kpi.demotion_queue_reason", actor.lang, rule=translate(f"kpi.demotion_reason.{rule}", actor.lang),
                     months="、".join(m[:7] for m in last_months), reason=reason)


def _check_queue_reason(actor: Actor, rule: str, last_months: list[str], reason: str) -> str:
    """The queue's demotion reason (the rule, its months and the manager's reason), refused with the room left
    for the manager's reason when it would not fit the queue's column: never cut (issue 12 R4)."""
    text = _queue_text(actor, rule, last_months, reason)
    limit = column_max("queue_demotion.reason")
    if len(text) > limit:
        room = max(limit - (len(text) - len(reason)), 0)
        raise ValidationFailed([FieldError("kpi_reason", "field.too_long", {"max": room})])
    return text


@acting
def apply_to_queue(engine: Engine, *, actor: Actor, consultant_id: int, trigger_month: dt.date,
                   now: dt.datetime | None = None) -> None:
    """Give a confirmed demotion to the queue, month by month; a month already demoted is left as it is (S8)."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        row = session.exec(select(DemotionDecision).where(DemotionDecision.consultant_id == consultant_id,
                                                          DemotionDecision.trigger_month == month_start(trigger_month),
                                                          DemotionDecision.decision == CONFIRMED)).first()
    if row is None:
        raise DomainError("kpi.demotion_not_confirmed")
    text = _check_queue_reason(actor, row.rule, row.last_months, row.reason)
    month = row.start_day
    while month <= row.end_day:
        try:
            rotation.set_demotion(engine, actor=actor, consultant_id=consultant_id, month=month, reason=text,
                                  source="kpi", now=now)
        except DomainError as exc:
            if exc.key != "rotation.error.already_demoted":
                raise
        month = add_months(month, 1)


def sales_trend(engine: Engine, *, actor: Actor, month: dt.date, months: int = 6) -> dict[str, dict[dt.date, float]]:
    """Units per consultant over the ``months`` months ending with ``month`` (month index only)."""
    require(actor, WRITERS)
    last = month_start(month)
    first = add_months(last, 1 - months)
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(MonthlySales.month, MonthlySales.consultant_id, MonthlySales.units)
                            .where(MonthlySales.month >= first, MonthlySales.month <= last)).all()
        who = names(session, [r[1] for r in rows])
    series: dict[str, dict[dt.date, float]] = {}
    for m, consultant_id, units in rows:
        series.setdefault(who.get(consultant_id, str(consultant_id)), {})[m] = units
    return dict(sorted(series.items()))


def latest_sales_month(session: Session, today: dt.date) -> dt.date | None:
    """The newest month with figures, not after this one (the month index)."""
    return session.exec(select(MonthlySales.month).where(MonthlySales.month <= month_start(today))
                        .order_by(MonthlySales.month.desc()).limit(1)).first()


def wall_sales(engine: Engine, *, now: dt.datetime | None = None) -> tuple[dt.date | None, list[dict]]:
    """The wall's sales ranking: the newest month with figures and its demotion marks (SPEC 4.7; S55)."""
    with session_scope(engine, write=False) as session:
        month = latest_sales_month(session, office_today(session, now))
        if month is None:
            return None, []
        view, _ = _sales_month(session, month)
    demoted_next = {c.consultant_id for c in view.candidates if c.decision == CONFIRMED}
    return month, [{"rank": r.rank if r.rank is not None else "—", "name": r.name, "units": r.units,
                    "is_last": r.is_last, "demoted": r.demoted or r.consultant_id in demoted_next} for r in view.rows]


# ---- quarterly ranking ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuarterRow:
    rank: int
    person_id: int
    name: str
    score: float
    bonus: Decimal
    components: dict


@dataclass(frozen=True)
class QuarterView:
    year: int
    quarter: int
    first: dt.date
    last: dt.date
    payout: dt.date
    published: bool
    published_at: dt.datetime | None
    published_by: str
    can_publish: bool
    weights: dict
    rows: tuple[QuarterRow, ...]
    participants: int
    unranked: tuple[str, ...] = ()


def _check_quarter(year: int, quarter: int) -> None:
    if quarter not in (1, 2, 3, 4):
        raise DomainError("kpi.bad_quarter", quarter=quarter)
    if not 2000 <= year <= 2100:
        raise ValidationFailed([FieldError("kpi_year", "kpi.bad_year")])


def participants(session: Session) -> list[Person]:
    """客服工程师 and 客服管理部 staff, ranked in one list (seed 003 M#13), picked by title from the managed
    list (setting ``quarterly.participant_titles``, T13), never by a typed department name."""
    titles = set(settings.get(session, "quarterly.participant_titles") or [])
    return [p for p in active_people(session) if set(p.titles) & titles]


def quarter_inputs(session: Session, year: int, quarter: int, now: dt.datetime) -> dict[int, dict[str, float]]:
    """Each participant's score inputs: survey average and resolution rate, SLA breaches, ledger points (SPEC 4.2)."""
    first, last = quarter_bounds(year, quarter)
    surveys = kpi_sources.tallies_by_person(session, first, last)
    breaches = kpi_sources.breaches_by_person(session, first, last, now)
    points = person_points(session, first, last)
    inputs = {}
    for person in participants(session):
        k = rules.satisfaction_of(surveys.get(person.id, rules.SurveyTally()))
        inputs[person.id] = {"survey_score": round(k.average_score or 0.0, 4),
                             "resolution_rate": round(k.resolution_rate or 0.0, 4),
                             "sla_breaches": float(breaches.get(person.id, 0)),
                             "ledger_points": float(points.get(person.id, 0)),
                             SCORED_WORK: k.surveys}
    return inputs


SCORED_WORK = "surveys"  # answered follow-up surveys on the person's jobs: their scored work (T23)


def _scored_work(inputs: Mapping[int, Mapping[str, float]]) -> dict[int, int]:
    return {p: int(c.get(SCORED_WORK, 0)) for p, c in inputs.items()}


def quarter_view(engine: Engine, *, actor: Actor, year: int, quarter: int,
                 now: dt.datetime | None = None) -> QuarterView:
    """A quarter's ranking: the published table if there is one, else the live preview (supervisors) (S48)."""
    require(actor, WRITERS)
    _check_quarter(year, quarter)
    now = now or utcnow()
    first, last = quarter_bounds(year, quarter)
    with session_scope(engine, write=False) as session:
        settings_ = kpi_settings(session)
        payout = rules.payout_month(year, quarter, settings_)
        ended = office_today(session, now) > last
        publication = session.exec(select(QuarterPublication).where(QuarterPublication.year == year,
                                                                    QuarterPublication.quarter == quarter)).first()
        if publication is not None:
            stored = session.exec(select(QuarterResult).where(QuarterResult.publication_id == publication.id)
                                  .order_by(QuarterResult.rank, QuarterResult.person_name)).all()
            rows = tuple(QuarterRow(r.rank, r.person_id, r.person_name, r.score, Decimal(r.bonus), r.components)
                         for r in stored)
            by = names(session, [publication.published_by_id]).get(publication.published_by_id, "")
            return QuarterView(year, quarter, first, last, publication.payout_month, True, publication.published_at,
                               by, False, publication.weights, rows, len(rows))
        if actor.role not in SUPERVISORS:
            return QuarterView(year, quarter, first, last, payout, False, None, "", False,
                               dict(settings_.score_weights), (), 0)
        inputs = quarter_inputs(session, year, quarter, now)
        who = names(session, inputs)
    work = _scored_work(inputs)
    ranked = rules.quarterly_ranking(inputs, settings_, scored_work=work)
    rows = tuple(QuarterRow(r.rank, r.person, who.get(r.person, ""), r.score, r.bonus, dict(inputs[r.person]))
                 for r in sorted(ranked, key=lambda r: (r.rank, who.get(r.person, ""))))
    unranked = tuple(sorted(who.get(p, "") for p in rules.unscored(inputs, work)))
    return QuarterView(year, quarter, first, last, payout, False, None, "", ended and bool(rows),
                       dict(settings_.score_weights), rows, len(inputs), unranked)


@acting
def publish_quarter(engine: Engine, *, actor: Actor, year: int, quarter: int, now: dt.datetime | None = None) -> int:
    """Freeze a finished quarter's ranking and bonuses for payout; once, and never changed after (S48)."""
    require(actor, SUPERVISORS)
    _check_quarter(year, quarter)
    now = now or utcnow()
    _, last = quarter_bounds(year, quarter)
    try:
        with session_scope(engine) as session:
            if office_today(session, now) <= last:
                raise DomainError("kpi.quarter_not_over", last=last.isoformat())
            if session.exec(select(QuarterPublication.id).where(QuarterPublication.year == year,
                                                                QuarterPublication.quarter == quarter)).first():
                raise Conflict("kpi.quarter_published")
            settings_ = kpi_settings(session)
            inputs = quarter_inputs(session, year, quarter, now)
            if not inputs:
                raise DomainError("kpi.no_participants")
            ranked = rules.quarterly_ranking(inputs, settings_, scored_work=_scored_work(inputs))
            if not ranked:
                raise DomainError("kpi.nobody_scored")
            who = names(session, inputs)
            publication = QuarterPublication(
                year=year, quarter=quarter, payout_month=rules.payout_month(year, quarter, settings_),
                weights=dict(settings_.score_weights),
                tiers=[{"from": t.first, "to": t.last, "amount": str(t.amount)} for t in settings_.bonus_tiers],
                published_by_id=actor.id, published_at=now)
            session.add(publication)
            session.flush()
            for r in ranked:
                session.add(QuarterResult(publication_id=publication.id, person_id=r.person,
                                          person_name=who.get(r.person, "")[:50], components=dict(inputs[r.person]),
                                          score=r.score, rank=r.rank, bonus=r.bonus))
            session.flush()
            audit(session, actor=actor, entity="kpi_quarter", entity_id=f"{year}Q{quarter}", action="publish",
                  after={"rows": len(ranked), "payout": publication.payout_month.isoformat(),
                         "bonus_total": str(sum((r.bonus for r in ranked), Decimal(0)))}, at=now)
            return publication.id
    except IntegrityError as exc:
        raise Conflict("kpi.quarter_published") from exc


def wall_quarter(engine: Engine) -> tuple[str, list[dict]]:
    """The newest published quarter's top rows for the wall (the domain keeps the top 8, seed 003 M#13)."""
    with session_scope(engine, write=False) as session:
        publication = session.exec(select(QuarterPublication).order_by(QuarterPublication.year.desc(),
                                                                       QuarterPublication.quarter.desc())
                                   .limit(1)).first()
        if publication is None:
            return "", []
        rows = session.exec(select(QuarterResult).where(QuarterResult.publication_id == publication.id,
                                                        QuarterResult.rank <= 8)
                            .order_by(QuarterResult.rank, QuarterResult.person_name)).all()
    return f"{publication.year} Q{publication.quarter}", [
        {"rank": r.rank, "name": r.person_name, "score": round(r.score, 1), "bonus": Decimal(r.bonus)} for r in rows]


# ---- satisfaction KPIs -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SatisfactionView:
    first: dt.date
    last: dt.date
    kpis: SatisfactionKpis
    target: float
    monthly: dict[dt.date, float | None]
    targets: dict[dt.date, float]


def satisfaction_in(session: Session, first: dt.date, last: dt.date) -> SatisfactionView:
    settings_ = kpi_settings(session)
    by_month = kpi_sources.monthly_tallies(session, first, last)
    total = sum(by_month.values(), rules.SurveyTally())
    monthly = {m: rules.satisfaction_of(t).satisfaction_rate for m, t in by_month.items()}
    targets = {m: rules.satisfaction_target(m.year, settings_) for m in by_month}
    return SatisfactionView(first, last, rules.satisfaction_of(total), rules.satisfaction_target(last.year, settings_),
                            monthly, targets)


def satisfaction(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date) -> SatisfactionView:
    """Average score, attitude mix, satisfaction, resolution and charge rates against the target (SPEC 4.3)."""
    require(actor, SUPERVISORS)
    if last < first:
        raise DomainError("search.bad_range")
    with session_scope(engine, write=False) as session:
        return satisfaction_in(session, first, last)


def sla_by_group(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date,
                 now: dt.datetime | None = None) -> dict[str, int]:
    """SLA breaches per CS group over a period (seed 004 D19 groups)."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        return kpi_sources.breaches_by_group(session, first, last, now or utcnow())



@dataclass(frozen=True)
class Dashboard:
    """Everything the KPI page shows for a period, read in one unit of work by indexed ranges."""

    first: dt.date
    last: dt.date
    satisfaction: SatisfactionView
    breaches: dict[str, int]
    teams: tuple[TeamRank, ...]
    fund: FundView


def dashboard(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date,
              now: dt.datetime | None = None) -> Dashboard:
    """Satisfaction against target, SLA breaches by group, the team style ranking of the period's last
    month, and points and fines by team (SPEC 4.3, 4.6, 4.7)."""
    require(actor, SUPERVISORS)
    if last < first:
        raise DomainError("search.bad_range")
    with session_scope(engine, write=False) as session:
        return Dashboard(first, last, satisfaction_in(session, first, last),
                         kpi_sources.breaches_by_group(session, first, last, now or utcnow()),
                         tuple(team_ranking_in(session, last)), fund_view(session, first, last))
