"""Points-and-fines ledger (SPEC M4 4.4, 4.6): the violation catalogue as data, entries,
their decisions, reversals, the department fund and the team style ranking.

Entries are append-only. A supervisor (the manager) proposes; a holder of the
decider title (setting ``ledger.decider_titles``, 总经理 by seed 004 D14) confirms or
waives, or an admin overrides with a reason; finance marks a confirmed fine
collected. A correction is a reversing entry, never an edit, and the database
refuses any change to an entry's facts or money (migration 0006).

One winner without locks: each person's entries are numbered (UNIQUE ``(person_id,
seq)``), so two proposals for the same person at once cannot both count as the same
occurrence; the loser is told to check the list. Status moves with a conditional
UPDATE on the status it was read with, and a reversal is unique per entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import CatalogueVersion, DisciplineCase, LedgerEntryRecord, OrgUnit, User
from lib.domain import discipline
from lib.domain import ledger as rules
from lib.domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    NotAllowed,
    ValidationFailed,
)
from lib.domain.kpi import TeamScore, style_ranking
from lib.domain.ledger import Action, EntryStatus, LedgerEntry, Payer, ViolationRule
from lib.domain.text import check as check_text
from lib.domain.text import clean, optional_text
from lib.services import people, settings
from lib.services.limits import text_limit
from lib.services.base import (
    ADMINS,
    SUPERVISORS,
    WRITERS,
    Actor,
    acting,
    audit,
    require,
    utcnow,
)
from lib.services.kpi.common import (
    kpi_settings,
    month_bounds,
    names,
    office_today,
    plain,
    unique_errors,
    unit_names,
)

LIST_LIMIT = 2000
CODE_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{1,2}$")
FIELD_PREFIX = "ledger_"


# ---- the catalogue ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogueLine:
    """A catalogue line in force: the rule, its custom label ("" = the catalog text) and where it is off."""

    code: str
    rule: ViolationRule
    label: str = ""
    disabled_departments: tuple[int, ...] = ()
    version: int = 0
    changed_at: dt.datetime | None = None


@dataclass(frozen=True)
class CatalogueForm:
    """An admin's edit of one catalogue line; ``steps`` is ``[(fine, action or None), ...]`` by occurrence."""

    code: str
    label: str = ""
    team_points: int = 0
    steps: Sequence[tuple[object, str | None]] = ()
    money: str = rules.MoneyRule.LADDER.value
    window: str = rules.CountingWindow.LIFETIME.value
    serious_action: str | None = None
    params: Mapping[str, object] | str = field(default_factory=dict)
    source: str = ""
    disabled_departments: Sequence[int] = ()


def _catalogue(session: Session) -> dict[str, CatalogueLine]:
    lines = {code: CatalogueLine(code, rule) for code, rule in rules.CATALOGUE.items()}
    for row in session.exec(select(CatalogueVersion).order_by(CatalogueVersion.code, CatalogueVersion.version)):
        lines[row.code] = CatalogueLine(row.code, rules.rule_from_dict(row.rule), row.label,
                                        tuple(row.disabled_departments), row.version, row.changed_at)
    return dict(sorted(lines.items()))


def catalogue(engine: Engine) -> list[CatalogueLine]:
    """The violation catalogue in force: SPEC 4.4's table, overlaid by the admins' newest versions."""
    with session_scope(engine, write=False) as session:
        return list(_catalogue(session).values())


# Typed amounts and counts stay small enough that every fine and share computed from them fits the money
# columns (NUMERIC(12, 2): a day's pay × 2 × days) on PostgreSQL, and SQLite stores the same (R15).
AMOUNT_MAX = Decimal(1_000_000)
COUNT_MAX = 1_000


