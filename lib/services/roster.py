"""Shift rosters, swaps, absences and check-in (SPEC M1 1.2, 1.3).

A template is made from a SPEC preset and frozen; a roster period of one post uses it.
Supervisors edit drafts; publishing runs the domain validation and is refused with
the list of problems. Staff never edit a published roster: an approved swap is the
only way its entries change (seed 000 D2, seed 004 D3). The domain works in naive
office-local wall times; the rows keep aware UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import (OrgUnit, RosterAbsence, RosterCheckIn, RosterEntryRecord, RosterPeriod, RosterSwap,
                       ShiftTemplateRecord, User)
from lib.domain.roster import rules
from lib.domain.roster import requests
from lib.domain.errors import Conflict, DomainError, FieldError, NotAllowed, ValidationFailed
from lib.domain.roster.rules import EntryKind, PostRules, RosterStatus, ShiftDef, ShiftTemplate, StaffInfo
from lib.domain.roster.presets import Preset, presets
from lib.domain.roster.requests import AbsencePolicy, AbsenceReason, AbsenceStatus, ShiftRef, SwapStatus
from lib.domain.text import clean
from lib.domain.people import label as person_label
from lib.services import people, settings
from lib.services.base import SUPERVISORS, WRITERS, Actor, acting, audit, require, snapshot, utcnow

MAX_PERIOD_DAYS = 62
CHECK_IN_OPENS_H = 3
STAFF_KIND = "staff"  # the person-picker kind of rosters and requests (lib/domain/people.py, T2)
# Who approves an absence (SPEC 1.3): the 综合部主管 on the front desk (seed 000 D9), the 值班经理 in the
# CS duty room (seed 004 D8), any supervisor elsewhere; an admin always may.
APPROVER_TITLE = {AbsencePolicy.front_desk: "综合部主管", AbsencePolicy.cs_duty_room: "值班经理"}
POLICY_OF_PRESET = {
    Preset.front_desk: AbsencePolicy.front_desk, Preset.three_crew_two_shift: AbsencePolicy.control_room,
    Preset.four_crew_three_shift: AbsencePolicy.control_room, Preset.fire_room: AbsencePolicy.control_room,
    Preset.cs_three_band: AbsencePolicy.cs_duty_room,
}
_ROSTER_KEYS = ["roster.early_arrival", "roster.change_cutoff", "roster.cs_rest_days", "roster.callcentre_min",
                "post.fire", "frontdesk.private_leave"]


# ---- rows out --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Option:
    id: int
    name: str


@dataclass(frozen=True)
class TemplateRow:
    id: int
    name: str
    preset: str
    shift_codes: tuple[str, ...]
    shifts_text: str


@dataclass(frozen=True)
class PeriodRow:
    id: int
    post_id: int
    post: str
    template: str
    first_day: dt.date
    last_day: dt.date
    status: str


@dataclass(frozen=True)
class EntryRow:
    id: int
    day: dt.date
    shift: str
    staff_id: int
    name: str
    kind: str


@dataclass(frozen=True)
class ProblemRow:
    key: str
    severity: str
    params: dict


@dataclass(frozen=True)
class PeriodView:
    period: PeriodRow
    shift_codes: tuple[str, ...]
    entries: tuple[EntryRow, ...]
    problems: tuple[ProblemRow, ...]

    @property
    def blocking(self) -> tuple[ProblemRow, ...]:
        return tuple(p for p in self.problems if p.severity == rules.Severity.block)


@dataclass(frozen=True)
class RequestRow:
    id: int
    kind: str  # "swap" or "absence"
    staff: str
    post: str
    detail: str
    counterpart: str
    reason: str
    status: str
    filed_at: dt.datetime
    policy: str = ""
    cover: str = ""
    decision_key: str = ""


@dataclass(frozen=True)
class ShiftRow:
    entry_id: int
    post: str
    day: dt.date
    shift: str
    kind: str
    staff: str
    start: dt.datetime
    end: dt.datetime
    checked_in_at: dt.datetime | None
    check_in_status: str


@dataclass(frozen=True)
class OnDutyView:
    on_duty: tuple[ShiftRow, ...]
    first_responsible: tuple[tuple[str, str], ...]
    absences: tuple[RequestRow, ...]


# ---- helpers ---------------------------------------------------------------------------------------

def _roster_settings(session: Session) -> rules.RosterSettings:
    return rules.RosterSettings.from_values(settings.current_values(session, _ROSTER_KEYS))


def _local(moment: dt.datetime, tz) -> dt.datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _utc(local: dt.datetime, tz) -> dt.datetime:
    return local.replace(tzinfo=tz).astimezone(dt.timezone.utc)


def _template(row: ShiftTemplateRecord) -> ShiftTemplate:
    return ShiftTemplate(
        row.preset, row.crews,
        tuple(ShiftDef(s["code"], dt.time.fromisoformat(s["start"]), dt.time.fromisoformat(s["end"]), s.get("min_staff"))
              for s in row.shifts),
        tuple(rules.CoverageRule(dt.time.fromisoformat(c["start"]), dt.time.fromisoformat(c["end"]), c["min_staff"])
              for c in row.coverage))


def _post_rules(template: ShiftTemplateRecord, post: OrgUnit) -> PostRules:
    """The template's preset rules, tightened by the post's own flags (SPEC M0 Post)."""
    base = dict(template.rules)
    return PostRules(
        post=str(post.id), is_24x7=base.get("is_24x7", False) or post.is_24x7,
        min_staff=post.min_staff or base.get("min_staff", 1),
        max_continuous_h=post.max_continuous_h if post.max_continuous_h is not None else base.get("max_continuous_h"),
        requires_training=base.get("requires_training", False) or post.requires_training,
        requires_certificate=base.get("requires_certificate", False) or post.requires_certificate,
        rest_days_per_month=base.get("rest_days_per_month"),
        shortfall_warns_only=base.get("shortfall_warns_only", False),
        first_responsible_daily=base.get("first_responsible_daily", False),
        working_days_only=base.get("working_days_only", False))


def _staff_info(session: Session, ids) -> dict[int, StaffInfo]:
    users = session.exec(select(User).where(User.id.in_(set(ids)))).all() if ids else []
    return {u.id: StaffInfo(u.id, u.name, frozenset(str(p) for p in u.trained_posts), u.cert_valid_until)
            for u in users}


def _names(session: Session, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(wanted))).all()) if wanted else {}


def _holidays(session: Session) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(str(d)) for d in settings.get(session, "holidays") or [])


def _entry(row: RosterEntryRecord) -> rules.RosterEntry:
    return rules.RosterEntry(row.day, row.shift, row.staff_id, EntryKind(row.kind))


def _period_parts(session: Session, period_id: int) -> tuple[RosterPeriod, ShiftTemplateRecord, OrgUnit]:
    period = session.get(RosterPeriod, period_id)
    if period is None:
        raise DomainError("rotation.roster.error.not_found")
    return period, session.get(ShiftTemplateRecord, period.template_id), session.get(OrgUnit, period.post_id)


def _post_entries(session: Session, post_id: int, first: dt.date, last: dt.date,
                  statuses: Sequence[str] | None = None, *, lock: bool = False) -> list[RosterEntryRecord]:
    query = (select(RosterEntryRecord).join(RosterPeriod, RosterPeriod.id == RosterEntryRecord.period_id)
             .where(RosterPeriod.post_id == post_id, RosterEntryRecord.day >= first, RosterEntryRecord.day <= last))
    if statuses:
        query = query.where(RosterPeriod.status.in_(list(statuses)))
    query = query.order_by(RosterEntryRecord.day, RosterEntryRecord.shift, RosterEntryRecord.id)
    if lock:
        # PostgreSQL holds the rows until commit, always in one order (no deadlock between two deciders) and
        # returns them as the winner left them; SQLite's BEGIN IMMEDIATE already serialises the writers (R9).
        query = query.with_for_update(of=RosterEntryRecord).execution_options(populate_existing=True)
    return list(session.exec(query).all())


def _problems(session: Session, period: RosterPeriod, template: ShiftTemplateRecord, post: OrgUnit) -> list[rules.Problem]:
    entries = _post_entries(session, post.id, period.first_day - dt.timedelta(days=1), period.last_day)
    entries = [e for e in entries if e.period_id == period.id or e.day < period.first_day]
    staff = _staff_info(session, {e.staff_id for e in entries})
    return rules.validate_roster([_entry(e) for e in entries], _template(template), _post_rules(template, post), staff,
                                 period.first_day, period.last_day, _holidays(session))


def _period_row(session: Session, period: RosterPeriod) -> PeriodRow:
    post = session.get(OrgUnit, period.post_id)
    template = session.get(ShiftTemplateRecord, period.template_id)
    return PeriodRow(period.id, period.post_id, post.name, template.name, period.first_day, period.last_day,
                     period.status)


# ---- templates and periods ------------------------------------------------------------------------

def posts(engine: Engine) -> list[Option]:
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "post", OrgUnit.active == True)  # noqa: E712
                            .order_by(OrgUnit.name)).all()
    return [Option(i, n) for i, n in rows]


def staff(engine: Engine) -> list[Option]:
    """Who may be put on a roster or named in a request: the people.staff_titles pick kind, labelled
    「姓名（工号 · 团队）」 so two people with one name differ (T2)."""
    return [Option(c.id, person_label(c)) for c in people.options(engine, STAFF_KIND)]


@acting
def create_template(engine: Engine, *, actor: Actor, preset: str, name: str) -> int:
    """A shift template from a SPEC 1.2 preset, with the rule settings in force now (frozen from then on)."""
    require(actor, SUPERVISORS)
    name = clean(name)
    errors = [] if name else [FieldError("roster_template_name", "field.required")]
    if preset not in {p.value for p in Preset}:
        errors.append(FieldError("roster_preset", "field.bad_choice"))
    if errors:
        raise ValidationFailed(errors)
    try:
        with session_scope(engine) as session:
            chosen = presets(_roster_settings(session))[Preset(preset)]
            rules_dict = {k: v for k, v in asdict(chosen.rules).items() if k != "post"}
            row = ShiftTemplateRecord(
                name=name, preset=preset, crews=chosen.template.crews,
                shifts=[{"code": s.code, "start": s.start.isoformat("minutes"), "end": s.end.isoformat("minutes"),
                         "min_staff": s.min_staff} for s in chosen.template.shifts],
                coverage=[{"start": c.start.isoformat("minutes"), "end": c.end.isoformat("minutes"),
                           "min_staff": c.min_staff} for c in chosen.template.coverage],
                rules=rules_dict, created_by_id=actor.id, created_at=utcnow())
            session.add(row)
            session.flush()
            audit(session, actor=actor, entity="shift_template", entity_id=row.id, action="create",
                  after=snapshot(row), reason=chosen.source)
            return row.id
    except IntegrityError as exc:
        raise ValidationFailed([FieldError("roster_template_name", "rotation.roster.error.duplicate_name")]) from exc


def templates(engine: Engine) -> list[TemplateRow]:
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(ShiftTemplateRecord).order_by(ShiftTemplateRecord.name)).all()
    return [TemplateRow(r.id, r.name, r.preset, tuple(s["code"] for s in r.shifts),
                        " / ".join(f"{s['start']}–{s['end']}" for s in r.shifts)) for r in rows]


@acting
def create_period(engine: Engine, *, actor: Actor, post_id: int | None, template_id: int | None,
                  first_day: dt.date, last_day: dt.date) -> int:
    """A draft week or month roster for one post; periods of a post never overlap."""
    require(actor, SUPERVISORS)
    errors = []
    if post_id is None:
        errors.append(FieldError("roster_post", "field.required"))
    if template_id is None:
        errors.append(FieldError("roster_template", "field.required"))
    if last_day < first_day or (last_day - first_day).days + 1 > MAX_PERIOD_DAYS:
        errors.append(FieldError("roster_last_day", "rotation.roster.error.bad_span", {"max": MAX_PERIOD_DAYS}))
    if errors:
        raise ValidationFailed(errors)
    with session_scope(engine) as session:
        post = session.get(OrgUnit, post_id)
        if post is None or post.kind != "post" or session.get(ShiftTemplateRecord, template_id) is None:
            raise ValidationFailed([FieldError("roster_post", "field.bad_choice")])
        overlap = session.exec(select(RosterPeriod.id).where(
            RosterPeriod.post_id == post_id, RosterPeriod.first_day <= last_day, RosterPeriod.last_day >= first_day,
            RosterPeriod.first_day >= first_day - dt.timedelta(days=MAX_PERIOD_DAYS))).first()
        if overlap is not None:
            raise DomainError("rotation.roster.error.overlapping_period")
        row = RosterPeriod(post_id=post_id, template_id=template_id, first_day=first_day, last_day=last_day,
                           created_by_id=actor.id, created_at=utcnow())
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="roster_period", entity_id=row.id, action="create", after=snapshot(row))
        return row.id


def periods(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date) -> list[PeriodRow]:
    """Periods overlapping [first, last]; staff see published and locked ones only."""
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        # A period is at most MAX_PERIOD_DAYS long: the lower bound keeps the index range to recent periods.
        query = select(RosterPeriod).where(RosterPeriod.first_day <= last, RosterPeriod.last_day >= first,
                                           RosterPeriod.first_day >= first - dt.timedelta(days=MAX_PERIOD_DAYS))
        if actor.role not in SUPERVISORS:
            query = query.where(RosterPeriod.status != RosterStatus.draft.value)
        return [_period_row(session, p) for p in session.exec(query.order_by(RosterPeriod.first_day)).all()]


def period_view(engine: Engine, *, actor: Actor, period_id: int) -> PeriodView:
    """A roster with its entries and every problem that blocks publishing or warns (S13, S14)."""
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        period, template, post = _period_parts(session, period_id)
        if period.status == RosterStatus.draft and actor.role not in SUPERVISORS:
            raise NotAllowed("rotation.roster.error.draft_hidden")
        entries = session.exec(select(RosterEntryRecord).where(RosterEntryRecord.period_id == period_id)
                               .order_by(RosterEntryRecord.day, RosterEntryRecord.shift)).all()
        names = _names(session, {e.staff_id for e in entries})
        problems = _problems(session, period, template, post)
        return PeriodView(
            _period_row(session, period), tuple(s["code"] for s in template.shifts),
            tuple(EntryRow(e.id, e.day, e.shift, e.staff_id, names.get(e.staff_id, ""), e.kind) for e in entries),
            tuple(ProblemRow(p.key, p.severity.value, dict(p.params)) for p in problems))


@acting
def add_entries(engine: Engine, *, actor: Actor, period_id: int, staff_id: int | None, shift: str,
                days: Sequence[dt.date], kind: str = EntryKind.on_duty.value) -> int:
    """Put one person on a shift for several days of a draft; each refused if it breaks S14 (seed 004 D20)."""
    require(actor, SUPERVISORS)
    if staff_id is None or not days:
        raise ValidationFailed([FieldError("roster_staff" if staff_id is None else "roster_days", "field.required")])
    with session_scope(engine) as session:
        period, template, post = _period_parts(session, period_id)
        rules.ensure_editable(RosterStatus(period.status))
        if any(d < period.first_day or d > period.last_day for d in days):
            raise ValidationFailed([FieldError("roster_days", "rotation.roster.error.outside_period")])
        shape, post_rules = _template(template), _post_rules(template, post)
        if shape.shift(shift) is None:
            raise ValidationFailed([FieldError("roster_shift", "field.bad_choice")])
        existing = _post_entries(session, post.id, min(days) - dt.timedelta(days=1), max(days) + dt.timedelta(days=1))
        known = [_entry(e) for e in existing]
        staff_map = _staff_info(session, {staff_id})
        if staff_id not in staff_map:
            raise ValidationFailed([FieldError("roster_staff", "field.bad_choice")])
        people.require_eligible(session, staff_id, STAFF_KIND)
        added = 0
        for day in sorted(set(days)):
            entry = rules.RosterEntry(day, shift, staff_id, EntryKind(kind))
            if any((e.day, e.shift, e.staff) == (day, shift, staff_id) for e in known):
                continue
            rules.validate_assignment(entry, known, shape, post_rules, staff_map)
            known.append(entry)
            session.add(RosterEntryRecord(period_id=period_id, day=day, shift=shift, staff_id=staff_id, kind=kind))
            added += 1
        audit(session, actor=actor, entity="roster_period", entity_id=period_id, action="add_entries",
              after={"staff_id": staff_id, "shift": shift, "kind": kind, "days": [d.isoformat() for d in days]})
        return added


@acting
def remove_entry(engine: Engine, *, actor: Actor, entry_id: int) -> None:
    """Take an entry off a draft (published rosters change only through an approved request)."""
    require(actor, SUPERVISORS)
    with session_scope(engine) as session:
        entry = session.get(RosterEntryRecord, entry_id)
        if entry is None:
            raise Conflict("rotation.roster.error.entry_gone")
        rules.ensure_editable(RosterStatus(session.get(RosterPeriod, entry.period_id).status))
        before = snapshot(entry)
        session.delete(entry)
        audit(session, actor=actor, entity="roster_period", entity_id=entry.period_id, action="remove_entry",
              before=before)


@acting
def change_status(engine: Engine, *, actor: Actor, period_id: int, target: str) -> None:
    """Publish (refused while a problem blocks it, S13/S14) or lock a roster (seed 004 D19; seed 003 X7#28)."""
    require(actor, SUPERVISORS)
    now = utcnow()
    with session_scope(engine) as session:
        period, template, post = _period_parts(session, period_id)
        problems = _problems(session, period, template, post) if target == RosterStatus.published else []
        new = rules.change_status(RosterStatus(period.status), RosterStatus(target), problems)
        values = {"status": new.value, "version": period.version + 1}
        if new == RosterStatus.published:
            values.update(published_at=now, published_by_id=actor.id)
        else:
            values.update(locked_at=now, locked_by_id=actor.id)
        result = session.execute(update(RosterPeriod).where(RosterPeriod.id == period_id,
                                                            RosterPeriod.version == period.version).values(**values))
        if result.rowcount != 1:
            raise Conflict("rotation.roster.error.changed_meanwhile")
        audit(session, actor=actor, entity="roster_period", entity_id=period_id, action=new.value,
              before={"status": period.status}, after={"status": new.value})


# ---- swaps -----------------------------------------------------------------------------------------

def swappable(engine: Engine, *, actor: Actor, staff_id: int | None = None, now: dt.datetime | None = None
              ) -> tuple[list[ShiftRow], list[ShiftRow]]:
    """Upcoming published shifts: the person's own, and the others on the same posts (to swap with)."""
    require(actor, WRITERS)
    now = now or utcnow()
    staff_id = staff_id or actor.id
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        today = now.astimezone(tz).date()
        mine = _shift_rows(session, tz, select(RosterEntryRecord).join(RosterPeriod).where(
            RosterEntryRecord.staff_id == staff_id, RosterEntryRecord.day >= today,
            RosterPeriod.status == RosterStatus.published.value).order_by(RosterEntryRecord.day).limit(200))
        post_ids = set(session.exec(select(RosterPeriod.post_id).join(RosterEntryRecord).where(
            RosterEntryRecord.id.in_([m.entry_id for m in mine]))).all()) if mine else set()
        others = _shift_rows(session, tz, select(RosterEntryRecord).join(RosterPeriod).where(
            RosterPeriod.post_id.in_(post_ids), RosterEntryRecord.staff_id != staff_id,
            RosterEntryRecord.day >= today, RosterPeriod.status == RosterStatus.published.value)
            .order_by(RosterEntryRecord.day).limit(500)) if post_ids else []
    return mine, others


@acting
def file_swap(engine: Engine, *, actor: Actor, entry_id: int | None, counterpart_entry_id: int | None,
              reason: str = "", override: bool = False, now: dt.datetime | None = None) -> int:
    """Ask the 主管 for a swap; closed for a week after its Friday cut-off unless a supervisor overrides (S10, S15)."""
    require(actor, WRITERS)
    if entry_id is None or counterpart_entry_id is None:
        raise ValidationFailed([FieldError("roster_entry" if entry_id is None else "roster_counterpart",
                                           "field.required")])
    if override and actor.role not in SUPERVISORS:
        raise NotAllowed("rotation.swap.error.override_supervisor_only")
    now = now or utcnow()
    with session_scope(engine) as session:
        mine, theirs = session.get(RosterEntryRecord, entry_id), session.get(RosterEntryRecord, counterpart_entry_id)
        if mine is None or theirs is None:
            raise Conflict("rotation.roster.error.entry_gone")
        if actor.role not in SUPERVISORS and mine.staff_id != actor.id:
            raise NotAllowed("rotation.swap.error.own_shift_only")
        period, other = session.get(RosterPeriod, mine.period_id), session.get(RosterPeriod, theirs.period_id)
        if period.post_id != other.post_id:
            raise DomainError("rotation.swap.error.other_post")
        for p in (period, other):
            if p.status != RosterStatus.published:
                raise DomainError("rotation.swap.error.not_published")
        if (mine.day, mine.shift) == (theirs.day, theirs.shift):
            raise DomainError("rotation.swap.error.same_shift")
        tz = settings.office_zone(session)
        roster_settings = _roster_settings(session)
        for day in {mine.day, theirs.day}:
            requests.ensure_request_window(_local(now, tz), day, roster_settings, supervisor_override=override)
        swap = requests.request_swap([_entry(mine), _entry(theirs)], mine.staff_id, theirs.staff_id,
                                     ShiftRef(mine.day, mine.shift), ShiftRef(theirs.day, theirs.shift), clean(reason))
        row = RosterSwap(period_id=period.id, requester_id=swap.requester, counterpart_id=swap.counterpart,
                         requester_day=mine.day, requester_shift=mine.shift, counterpart_day=theirs.day,
                         counterpart_shift=theirs.shift, reason=swap.reason, override=override, filed_by_id=actor.id,
                         filed_at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="roster_swap", entity_id=row.id, action="file", after=snapshot(row),
              reason=row.reason)
        return row.id


@acting
def decide_swap(engine: Engine, *, actor: Actor, swap_id: int, approve: bool, note: str = "",
                now: dt.datetime | None = None) -> None:
    """The 主管 decides once; an approved swap exchanges the two shifts, a rejected one changes nothing (S10)."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    with session_scope(engine) as session:
        row = session.get(RosterSwap, swap_id)
        if row is None:
            raise Conflict("rotation.swap.error.already_decided", status="—")
        swap = requests.decide_swap(requests.SwapRequest(
            row.requester_id, row.counterpart_id, ShiftRef(row.requester_day, row.requester_shift),
            ShiftRef(row.counterpart_day, row.counterpart_shift), SwapStatus(row.status), row.reason), approve)
        result = session.execute(update(RosterSwap).where(RosterSwap.id == swap_id,
                                                          RosterSwap.status == SwapStatus.requested.value)
                                 .values(status=swap.status.value, decided_by_id=actor.id, decided_at=now,
                                         decision_note=clean(note)))
        if result.rowcount != 1:
            raise Conflict("rotation.swap.error.already_decided", status="—")
        if swap.status == SwapStatus.approved:
            _apply_swap(session, row, swap)
        audit(session, actor=actor, entity="roster_swap", entity_id=swap_id, action=swap.status.value,
              before={"status": row.status}, after={"status": swap.status.value}, reason=clean(note))


def _apply_swap(session: Session, row: RosterSwap, swap: requests.SwapRequest) -> None:
    period, template, post = _period_parts(session, row.period_id)
    rules.ensure_editable(RosterStatus(period.status), via_approved_request=True)
    days = (row.requester_day, row.counterpart_day)
    records = _post_entries(session, post.id, min(days) - dt.timedelta(days=1), max(days) + dt.timedelta(days=1),
                            lock=True)
    held = {(r.staff_id, r.day, r.shift) for r in records}
    for staff_id, ref in ((row.requester_id, swap.requester_shift), (row.counterpart_id, swap.counterpart_shift)):
        if (staff_id, ref.day, ref.shift) not in held:  # another decision moved it since this swap was filed
            raise Conflict("rotation.swap.error.shift_moved", day=ref.day.isoformat(), shift=ref.shift)
    swapped = requests.apply_swap([_entry(r) for r in records], swap)
    staff_map = _staff_info(session, {row.requester_id, row.counterpart_id})
    shape, post_rules = _template(template), _post_rules(template, post)
    for record, entry in zip(records, swapped, strict=True):
        if entry.staff != record.staff_id:
            rules.validate_assignment(entry, swapped, shape, post_rules, staff_map)
            record.staff_id = entry.staff
            session.add(record)


# ---- absences --------------------------------------------------------------------------------------

def _policy(session: Session, post_id: int) -> AbsencePolicy:
    preset = session.exec(select(ShiftTemplateRecord.preset).join(RosterPeriod).where(
        RosterPeriod.post_id == post_id).order_by(RosterPeriod.first_day.desc()).limit(1)).first()
    return POLICY_OF_PRESET.get(Preset(preset), AbsencePolicy.other) if preset else AbsencePolicy.other


@acting
def file_absence(engine: Engine, *, actor: Actor, post_id: int | None, starts_at: dt.datetime | None,
                 ends_at: dt.datetime | None, reason: str, cover_id: int | None = None, note: str = "",
                 now: dt.datetime | None = None) -> tuple[int, str]:
    """Ask to leave a post for a while: front-desk 私事 is refused at once (S11, seed 000 D9); the control room
    names an on-duty substitute first (seed 004 D2, D16). Returns the id and the status."""
    require(actor, WRITERS)
    errors = [FieldError(f, "field.required") for f, v in
              (("roster_post", post_id), ("roster_starts_at", starts_at), ("roster_ends_at", ends_at)) if v is None]
    errors += [FieldError(f, "field.bad_time") for f, v in (("roster_starts_at", starts_at), ("roster_ends_at", ends_at))
               if v is not None and v.tzinfo is None]  # a time without its zone cannot be stored as UTC (R15)
    if reason not in {r.value for r in AbsenceReason}:
        errors.append(FieldError("roster_absence_reason", "field.bad_choice"))
    if errors:
        raise ValidationFailed(errors)
    now = now or utcnow()
    with session_scope(engine) as session:
        post = session.get(OrgUnit, post_id)
        unknown = [FieldError(f, "field.bad_choice") for f, bad in (
            ("roster_post", post is None or post.kind != "post"),
            ("roster_cover", cover_id is not None and session.get(User, cover_id) is None)) if bad]
        if unknown:  # a stale or forged id: refused, not a foreign-key traceback (R15)
            raise ValidationFailed(unknown)
        tz = settings.office_zone(session)
        policy = _policy(session, post_id)
        on_duty = {e.staff_id for e in _on_duty_records(session, tz, now, post_id)}
        absence = requests.submit_absence(requests.PostAbsence(
            actor.id, policy, _local(starts_at, tz), _local(ends_at, tz), AbsenceReason(reason), cover_id),
            on_duty, _roster_settings(session))
        row = RosterAbsence(staff_id=actor.id, post_id=post_id, policy=policy.value, starts_at=starts_at,
                            ends_at=ends_at, reason=reason, note=clean(note), cover_id=cover_id,
                            status=absence.status.value, decision_key=absence.decision_key, filed_by_id=actor.id,
                            filed_at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="roster_absence", entity_id=row.id, action="file", after=snapshot(row))
        return row.id, row.status


@acting
def decide_absence(engine: Engine, *, actor: Actor, absence_id: int, approve: bool, cover_id: int | None = None,
                   now: dt.datetime | None = None) -> None:
    """Approve (the front desk only with a cover, S11) or reject a pending absence; the policy's title decides.

    A 主管 (supervisor role) holding the policy's title (seed 000 D9 综合部主管, seed 004 D8 值班经理; SPEC's roles
    table makes both supervisor jobs), any 主管 on other posts, or an admin. The inbox asks the same people
    (``lib.services.inbox.providers.absences``, issue 15 I10)."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    with session_scope(engine) as session:
        row = session.get(RosterAbsence, absence_id)
        if row is None:
            raise Conflict("rotation.absence.error.already_decided", status="—")
        policy = AbsencePolicy(row.policy)
        title = APPROVER_TITLE.get(policy)
        if title and actor.role != "admin" and not actor.has_title(title):
            raise NotAllowed("rotation.absence.error.approver_title", title=title)
        cover = cover_id if cover_id is not None else row.cover_id
        tz = settings.office_zone(session)
        absence = requests.PostAbsence(row.staff_id, policy, _local(row.starts_at, tz), _local(row.ends_at, tz),
                                       AbsenceReason(row.reason), cover, AbsenceStatus(row.status))
        if cover is not None and cover == row.staff_id:
            raise DomainError("rotation.absence.error.cover_is_self")
        decided = requests.approve_absence(absence) if approve else requests.reject_absence(absence)
        result = session.execute(update(RosterAbsence).where(RosterAbsence.id == absence_id,
                                                             RosterAbsence.status == AbsenceStatus.submitted.value)
                                 .values(status=decided.status.value, cover_id=cover, decided_by_id=actor.id,
                                         decided_at=now))
        if result.rowcount != 1:
            raise Conflict("rotation.absence.error.already_decided", status="—")
        audit(session, actor=actor, entity="roster_absence", entity_id=absence_id, action=decided.status.value,
              before={"status": row.status, "cover_id": row.cover_id},
              after={"status": decided.status.value, "cover_id": cover})


