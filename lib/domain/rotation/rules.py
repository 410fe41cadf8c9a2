"""Showroom sales queue (SPEC M1 1.1): lottery order, day order, and the board.

The board is never stored: it is derived by replaying the day's order plus the
append-only list of queue events, so any past day can be replayed and audited.

Queue model (the readings chosen for what seed 000 D1 leaves open):

- Members are kept in order of ``(round of their next turn, place in line)``. The
  slot number is the index in that order; slot 1 is 前台, 2 销售热线, 3 接待台电脑,
  4 and later are substitutes.
- A member who receives a new group, or skips, goes to the end of the queue in
  the next round (SPEC reading 4). With ``groups_per_round`` above 1 a receiver
  stays in the current round until they have had that many groups.
- A member who steps away goes to the end of the people still due this round:
  they keep this round's group if they come back in time (Q4, "end of queue"
  assumed).
- Serving one's own old customer keeps the place and does not use the turn (Q2).
- The round ends once no member who is present (waiting) is still due in it.
  Anyone busy or away at that moment forfeits that round, keeping their place
  in line; so nobody ever receives more than ``groups_per_round`` groups in one
  round (Q5), and nobody can hold a round open by being away.
- The person due for the next new group is the first waiting member of the
  current round. Anyone else taking a new group is refused unless they give a
  reason; the out-of-turn take is then flagged for the manager with that reason
  (Q8, T6). Older records without a reason replay as a possible 抢客.
- Someone demoted during the day leaves the board at that moment (S8, T18).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

from lib.domain.errors import DomainError, NotAllowed
from lib.domain.settings import CrossRule, SettingDef, clock, iso_date, time_window

PersonId: TypeAlias = int | str

SETTINGS: list[SettingDef] = [
    SettingDef("queue.groups_per_round", 1, "int", "group", "seed 000 D1", minimum=1, maximum=10),
    SettingDef("queue.midday_window", ["12:00", "13:30"], "json", "time", "(assumed)",
               validate=time_window("settings.schema.time_window")),
    SettingDef("queue.midday_anchor_date", "2026-01-05", "str", "date", "(assumed)",
               validate=iso_date("settings.schema.date")),
]
CROSS_RULES = [
    # The midday break falls inside the workday (the queue's afternoon starts from it).
    CrossRule(("queue.midday_window", "workday_start", "workday_end"),
              lambda window, start, end: clock(start) <= clock(window[0]) and clock(window[1]) <= clock(end),
              "settings.cross.midday_window"),
]


@dataclass(frozen=True)
class RotationSettings:
    """Queue settings with the SPEC defaults (M1 settings table)."""

    groups_per_round: int = 1
    midday_start: dt.time = dt.time(12, 0)
    midday_end: dt.time = dt.time(13, 30)
    midday_anchor_date: dt.date = dt.date(2026, 1, 5)

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> RotationSettings:
        """Build from the settings service's typed values (missing keys keep the defaults)."""
        base = cls()
        window = values.get("queue.midday_window")
        anchor = values.get("queue.midday_anchor_date")
        return cls(
            groups_per_round=int(values.get("queue.groups_per_round", base.groups_per_round)),
            midday_start=dt.time.fromisoformat(window[0]) if window else base.midday_start,
            midday_end=dt.time.fromisoformat(window[1]) if window else base.midday_end,
            midday_anchor_date=dt.date.fromisoformat(str(anchor)) if anchor else base.midday_anchor_date,
        )


class Position(StrEnum):
    front_desk = "front_desk"
    hotline = "hotline"
    reception_pc = "reception_pc"
    substitute = "substitute"


class EventType(StrEnum):
    received_new = "received_new"
    served_old = "served_old"
    skip = "skip"
    step_away = "step_away"
    back = "back"
    reorder = "reorder"


class SlotState(StrEnum):
    waiting = "waiting"
    serving_old = "serving_old"
    stepped_away = "stepped_away"


class TurnOutcome(StrEnum):
    received = "received"
    skipped = "skipped"
    forfeited = "forfeited"


class FlagKind(StrEnum):
    possible_grab = "possible_grab"
    out_of_turn = "out_of_turn"


class MiddayGroup(StrEnum):
    group_1 = "group_1"
    group_2 = "group_2"


class DrawMethod(StrEnum):
    recorded = "recorded"
    random = "random"


