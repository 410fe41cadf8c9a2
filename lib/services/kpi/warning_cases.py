"""Warnings ladder (SPEC M4 4.5): each person's case per track as an append-only stream of steps.

A step reads the case's last ``seq``, asks the domain for the next stage and inserts
``seq + 1``; UNIQUE ``(person_id, track, seq)`` makes two supervisors acting at once
produce one step, and the other is told the case moved (STYLE "One winner without locks").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import DisciplineCase, LedgerEntryRecord, User, WarningEventRecord
from lib.domain import discipline as rules
from lib.domain.discipline import CaseStatus, WarningEvent, WarningStage, WarningTrack
from lib.domain.errors import Conflict, DomainError, FieldError, ValidationFailed
from lib.domain.text import optional_text
from lib.services import people
from lib.services.base import SUPERVISORS, Actor, acting, audit, require, utcnow
from lib.services.ledger import decider_check
from lib.services.kpi.common import names
from lib.services.limits import row_id

VIOLATION = "violation"
EVENTS = (VIOLATION, *(e.value for e in WarningEvent))


@dataclass(frozen=True)
class CaseRow:
    person_id: int
    name: str
    track: str
    stage: str
    seq: int
    at: dt.datetime
    note: str


@dataclass(frozen=True)
class StepRow:
    seq: int
    event: str
    stage: str
    note: str
    by: str
    at: dt.datetime


def _last(session: Session, person_id: int, track: str) -> WarningEventRecord | None:
    return session.exec(select(WarningEventRecord).where(WarningEventRecord.person_id == person_id,
                                                         WarningEventRecord.track == track)
                        .order_by(WarningEventRecord.seq.desc()).limit(1)).first()


@acting
def record_step(engine: Engine, *, actor: Actor, person_id: int | None, track: str, event: str, note: str = "",
                seen_seq: int | None = None, now: dt.datetime | None = None) -> str:
    """A new violation (first opens the case, later ones are 再犯) or a ladder step (seed 004 D3; seed 000 D1).

    ``seen_seq`` is the step the supervisor was looking at; if the case moved since, nothing is written.
    Returns the stage after the step.
    """
    require(actor, SUPERVISORS)
    now = now or utcnow()
    errors: list[FieldError] = []
    note = optional_text("warning_note", note, 500, errors)
    if person_id is None:
        errors.append(FieldError("warning_person", "field.required"))
    if not event:
        errors.append(FieldError("warning_event", "discipline.event_required"))
    if track not in {t.value for t in WarningTrack}:
        errors.append(FieldError("warning_track", "field.bad_choice"))
    if event and event not in EVENTS:
        errors.append(FieldError("warning_event", "field.bad_choice"))
    try:
        with session_scope(engine) as session:
            person = session.get(User, person_id) if person_id is not None else None
            if person_id is not None and not people.is_eligible(session, person_id, "staff"):
                errors.append(FieldError("warning_person", "ledger.person_not_eligible"))  # T2: as the picker offers
            if errors:
                raise ValidationFailed(errors)
            last = _last(session, person_id, track)
            if seen_seq is not None and (last.seq if last else 0) != seen_seq:
                raise Conflict("discipline.case_changed", name=person.name)
            current = WarningStage(last.stage) if last else None
            if event == VIOLATION:
                stage = rules.record_violation(current, WarningTrack(track))
            else:
                if current is None:
                    raise Conflict("discipline.no_case", name=person.name)
                stage = rules.advance(current, WarningEvent(event))
            row = WarningEventRecord(person_id=person_id, track=track, seq=(last.seq if last else 0) + 1, event=event,
                                     stage=stage.value, note=note, by_id=actor.id, at=now)
            session.add(row)
            session.flush()
            # the step number is part of the change: a repeat that keeps the stage is still a new step (T22)
            audit(session, actor=actor, entity="kpi_warning", entity_id=f"{person_id}:{track}", action=event,
                  before={"stage": current.value if current else None, "seq": last.seq if last else 0},
                  after={"stage": stage.value, "seq": row.seq}, reason=note, at=now)
            return stage.value
    except IntegrityError as exc:
        raise Conflict("discipline.case_changed", name=str(person_id)) from exc


def cases(engine: Engine, *, actor: Actor) -> list[CaseRow]:
    """Every person's current stage per track (the last step of each case), most recent first."""
    require(actor, SUPERVISORS)
    latest = (select(WarningEventRecord.person_id, WarningEventRecord.track,
                     func.max(WarningEventRecord.seq).label("seq"))
              .group_by(WarningEventRecord.person_id, WarningEventRecord.track).subquery())
    query = select(WarningEventRecord).join(latest, and_(WarningEventRecord.person_id == latest.c.person_id,
                                                         WarningEventRecord.track == latest.c.track,
                                                         WarningEventRecord.seq == latest.c.seq))
    with session_scope(engine, write=False) as session:
        rows = list(session.exec(query.order_by(WarningEventRecord.at.desc())))
        people = names(session, [r.person_id for r in rows])
    return [CaseRow(r.person_id, people.get(r.person_id, ""), r.track, r.stage, r.seq, r.at, r.note) for r in rows]


