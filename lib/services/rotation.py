"""Showroom sales queue (SPEC M1 1.1): the lottery draw, the day's order, one-tap events, the board.

The board is never stored. ``queue_day`` keeps a day's starting order (the lottery
cycle from yesterday's closing front-desk person, demoted and inactive people left
out, the pinned intern) and ``queue_event`` the append-only taps; the board is the
domain replay of the two, so any past day can be replayed and audited. A writer
reads the day's last ``seq``, decides with the domain and inserts ``seq + 1``: two
taps at once give one turn, and the loser is told who is due now.

A new group goes to the person due: anyone else is refused and told who is due, or gives a
reason, kept on the event, audited and listed for the manager (T6). Of two presses for one
customer only the first is recorded: a ``received_new`` is refused when another was recorded
after the board the screen showed.

The domain works in naive office-local wall times; rows keep aware UTC.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import LotteryDraw, OrgUnit, QueueDay, QueueDemotion, QueueEventRecord, User
from lib.domain.rotation import rules
from lib.domain.errors import Conflict, DomainError, FieldError, NotAllowed, ValidationFailed
from lib.domain.rotation.rules import DrawMethod, EventType, Position, SlotState
from lib.domain.text import clean
from lib.domain import people as people_rules
from lib.domain.people import label as person_label
from lib.services import people as people_service
from lib.services import settings
from lib.services.base import SUPERVISORS, WRITERS, Actor, acting, audit, require, utcnow

# Seed 000 D1 names the midday groups 一组 and 二组: the org units of kind "group" with these names.
MIDDAY_GROUP_NAMES = {rules.MiddayGroup.group_1: "一组", rules.MiddayGroup.group_2: "二组"}
TURN_EVENTS = frozenset({EventType.received_new, EventType.skip, EventType.step_away, EventType.reorder})
CONSULTANT_EVENTS = (EventType.received_new, EventType.served_old, EventType.skip, EventType.step_away,
                     EventType.back)
FLAG_LEFT_DESK = "left_desk"
# Who may be in the queue: the titles of the setting people.consultant_titles (seed 000 D1 「全体销售顾问」, T2, T13).
PICK_KIND = "consultant"
# The setting's default only, for the KPI module that still reads a constant; the queue reads the setting.
CONSULTANT_TITLES = tuple(next(d.default for d in people_rules.SETTINGS if d.key == "people.consultant_titles"))
REPORT_MAX_DAYS = 92
REASON_MAX = QueueEventRecord.__table__.c.reason.type.length  # the column's limit, for the widget and the check
APPEND_ATTEMPTS = 5
DEMOTION_SPAN_DAYS = 31  # a demotion covers one calendar month (seed 000 D1 「为期一个月」)
_NAME_PARAMS = ("consultant", "due", "expected")


# ---- plain rows out ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DrawInfo:
    id: int
    drawn_on: dt.date
    method: str
    order: tuple[int, ...]
    names: tuple[str, ...]
    drawn_by: str
    drawn_at: dt.datetime
    note: str


@dataclass(frozen=True)
class SlotRow:
    number: int
    consultant_id: int
    name: str
    position: str
    state: str
    round_no: int
    had_group: bool
    skipped: bool
    pinned: bool
    is_due: bool
    group: str
    on_midday_duty: bool


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: dt.datetime
    type: str
    consultant: str
    next_consultant: str
    reason: str
    flag: str
    recorded_by: str


@dataclass(frozen=True)
class NoticeRow:
    """An out-of-turn take with its reason (T6), a possible 抢客 (Q8) or a desk left without handover (SQ1)."""

    day: dt.date
    at: dt.datetime
    kind: str
    consultant: str
    due: str
    reason: str = ""


@dataclass(frozen=True)
class CarryInfo:
    """Why today starts where it does (Q1, T8): yesterday's closing front desk, or a new draw."""

    kind: str  # "carry" or "new_draw"
    day: dt.date  # the previous queue day for "carry", the draw's first day for "new_draw"
    name: str = ""


@dataclass(frozen=True)
class BoardView:
    day: dt.date
    opened: bool
    seq: int
    draw: DrawInfo | None
    slots: tuple[SlotRow, ...]
    round_no: int
    due_id: int | None
    due_name: str
    demoted: tuple[str, ...]
    inactive: tuple[str, ...]
    intern: str
    events: tuple[EventRow, ...]
    notices: tuple[NoticeRow, ...]
    report: tuple[tuple[str, tuple[int, ...]], ...]
    midday_group: str
    in_midday: bool
    carry: CarryInfo | None = None
    previous_day: dt.date | None = None

    @property
    def next_due_id(self) -> int | None:
        """Who takes over if the person due steps away (Q4)."""
        return next((s.consultant_id for s in self.slots if not s.pinned and not s.is_due
                     and s.state == SlotState.waiting and s.round_no == self.round_no), None)