def position_for(number: int) -> Position:
    """Slot 1 前台, 2 销售热线, 3 接待台电脑, 4+ 替补 (seed 000 D1)."""
    if number < 1:
        raise ValueError("slot numbers start at 1")
    return {1: Position.front_desk, 2: Position.hotline, 3: Position.reception_pc}.get(
        number, Position.substitute
    )


@dataclass(frozen=True)
class DayOrder:
    """The day's starting order, plus who is left out and why."""

    members: tuple[PersonId, ...]
    demoted: frozenset[PersonId] = frozenset()
    inactive: frozenset[PersonId] = frozenset()


@dataclass(frozen=True)
class QueueEvent:
    """One recorded queue event; ``order`` is for reorders, ``reason`` for reorders and out-of-turn takes."""

    type: EventType
    consultant: PersonId | None
    at: dt.datetime
    next_consultant: PersonId | None = None
    contact_id: int | str | None = None
    order: tuple[PersonId, ...] = ()
    reason: str = ""
    by_supervisor: bool = False


@dataclass(frozen=True)
class Slot:
    """One line of the board; ``round_no`` is the round of this member's next turn."""

    number: int
    consultant: PersonId
    position: Position
    state: SlotState
    round_no: int
    groups_this_round: int = 0
    pinned: bool = False


@dataclass(frozen=True)
class TurnRecord:
    """What a member did with a turn: received a group, skipped, or forfeited the round."""

    round_no: int
    consultant: PersonId
    outcome: TurnOutcome
    at: dt.datetime
    contact_id: int | str | None = None
    out_of_turn: bool = False


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    consultant: PersonId
    due: PersonId | None
    at: dt.datetime
    reason: str = ""


@dataclass(frozen=True)
class WarningProposal:
    """A proposed written warning for the supervisor to confirm (SQ1, seed 000 D1)."""

    code: str
    consultant: PersonId
    at: dt.datetime
    reason_key: str


@dataclass(frozen=True)
class Board:
    """The derived queue board of one day."""

    slots: tuple[Slot, ...]
    round_no: int
    due: PersonId | None
    groups_per_round: int = 1
    history: tuple[TurnRecord, ...] = ()
    flags: tuple[Flag, ...] = ()
    warnings: tuple[WarningProposal, ...] = ()
    demoted: frozenset[PersonId] = frozenset()
    inactive: frozenset[PersonId] = frozenset()
    intern: PersonId | None = None

    @property
    def members(self) -> tuple[Slot, ...]:
        """The rotating slots, in queue order (the pinned intern left out)."""
        return tuple(s for s in self.slots if not s.pinned)

    @property
    def front_desk(self) -> PersonId | None:
        return next((s.consultant for s in self.slots if s.position == Position.front_desk), None)

    @property
    def had_group(self) -> frozenset[PersonId]:
        """Who has received a group in the current round."""
        return self._outcome_now(TurnOutcome.received)

    @property
    def skipped(self) -> frozenset[PersonId]:
        """Who skipped the current round."""
        return self._outcome_now(TurnOutcome.skipped)

    def slot_of(self, consultant: PersonId) -> Slot | None:
        return next((s for s in self.slots if s.consultant == consultant), None)

    def _outcome_now(self, outcome: TurnOutcome) -> frozenset[PersonId]:
        return frozenset(
            t.consultant for t in self.history if t.round_no == self.round_no and t.outcome == outcome
        )


def draw_lots(consultants: Iterable[PersonId], rng: random.Random) -> tuple[PersonId, ...]:
    """A random lottery order; ``rng`` is injected so a draw can be reproduced (seed 000 D1 「抽签」)."""
    order = list(consultants)
    rng.shuffle(order)
    return tuple(order)


def build_day_order(
    lottery_order: Sequence[PersonId],
    closing_front_desk_yesterday: PersonId | None,
    demoted: Collection[PersonId] = frozenset(),
    inactive: Collection[PersonId] = frozenset(),
) -> DayOrder:
    """Today's order is the lottery cycle started at yesterday's closing front-desk person, wrapping (seed 000 D1, SPEC reading 3).

    The demoted (Q6) and the inactive are then left out; if the closing person
    is among them, the next person in the cycle starts. A closing person who is
    not in the lottery (e.g. left the team) starts the cycle at its head.
    """
    if len(set(lottery_order)) != len(lottery_order):
        raise DomainError("rotation.error.lottery_duplicate")
    cycle = list(lottery_order)
    if closing_front_desk_yesterday in cycle:
        start = cycle.index(closing_front_desk_yesterday)
        cycle = cycle[start:] + cycle[:start]
    left_out = set(demoted) | set(inactive)
    return DayOrder(
        members=tuple(c for c in cycle if c not in left_out),
        demoted=frozenset(demoted) & frozenset(lottery_order),
        inactive=frozenset(inactive) & frozenset(lottery_order),
    )