def _decimal(value: object, name: str, errors: list[FieldError], *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors.append(FieldError(name, "field.required"))
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.append(FieldError(name, "ledger.not_a_number"))
        return None
    if not number.is_finite() or number < 0:
        errors.append(FieldError(name, "ledger.amount_negative"))
        return None
    if number > AMOUNT_MAX:
        errors.append(FieldError(name, "ledger.number_too_large", {"max": AMOUNT_MAX}))
        return None
    return number


def _action(value: str | None, name: str, errors: list[FieldError]) -> str | None:
    if not value:
        return None
    if value not in {a.value for a in Action}:
        errors.append(FieldError(name, "field.bad_choice"))
        return None
    return value


@acting
def save_catalogue_line(engine: Engine, *, actor: Actor, form: CatalogueForm, reason: str = "",
                        now: dt.datetime | None = None) -> int:
    """An admin edits or adds a catalogue line as a new version; past entries keep their amounts (SPEC 4.4)."""
    require(actor, ADMINS)
    now = now or utcnow()
    errors: list[FieldError] = []
    code = clean(form.code).upper()
    if not CODE_SHAPE.match(code):
        errors.append(FieldError("ledger_code", "ledger.bad_code"))
    label = optional_text("ledger_label", form.label, 200, errors)
    reason = optional_text("ledger_reason", reason, 500, errors)
    if not isinstance(form.team_points, int) or not -100 <= form.team_points <= 0:
        errors.append(FieldError("ledger_team_points", "ledger.bad_points"))
    steps = []
    for fine, action in form.steps:
        amount = _decimal(fine if fine not in (None, "") else 0, "ledger_steps", errors)
        steps.append({"fine": str(amount if amount is not None else 0),
                      "action": _action(action, "ledger_steps", errors)})
    if not steps:
        errors.append(FieldError("ledger_steps", "ledger.steps_required"))
    money = form.money if form.money in {m.value for m in rules.MoneyRule} else None
    window = form.window if form.window in {w.value for w in rules.CountingWindow} else None
    if money is None:
        errors.append(FieldError("ledger_money", "field.bad_choice"))
    if window is None:
        errors.append(FieldError("ledger_window", "field.bad_choice"))
    serious = _action(form.serious_action, "ledger_serious_action", errors)
    params, raw = {}, {}
    try:
        raw = parse_params(form.params) if isinstance(form.params, str) else dict(form.params)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    for key, value in raw.items():
        number = _decimal(value, "ledger_params", errors)
        params[str(key)] = str(number if number is not None else 0)
    with session_scope(engine) as session:
        current = _catalogue(session).get(code)
        if current is None and not label:
            errors.append(FieldError("ledger_label", "ledger.label_required"))
        departments = set(session.exec(select(OrgUnit.id).where(OrgUnit.kind == "department")).all())
        if not set(form.disabled_departments) <= departments:
            errors.append(FieldError("ledger_disabled_departments", "field.bad_choice"))
        if errors:
            raise ValidationFailed(unique_errors(errors))
        source = clean(form.source) or (current.rule.source if current else "(admin)")
        source_errors: list[FieldError] = []
        check_text("ledger_source", source, text_limit("ledger_rule.source"), source_errors)
        if source_errors:
            raise ValidationFailed(source_errors)
        rule = rules.rule_from_dict({"code": code, "team_points": form.team_points, "steps": steps,
                                     "source": source, "money": money, "window": window,
                                     "serious_action": serious, "params": params})
        version = (current.version if current else 0) + 1
        row = CatalogueVersion(code=code, version=version, label=label, rule=rules.rule_to_dict(rule),
                               disabled_departments=sorted(set(form.disabled_departments)), changed_by_id=actor.id,
                               changed_at=now, reason=reason)
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("ledger.catalogue_changed", code=code) from exc
        audit(session, actor=actor, entity="kpi_catalogue", entity_id=code, action="edit",
              before=rules.rule_to_dict(current.rule) if current else None, after=plain(row), reason=reason, at=now)
        return version


def parse_params(text: str) -> dict[str, str]:
    """An admin's ``name=value; name=value`` parameters of a catalogue line (e.g. ``multiplier=2``)."""
    params = {}
    for part in re.split(r"[;；\n]", text or ""):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not re.fullmatch(r"[a-z_]+", name.strip()):
            raise ValidationFailed([FieldError("ledger_params", "ledger.bad_params")])
        params[name.strip()] = value.strip()
    return params


def format_params(params: Mapping[str, object]) -> str:
    return "; ".join(f"{k}={v}" for k, v in params.items())


# ---- entries ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ViolationFacts:
    """What the proposer knows about one violation; which fields matter depends on the code (SPEC 4.4)."""

    amount: object = None
    quantity: int = 1
    serious: bool = False
    traceable: bool = True
    minutes: int | None = None
    days: int = 1
    day_pay: object = None
    month_pay: object = None
    month_bonus: object = None


@dataclass(frozen=True)
class EntryRow:
    id: int
    person_id: int
    person_name: str
    team_id: int | None
    team_name: str
    code: str
    occurred_on: dt.date
    occurrence_no: int
    team_points: int
    fine: Decimal
    compensation: Decimal
    payer: str
    action: str | None
    status: str
    effective_status: str
    shown_status: str
    reverses_id: int | None
    reversed_by_id: int | None
    note: str
    proposed_by: str
    decided_by: str
    decision_reason: str


def _domain(row: LedgerEntryRecord) -> LedgerEntry:
    return LedgerEntry(id=row.id, person=row.person_id, team=row.team_id or 0, code=row.code,
                       occurred_on=row.occurred_on, occurrence_no=row.occurrence_no, team_points=row.team_points,
                       fine=Decimal(row.fine), compensation=Decimal(row.compensation), payer=Payer(row.payer),
                       action=Action(row.action) if row.action else None, status=EntryStatus(row.status),
                       reverses=row.reverses_id)


def _prefixed(exc: ValidationFailed) -> ValidationFailed:
    return ValidationFailed([FieldError(FIELD_PREFIX + e.field, e.key, e.params) for e in exc.errors])


def _int(value: object, name: str, errors: list[FieldError], minimum: int = 1) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        errors.append(FieldError(name, "ledger.not_a_number"))
        return None
    if number < minimum:
        errors.append(FieldError(name, "ledger.quantity_positive"))
        return None
    if number > COUNT_MAX:
        errors.append(FieldError(name, "ledger.number_too_large", {"max": COUNT_MAX}))
        return None
    return number


def _last_seq(session: Session, person_id: int) -> int:
    return session.exec(select(func.coalesce(func.max(LedgerEntryRecord.seq), 0))
                        .where(LedgerEntryRecord.person_id == person_id)).one()


def _facts_json(facts: ViolationFacts) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in facts.__dict__.items() if v not in (None, "")}