@dataclass(frozen=True)
class DemotionRow:
    id: int
    consultant_id: int
    name: str
    month_start: dt.date
    end_day: dt.date
    reason: str
    source: str
    set_by: str


@dataclass(frozen=True)
class PersonOption:
    """A consultant as the draw, reorder, pin and demotion pickers show them: 「姓名（工号 · 团队）」 (T2)."""

    id: int
    name: str
    staff_no: str
    is_intern: bool
    label: str


# ---- helpers ---------------------------------------------------------------------------------------

def _names(session: Session, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(wanted))).all())


def _named(session: Session, exc: DomainError) -> DomainError:
    """The domain names people by id; the message names them by name."""
    ids = [exc.params.get(p) for p in _NAME_PARAMS if isinstance(exc.params.get(p), int)]
    if not ids or isinstance(exc, ValidationFailed):
        return exc
    names = _names(session, ids)
    return type(exc)(exc.key, **{k: names.get(v, v) if k in _NAME_PARAMS else v for k, v in exc.params.items()})


def _local(moment: dt.datetime, tz) -> dt.datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _rotation_settings(session: Session) -> rules.RotationSettings:
    return rules.RotationSettings.from_values(settings.current_values(
        session, ["queue.groups_per_round", "queue.midday_window", "queue.midday_anchor_date"]))


def _demoted_on(session: Session, day: dt.date) -> set[int]:
    """Demotions last one calendar month, so only those starting in the last month can cover ``day``."""
    return set(session.exec(select(QueueDemotion.consultant_id).where(
        QueueDemotion.month_start <= day, QueueDemotion.month_start >= day - dt.timedelta(days=DEMOTION_SPAN_DAYS),
        QueueDemotion.end_day >= day, QueueDemotion.revoked_at.is_(None))).all())


def _draw_for(session: Session, day: dt.date) -> LotteryDraw | None:
    return session.exec(select(LotteryDraw).where(LotteryDraw.drawn_on <= day)
                        .order_by(LotteryDraw.drawn_on.desc(), LotteryDraw.id.desc()).limit(1)).first()


def _records(session: Session, day_id: int) -> list[QueueEventRecord]:
    return list(session.exec(select(QueueEventRecord).where(QueueEventRecord.day_id == day_id)
                             .order_by(QueueEventRecord.seq)).all())


@dataclass(frozen=True)
class _Tap:
    """A stored tap as the board needs it: a plain copy of the row, kept beyond its session."""

    id: int
    seq: int
    at: dt.datetime
    type: str
    consultant_id: int | None
    next_consultant_id: int | None
    contact_id: int | None
    new_order: tuple[int, ...]
    reason: str
    by_supervisor: bool
    flag: str
    recorded_by_id: int | None


_TAP_COLUMNS = (QueueEventRecord.id, QueueEventRecord.seq, QueueEventRecord.at, QueueEventRecord.type,
                QueueEventRecord.consultant_id, QueueEventRecord.next_consultant_id, QueueEventRecord.contact_id,
                QueueEventRecord.new_order, QueueEventRecord.reason, QueueEventRecord.by_supervisor,
                QueueEventRecord.flag, QueueEventRecord.recorded_by_id)


@dataclass(frozen=True)
class _DayLog:
    """A day's taps and their fold, carried on as taps are added (issue 13 L4).

    ``folded`` is the board after every tap with the demotions due by then applied, ``pending`` the demotions
    still to apply after the last tap, ``board`` what every screen shows (both applied) and ``dues[k]`` who was
    due on the board of the first ``k`` taps (a screen that showed an older step is told who is due now)."""

    taps: tuple[_Tap, ...]
    folded: rules.Board
    pending: tuple[tuple[dt.datetime, int], ...]
    board: rules.Board
    dues: tuple[int | None, ...]

    @property
    def last(self) -> int:
        return self.taps[-1].seq if self.taps else 0

    def due_at_seq(self, seq: int) -> int | None:
        """Who was due on the board of the taps up to ``seq`` (all of them for a ``seq`` past the last)."""
        return self.dues[bisect_right([t.seq for t in self.taps], seq)]


_DAY_LOGS: WeakKeyDictionary = WeakKeyDictionary()  # engine -> {day key: _DayLog}; an engine gone takes its days
_DAY_LOGS_LOCK = threading.Lock()
_DAY_LOGS_KEPT = 8  # days per engine: today's, and a supervisor looking back


