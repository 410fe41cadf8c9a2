"""Shift handover and the post's duty log (SPEC M1 1.4).

Each step loads the handover, lets the domain state machine decide, and writes the
new state with ``UPDATE … WHERE version = seen`` (one winner; the loser is told).
The domain record lives in ``handover.data`` with its times in UTC; the domain
itself sees naive office-local wall times. A completed handover is read-only; a
correction is a new revision that supersedes it, with a reason.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models_registers import register_table
from db.models import HandoverLogEntry, HandoverRecord, OrgUnit, RosterPeriod, ShiftTemplateRecord, User
from lib.domain import handover as rules
from lib.domain.errors import Conflict, DomainError, FieldError, Locked, NotAllowed, ValidationFailed
from lib.domain.registers import control_room
from lib.domain.handover import (CheckResult, ChecklistItem, FiveHandover, Handover, HandoverState, OpenItem,
                                 Refusal, RefusalReason)
from lib.domain.roster.rules import RosterSettings
from lib.domain.roster.presets import Preset
from lib.domain.roster.requests import CheckInStatus
from lib.domain.text import clean, optional_text, required_text
from lib.services import people, settings
from lib.services.limits import text_limit
from lib.services.base import SUPERVISORS, SYSTEM, WRITERS, Actor, acting, audit, require, utcnow
from lib.services.registers.write import create_in

LOOKBACK_H = 24
DUTY_POST_LEN = 100  # the duty-log register's post column (an org unit's name; the stream keeps its first 40)
RECENT = 5
_OPEN = [s.value for s in HandoverState if s != HandoverState.completed]


@dataclass(frozen=True)
class LogRow:
    id: int
    at: dt.datetime
    author: str
    text: str
    abnormal: bool
    shift: str
    acknowledged: bool = False


@dataclass(frozen=True)
class HandoverView:
    id: int
    post_id: int
    post: str
    out_shift: str
    in_shift: str
    shift_start: dt.datetime
    outgoing_id: int
    outgoing: str
    incoming_id: int | None
    incoming: str
    state: str
    version: int
    revision: int
    is_current: bool
    record: Handover
    previous_log: tuple[LogRow, ...]
    leave_block_key: str
    correction_reason: str

    @property
    def open_items(self) -> tuple[OpenItem, ...]:
        return tuple(i for i in self.record.open_items if i.closed_at is None)


# ---- JSON <-> domain -------------------------------------------------------------------------------

def _out(value: dt.datetime | None, tz) -> str | None:
    return None if value is None else value.replace(tzinfo=tz).astimezone(dt.timezone.utc).isoformat()


def _in(text: str | None, tz) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text).astimezone(tz).replace(tzinfo=None)


def _dump(h: Handover, tz) -> dict:
    return {
        "requires_fire_record": h.requires_fire_record, "abnormal_entry_ids": list(h.abnormal_entry_ids),
        "acknowledged_ids": sorted(h.acknowledged_ids), "in_arrived_at": _out(h.in_arrived_at, tz),
        "arrival": h.arrival.value if h.arrival else None,
        "checklist": {k.value: {"ok": v.ok, "note": v.note} for k, v in h.checklist.items()},
        "five": {k.value: {"ok": v.ok, "note": v.note} for k, v in h.five.items()},
        "fire_record_filed": h.fire_record_filed,
        "open_items": [{"id": i.id, "text": i.text, "opened_at": _out(i.opened_at, tz), "urgent": i.urgent,
                        "closed_at": _out(i.closed_at, tz)} for i in h.open_items],
        "refusals": [{"reason": r.reason.value, "note": r.note, "at": _out(r.at, tz)} for r in h.refusals],
        "paused_from": h.paused_from.value if h.paused_from else None,
        "outgoing_signed_at": _out(h.outgoing_signed_at, tz), "incoming_signed_at": _out(h.incoming_signed_at, tz),
        "completed_at": _out(h.completed_at, tz), "supervisor_alert_at": _out(h.supervisor_alert_at, tz),
        "customers_handed_over": h.customers_handed_over, "prospects": h.prospects, "instructions": h.instructions,
    }


def _load(row: HandoverRecord, tz) -> Handover:
    d = row.data
    return Handover(
        post=str(row.post_id), out_shift=row.out_shift, in_shift=row.in_shift, outgoing=row.outgoing_id,
        incoming=row.incoming_id, shift_start=_in(row.shift_start.isoformat(), tz), state=HandoverState(row.state),
        requires_fire_record=d.get("requires_fire_record", False),
        abnormal_entry_ids=tuple(d.get("abnormal_entry_ids", ())), acknowledged_ids=frozenset(d.get("acknowledged_ids", ())),
        in_arrived_at=_in(d.get("in_arrived_at"), tz),
        arrival=CheckInStatus(d["arrival"]) if d.get("arrival") else None,
        checklist={ChecklistItem(k): CheckResult(v["ok"], v["note"]) for k, v in d.get("checklist", {}).items()},
        five={FiveHandover(k): CheckResult(v["ok"], v["note"]) for k, v in d.get("five", {}).items()},
        fire_record_filed=d.get("fire_record_filed", False),
        open_items=tuple(OpenItem(i["id"], i["text"], _in(i["opened_at"], tz), i["urgent"], _in(i["closed_at"], tz))
                         for i in d.get("open_items", ())),
        refusals=tuple(Refusal(RefusalReason(r["reason"]), r["note"], _in(r["at"], tz)) for r in d.get("refusals", ())),
        paused_from=HandoverState(d["paused_from"]) if d.get("paused_from") else None,
        outgoing_signed_at=_in(d.get("outgoing_signed_at"), tz), incoming_signed_at=_in(d.get("incoming_signed_at"), tz),
        completed_at=_in(d.get("completed_at"), tz), supervisor_alert_at=_in(d.get("supervisor_alert_at"), tz),
        customers_handed_over=d.get("customers_handed_over", ""), prospects=d.get("prospects", ""),
        instructions=d.get("instructions", ""))


def _local(moment: dt.datetime, tz) -> dt.datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _utc(local: dt.datetime | None, tz) -> dt.datetime | None:
    return None if local is None else local.replace(tzinfo=tz).astimezone(dt.timezone.utc)


def _roster_settings(session: Session) -> RosterSettings:
    return RosterSettings.from_values(settings.current_values(session, ["roster.early_arrival"]))


def _latest(session: Session, post_id: int, *, completed: bool | None = None) -> HandoverRecord | None:
    """The post's newest handover (optionally only a completed one); ``completed=False``: its open one."""
    if completed is False:  # by the state index: the few open handovers, never the post's history
        rows = session.exec(select(HandoverRecord).where(HandoverRecord.state.in_(_OPEN))).all()
        mine = [r for r in rows if r.post_id == post_id and r.is_current]
        return max(mine, key=lambda r: (r.shift_start, r.id), default=None)
    query = select(HandoverRecord).where(HandoverRecord.post_id == post_id, HandoverRecord.is_current == True)  # noqa: E712
    if completed is True:
        query = query.where(HandoverRecord.state == HandoverState.completed.value)
    return session.exec(query.order_by(HandoverRecord.shift_start.desc(), HandoverRecord.id.desc()).limit(1)).first()