def requests_list(engine: Engine, *, actor: Actor, pending_only: bool = False, mine: bool = False) -> list[RequestRow]:
    """Swap and absence requests: a person's own, or the supervisor's inbox (pending first)."""
    require(actor, WRITERS)
    if not mine and actor.role not in SUPERVISORS:
        raise NotAllowed("auth.forbidden")
    with session_scope(engine, write=False) as session:
        swaps = select(RosterSwap).order_by(RosterSwap.filed_at.desc()).limit(300)
        absences = select(RosterAbsence).order_by(RosterAbsence.filed_at.desc()).limit(300)
        if pending_only:
            swaps = swaps.where(RosterSwap.status == SwapStatus.requested.value)
            absences = absences.where(RosterAbsence.status == AbsenceStatus.submitted.value)
        if mine:
            swaps = swaps.where(or_(RosterSwap.requester_id == actor.id, RosterSwap.counterpart_id == actor.id))
            absences = absences.where(RosterAbsence.staff_id == actor.id)
        swap_rows, absence_rows = session.exec(swaps).all(), session.exec(absences).all()
        names = _names(session, {r.requester_id for r in swap_rows} | {r.counterpart_id for r in swap_rows}
                       | {r.staff_id for r in absence_rows} | {r.cover_id for r in absence_rows})
        post_names = dict(session.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "post")).all())
        period_posts = dict(session.exec(select(RosterPeriod.id, RosterPeriod.post_id).where(
            RosterPeriod.id.in_({r.period_id for r in swap_rows}))).all()) if swap_rows else {}
        tz = settings.office_zone(session)
    rows = [RequestRow(r.id, "swap", names.get(r.requester_id, ""), post_names.get(period_posts.get(r.period_id), ""),
                       f"{r.requester_day} {r.requester_shift} ⇄ {r.counterpart_day} {r.counterpart_shift}",
                       names.get(r.counterpart_id, ""), r.reason, r.status, r.filed_at) for r in swap_rows]
    rows += [RequestRow(r.id, "absence", names.get(r.staff_id, ""), post_names.get(r.post_id, ""),
                        f"{r.starts_at.astimezone(tz):%m-%d %H:%M}–{r.ends_at.astimezone(tz):%m-%d %H:%M}", "",
                        r.reason, r.status, r.filed_at, r.policy, names.get(r.cover_id, ""), r.decision_key)
             for r in absence_rows]
    return sorted(rows, key=lambda r: r.filed_at, reverse=True)