def _day_log(session: Session, row: QueueDay, tz) -> _DayLog:
    """The day's taps and fold, shared by every screen of this process and carried on by the taps added since.

    A day's taps are append-only (``seq`` numbers them, no update or delete), so what was folded stays true: each
    call reads the count, last ``seq`` and last id of the day's taps (one indexed aggregate) and, when they moved,
    only the taps after the last one folded. Anything else (fewer taps, another day under the same id, a
    demotion made, the order or the office's time zone changed) folds the day again from its start. Before this,
    every render read and folded every tap: ~100 ms over the 2,035 taps of a twenty-minute load test."""
    order, rotation = _order_of(row), rules.RotationSettings(groups_per_round=row.groups_per_round)
    removals = tuple(sorted(_removals(session, row, tz), key=lambda r: r[0]))
    if row.id is None:  # a planned day, not opened: no taps
        board = rules.replay(order, (), row.intern_id, rotation, removals=removals)
        return _DayLog((), board, removals, board, (board.due,))
    key = (row.id, row.opened_at, order, row.intern_id, rotation, removals, str(tz))
    engine = session.get_bind().engine  # the session is bound to a connection of it
    kept = _DAY_LOGS.get(engine, {}).get(key)
    count, last, last_id = session.exec(
        select(func.count(QueueEventRecord.id), func.max(QueueEventRecord.seq), func.max(QueueEventRecord.id))
        .where(QueueEventRecord.day_id == row.id)).one()
    count, last, last_id = count or 0, last or 0, last_id or 0
    if kept is not None and len(kept.taps) == count and kept.last == last and (
            not kept.taps or kept.taps[-1].id == last_id):
        return kept
    base = kept if kept is not None and len(kept.taps) < count and kept.last < last else None
    query = select(*_TAP_COLUMNS).where(QueueEventRecord.day_id == row.id).order_by(QueueEventRecord.seq)
    if base is not None:
        query = query.where(QueueEventRecord.seq > base.last)
    new = tuple(_Tap(*values[:7], tuple(values[7] or ()), *values[8:]) for values in session.exec(query).all())
    if base is not None and len(base.taps) + len(new) != count:  # not a plain append: fold the day again
        base, new = None, tuple(_Tap(*v[:7], tuple(v[7] or ()), *v[8:]) for v in session.exec(
            select(*_TAP_COLUMNS).where(QueueEventRecord.day_id == row.id).order_by(QueueEventRecord.seq)).all())
    if base is None:
        folded = rules.start_board(order, row.intern_id, rotation)
        base = _DayLog((), folded, removals, rules.with_removals(folded, removals),
                       (rules.with_removals(folded, removals).due,))
    log = _carry_on(base, new, tz)
    with _DAY_LOGS_LOCK:
        days = _DAY_LOGS.setdefault(engine, {})
        days.pop(key, None)
        days[key] = log
        while len(days) > _DAY_LOGS_KEPT:
            days.pop(next(iter(days)))
    return log


def _carry_on(log: _DayLog, taps: Sequence[_Tap], tz) -> _DayLog:
    """The log with ``taps`` folded on (pure: the rules' own fold, one tap at a time to know each step's due)."""
    folded, pending, dues = log.folded, log.pending, list(log.dues)
    for tap in taps:
        folded, pending = rules.fold(folded, (_domain_event(tap, tz),), pending)
        dues.append(rules.with_removals(folded, pending).due if pending else folded.due)
    return _DayLog(log.taps + tuple(taps), folded, pending, rules.with_removals(folded, pending), tuple(dues))


def _domain_event(record: QueueEventRecord | _Tap, tz) -> rules.QueueEvent:
    return rules.QueueEvent(type=EventType(record.type), consultant=record.consultant_id, at=_local(record.at, tz),
                            next_consultant=record.next_consultant_id, contact_id=record.contact_id,
                            order=tuple(record.new_order), reason=record.reason, by_supervisor=record.by_supervisor)


def _order_of(row: QueueDay) -> rules.DayOrder:
    return rules.DayOrder(members=tuple(row.start_order), demoted=frozenset(row.demoted),
                          inactive=frozenset(row.inactive))


def _removals(session: Session, row: QueueDay, tz) -> list[tuple[dt.datetime, int]]:
    """Demotions made on an opened day take the person off that day's board from then on (S8, T18);
    a later revocation does not put them back on a day already played (the day keeps its order)."""
    if row.opened_at is None or row.id is None:
        return []
    found = session.exec(select(QueueDemotion.consultant_id, QueueDemotion.set_at).where(
        QueueDemotion.month_start <= row.day, QueueDemotion.end_day >= row.day,
        QueueDemotion.set_at > row.opened_at, QueueDemotion.consultant_id.in_(list(row.start_order)))).all()
    return [(_local(at, tz), who) for who, at in found if _local(at, tz).date() == row.day]


def _closing_of(session: Session, row: QueueDay, tz) -> int | None:
    if row.closing_front_desk_id is not None:
        return row.closing_front_desk_id
    return rules.closing_front_desk(_day_log(session, row, tz).board)


def _previous_day(session: Session, day: dt.date) -> QueueDay | None:
    return session.exec(select(QueueDay).where(QueueDay.day < day).order_by(QueueDay.day.desc()).limit(1)).first()