@dataclass(frozen=True)
class _LogItem:
    """One page of a post's duty log as the handover reads it."""

    id: int
    at: dt.datetime
    author_id: int | None
    text: str
    abnormal: bool
    shift: str


def _log_since(session: Session, post_id: int, since: dt.datetime) -> list[_LogItem]:
    """The post's duty log since ``since``: its pages in the control-room register (``cr_duty_log``, every version:
    a corrected page stays beside its correction) and, read-only, the entries of the old ``handover_log`` written
    before the register kept the log (their ids negated, migration 0055). One duty log, not two (seed 004 D2)."""
    items = [_LogItem(-e.id, e.at, e.author_id, e.text, e.abnormal, e.shift) for e in session.exec(
        select(HandoverLogEntry).where(HandoverLogEntry.post_id == post_id, HandoverLogEntry.at >= since)).all()]
    post = session.get(OrgUnit, post_id)
    if post is not None:
        tbl = register_table("cr_duty_log")
        # by the (occurred_at, id) index only: the post and state are one value for years of pages, so they are
        # checked on the range's rows rather than offered to the planner (bench/gen_control_room.py)
        rows = session.execute(sa_select(tbl.c.id, tbl.c.occurred_at, tbl.c.created_by_id, tbl.c.description,
                                         tbl.c.type, tbl.c.responsible_shift, tbl.c.post, tbl.c.state).where(
            tbl.c.occurred_at >= since)).all()
        name = post.name[:DUTY_POST_LEN]
        items += [_LogItem(r.id, r.occurred_at, r.created_by_id, r.description, r.type != "other",
                           r.responsible_shift or "") for r in rows if r.post == name and r.state == "recorded"]
    return sorted(items, key=lambda e: (e.at, e.id))