@acting
def propose_entry(engine: Engine, *, actor: Actor, person_id: int | None, code: str | None,
                  occurred_on: dt.date | None, facts: ViolationFacts = ViolationFacts(), note: str = "",
                  now: dt.datetime | None = None) -> list[int]:
    """The manager proposes an entry; the occurrence number sets the fine (S49–S53; seed 004 D14).

    An untraceable PH5 charge becomes one ``team_split`` entry per team member
    (S49, SPEC reading 22). Returns the new entry ids. Other modules may call this
    (e.g. an SQ1 proposal when a desk is left without handover, S6).
    """
    require(actor, SUPERVISORS)
    now = now or utcnow()
    errors: list[FieldError] = []
    if person_id is None:
        errors.append(FieldError("ledger_person", "field.required"))
    if not code:
        errors.append(FieldError("ledger_code", "field.required"))
    if occurred_on is None:
        errors.append(FieldError("ledger_occurred_on", "field.required"))
    note = optional_text("ledger_note", note, 500, errors)
    amounts = {name: _decimal(getattr(facts, name), FIELD_PREFIX + name, errors, required=False)
               for name in ("amount", "day_pay", "month_pay", "month_bonus")}
    quantity = _int(facts.quantity, "ledger_quantity", errors) or 1
    days = _int(facts.days, "ledger_days", errors) or 1
    minutes = _int(facts.minutes, "ledger_minutes", errors)
    try:
        with session_scope(engine) as session:
            if occurred_on is not None and occurred_on > office_today(session, now):
                errors.append(FieldError("ledger_occurred_on", "ledger.in_future"))
            person = session.get(User, person_id) if person_id is not None else None
            if person_id is not None and not people.is_eligible(session, person_id, "staff"):
                errors.append(FieldError("ledger_person", "ledger.person_not_eligible"))  # T2: as the picker offers
            lines = _catalogue(session)
            if code and code not in lines:
                errors.append(FieldError("ledger_code", "field.bad_choice"))
            if errors:
                if code in lines:  # list the code's missing facts too, so one submit shows every problem
                    errors.extend(_fact_errors(code, lines, amounts, quantity, days, minutes, facts))
                raise ValidationFailed(errors)
            return _write_proposal(session, actor=actor, person=person, code=code, occurred_on=occurred_on,
                                   facts=facts, amounts=amounts, quantity=quantity, days=days, minutes=minutes,
                                   note=note, now=now, lines=lines)
    except IntegrityError as exc:
        raise Conflict("ledger.concurrent_entry") from exc