def _carry(session: Session, row: QueueDay, draw: LotteryDraw, tz) -> CarryInfo:
    """Q1 made visible (T8): the day continues from the previous day's closing front desk, or starts a new draw."""
    previous = _previous_day(session, row.day)
    if previous is not None and previous.draw_id == row.draw_id:
        closing = _closing_of(session, previous, tz)
        if closing is not None:
            return CarryInfo("carry", previous.day, _names(session, [closing]).get(closing, str(closing)))
    return CarryInfo("new_draw", draw.drawn_on)


def _planned_day(session: Session, day: dt.date, tz) -> QueueDay | None:
    """The starting order a day would open with (not stored): Q1 carry-over, Q6 demoted left out."""
    draw = _draw_for(session, day)
    if draw is None:
        return None
    previous = _previous_day(session, day)
    closing = intern = None
    if previous is not None and previous.draw_id == draw.id:
        closing = _closing_of(session, previous, tz)
    lottery = list(draw.lottery_order)
    inactive = set(session.exec(select(User.id).where(User.id.in_(lottery), User.active == False)).all())  # noqa: E712
    demoted = _demoted_on(session, day) & set(lottery)
    if previous is not None and previous.intern_id is not None:
        pinned = session.get(User, previous.intern_id)
        if pinned is not None and pinned.active and pinned.id not in demoted:
            intern = pinned.id
    order = rules.build_day_order(lottery, closing, demoted, inactive)
    return QueueDay(day=day, draw_id=draw.id, start_order=list(order.members), demoted=sorted(order.demoted),
                    inactive=sorted(order.inactive), intern_id=intern,
                    start_consultant_id=order.members[0] if order.members else None,
                    groups_per_round=_rotation_settings(session).groups_per_round)


def _day_row(session: Session, day: dt.date) -> QueueDay | None:
    return session.exec(select(QueueDay).where(QueueDay.day == day)).first()


def _open_day(engine: Engine, *, actor: Actor, day: dt.date, now: dt.datetime, intern_id: int | None = None,
              set_intern: bool = False) -> int:
    """Store the day's starting order on its first write; two screens opening at once agree on one row."""
    for _attempt in range(2):
        try:
            with session_scope(engine) as session:
                return _open_day_in(session, actor=actor, day=day, now=now, intern_id=intern_id,
                                    set_intern=set_intern).id
        except IntegrityError:
            continue
    raise Conflict("rotation.error.try_again")


def _open_day_in(session: Session, *, actor: Actor, day: dt.date, now: dt.datetime, intern_id: int | None = None,
                 set_intern: bool = False) -> QueueDay:
    """The day's row, stored with its starting order in the caller's transaction on the day's first write, so a
    refused first action rolls the opening back with it (R15). Two first writers at once: the second one's insert
    raises ``IntegrityError`` and its caller retries on the stored row."""
    existing = _day_row(session, day)
    if existing is not None:
        return existing
    tz = settings.office_zone(session)
    row = _planned_day(session, day, tz)
    if row is None:
        raise DomainError("rotation.error.no_draw")
    if set_intern:
        row.intern_id = intern_id
    previous = session.exec(select(QueueDay).where(QueueDay.day < day)
                            .order_by(QueueDay.day.desc()).limit(1)).first()
    if previous is not None and previous.closing_front_desk_id is None:
        previous.closing_front_desk_id = _closing_of(session, previous, tz)
        session.add(previous)
    row.opened_at, row.opened_by_id = now, actor.id
    session.add(row)
    session.flush()
    audit(session, actor=actor, entity="queue_day", entity_id=row.id, action="open",
          after={"day": day.isoformat(), "start_order": row.start_order, "demoted": row.demoted,
                 "intern_id": row.intern_id})
    return row


# ---- the board -------------------------------------------------------------------------------------