def _outgoing_log(session: Session, row: HandoverRecord) -> list[HandoverLogEntry]:
    """The outgoing shift's log: entries since the previous handover on the post completed (H2)."""
    previous = session.exec(select(HandoverRecord.completed_at).where(
        HandoverRecord.post_id == row.post_id, HandoverRecord.is_current == True,  # noqa: E712
        HandoverRecord.state == HandoverState.completed.value, HandoverRecord.shift_start < row.shift_start)
        .order_by(HandoverRecord.shift_start.desc()).limit(1)).first()
    since = previous or min(row.created_at, row.shift_start) - dt.timedelta(hours=LOOKBACK_H)
    return [e for e in _log_since(session, row.post_id, since) if row.completed_at is None or e.at < row.completed_at]


def _fire_post(session: Session, post: OrgUnit) -> bool:
    preset = session.exec(select(ShiftTemplateRecord.preset).join(RosterPeriod).where(
        RosterPeriod.post_id == post.id).order_by(RosterPeriod.first_day.desc()).limit(1)).first()
    return preset == Preset.fire_room or post.requires_certificate


def _view(session: Session, row: HandoverRecord, tz) -> HandoverView:
    record = _load(row, tz)
    names = dict(session.exec(select(User.id, User.name).where(
        User.id.in_({row.outgoing_id, row.incoming_id} - {None}))).all())
    log = _outgoing_log(session, row)
    authors = dict(session.exec(select(User.id, User.name).where(User.id.in_({e.author_id for e in log}))).all()) \
        if log else {}
    try:
        rules.ensure_outgoing_may_leave(record)
        block = ""
    except DomainError as exc:
        block = exc.key
    return HandoverView(
        id=row.id, post_id=row.post_id, post=session.get(OrgUnit, row.post_id).name, out_shift=row.out_shift,
        in_shift=row.in_shift, shift_start=row.shift_start, outgoing_id=row.outgoing_id,
        outgoing=names.get(row.outgoing_id, ""), incoming_id=row.incoming_id, incoming=names.get(row.incoming_id, ""),
        state=row.state, version=row.version, revision=row.revision, is_current=row.is_current, record=record,
        previous_log=tuple(LogRow(e.id, e.at, authors.get(e.author_id, ""), e.text, e.abnormal, e.shift,
                                  e.id in record.acknowledged_ids) for e in log),
        leave_block_key=block, correction_reason=row.correction_reason)


# ---- reading ---------------------------------------------------------------------------------------

def posts(engine: Engine) -> dict[int, str]:
    with session_scope(engine, write=False) as session:
        return dict(session.exec(select(OrgUnit.id, OrgUnit.name).where(
            OrgUnit.kind == "post", OrgUnit.active == True).order_by(OrgUnit.name)).all())  # noqa: E712


def post_handovers(engine: Engine, *, actor: Actor, post_id: int) -> list[HandoverView]:
    """The post's open handover (if any) and the last few completed ones, newest first."""
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        rows = session.exec(select(HandoverRecord).where(HandoverRecord.post_id == post_id,
                                                         HandoverRecord.is_current == True)  # noqa: E712
                            .order_by(HandoverRecord.shift_start.desc(), HandoverRecord.id.desc()).limit(RECENT)).all()
        return [_view(session, r, tz) for r in rows]