# ---- on duty now and check-in ---------------------------------------------------------------------

def on_duty_ids(session: Session, at: dt.datetime) -> frozenset[int]:
    """Who a published roster has on duty at ``at``, on any post (the control-room alarm's two responders,
    seed 004 D20); empty when no roster covers that moment."""
    return frozenset(r.staff_id for r in _on_duty_records(session, settings.office_zone(session), at))


def _on_duty_records(session: Session, tz, now: dt.datetime, post_id: int | None = None) -> list[RosterEntryRecord]:
    local = _local(now, tz)
    query = (select(RosterEntryRecord, ShiftTemplateRecord).join(RosterPeriod, RosterPeriod.id == RosterEntryRecord.period_id)
             .join(ShiftTemplateRecord, ShiftTemplateRecord.id == RosterPeriod.template_id)
             .where(RosterEntryRecord.day >= local.date() - dt.timedelta(days=1), RosterEntryRecord.day <= local.date(),
                    RosterPeriod.status != RosterStatus.draft.value))
    if post_id is not None:
        query = query.where(RosterPeriod.post_id == post_id)
    found = []
    for record, template in session.exec(query).all():
        if rules.on_duty_now([_entry(record)], _template(template), local):
            found.append(record)
    return found


def _shift_rows(session: Session, tz, query) -> list[ShiftRow]:
    """Entries as rows with their post, times and check-in, loaded in a few batched queries."""
    records = list(session.exec(query).all())
    if not records:
        return []
    periods_by_id = {p.id: p for p in session.exec(select(RosterPeriod).where(
        RosterPeriod.id.in_({r.period_id for r in records}))).all()}
    shapes = {t.id: _template(t) for t in session.exec(select(ShiftTemplateRecord).where(
        ShiftTemplateRecord.id.in_({p.template_id for p in periods_by_id.values()}))).all()}
    post_names = dict(session.exec(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_({p.post_id for p in periods_by_id.values()}))).all())
    checks = {c.entry_id: c for c in session.exec(select(RosterCheckIn).where(
        RosterCheckIn.entry_id.in_([r.id for r in records]))).all()}
    names = _names(session, {r.staff_id for r in records})
    rows = []
    for record in records:
        period = periods_by_id[record.period_id]
        start, end = shapes[period.template_id].shift(record.shift).span(record.day)
        check = checks.get(record.id)
        rows.append(ShiftRow(record.id, post_names.get(period.post_id, ""), record.day, record.shift, record.kind,
                             names.get(record.staff_id, ""), _utc(start, tz), _utc(end, tz),
                             check.checked_in_at if check else None, check.status if check else ""))
    return rows