def _write_proposal(session: Session, *, actor: Actor, person: User, code: str, occurred_on: dt.date,
                    facts: ViolationFacts, amounts: Mapping[str, Decimal | None], quantity: int, days: int,
                    minutes: int | None, note: str, now: dt.datetime, lines: dict[str, CatalogueLine],
                    extra_facts: Mapping[str, object] | None = None) -> list[int]:
    """Assess and write one proposal (or a team split) in the caller's transaction; returns the entry ids."""
    catalogue_rules = {c: line.rule for c, line in lines.items()}
    disabled = {c for c, line in lines.items() if person.department_id in line.disabled_departments}
    members = [] if facts.traceable else _team_members(session, person)
    # Each stream's last seq is read before the history it is judged on: under READ COMMITTED a
    # proposal committed in between then collides on (person_id, seq) instead of being missed.
    seqs = {m: _last_seq(session, m) for m in {person.id, *members}}
    history = [_domain(r) for r in session.exec(select(LedgerEntryRecord).where(
        LedgerEntryRecord.person_id == person.id, LedgerEntryRecord.code == code))]
    prior = rules.prior_occurrences(history, person.id, code, occurred_on, catalogue_rules)
    try:
        assessed = rules.assess(code, prior, catalogue=catalogue_rules, disabled_codes=disabled,
                                quantity=quantity, serious=facts.serious, traceable=facts.traceable,
                                team_members=members, minutes=minutes, days=days, **amounts)
    except ValidationFailed as exc:
        raise _prefixed(exc) from exc
    shares = assessed.shares or ((person.id, None),)
    ids = []
    for member_id, share in shares:
        member = person if member_id == person.id else session.get(User, member_id)
        row = LedgerEntryRecord(
            person_id=member.id, seq=seqs[member.id] + 1, team_id=person.team_id,
            department_id=member.department_id, code=code, occurred_on=occurred_on,
            occurrence_no=assessed.occurrence_no,
            team_points=assessed.team_points if member.id == person.id else 0,
            fine=assessed.fine if share is None else Decimal(0),
            compensation=assessed.compensation if share is None else share,
            payer=assessed.payer.value, action=assessed.action.value if assessed.action else None,
            status=EntryStatus.PROPOSED.value,
            facts={**_facts_json(facts), **(extra_facts or {}), "reported_person_id": person.id}, note=note,
            proposed_by_id=actor.id, proposed_at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="kpi_ledger_entry", entity_id=row.id, action="propose",
              after=plain(row), at=now)
        open_case(session, actor=actor, row=row, now=now)
        ids.append(row.id)
    return ids


def propose_in(session: Session, *, actor: Actor, person_id: int, code: str, occurred_on: dt.date,
               amount: Decimal | None = None, quantity: int = 1, note: str = "", source: str = "",
               traceable: bool = True, now: dt.datetime) -> list[int]:
    """A proposal made by a register's ``LedgerProposal`` effect, in the register's own transaction (issue 16).

    The register's chain or create titles already decided who may act (a failed lounge item proposed when the
    lounge's supervisor approves the check), so no ledger role is asked here; the proposal still waits for the
    decider (seed 004 D14). ``source`` (``<register>:<entry id>``) is kept in the entry's facts. A code the
    catalogue lacks or has switched off for the person's department, or a person who may not be picked, refuses
    the whole register step; two proposals for one person at once are a Conflict, as in :func:`propose_entry`."""
    person = session.get(User, person_id)
    if person is None or not people.is_eligible(session, person_id, "staff"):
        raise ValidationFailed([FieldError("ledger_person", "ledger.person_not_eligible")])
    lines = _catalogue(session)
    if code not in lines:
        raise DomainError("ledger.unknown_code", code=code)
    facts = ViolationFacts(amount=amount, quantity=quantity, traceable=traceable)  # untraceable: a team split
    amounts = {"amount": amount, "day_pay": None, "month_pay": None, "month_bonus": None}
    try:
        return _write_proposal(session, actor=actor, person=person, code=code, occurred_on=occurred_on,
                               facts=facts, amounts=amounts, quantity=quantity, days=1, minutes=None,
                               note=str(note or "")[:500], now=now, lines=lines,
                               extra_facts={"register": source} if source else None)
    except IntegrityError as exc:
        raise Conflict("ledger.concurrent_entry") from exc