def get(engine: Engine, *, actor: Actor, handover_id: int) -> HandoverView:
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        row = session.get(HandoverRecord, handover_id)
        if row is None:
            raise DomainError("rotation.handover.error.not_found")
        return _view(session, row, settings.office_zone(session))


def alerts(engine: Engine, *, actor: Actor) -> list[HandoverView]:
    """Handovers the supervisor must see: nobody came (NO_RELIEF, S18) or refused (五不接, S17)."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        rows = session.exec(select(HandoverRecord).where(
            HandoverRecord.state.in_([HandoverState.no_relief.value, HandoverState.refused.value]),
            HandoverRecord.is_current == True).order_by(HandoverRecord.shift_start)).all()  # noqa: E712
        return [_view(session, r, tz) for r in rows]


def log(engine: Engine, *, actor: Actor, post_id: int, now: dt.datetime | None = None) -> list[LogRow]:
    """The post's duty log of the last 24 h, newest first."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        entries = _log_since(session, post_id, now - dt.timedelta(hours=LOOKBACK_H))
        authors = dict(session.exec(select(User.id, User.name).where(
            User.id.in_({e.author_id for e in entries}))).all()) if entries else {}
    return [LogRow(e.id, e.at, authors.get(e.author_id, ""), e.text, e.abnormal, e.shift) for e in reversed(entries)]


def shift_at(session: Session, post: str, at: dt.datetime) -> str:
    """The shift responsible at ``at`` on the post named ``post``, from its handovers of the two days around it
    (the control-room duty log's lookup: S19, seed 004 D12); "" for an unknown post or none."""
    post_id = session.exec(select(OrgUnit.id).where(OrgUnit.kind == "post", OrgUnit.name == post)
                           .order_by(OrgUnit.id).limit(1)).first()
    if post_id is None:
        return ""
    window = dt.timedelta(hours=2 * LOOKBACK_H)
    rows = session.exec(select(HandoverRecord.out_shift, HandoverRecord.in_shift, HandoverRecord.completed_at).where(
        HandoverRecord.post_id == post_id, HandoverRecord.is_current == True,  # noqa: E712
        HandoverRecord.shift_start >= at - window, HandoverRecord.shift_start <= at + window)).all()
    return control_room.shift_at([tuple(r) for r in rows], at)


# ---- writing ---------------------------------------------------------------------------------------

@acting
def schedule(engine: Engine, *, actor: Actor, post_id: int | None, out_shift: str, in_shift: str,
             shift_start: dt.datetime | None, incoming_id: int | None, outgoing_id: int | None = None,
             now: dt.datetime | None = None) -> int:
    """Open the handover of a shift change: the outgoing shift's abnormal log entries to acknowledge, open items
    of the last handover carried over until closed (seed 004 D2; seed 001 D8, S20)."""
    require(actor, WRITERS)
    outgoing_id = outgoing_id or actor.id
    errors = [FieldError(f, "field.required") for f, v in (("handover_post", post_id), ("handover_shift_start", shift_start),
                                                           ("handover_out_shift", clean(out_shift)),
                                                           ("handover_in_shift", clean(in_shift))) if not v]
    if incoming_id is not None and incoming_id == outgoing_id:
        errors.append(FieldError("handover_incoming", "rotation.handover.error.same_person"))
    if errors:
        raise ValidationFailed(errors)
    if outgoing_id != actor.id and actor.role not in SUPERVISORS:
        raise NotAllowed("rotation.handover.error.wrong_person")
    now = now or utcnow()
    with session_scope(engine) as session:
        tz = settings.office_zone(session)
        post = session.get(OrgUnit, post_id)
        if post is None or post.kind != "post":
            raise ValidationFailed([FieldError("handover_post", "field.bad_choice")])
        people.require_eligible(session, incoming_id, "staff")  # T2: the picker's list, checked again here
        if _latest(session, post_id, completed=False) is not None:
            raise DomainError("rotation.handover.error.open_exists")
        previous = _latest(session, post_id, completed=True)
        since = previous.completed_at if previous else min(now, shift_start) - dt.timedelta(hours=LOOKBACK_H)
        log_entries = _log_since(session, post_id, since)
        carried = rules.carry_open_items(_load(previous, tz)) if previous else ()
        record = rules.schedule_handover(
            post=str(post_id), out_shift=clean(out_shift), in_shift=clean(in_shift), outgoing=outgoing_id,
            incoming=incoming_id, shift_start=_local(shift_start, tz),
            previous_log=[rules.PreviousEntry(e.id, e.abnormal) for e in log_entries], carried_items=carried,
            requires_fire_record=_fire_post(session, post))
        row = HandoverRecord(post_id=post_id, out_shift=record.out_shift, in_shift=record.in_shift,
                             shift_start=shift_start, outgoing_id=outgoing_id, incoming_id=incoming_id,
                             state=record.state.value, data=_dump(record, tz), created_by_id=actor.id, created_at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="handover", entity_id=row.id, action="schedule", at=now,
              after={"post_id": post_id, "out_shift": row.out_shift, "in_shift": row.in_shift,
                     "abnormal": list(record.abnormal_entry_ids), "carried": [i.id for i in carried]})
        return row.id