def require_turn(board: Board, consultant: PersonId, reason: str = "") -> None:
    """Only the person due takes the next new group; anyone else must give a reason, which is flagged (Q8, T6, seed 000 D1 「按顺序接待」)."""
    if board.due is not None and consultant != board.due and not reason.strip():
        raise DomainError("rotation.error.not_your_turn", consultant=consultant, due=board.due)


def draw_defaults(candidates: Iterable[tuple[PersonId, bool]]) -> tuple[PersonId, ...]:
    """Who a random draw preselects: every consultant except interns, who are pinned, not drawn (seed 000 D1 「暂由实习销售顾问担当」, T9).

    ``candidates`` are ``(person, is_intern)`` pairs of the people who may draw lots.
    """
    return tuple(person for person, is_intern in candidates if not is_intern)


def check_draw(participants: Sequence[PersonId], pinned_intern: PersonId | None) -> None:
    """Refuse a draw naming the intern pinned to 接待台电脑: while pinned, the intern is not drawn (seed 000 D1, T9)."""
    if pinned_intern is not None and pinned_intern in participants:
        raise DomainError("rotation.error.pinned_intern_in_draw", consultant=pinned_intern)


def closing_front_desk(board: Board) -> PersonId | None:
    """The person at 前台 at closing; tomorrow's order starts with them (seed 000 D1)."""
    return board.front_desk


@dataclass
class _Member:
    consultant: PersonId
    round_no: int
    groups: int = 0
    state: SlotState = SlotState.waiting


@dataclass
class _Work:
    """Mutable replay state, only ever built from and turned back into a Board."""

    members: list[_Member]
    round_no: int
    groups_per_round: int
    history: list[TurnRecord] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    warnings: list[WarningProposal] = field(default_factory=list)

    def get(self, consultant: PersonId) -> _Member:
        return next(m for m in self.members if m.consultant == consultant)

    def due(self) -> _Member | None:
        return next(
            (m for m in self.members if m.state == SlotState.waiting and m.round_no == self.round_no),
            None,
        )

    def move_to_end_of_round(self, member: _Member) -> None:
        """Place ``member`` after everyone else whose next turn is in the same round."""
        self.members.remove(member)
        index = len(self.members)
        for i, other in enumerate(self.members):
            if other.round_no > member.round_no:
                index = i
                break
        self.members.insert(index, member)

    def close_round_if_done(self, at: dt.datetime) -> None:
        """Advance the round once no waiting member is still due in it; the busy forfeit it (Q5)."""
        waiting = [m for m in self.members if m.state == SlotState.waiting]
        if not waiting or any(m.round_no == self.round_no for m in waiting):
            return
        new_round = min(m.round_no for m in waiting)
        for m in self.members:
            if m.round_no < new_round:
                for skipped_round in range(m.round_no, new_round):
                    self.history.append(TurnRecord(skipped_round, m.consultant, TurnOutcome.forfeited, at))
                m.round_no, m.groups = new_round, 0
        self.round_no = new_round
        self.members.sort(key=lambda m: m.round_no)


def start_board(
    order: DayOrder,
    intern_pinned_to_reception_pc: PersonId | None = None,
    settings: RotationSettings = RotationSettings(),
) -> Board:
    """The board before any event: S2 (1 前台, 2 热线, 3 电脑, 4+ 替补), the intern pinned to 接待台电脑 if named (seed 000 D1)."""
    work = _Work(
        members=[_Member(c, 1) for c in order.members if c != intern_pinned_to_reception_pc],
        round_no=1,
        groups_per_round=settings.groups_per_round,
    )
    return _to_board(work, order.demoted, order.inactive, intern_pinned_to_reception_pc)


def replay(
    order: DayOrder,
    events: Iterable[QueueEvent],
    intern_pinned_to_reception_pc: PersonId | None = None,
    settings: RotationSettings = RotationSettings(),
    removals: Iterable[tuple[dt.datetime, PersonId]] = (),
) -> Board:
    """Fold the day's events over its order; raises on the first illegal event (seed 000 D1).

    ``removals`` are demotions made during the day, ``(when, who)``: each takes the person off the
    board before the first event at or after ``when`` (S8, T18).
    """
    board, pending = fold(start_board(order, intern_pinned_to_reception_pc, settings), events,
                          sorted(removals, key=lambda r: r[0]))
    return with_removals(board, pending)