def manager_list(engine: Engine, *, actor: Actor) -> list[str]:
    """Names reported to the 客服部经理, pending 通报批评 (S54; seed 004 D3 「名单上报客服部经理」)."""
    rows = [c for c in cases(engine, actor=actor) if c.track == WarningTrack.CS.value]
    listed = set(rules.cs_manager_list({c.person_id: WarningStage(c.stage) for c in rows}))
    return sorted(c.name for c in rows if c.person_id in listed)


def history(engine: Engine, *, actor: Actor, person_id: int, track: str) -> list[StepRow]:
    """Every step of one case, oldest first. An unknown track (a NUL, a typo) is refused as a choice, not sent to
    the database, which on PostgreSQL raises for a NUL; a number no row can have finds nothing (issue 12)."""
    require(actor, SUPERVISORS)
    if not isinstance(track, str) or track not in {t.value for t in WarningTrack}:
        raise ValidationFailed([FieldError("warning_track", "field.bad_choice")])
    if row_id(person_id) is None:
        return []
    with session_scope(engine, write=False) as session:
        rows = list(session.exec(select(WarningEventRecord).where(WarningEventRecord.person_id == person_id,
                                                                  WarningEventRecord.track == track)
                                 .order_by(WarningEventRecord.seq)))
        people = names(session, [r.by_id for r in rows])
    return [StepRow(r.seq, r.event, r.stage, r.note, people.get(r.by_id, ""), r.at) for r in rows]


# ---- cases waiting for a decision (T24) ----------------------------------------------------------------------

@dataclass(frozen=True)
class DecisionCase:
    id: int
    entry_id: int
    person_id: int
    name: str
    code: str
    action: str
    occurred_on: dt.date | None
    entry_status: str
    status: str
    opened_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    reason: str


def decision_cases(engine: Engine, *, actor: Actor) -> list[DecisionCase]:
    """Cases opened by a 劝退/开除 flag: those waiting for a decision first, then the newest (T24)."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(DisciplineCase, LedgerEntryRecord.occurred_on, LedgerEntryRecord.status)
                            .join(LedgerEntryRecord, LedgerEntryRecord.id == DisciplineCase.entry_id)
                            .order_by((DisciplineCase.status != CaseStatus.PENDING.value), DisciplineCase.id.desc())
                            .limit(500)).all()
        who = names(session, [c.person_id for c, _, _ in rows] + [c.decided_by_id for c, _, _ in rows])
    return [DecisionCase(c.id, c.entry_id, c.person_id, who.get(c.person_id, ""), c.code, c.action, day, entry_status,
                         c.status, c.opened_at, who.get(c.decided_by_id, ""), c.decided_at, c.decision_reason)
            for c, day, entry_status in rows]


@acting
def decide_case(engine: Engine, *, actor: Actor, case_id: int, confirm: bool, reason: str,
                now: dt.datetime | None = None) -> str:
    """The 总经理 confirms or waives a 劝退/开除 flag, with a reason, once (seed 004 D14; T24).

    An admin without the title may override, as on the ledger. Two deciders at once: the conditional
    UPDATE lets one win and the other is told the case was decided.
    """
    require(actor, SUPERVISORS)
    now = now or utcnow()
    errors: list[FieldError] = []
    reason = optional_text("case_reason", reason, 500, errors)
    if not reason:
        errors.append(FieldError("case_reason", "discipline.case_reason"))
    if errors:
        raise ValidationFailed(errors)
    with session_scope(engine) as session:
        override = decider_check(session, actor, reason)
        case = session.get(DisciplineCase, case_id)
        if case is None:
            raise DomainError("discipline.case_missing")
        before = case.status
        target = rules.decide_case(before, confirm)
        result = session.execute(update(DisciplineCase)
                                 .where(DisciplineCase.id == case_id, DisciplineCase.status == before)
                                 .values(status=target.value, decided_by_id=actor.id, decided_at=now,
                                         decision_reason=reason))
        if result.rowcount != 1:
            raise Conflict("discipline.case_decided", status="")
        audit(session, actor=actor, entity="kpi_discipline_case", entity_id=case_id,
              action=("override_" if override else "") + ("confirm" if confirm else "waive"),
              before={"status": before}, after={"status": target.value}, reason=reason, at=now)
        return target.value