def board(engine: Engine, *, actor: Actor, day: dt.date | None = None, now: dt.datetime | None = None) -> BoardView:
    """The day's board replayed from its order and events; staff see today, supervisors any day (today's rows only)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        today = now.astimezone(tz).date()
        day = day or today
        if day != today and actor.role not in SUPERVISORS:
            raise NotAllowed("rotation.error.only_today")
        return _board_view(session, day, tz, now)


def _board_view(session: Session, day: dt.date, tz, now: dt.datetime) -> BoardView:
    settings_now = _rotation_settings(session)
    row = _day_row(session, day)
    opened = row is not None
    if row is None and day >= now.astimezone(tz).date():
        row = _planned_day(session, day, tz)
    midday = rules.midday_group(day, settings_now)
    in_midday = now.astimezone(tz).date() == day and rules.in_midday_window(now.astimezone(tz).time(), settings_now)
    if row is None:
        return BoardView(day, False, 0, None, (), 1, None, "", (), (), "", (), (), (), midday.value, in_midday)
    log = _day_log(session, row, tz)
    records, state = log.taps, log.board
    draw = session.get(LotteryDraw, row.draw_id)
    previous = _previous_day(session, day)
    people = set(draw.lottery_order) | {row.intern_id} | {r.recorded_by_id for r in records} \
        | {r.next_consultant_id for r in records}
    names = _names(session, people)
    groups = _group_names(session, [s.consultant for s in state.slots])
    duty_group = MIDDAY_GROUP_NAMES[midday]
    slots = tuple(SlotRow(
        number=s.number, consultant_id=s.consultant, name=names.get(s.consultant, str(s.consultant)),
        position=s.position.value, state=s.state.value, round_no=s.round_no,
        had_group=s.consultant in state.had_group, skipped=s.consultant in state.skipped, pinned=s.pinned,
        is_due=s.consultant == state.due, group=groups.get(s.consultant, ""),
        on_midday_duty=in_midday and groups.get(s.consultant) == duty_group) for s in state.slots)
    events = tuple(EventRow(seq=r.seq, at=r.at, type=r.type, consultant=names.get(r.consultant_id, ""),
                            next_consultant=names.get(r.next_consultant_id, ""), reason=r.reason, flag=r.flag,
                            recorded_by=names.get(r.recorded_by_id, "")) for r in records)
    notices = tuple(NoticeRow(day, _aware(f.at, tz), f.kind.value, names.get(f.consultant, ""),
                              names.get(f.due, ""), f.reason) for f in state.flags) + tuple(
        NoticeRow(day, _aware(w.at, tz), FLAG_LEFT_DESK, names.get(w.consultant, ""), "") for w in state.warnings)
    report = tuple((names.get(c, str(c)), tuple(per_round[c] for per_round in
                                                  rules.groups_per_round_report(state).values()))
                   for c in [s.consultant for s in state.members])
    return BoardView(
        day=day, opened=opened, seq=records[-1].seq if records else 0, draw=_draw_info(session, draw, names),
        slots=slots, round_no=state.round_no, due_id=state.due, due_name=names.get(state.due, ""),
        demoted=tuple(names.get(c, str(c)) for c in sorted(state.demoted)),
        inactive=tuple(names.get(c, str(c)) for c in row.inactive), intern=names.get(row.intern_id, ""),
        events=events, notices=notices, report=report, midday_group=midday.value, in_midday=in_midday,
        carry=_carry(session, row, draw, tz), previous_day=previous.day if previous else None)


def _aware(local: dt.datetime, tz) -> dt.datetime:
    return local.replace(tzinfo=tz).astimezone(dt.timezone.utc)


def _group_names(session: Session, ids) -> dict[int, str]:
    rows = session.exec(select(User.id, OrgUnit.name).join(OrgUnit, OrgUnit.id == User.group_id)
                        .where(User.id.in_(list(ids)))).all() if ids else []
    return dict(rows)


def _draw_info(session: Session, draw: LotteryDraw, names: dict[int, str]) -> DrawInfo:
    by = names.get(draw.drawn_by_id) or _names(session, [draw.drawn_by_id]).get(draw.drawn_by_id, "")
    return DrawInfo(id=draw.id, drawn_on=draw.drawn_on, method=draw.method, order=tuple(draw.lottery_order),
                    names=tuple(names.get(c, str(c)) for c in draw.lottery_order), drawn_by=by,
                    drawn_at=draw.drawn_at, note=draw.note)


def board_refresh_seconds(engine: Engine) -> int:
    """How often every screen re-reads the board (setting ``queue.board_refresh_seconds``)."""
    with session_scope(engine, write=False) as session:
        return int(settings.get(session, "queue.board_refresh_seconds"))


def wall_queue(engine: Engine, *, day: dt.date | None = None, now: dt.datetime | None = None) -> list[dict]:
    """The wall's queue rows: position number, post slug, name, group; nothing else (S55, seed 000 D1 「公开公正」)."""
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        view = _board_view(session, day or now.astimezone(tz).date(), tz, now)
    return [{"position": s.number, "post": s.position, "name": s.name, "group": s.group} for s in view.slots]


# ---- events ----------------------------------------------------------------------------------------

@acting
def record_event(engine: Engine, *, actor: Actor, consultant_id: int, event_type: str, seen_seq: int | None = None,
                 hand_over: bool = True, contact_id: int | None = None, reason: str = "",
                 now: dt.datetime | None = None) -> int:
    """One tap (seed 000 D1): received a new group, served an old customer, skip, step away, back.

    Consultants record their own taps; the reception-PC holder and supervisors for anyone.
    ``seen_seq`` is the board the screen showed: if the person due has changed since, or another
    new group was recorded since, the tap is refused with who is due now. A new group for someone
    who is not due needs ``reason`` (T6). Returns the event's ``seq``.
    """
    require(actor, WRITERS)
    kind = EventType(event_type)
    if kind not in CONSULTANT_EVENTS:
        raise DomainError("rotation.error.bad_event")
    if not hand_over and actor.role not in SUPERVISORS:
        raise NotAllowed("rotation.error.unattended_supervisor_only")
    reason = clean(reason) if kind == EventType.received_new else ""
    if len(reason) > REASON_MAX:
        raise ValidationFailed([FieldError("rotation_reason", "field.too_long", {"max": REASON_MAX})])
    now = now or utcnow()
    return _append(engine, actor=actor, now=now, seen_seq=seen_seq, kind=kind,
                   build=lambda session, board, tz: _consultant_event(
        session, actor, board, kind, consultant_id, hand_over, contact_id, reason, _local(now, tz)))