def _step(engine: Engine, *, actor: Actor, handover_id: int, action: str,
          change: Callable[[Handover, dt.datetime], Handover], now: dt.datetime | None = None,
          parties_only: bool = True, reason: str = "") -> Handover:
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        tz = settings.office_zone(session)
        row = session.get(HandoverRecord, handover_id)
        if row is None:
            raise DomainError("rotation.handover.error.not_found")
        if not row.is_current or row.state == HandoverState.completed:
            raise Locked("rotation.handover.error.completed")
        if parties_only and actor.id not in (row.outgoing_id, row.incoming_id) and actor.role not in SUPERVISORS:
            raise NotAllowed("rotation.handover.error.wrong_person")
        before = _load(row, tz)
        after = change(before, _local(now, tz))
        result = session.execute(update(HandoverRecord).where(
            HandoverRecord.id == handover_id, HandoverRecord.version == row.version).values(
            state=after.state.value, version=row.version + 1, data=_dump(after, tz), incoming_id=after.incoming,
            completed_at=_utc(after.completed_at, tz), supervisor_alert_at=_utc(after.supervisor_alert_at, tz)))
        if result.rowcount != 1:
            raise Conflict("rotation.handover.error.changed_meanwhile")
        audit(session, actor=actor, entity="handover", entity_id=handover_id, action=action, at=now, reason=reason,
              before={"state": before.state.value}, after={"state": after.state.value})
        return after


@acting
def check_in(engine: Engine, *, actor: Actor, handover_id: int, now: dt.datetime | None = None) -> str:
    """The incoming person arrives (flagged if later than start − 10 min, seed 004 D12); returns the arrival flag."""
    with session_scope(engine, write=False) as session:
        roster_settings = _roster_settings(session)
    def change(h: Handover, at: dt.datetime) -> Handover:
        if actor.id == h.outgoing:
            raise NotAllowed("rotation.handover.error.not_incoming")
        return rules.check_in(h, actor.id, at, roster_settings)

    done = _step(engine, actor=actor, handover_id=handover_id, action="check_in", parties_only=False, now=now,
                 change=change)
    return done.arrival.value


@acting
def acknowledge(engine: Engine, *, actor: Actor, handover_id: int, entry_ids, now: dt.datetime | None = None) -> None:
    """Acknowledge the previous shift's abnormal entries, then go on to the checklist (S16, seed 004 D2)."""
    def change(h: Handover, _at: dt.datetime) -> Handover:
        h = rules.acknowledge_abnormal(h, actor.id, entry_ids) if entry_ids else h
        return rules.begin_checklist(h, actor.id)

    _step(engine, actor=actor, handover_id=handover_id, action="acknowledge", change=change, now=now)