def open_case(session: Session, *, actor: Actor, row: LedgerEntryRecord, now: dt.datetime) -> int | None:
    """An entry flagging 劝退/开除/视为自动离职 opens a case waiting for a decision, in the entry's own
    transaction; once per entry (UNIQUE ``entry_id``), so calling it again changes nothing (T24)."""
    if row.reverses_id is not None or not discipline.opens_case(row.action):
        return None
    found = session.exec(select(DisciplineCase.id).where(DisciplineCase.entry_id == row.id)).first()
    if found is not None:
        return found
    case = DisciplineCase(entry_id=row.id, person_id=row.person_id, code=row.code, action=row.action,
                          status=discipline.CaseStatus.PENDING.value, opened_at=now)
    session.add(case)
    session.flush()
    audit(session, actor=actor, entity="kpi_discipline_case", entity_id=case.id, action="open",
          after={"entry_id": row.id, "person_id": row.person_id, "action": row.action, "status": case.status},
          at=now)
    return case.id


def _close_case(session: Session, *, actor: Actor, entry_id: int, reason: str, now: dt.datetime) -> None:
    """A waived entry flags nothing: its case, if still waiting, is waived with the same reason (T24)."""
    pending = discipline.CaseStatus.PENDING.value
    case_id = session.exec(select(DisciplineCase.id).where(DisciplineCase.entry_id == entry_id,
                                                           DisciplineCase.status == pending)).first()
    if case_id is None:
        return
    session.execute(update(DisciplineCase).where(DisciplineCase.id == case_id, DisciplineCase.status == pending)
                    .values(status=discipline.CaseStatus.WAIVED.value, decided_by_id=actor.id, decided_at=now,
                            decision_reason=reason))
    audit(session, actor=actor, entity="kpi_discipline_case", entity_id=case_id, action="waive_with_entry",
          before={"status": pending}, after={"status": discipline.CaseStatus.WAIVED.value}, reason=reason, at=now)


def _fact_errors(code: str, lines: dict[str, CatalogueLine], amounts: dict, quantity: int, days: int,
                 minutes: int | None, facts: ViolationFacts) -> list[FieldError]:
    try:
        rules.assess(code, 0, catalogue={c: line.rule for c, line in lines.items()}, quantity=quantity,
                     serious=facts.serious, traceable=facts.traceable, team_members=("?",), minutes=minutes,
                     days=days, **amounts)
    except ValidationFailed as exc:
        return _prefixed(exc).errors
    return []


def _team_members(session: Session, person: User) -> list[int]:
    """Active members of the person's team, for a 「均摊」 split (seed 002 #1); just the person without a team."""
    if person.team_id is None:
        return [person.id]
    return list(session.exec(select(User.id).where(User.team_id == person.team_id, User.active == True,  # noqa: E712
                                                   User.role != "display").order_by(User.id)).all())


def decider_check(session: Session, actor: Actor, reason: str) -> bool:
    """The decider title decides (seed 004 D14); an admin without it may override with a reason (SPEC M0).

    Returns True when this is an admin override.
    """
    titles = list(settings.get(session, "ledger.decider_titles") or [])
    if any(actor.has_title(title) for title in titles):
        return False
    if actor.role in ADMINS:
        if not reason:
            raise ValidationFailed([FieldError("ledger_reason", "ledger.override_reason")])
        return True
    raise NotAllowed("ledger.decider_only", title="、".join(titles))


def _reversed(session: Session, entry_id: int) -> bool:
    return session.exec(select(LedgerEntryRecord.id).where(LedgerEntryRecord.reverses_id == entry_id)).first() \
        is not None