def _consultant_event(session, actor, board, kind, consultant_id, hand_over, contact_id, reason, local_now):
    slot = board.slot_of(consultant_id)
    holder = next((s.consultant for s in board.slots if s.position == Position.reception_pc), None)
    if actor.role not in SUPERVISORS and actor.id != consultant_id and actor.id != holder:
        raise NotAllowed("rotation.error.own_events_only")
    if kind == EventType.received_new and consultant_id in _demoted_on(session, local_now.date()):
        raise _named(session, DomainError("rotation.error.demoted_cannot_receive", consultant=consultant_id))
    if kind == EventType.received_new and slot is not None and not slot.pinned:
        try:
            rules.require_turn(board, consultant_id, reason)
        except DomainError as exc:
            raise _named(session, exc) from None
        if consultant_id == board.due:
            reason = ""
    successor = None
    if kind == EventType.step_away and hand_over and slot is not None and consultant_id == board.due:
        successor = next((s.consultant for s in board.members if s.consultant != consultant_id
                          and s.state == SlotState.waiting and s.round_no == board.round_no), None)
        if successor is None:
            raise DomainError("rotation.error.nobody_to_take_over")
    return rules.QueueEvent(type=kind, consultant=consultant_id, at=local_now, next_consultant=successor,
                            contact_id=contact_id, reason=reason)


@acting
def reorder(engine: Engine, *, actor: Actor, order: Sequence[int], reason: str, seen_seq: int | None = None,
            now: dt.datetime | None = None) -> int:
    """The 销售经理 reorders today's queue, only with a reason; the audit keeps before and after (S1, Q7)."""
    require(actor, SUPERVISORS)
    reason = clean(reason)
    if not reason:
        raise ValidationFailed([FieldError("rotation_reason", "rotation.error.reorder_needs_reason")])
    now = now or utcnow()
    return _append(engine, actor=actor, now=now, seen_seq=seen_seq, kind=EventType.reorder,
                   build=lambda session, board, tz: rules.QueueEvent(
        type=EventType.reorder, consultant=None, at=_local(now, tz), order=tuple(order), reason=reason,
        by_supervisor=True))


def _append(engine: Engine, *, actor: Actor, now: dt.datetime, seen_seq: int | None, kind: EventType, build) -> int:
    """Insert the day's next ``seq``; a writer that lost the race re-reads and decides again on the new board
    (so it is refused if the person due changed under the screen it saw), as SQLite's queued writers do."""
    for _attempt in range(APPEND_ATTEMPTS):
        try:
            with session_scope(engine) as session:
                return _append_in(session, actor=actor, now=now, seen_seq=seen_seq, kind=kind, build=build)
        except IntegrityError:
            continue
    raise Conflict("rotation.error.try_again")


def record_walk_in(session: Session, *, actor: Actor, consultant_id: int, contact_id: int, seen_seq: int | None,
                   now: dt.datetime) -> int:
    """「接待新客户」 for a walk-in registered through the queue, in the registration's own transaction: a screen
    that showed an older step is refused with who is due now, and nothing of the registration stays (R10).
    The caller checked the actor; a lost ``seq`` race raises ``IntegrityError`` for the caller to retry."""
    kind = EventType.received_new
    return _append_in(session, actor=actor, now=now, seen_seq=seen_seq, kind=kind,
                      build=lambda session, board, tz: _consultant_event(
        session, actor, board, kind, consultant_id, True, contact_id, "", _local(now, tz)))