def fold(board: Board, events: Iterable[QueueEvent],
         pending: Sequence[tuple[dt.datetime, PersonId]]) -> tuple[Board, tuple[tuple[dt.datetime, PersonId], ...]]:
    """Fold more events onto a board folded so far (the core of :func:`replay`, so a day's fold can be carried on
    as events are added): each pending removal, sorted by time, is applied before the first event at or after its
    time. Returns the board and the removals still pending after the last event."""
    left = list(pending)
    for event in events:
        while left and left[0][0] <= event.at:
            board = remove_member(board, left.pop(0)[1], event.at)
        board = apply_event(board, event)
    return board, tuple(left)


def with_removals(board: Board, pending: Iterable[tuple[dt.datetime, PersonId]]) -> Board:
    """The board once the removals still pending after the last event are applied (the end of :func:`replay`)."""
    for when, who in pending:
        board = remove_member(board, who, when)
    return board


def remove_member(board: Board, consultant: PersonId, at: dt.datetime) -> Board:
    """A consultant demoted today leaves the board at once and the next person is due (seed 000 D1 S8, T18)."""
    if consultant == board.intern:
        return board
    if board.slot_of(consultant) is None:
        return _with_demoted(board, consultant)
    work = _from_board(board)
    work.members = [m for m in work.members if m.consultant != consultant]
    work.close_round_if_done(at)
    return _to_board(work, board.demoted | {consultant}, board.inactive, board.intern)


def _with_demoted(board: Board, consultant: PersonId) -> Board:
    return Board(board.slots, board.round_no, board.due, board.groups_per_round, board.history, board.flags,
                 board.warnings, board.demoted | {consultant}, board.inactive, board.intern)


def validate_event(board: Board, event: QueueEvent) -> None:
    """Refuse an event the queue rules forbid (seed 000 D1; S1 reorder reason, S8 demoted)."""
    if event.type == EventType.reorder:
        _validate_reorder(board, event)
        return
    who = event.consultant
    if who in board.demoted:
        key = (
            "rotation.error.demoted_cannot_receive"
            if event.type == EventType.received_new
            else "rotation.error.demoted_not_in_queue"
        )
        raise DomainError(key, consultant=who)
    slot = board.slot_of(who)
    if slot is None or slot.pinned:
        raise DomainError("rotation.error.not_in_queue", consultant=who)
    if event.type == EventType.received_new:
        if slot.state != SlotState.waiting:
            raise DomainError("rotation.error.consultant_busy", consultant=who)
        if slot.round_no > board.round_no:
            raise DomainError("rotation.error.already_had_turn", consultant=who, round_no=board.round_no)
    elif event.type == EventType.served_old:
        if slot.state != SlotState.waiting:
            raise DomainError("rotation.error.consultant_busy", consultant=who)
    elif event.type == EventType.skip:
        if who != board.due:
            raise DomainError("rotation.error.skip_only_when_due", consultant=who, due=board.due)
    elif event.type == EventType.step_away:
        if slot.state == SlotState.stepped_away:
            raise DomainError("rotation.error.already_away", consultant=who)
        if who == board.due and event.next_consultant is not None:
            expected = _next_due_after(board, who)
            if expected is None:
                raise DomainError("rotation.error.nobody_to_take_over", consultant=who)
            if event.next_consultant != expected:
                raise DomainError("rotation.error.successor_must_be_next", expected=expected)
    elif event.type == EventType.back and slot.state == SlotState.waiting:
        raise DomainError("rotation.error.not_away", consultant=who)