def _move(session: Session, row: LedgerEntryRecord, target: EntryStatus, values: dict) -> None:
    """Move the status on; refused on a reversed entry and when it would change nothing (T22)."""
    rules.transition(_domain(row), target, reversed_=_reversed(session, row.id))
    result = session.execute(update(LedgerEntryRecord)
                             .where(LedgerEntryRecord.id == row.id, LedgerEntryRecord.status == row.status)
                             .values(status=target.value, **values))
    if result.rowcount != 1:
        raise Conflict("ledger.changed")


def _load(session: Session, entry_id: int, *, lock: bool = False) -> LedgerEntryRecord:
    """The entry; ``lock`` holds it to the end of a decision (PostgreSQL ``FOR UPDATE``; SQLite's
    BEGIN IMMEDIATE serialises writers anyway), so the decision reads the state the other one left (R11)."""
    row = session.get(LedgerEntryRecord, entry_id, with_for_update=lock or None, populate_existing=lock)
    if row is None:
        raise DomainError("ledger.not_found")
    return row


@acting
def decide_entry(engine: Engine, *, actor: Actor, entry_id: int, confirm: bool, reason: str = "",
                 seen_status: str | None = None, now: dt.datetime | None = None) -> str:
    """Confirm or waive an entry: proposed → confirmed | waived, confirmed → waived (seed 004 D14).

    ``seen_status`` is the status the decider was looking at: if someone decided in the meantime the
    decision is refused (two managers pressing confirm and waive at once: one wins, the other is told).
    """
    require(actor, SUPERVISORS)
    now = now or utcnow()
    errors: list[FieldError] = []
    reason = optional_text("ledger_reason", reason, 500, errors)
    if not confirm and not reason:
        errors.append(FieldError("ledger_reason", "ledger.waive_reason"))
    if errors:
        raise ValidationFailed(errors)
    target = EntryStatus.CONFIRMED if confirm else EntryStatus.WAIVED
    with session_scope(engine) as session:
        override = decider_check(session, actor, reason)
        row = _load(session, entry_id, lock=True)
        before = row.status
        if seen_status is not None and before != seen_status:
            raise Conflict("ledger.changed")
        _move(session, row, target, {"decided_by_id": actor.id, "decided_at": now, "decision_reason": reason})
        audit(session, actor=actor, entity="kpi_ledger_entry", entity_id=entry_id,
              action=("override_" if override else "") + ("confirm" if confirm else "waive"),
              before={"status": before}, after={"status": target.value}, reason=reason, at=now)
        if not confirm:
            _close_case(session, actor=actor, entry_id=entry_id, reason=reason, now=now)
        return target.value


@acting
def collect_entry(engine: Engine, *, actor: Actor, entry_id: int, now: dt.datetime | None = None) -> None:
    """Finance marks a confirmed fine collected into the department fund (seed 001 D8)."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    with session_scope(engine) as session:
        row = _load(session, entry_id, lock=True)
        before = row.status  # read before the UPDATE refreshes the row, so the audit shows the change (T22)
        _move(session, row, EntryStatus.COLLECTED, {"collected_by_id": actor.id, "collected_at": now})
        audit(session, actor=actor, entity="kpi_ledger_entry", entity_id=entry_id, action="collect",
              before={"status": before}, after={"status": EntryStatus.COLLECTED.value}, at=now)


@acting
def reverse_entry(engine: Engine, *, actor: Actor, entry_id: int, reason: str, now: dt.datetime | None = None) -> int:
    """A correction: a new entry cancelling a counted one, never an edit (SPEC 4.4). Once per entry."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    errors: list[FieldError] = []
    reason = optional_text("ledger_reason", reason, 500, errors)
    if not reason:
        errors.append(FieldError("ledger_reason", "ledger.reverse_reason"))
    if errors:
        raise ValidationFailed(errors)
    try:
        with session_scope(engine) as session:
            override = decider_check(session, actor, reason)
            row = _load(session, entry_id, lock=True)
            reversals = [_domain(r) for r in session.exec(select(LedgerEntryRecord)
                                                          .where(LedgerEntryRecord.reverses_id == entry_id))]
            undo = rules.reversal(_domain(row), reversals, new_id=0)
            new = LedgerEntryRecord(
                person_id=row.person_id, seq=_last_seq(session, row.person_id) + 1, team_id=row.team_id,
                department_id=row.department_id, code=row.code, occurred_on=row.occurred_on,
                occurrence_no=row.occurrence_no, team_points=undo.team_points, fine=undo.fine,
                compensation=undo.compensation, payer=row.payer, action=row.action, status=undo.status.value,
                reverses_id=row.id, facts={}, note=reason, proposed_by_id=actor.id, proposed_at=now,
                decided_by_id=actor.id, decided_at=now, decision_reason=reason)
            session.add(new)
            session.flush()
            audit(session, actor=actor, entity="kpi_ledger_entry", entity_id=new.id,
                  action="override_reverse" if override else "reverse", before=plain(row), after=plain(new),
                  reason=reason, at=now)
            return new.id
    except IntegrityError as exc:
        raise Conflict("ledger.already_reversed", id=entry_id) from exc