def on_duty(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> OnDutyView:
    """Who holds each post now, the day's 第一责任人, approved absences under way (SPEC 1.2 "on duty today")."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        today = now.astimezone(tz).date()
        ids = [r.id for r in _on_duty_records(session, tz, now)]
        current = _shift_rows(session, tz, select(RosterEntryRecord).where(RosterEntryRecord.id.in_(ids))
                              .order_by(RosterEntryRecord.shift)) if ids else []
        firsts = session.exec(select(OrgUnit.name, User.name).join(RosterPeriod, RosterPeriod.post_id == OrgUnit.id)
                              .join(RosterEntryRecord, RosterEntryRecord.period_id == RosterPeriod.id)
                              .join(User, User.id == RosterEntryRecord.staff_id)
                              .where(RosterEntryRecord.day == today,
                                     RosterEntryRecord.kind == EntryKind.first_responsible.value,
                                     RosterPeriod.status != RosterStatus.draft.value)).all()
        # By the (ends_at, starts_at) index: the few absences not over yet, whatever the history holds.
        away = [a for a in session.exec(select(RosterAbsence).where(RosterAbsence.ends_at > now,
                                                                    RosterAbsence.starts_at <= now)).all()
                if a.status == AbsenceStatus.approved]
        names = _names(session, {a.staff_id for a in away} | {a.cover_id for a in away})
        posts_by_id = dict(session.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "post")).all())
    absences = tuple(RequestRow(a.id, "absence", names.get(a.staff_id, ""), posts_by_id.get(a.post_id, ""),
                                f"{a.starts_at.astimezone(tz):%H:%M}–{a.ends_at.astimezone(tz):%H:%M}", "", a.reason,
                                a.status, a.filed_at, a.policy, names.get(a.cover_id, "")) for a in away)
    return OnDutyView(tuple(sorted(current, key=lambda r: (r.post, r.start))), tuple(firsts), absences)


def wall_on_duty(engine: Engine, *, now: dt.datetime | None = None) -> list[dict]:
    """The wall's on-duty rows: post, name, shift, whether 第一责任人; nothing personal (SPEC 4.7)."""
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        ids = [r.id for r in _on_duty_records(session, tz, now)]
        rows = _shift_rows(session, tz, select(RosterEntryRecord).where(RosterEntryRecord.id.in_(ids))) if ids else []
    return [{"post": r.post, "name": r.staff, "shift": r.shift,
             "first_responsible": r.kind == EntryKind.first_responsible.value} for r in rows]


def my_shifts(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> list[ShiftRow]:
    """The person's published shifts from yesterday to tomorrow, with their check-in."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        today = now.astimezone(tz).date()
        return _shift_rows(session, tz, select(RosterEntryRecord).join(RosterPeriod).where(
            RosterEntryRecord.staff_id == actor.id, RosterEntryRecord.day >= today - dt.timedelta(days=1),
            RosterEntryRecord.day <= today + dt.timedelta(days=1), RosterPeriod.status != RosterStatus.draft.value)
            .order_by(RosterEntryRecord.day))


@acting
def check_in(engine: Engine, *, actor: Actor, entry_id: int, now: dt.datetime | None = None) -> str:
    """Arrive for one's own shift; later than start − 10 min is flagged (S12, seed 000 D2). Once per shift."""
    require(actor, WRITERS)
    now = now or utcnow()
    try:
        with session_scope(engine) as session:
            record = session.get(RosterEntryRecord, entry_id)
            if record is None or record.staff_id != actor.id:
                raise NotAllowed("rotation.check_in.error.not_your_shift")
            period = session.get(RosterPeriod, record.period_id)
            tz = settings.office_zone(session)
            start, end = _template(session.get(ShiftTemplateRecord, period.template_id)).shift(record.shift).span(record.day)
            local = _local(now, tz)
            if not start - dt.timedelta(hours=CHECK_IN_OPENS_H) <= local < end:
                raise DomainError("rotation.check_in.error.not_now", opens=f"{start - dt.timedelta(hours=CHECK_IN_OPENS_H):%m-%d %H:%M}")
            status = requests.check_in_flag(start, local, _roster_settings(session)).value
            row = RosterCheckIn(entry_id=entry_id, staff_id=actor.id, shift_start=_utc(start, tz), checked_in_at=now,
                                status=status)
            session.add(row)
            session.flush()
            audit(session, actor=actor, entity="roster_check_in", entity_id=row.id, action=status, after=snapshot(row))
            return status
    except IntegrityError as exc:
        raise Conflict("rotation.check_in.error.already") from exc


def flagged_check_ins(engine: Engine, *, actor: Actor, day: dt.date) -> list[ShiftRow]:
    """A day's check-ins later than start − 10 min, for the supervisor (S12)."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
        ids = session.exec(select(RosterCheckIn.entry_id).where(
            RosterCheckIn.checked_in_at >= start, RosterCheckIn.checked_in_at < start + dt.timedelta(days=1),
            RosterCheckIn.status != requests.CheckInStatus.ok.value)).all()
        return _shift_rows(session, tz, select(RosterEntryRecord).where(RosterEntryRecord.id.in_(ids))) if ids else []


@acting
def set_qualification(engine: Engine, *, actor: Actor, staff_id: int, post_id: int, trained: bool,
                      cert_valid_until: dt.date | None) -> None:
    """Record who is trained for a control post and until when their certificate is valid (seed 004 D12, D20)."""
    require(actor, SUPERVISORS)
    errors = [FieldError(f, "field.required") for f, v in (("roster_staff", staff_id), ("roster_post", post_id)) if v is None]
    if errors:
        raise ValidationFailed(errors)
    with session_scope(engine) as session:
        user = session.get(User, staff_id)
        if user is None:
            raise ValidationFailed([FieldError("roster_staff", "field.bad_choice")])
        before = {"trained_posts": list(user.trained_posts), "cert_valid_until": user.cert_valid_until}
        posts_now = {str(p) for p in user.trained_posts} - {str(post_id)}
        user.trained_posts = sorted(posts_now | ({str(post_id)} if trained else set()))
        user.cert_valid_until = cert_valid_until
        session.add(user)
        audit(session, actor=actor, entity="user", entity_id=staff_id, action="qualification", before=snapshot(before),
              after=snapshot({"trained_posts": user.trained_posts, "cert_valid_until": cert_valid_until}))