def _typed(field: str, text: object, limit: str, required: bool = True) -> str:
    """One handover text within its limit (``lib.services.limits``), or a ValidationFailed naming ``field`` (R4)."""
    errors: list[FieldError] = []
    value = (required_text if required else optional_text)(field, text, text_limit(limit), errors)
    if errors:
        raise ValidationFailed(errors)
    return value


def _handed_over(customers: object, prospects: object, instructions: object) -> dict[str, str]:
    """The three free-text boxes of a handover (kept in its JSON), each within its limit (R4)."""
    errors: list[FieldError] = []
    typed = {name: optional_text(f"handover_{name}", value, text_limit(f"handover.{name}"), errors)
             for name, value in (("customers", customers), ("prospects", prospects), ("instructions", instructions))}
    if errors:
        raise ValidationFailed(errors)
    return typed


def _fire_record_filed(engine: Engine, handover_id: int, now: dt.datetime) -> bool:
    """On a fire post: the outgoing shift's record is in the register (recorded since a day before the shift
    change), else a DomainError; elsewhere False (nothing is required)."""
    with session_scope(engine, write=False) as session:
        row = session.get(HandoverRecord, handover_id)
        if row is None or not row.data.get("requires_fire_record"):
            return False
        post = session.get(OrgUnit, row.post_id)
        tbl = register_table("cr_fire_record")
        found = session.execute(sa_select(tbl.c.id).where(
            tbl.c.post == post.name, tbl.c.shift == row.out_shift,
            tbl.c.recorded_at >= row.shift_start - dt.timedelta(hours=LOOKBACK_H), tbl.c.recorded_at <= now,
            tbl.c.superseded_by_id.is_(None), tbl.c.state.in_(("recorded", "approved"))).limit(1)).first()
    if found is None:
        raise DomainError("registers.cr_fire_record.missing_for_handover")
    return True


@acting
def submit_checklist(engine: Engine, *, actor: Actor, handover_id: int,
                     checks: Mapping[str, tuple[bool, str]],
                     customers: str = "", prospects: str = "", instructions: str = "",
                     now: dt.datetime | None = None) -> None:
    """The six checklist points and 五交, each OK or with a note; then both sign (seed 004 D12; seed 001 D8, D22).

    On a fire post the outgoing shift's 消防监控系统运行情况记录表 must be in the control-room register
    (``cr_fire_record``) first: without it the handover cannot go on to the signatures (H4, seed 004 D20)."""
    typed = _handed_over(customers, prospects, instructions)
    fire_record = _fire_record_filed(engine, handover_id, now or utcnow())  # the register decides, not a tick

    def change(h: Handover, _at: dt.datetime) -> Handover:
        errors = []
        for key, (ok, note) in checks.items():
            note = optional_text(f"handover_{key}", note, text_limit("handover.check_note"), errors)
            item = FiveHandover(key.removeprefix("five_")) if key.startswith("five_") else ChecklistItem(key)
            try:
                h = rules.record_check(h, item, ok, note)
            except DomainError as exc:
                errors.append(FieldError(f"handover_{key}", exc.key))
        if errors:
            raise ValidationFailed(errors)
        if fire_record:
            h = rules.file_fire_record(h)
        h = replace(h, customers_handed_over=typed["customers"], prospects=typed["prospects"],
                    instructions=typed["instructions"])
        try:
            return rules.submit_checklist(h)
        except ValidationFailed as exc:
            raise ValidationFailed([replace(e, field=f"handover_{e.field}") for e in exc.errors]) from None

    _step(engine, actor=actor, handover_id=handover_id, action="checklist", change=change, now=now)


@acting
def refuse(engine: Engine, *, actor: Actor, handover_id: int, reason: str, note: str = "",
           now: dt.datetime | None = None) -> None:
    """五不接: the incoming person refuses; the outgoing person stays on duty (S17, seed 004 D12)."""
    require(actor, WRITERS)
    if reason not in {r.value for r in RefusalReason}:
        raise ValidationFailed([FieldError("handover_refusal_reason", "field.bad_choice")])
    note = _typed("handover_refusal_reason", note, "handover.refusal_note", required=False)
    _step(engine, actor=actor, handover_id=handover_id, action="refuse", now=now, reason=clean(note),
          change=lambda h, at: rules.refuse(h, actor.id, RefusalReason(reason), at, note))