def _rows(session: Session, records: list[LedgerEntryRecord]) -> list[EntryRow]:
    people = names(session, [r.person_id for r in records] + [r.proposed_by_id for r in records]
                   + [r.decided_by_id for r in records])
    teams = unit_names(session, [r.team_id for r in records])
    by_id = {r.id: r for r in records}
    reversed_by = {r.reverses_id: r.id for r in records if r.reverses_id is not None}
    rows = []
    for r in records:
        original = by_id.get(r.reverses_id) if r.reverses_id is not None else r
        rows.append(EntryRow(
            id=r.id, person_id=r.person_id, person_name=people.get(r.person_id, ""), team_id=r.team_id,
            team_name=teams.get(r.team_id, ""), code=r.code, occurred_on=r.occurred_on,
            occurrence_no=r.occurrence_no, team_points=r.team_points, fine=Decimal(r.fine),
            compensation=Decimal(r.compensation), payer=r.payer, action=r.action, status=r.status,
            effective_status=original.status if original is not None else r.status,
            shown_status=rules.shown_status(r.status, reverses=r.reverses_id, reversed_by=reversed_by.get(r.id)),
            reverses_id=r.reverses_id,
            reversed_by_id=reversed_by.get(r.id), note=r.note, proposed_by=people.get(r.proposed_by_id, ""),
            decided_by=people.get(r.decided_by_id, ""), decision_reason=r.decision_reason))
    return rows


def entries(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date, person_id: int | None = None,
            team_id: int | None = None) -> list[EntryRow]:
    """Entries that occurred in ``[first, last]``, newest first; staff see only their own lines."""
    require(actor, WRITERS)
    if last < first:
        raise DomainError("search.bad_range")
    if actor.role not in SUPERVISORS:
        person_id = actor.id
    query = select(LedgerEntryRecord).where(LedgerEntryRecord.occurred_on >= first,
                                            LedgerEntryRecord.occurred_on <= last)
    if person_id is not None:
        query = query.where(LedgerEntryRecord.person_id == person_id)
    if team_id is not None:
        query = query.where(LedgerEntryRecord.team_id == team_id)
    with session_scope(engine, write=False) as session:
        records = list(session.exec(query.order_by(LedgerEntryRecord.occurred_on.desc(), LedgerEntryRecord.id.desc())
                                    .limit(LIST_LIMIT)))
        return _rows(session, records)