def _append_in(session: Session, *, actor: Actor, now: dt.datetime, seen_seq: int | None, kind: EventType,
               build) -> int:
    tz = settings.office_zone(session)
    row = _open_day_in(session, actor=actor, day=now.astimezone(tz).date(), now=now)
    day_id = row.id
    log = _day_log(session, row, tz)
    records, before, last = log.taps, log.board, log.last
    if seen_seq is not None and seen_seq != last and kind in TURN_EVENTS:
        taken = next((r for r in records if r.seq > seen_seq and r.type == EventType.received_new), None)
        if kind == EventType.received_new and taken is not None:
            names = _names(session, [taken.consultant_id, before.due])
            raise Conflict("rotation.error.turn_taken", taker=names.get(taken.consultant_id, "—"),
                           due=names.get(before.due, "—"))
        if log.due_at_seq(seen_seq) != before.due or kind == EventType.reorder:
            raise _changed(session, before.due)
    event = build(session, before, tz)
    try:
        after = rules.apply_event(before, event)
    except DomainError as exc:
        raise _named(session, exc) from None
    flag = ""
    if len(after.flags) > len(before.flags):
        flag = after.flags[-1].kind.value
    elif len(after.warnings) > len(before.warnings):
        flag = FLAG_LEFT_DESK
    record = QueueEventRecord(
        day_id=day_id, seq=last + 1, type=event.type.value, consultant_id=event.consultant,
        next_consultant_id=event.next_consultant, contact_id=event.contact_id, new_order=list(event.order),
        reason=event.reason, by_supervisor=event.by_supervisor, flag=flag, at=now, recorded_by_id=actor.id)
    session.add(record)
    session.flush()
    audit(session, actor=actor, entity="queue_event", entity_id=f"{row.day.isoformat()}#{record.seq}",
          action=event.type.value, reason=event.reason, at=now,
          before={"order": [s.consultant for s in before.members], "due": before.due},
          after={"order": [s.consultant for s in after.members], "due": after.due,
                 "consultant": event.consultant, "flag": flag})
    return record.seq


# The refusals of a screen that showed an older step of the queue (its ``seen_seq``): say who is due now.
STALE_SCREEN_KEYS = frozenset({"rotation.error.turn_taken", "rotation.error.board_changed"})


def _changed(session: Session, due: int | None) -> Conflict:
    return Conflict("rotation.error.board_changed", due=_names(session, [due]).get(due, "—") if due else "—")


# ---- the draw, the intern pin, demotions ---------------------------------------------------------------

def consultants(engine: Engine) -> list[PersonOption]:
    """Active people who may be in the queue: the titles of the people.consultant_titles setting (T2, T13)."""
    with session_scope(engine, write=False) as session:
        found = people_service.options_in(session, PICK_KIND)
        interns = set(session.exec(select(User.id).where(User.id.in_([c.id for c in found]),
                                                         User.is_intern == True)).all())  # noqa: E712
    return [PersonOption(id=c.id, name=c.name, staff_no=c.staff_no, is_intern=c.id in interns, label=person_label(c))
            for c in found]


def draw_defaults(people: Sequence[PersonOption]) -> list[int]:
    """Who a random draw preselects: every consultant but the interns (T9)."""
    return list(rules.draw_defaults((p.id, p.is_intern) for p in people))


def _pinned_intern(session: Session, day: dt.date) -> int | None:
    """The intern holding 接待台电脑 on ``day``: today's stored pin, else the one carried from the last day."""
    row = _day_row(session, day) or _previous_day(session, day)
    if row is None or row.intern_id is None:
        return None
    user = session.get(User, row.intern_id)
    return row.intern_id if user is not None and user.active else None


@acting
def record_draw(engine: Engine, *, actor: Actor, method: str, consultant_ids: Sequence[int], note: str = "",
                now: dt.datetime | None = None) -> dt.date:
    """「全体销售顾问抽签决定值班顺序」: store the physical draw as ordered, or draw with a cryptographic RNG (seed 000 D1).

    The order and who drew it are kept and shown to all. It applies from today, or from
    tomorrow when today's queue has already started. Returns the day it applies from.
    """
    require(actor, SUPERVISORS)
    kind = DrawMethod(method)
    ids = list(consultant_ids)
    if len(ids) < 2:
        raise ValidationFailed([FieldError("rotation_participants", "rotation.error.draw_too_few")])
    order = rules.draw_lots(ids, secrets.SystemRandom()) if kind == DrawMethod.random else tuple(ids)
    if len(set(order)) != len(order):
        raise DomainError("rotation.error.lottery_duplicate")
    now = now or utcnow()
    with session_scope(engine) as session:
        for person in ids:
            people_service.require_eligible(session, person, PICK_KIND)
        today = now.astimezone(settings.office_zone(session)).date()
        applies = today if _day_row(session, today) is None else today + dt.timedelta(days=1)
        try:
            rules.check_draw(ids, _pinned_intern(session, applies))
        except DomainError as exc:
            raise _named(session, exc) from None
        draw = LotteryDraw(drawn_on=applies, method=kind.value, lottery_order=list(order), drawn_by_id=actor.id,
                           drawn_at=now, note=clean(note))
        session.add(draw)
        session.flush()
        audit(session, actor=actor, entity="lottery_draw", entity_id=draw.id, action=kind.value, at=now,
              after={"drawn_on": applies.isoformat(), "order": list(order)}, reason=draw.note)
        return applies