@acting
def resume(engine: Engine, *, actor: Actor, handover_id: int, now: dt.datetime | None = None) -> None:
    """Back to the checklist after a refusal is fixed, or after an issue paused the handover (seed 004 D12, D17)."""
    def change(h: Handover, _at: dt.datetime) -> Handover:
        if h.state == HandoverState.refused:
            return rules.resume_after_refusal(h)
        return rules.resume_after_issue(h)

    _step(engine, actor=actor, handover_id=handover_id, action="resume", change=change, now=now)


@acting
def pause(engine: Engine, *, actor: Actor, handover_id: int, text: str, now: dt.datetime | None = None) -> None:
    """An issue during the handover pauses it; it stays with the outgoing shift as an open item (H2)."""
    require(actor, WRITERS)
    text = _typed("handover_item_text", text, "handover.item_text")
    _step(engine, actor=actor, handover_id=handover_id, action="pause", now=now,
          change=lambda h, at: rules.pause_for_issue(h, OpenItem(secrets.token_hex(4), text, at, urgent=True)))


@acting
def sign(engine: Engine, *, actor: Actor, handover_id: int, now: dt.datetime | None = None) -> str:
    """Sign face to face; with both signatures the handover completes and the outgoing person may leave (H1, S16)."""
    done = _step(engine, actor=actor, handover_id=handover_id, action="sign", now=now,
                 change=lambda h, at: rules.sign(h, actor.id, at))
    return done.state.value


@acting
def add_item(engine: Engine, *, actor: Actor, handover_id: int, text: str, urgent: bool = True,
             now: dt.datetime | None = None) -> None:
    """An urgent matter or open issue to hand over; it carries into each next handover until closed (S20)."""
    require(actor, WRITERS)
    text = _typed("handover_item_text", text, "handover.item_text")
    _step(engine, actor=actor, handover_id=handover_id, action="add_item", now=now,
          change=lambda h, at: rules.add_open_item(h, OpenItem(secrets.token_hex(4), text, at, urgent)))


@acting
def close_item(engine: Engine, *, actor: Actor, handover_id: int, item_id: str, now: dt.datetime | None = None) -> None:
    _step(engine, actor=actor, handover_id=handover_id, action="close_item", now=now,
          change=lambda h, at: rules.close_open_item(h, item_id, at))