def pending(engine: Engine, *, actor: Actor) -> list[EntryRow]:
    """Proposals awaiting the decider, oldest first (any date; the status index keeps it small)."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        records = list(session.exec(select(LedgerEntryRecord)
                                    .where(LedgerEntryRecord.status == EntryStatus.PROPOSED.value)
                                    .order_by(LedgerEntryRecord.occurred_on, LedgerEntryRecord.id).limit(LIST_LIMIT)))
        return _rows(session, records)


# ---- fund and team ranking ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TeamTotals:
    team_id: int | None
    team: str
    team_points: int
    fine: Decimal
    compensation: Decimal


@dataclass(frozen=True)
class FundView:
    first: dt.date
    last: dt.date
    collected: Decimal
    outstanding: Decimal
    total: Decimal
    by_team: tuple[TeamTotals, ...]


def _sums(session: Session, first: dt.date, last: dt.date, key) -> list[tuple]:
    """``(key, effective status, points, fine, compensation)`` summed by the database over a period.

    The same reading as ``ledger.totals``: a reversal counts with the status of the entry it
    reverses (its original shares its date, so both are in the period); proposals and waived
    entries count nothing. One grouped query by the date index, whatever the history.
    """
    original = aliased(LedgerEntryRecord)
    status = func.coalesce(original.status, LedgerEntryRecord.status)
    return list(session.execute(
        select(key, status, func.sum(LedgerEntryRecord.team_points), func.sum(LedgerEntryRecord.fine),
               func.sum(LedgerEntryRecord.compensation))
        .select_from(LedgerEntryRecord).outerjoin(original, original.id == LedgerEntryRecord.reverses_id)
        .where(LedgerEntryRecord.occurred_on >= first, LedgerEntryRecord.occurred_on <= last)
        .group_by(key, status)).all())


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(rules.CENT)


def _counted_by(session: Session, first: dt.date, last: dt.date, key) -> dict:
    result: dict = {}
    for group, status, points, fine, compensation in _sums(session, first, last, key):
        if status in rules.COUNTED:
            before = result.get(group, rules.Totals())
            result[group] = rules.Totals(before.team_points + int(points or 0), before.fine + _money(fine),
                                         before.compensation + _money(compensation))
    return result


def fund_view(session: Session, first: dt.date, last: dt.date) -> FundView:
    rows = _sums(session, first, last, LedgerEntryRecord.team_id)
    collected = sum((_money(f) for _, s, _, f, _ in rows if s == EntryStatus.COLLECTED.value), Decimal(0))
    outstanding = sum((_money(f) for _, s, _, f, _ in rows if s == EntryStatus.CONFIRMED.value), Decimal(0))
    per_team = _counted_by(session, first, last, LedgerEntryRecord.team_id)
    teams = unit_names(session, per_team)
    by_team = tuple(TeamTotals(t, teams.get(t, ""), v.team_points, v.fine, v.compensation)
                    for t, v in sorted(per_team.items(), key=lambda kv: teams.get(kv[0], "")))
    return FundView(first, last, collected, outstanding, collected + outstanding, by_team)


def fund(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date) -> FundView:
    """The department fund (collected and outstanding fines) and per-team totals for finance (seed 001 D8)."""
    require(actor, SUPERVISORS)
    if last < first:
        raise DomainError("search.bad_range")
    with session_scope(engine, write=False) as session:
        return fund_view(session, first, last)


@dataclass(frozen=True)
class TeamRank:
    rank: int
    team_id: int
    team: str
    points: int
    score: int


def team_ranking_in(session: Session, month: dt.date) -> list[TeamRank]:
    teams = dict(session.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "team",
                                                                      OrgUnit.active == True)).all())  # noqa: E712
    first, last = month_bounds(month)
    per_team = _counted_by(session, first, last, LedgerEntryRecord.team_id)
    points = {team_id: per_team[team_id].team_points if team_id in per_team else 0 for team_id in teams}
    ranked: list[TeamScore] = style_ranking(points, kpi_settings(session))
    return sorted((TeamRank(r.rank, r.team, teams[r.team], r.points, r.score) for r in ranked),
                  key=lambda r: (r.rank, r.team))


def team_ranking(engine: Engine, *, actor: Actor, month: dt.date) -> list[TeamRank]:
    """作风评比 of a month: base − points lost, every active team ranked, highest first (S51; seed 002 #1)."""
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        return team_ranking_in(session, month)


def person_points(session: Session, first: dt.date, last: dt.date) -> dict[int, int]:
    """Counted team points per person over a period, net of reversals (a quarterly score input, SPEC 4.2)."""
    return {person: totals.team_points
            for person, totals in _counted_by(session, first, last, LedgerEntryRecord.person_id).items()}


def decider_titles(engine: Engine) -> list[str]:
    """The titles that confirm and waive entries (setting ``ledger.decider_titles``, seed 004 D14; T13)."""
    with session_scope(engine, write=False) as session:
        return list(settings.get(session, "ledger.decider_titles") or [])