@acting
def pin_intern(engine: Engine, *, actor: Actor, intern_id: int | None, now: dt.datetime | None = None) -> None:
    """Pin 接待台电脑 to an intern (「暂由实习销售顾问担当」) for today and the days after, or unpin; only before today's first tap."""
    require(actor, SUPERVISORS)
    now = now or utcnow()
    with session_scope(engine) as session:
        if intern_id is not None:
            user = session.get(User, intern_id)
            if user is None or not user.active or not user.is_intern:
                raise ValidationFailed([FieldError("rotation_intern", "rotation.error.not_an_intern")])
            people_service.require_eligible(session, intern_id, PICK_KIND)
        day = now.astimezone(settings.office_zone(session)).date()
        row = _day_row(session, day)
        if row is not None:
            if _records(session, row.id):
                raise DomainError("rotation.error.pin_after_events")
            before = row.intern_id
            row.intern_id = intern_id
            session.add(row)
            audit(session, actor=actor, entity="queue_day", entity_id=row.id, action="pin_intern",
                  before={"intern_id": before}, after={"intern_id": intern_id})
            return
    _open_day(engine, actor=actor, day=day, now=now, intern_id=intern_id, set_intern=True)


@acting
def set_demotion(engine: Engine, *, actor: Actor, consultant_id: int, month: dt.date, reason: str,
                 source: str = "manual", now: dt.datetime | None = None) -> int:
    """Demote a consultant for a calendar month: by hand, or from the KPI ranking (``source="kpi"``) (seed 000 D1, S8)."""
    require(actor, SUPERVISORS)
    reason = clean(reason)
    errors = [] if reason else [FieldError("rotation_reason", "field.required")]
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    with session_scope(engine) as session:
        user = session.get(User, consultant_id)
        if user is None or not user.active:
            errors.append(FieldError("rotation_consultant", "field.bad_choice"))
        if errors:
            raise ValidationFailed(errors)
        people_service.require_eligible(session, consultant_id, PICK_KIND)
        overlap = session.exec(select(QueueDemotion.id).where(
            QueueDemotion.consultant_id == consultant_id, QueueDemotion.revoked_at.is_(None),
            QueueDemotion.month_start <= last, QueueDemotion.end_day >= first)).first()
        if overlap is not None:
            raise DomainError("rotation.error.already_demoted", consultant=user.name, month=first.strftime("%Y-%m"))
        row = QueueDemotion(consultant_id=consultant_id, month_start=first, end_day=last, reason=reason,
                            source=source[:20], set_by_id=actor.id, set_at=now or utcnow())
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="queue_demotion", entity_id=row.id, action="set", reason=reason,
              after={"consultant_id": consultant_id, "month_start": first.isoformat(), "end": last.isoformat()})
        return row.id


@acting
def revoke_demotion(engine: Engine, *, actor: Actor, demotion_id: int, reason: str,
                    now: dt.datetime | None = None) -> None:
    """Lift a demotion (with a reason); days already opened keep their order."""
    require(actor, SUPERVISORS)
    reason = clean(reason)
    if not reason:
        raise ValidationFailed([FieldError("rotation_reason", "field.required")])
    with session_scope(engine) as session:
        row = session.get(QueueDemotion, demotion_id)
        if row is None or row.revoked_at is not None:
            raise Conflict("rotation.error.demotion_gone")
        row.revoked_at, row.revoked_by_id = now or utcnow(), actor.id
        session.add(row)
        audit(session, actor=actor, entity="queue_demotion", entity_id=row.id, action="revoke", reason=reason,
              before={"revoked_at": None}, after={"revoked_at": row.revoked_at.isoformat()})


def demotions(engine: Engine, *, actor: Actor, around: dt.date) -> list[DemotionRow]:
    """Demotions in force in the month of ``around`` or later (the few current ones, not history)."""
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        first = around.replace(day=1)
        rows = session.exec(select(QueueDemotion).where(
            QueueDemotion.month_start >= first - dt.timedelta(days=DEMOTION_SPAN_DAYS), QueueDemotion.end_day >= first,
            QueueDemotion.revoked_at.is_(None)).order_by(QueueDemotion.month_start)).all()
        names = _names(session, [r.consultant_id for r in rows] + [r.set_by_id for r in rows])
    return [DemotionRow(id=r.id, consultant_id=r.consultant_id, name=names.get(r.consultant_id, ""),
                        month_start=r.month_start, end_day=r.end_day, reason=r.reason, source=r.source,
                        set_by=names.get(r.set_by_id, "")) for r in rows]


def notices(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date) -> list[NoticeRow]:
    """Possible 抢客 (Q8) and desks left without handover (SQ1) over a date range, for the manager."""
    require(actor, SUPERVISORS)
    if last < first:
        raise DomainError("search.bad_range")
    if (last - first).days + 1 > REPORT_MAX_DAYS:
        raise DomainError("search.range_too_long", days=REPORT_MAX_DAYS)
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        rows = session.exec(select(QueueDay.id, QueueDay.day).where(QueueDay.day >= first, QueueDay.day <= last)).all()
        result = []
        for day_id, day in rows:
            records = _records(session, day_id)
            if not any(r.flag for r in records):
                continue
            view = _board_view(session, day, tz, utcnow())
            result.extend(view.notices)
    return sorted(result, key=lambda n: n.at)