@acting
def sweep_no_relief(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> int:
    """Scheduled handovers past shift start with nobody checked in become NO_RELIEF and alert the supervisor (S18)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        due = session.exec(select(HandoverRecord.id).where(HandoverRecord.state == HandoverState.scheduled.value,
                                                           HandoverRecord.shift_start <= now)).all()
    def relief(h: Handover, at: dt.datetime) -> Handover:
        new = rules.check_relief(h, at)
        if new is h:
            raise Conflict("rotation.handover.error.changed_meanwhile")
        return new

    changed = 0
    for handover_id in due:
        try:
            _step(engine, actor=SYSTEM, handover_id=handover_id, action="no_relief", now=now, change=relief)
            changed += 1
        except DomainError:
            continue  # somebody checked in or swept it first
    return changed


def may_leave(engine: Engine, *, actor: Actor, handover_id: int) -> None:
    """Raise unless the outgoing person may leave the post (H1, S16–S18)."""
    rules.ensure_outgoing_may_leave(get(engine, actor=actor, handover_id=handover_id).record)


@acting
def add_log_entry(engine: Engine, *, actor: Actor, post_id: int | None, text: str, abnormal: bool = False,
                  now: dt.datetime | None = None) -> str:
    """Log an entry on the post's duty log; it belongs to the incoming shift once the handover completed (S19, H2).

    The page is written into the control-room register (``cr_duty_log``: numbered per post, never deleted,
    corrected by versions, seed 004 D2) in the same transaction: one duty log, not two. An abnormal entry logged
    before the incoming person has acknowledged joins the list they must acknowledge. Returns the responsible
    shift.
    """
    require(actor, WRITERS)
    errors = [FieldError("handover_post", "field.required")] if not post_id else []
    text = required_text("handover_log_text", text, text_limit("handover_log.text"), errors, multiline=True)
    if errors:
        raise ValidationFailed(errors)
    now = now or utcnow()
    with session_scope(engine) as session:
        post = session.get(OrgUnit, post_id)
        if post is None or post.kind != "post":  # a stale or forged id: refused, not a foreign-key traceback (R15)
            raise ValidationFailed([FieldError("handover_post", "field.bad_choice")])
        tz = settings.office_zone(session)
        latest = _latest(session, post_id)
        record = _load(latest, tz) if latest else None
        shift = rules.responsible_shift(record, _local(now, tz)) if record else ""
        entry_id = create_in(session, actor=actor, register="cr_duty_log", now=now, values={
            "post": post.name[:DUTY_POST_LEN], "occurred_at": now, "shift": shift[:20],
            "type": "abnormal" if abnormal else "other", "description": text})
        if record and abnormal and record.state in (HandoverState.scheduled, HandoverState.precheck,
                                                    HandoverState.no_relief):
            grown = replace(record, abnormal_entry_ids=(*record.abnormal_entry_ids, entry_id))
            result = session.execute(update(HandoverRecord).where(
                HandoverRecord.id == latest.id, HandoverRecord.version == latest.version)
                .values(version=latest.version + 1, data=_dump(grown, tz)))
            if result.rowcount != 1:
                raise Conflict("rotation.handover.error.changed_meanwhile")
        audit(session, actor=actor, entity="handover_log", entity_id=entry_id, action="log", at=now,
              after={"post_id": post_id, "text": text, "abnormal": abnormal, "shift": shift,
                     "register": f"cr_duty_log:{entry_id}"})
        return shift


@acting
def correct(engine: Engine, *, actor: Actor, handover_id: int, reason: str, customers: str, prospects: str,
            instructions: str, now: dt.datetime | None = None) -> int:
    """A signed handover is read-only; a correction is a new revision that supersedes it, with a reason (SPEC M0)."""
    require(actor, WRITERS)
    reason = _typed("handover_correction_reason", reason, "handover.correction_reason")
    typed = _handed_over(customers, prospects, instructions)
    now = now or utcnow()
    with session_scope(engine) as session:
        tz = settings.office_zone(session)
        row = session.get(HandoverRecord, handover_id)
        if row is None or row.state != HandoverState.completed:
            raise DomainError("rotation.handover.error.correct_completed_only")
        if actor.id not in (row.outgoing_id, row.incoming_id) and actor.role not in SUPERVISORS:
            raise NotAllowed("rotation.handover.error.wrong_person")
        result = session.execute(update(HandoverRecord).where(HandoverRecord.id == handover_id,
                                                              HandoverRecord.is_current == True)  # noqa: E712
                                 .values(is_current=False))
        if result.rowcount != 1:
            raise Conflict("rotation.handover.error.changed_meanwhile")
        record = replace(_load(row, tz), customers_handed_over=typed["customers"], prospects=typed["prospects"],
                         instructions=typed["instructions"])
        new = HandoverRecord(post_id=row.post_id, out_shift=row.out_shift, in_shift=row.in_shift,
                             shift_start=row.shift_start, outgoing_id=row.outgoing_id, incoming_id=row.incoming_id,
                             state=row.state, data=_dump(record, tz), completed_at=row.completed_at,
                             supervisor_alert_at=row.supervisor_alert_at, revision=row.revision + 1,
                             supersedes_id=row.id, correction_reason=reason, created_by_id=actor.id, created_at=now)
        session.add(new)
        session.flush()
        audit(session, actor=actor, entity="handover", entity_id=new.id, action="correct", reason=reason, at=now,
              before={"id": row.id, "customers": row.data.get("customers_handed_over"),
                      "prospects": row.data.get("prospects"), "instructions": row.data.get("instructions")},
              after={"id": new.id, "customers": record.customers_handed_over, "prospects": record.prospects,
                     "instructions": record.instructions})
        return new.id