def apply_event(board: Board, event: QueueEvent) -> Board:
    """Validate then apply one event, returning the new board (seed 000 D1)."""
    validate_event(board, event)
    work = _from_board(board)
    due = work.due()
    due_id = due.consultant if due else None
    if event.type == EventType.reorder:
        rank = {c: i for i, c in enumerate(event.order)}
        work.members.sort(key=lambda m: (m.round_no, rank[m.consultant]))
    else:
        member = work.get(event.consultant)
        if event.type == EventType.received_new:
            out_of_turn = due_id is not None and member.consultant != due_id
            work.history.append(
                TurnRecord(
                    work.round_no,
                    member.consultant,
                    TurnOutcome.received,
                    event.at,
                    event.contact_id,
                    out_of_turn,
                )
            )
            if out_of_turn:
                kind = FlagKind.out_of_turn if event.reason.strip() else FlagKind.possible_grab
                work.flags.append(Flag(kind, member.consultant, due_id, event.at, event.reason.strip()))
            member.groups += 1
            if member.groups >= work.groups_per_round:
                member.round_no, member.groups = member.round_no + 1, 0
            work.move_to_end_of_round(member)
        elif event.type == EventType.skip:
            work.history.append(TurnRecord(work.round_no, member.consultant, TurnOutcome.skipped, event.at))
            member.round_no, member.groups = member.round_no + 1, 0
            work.move_to_end_of_round(member)
        elif event.type == EventType.served_old:
            member.state = SlotState.serving_old
        elif event.type == EventType.step_away:
            if member.consultant == due_id and event.next_consultant is None:
                work.warnings.append(
                    WarningProposal(
                        "SQ1", member.consultant, event.at, "rotation.warning.left_desk_without_handover"
                    )
                )
            member.state = SlotState.stepped_away
            work.move_to_end_of_round(member)
        elif event.type == EventType.back:
            member.state = SlotState.waiting
    work.close_round_if_done(event.at)
    return _to_board(work, board.demoted, board.inactive, board.intern)


def groups_per_round_report(board: Board) -> dict[int, dict[PersonId, int]]:
    """Groups received per member per round, every member listed with 0 too (Q5, seed 000 D1)."""
    everyone = [s.consultant for s in board.members]
    report: dict[int, dict[PersonId, int]] = {
        r: {c: 0 for c in everyone} for r in range(1, board.round_no + 1)
    }
    for turn in board.history:
        if turn.outcome == TurnOutcome.received:
            report[turn.round_no][turn.consultant] = report[turn.round_no].get(turn.consultant, 0) + 1
    return report


def midday_group(day: dt.date, settings: RotationSettings = RotationSettings()) -> MiddayGroup:
    """一组 and 二组 alternate by calendar day from the anchor date, 一组 on the anchor (seed 000 D1, SPEC reading Q10)."""
    offset = (day - settings.midday_anchor_date).days
    return MiddayGroup.group_1 if offset % 2 == 0 else MiddayGroup.group_2


def in_midday_window(moment: dt.time, settings: RotationSettings = RotationSettings()) -> bool:
    """True inside the midday rotation window, start inclusive, end exclusive (queue.midday_window, assumed)."""
    return settings.midday_start <= moment < settings.midday_end


def _validate_reorder(board: Board, event: QueueEvent) -> None:
    """A reorder is the supervisor's, with a reason, and names every member once (S1, seed 000 D1)."""
    if not event.by_supervisor:
        raise NotAllowed("rotation.error.reorder_supervisor_only")
    if not event.reason.strip():
        raise DomainError("rotation.error.reorder_needs_reason")
    members = [s.consultant for s in board.members]
    if len(event.order) != len(members) or set(event.order) != set(members):
        raise DomainError("rotation.error.reorder_not_permutation")


def _next_due_after(board: Board, leaving: PersonId) -> PersonId | None:
    return next(
        (
            s.consultant
            for s in board.members
            if s.consultant != leaving and s.state == SlotState.waiting and s.round_no == board.round_no
        ),
        None,
    )


def _from_board(board: Board) -> _Work:
    return _Work(
        members=[_Member(s.consultant, s.round_no, s.groups_this_round, s.state) for s in board.members],
        round_no=board.round_no,
        groups_per_round=board.groups_per_round,
        history=list(board.history),
        flags=list(board.flags),
        warnings=list(board.warnings),
    )


def _to_board(
    work: _Work,
    demoted: frozenset[PersonId],
    inactive: frozenset[PersonId],
    intern: PersonId | None,
) -> Board:
    lineup: list[_Member | None] = list(work.members)
    if intern is not None:
        lineup.insert(min(2, len(lineup)), None)
    slots = []
    for index, member in enumerate(lineup, start=1):
        if member is None:
            slots.append(
                Slot(index, intern, Position.reception_pc, SlotState.waiting, work.round_no, pinned=True)
            )
        else:
            slots.append(
                Slot(
                    index,
                    member.consultant,
                    position_for(index),
                    member.state,
                    member.round_no,
                    member.groups,
                )
            )
    due = work.due()
    return Board(
        slots=tuple(slots),
        round_no=work.round_no,
        due=due.consultant if due else None,
        groups_per_round=work.groups_per_round,
        history=tuple(work.history),
        flags=tuple(work.flags),
        warnings=tuple(work.warnings),
        demoted=demoted,
        inactive=inactive,
        intern=intern,
    )
