"""Showroom queue (SPEC M1 1.1): scenarios S1–S9 and the queue invariants."""

from __future__ import annotations

import datetime as dt
import enum
import json
import random
import re
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.domain import handover
from lib.domain.roster import rules as roster
from lib.domain.roster import presets as roster_presets
from lib.domain.roster import requests as roster_requests
from lib.domain.rotation import rules as rotation
from lib.domain.errors import DomainError, NotAllowed
from lib.domain.rotation.rules import EventType, Position, QueueEvent, SlotState, TurnOutcome

AT = dt.datetime(2026, 5, 6, 9, 0)
C = ("C1", "C2", "C3", "C4", "C5", "C6")


def ev(kind: str, who: str | None = None, **kw) -> QueueEvent:
    return QueueEvent(EventType(kind), who, kw.pop("at", AT), **kw)


def board_after(*events: QueueEvent, order: rotation.DayOrder | None = None, **kw) -> rotation.Board:
    return rotation.replay(order or rotation.build_day_order(C, None), events, **kw)


def lineup(board: rotation.Board) -> list[str]:
    return [s.consultant for s in board.slots]


def receive_due(board: rotation.Board, times: int) -> rotation.Board:
    for _ in range(times):
        board = rotation.apply_event(board, ev("received_new", board.due))
    return board


def test_S2_lottery_order_sets_positions():
    board = board_after()
    assert [(s.number, s.consultant, s.position) for s in board.slots] == [
        (1, "C1", Position.front_desk),
        (2, "C2", Position.hotline),
        (3, "C3", Position.reception_pc),
        (4, "C4", Position.substitute),
        (5, "C5", Position.substitute),
        (6, "C6", Position.substitute),
    ]
    assert board.due == "C1"
    assert board.round_no == 1


def test_S3_next_day_starts_with_closing_front_desk():
    order = rotation.build_day_order(C, "C5")
    assert order.members == ("C5", "C6", "C1", "C2", "C3", "C4")


def test_S3_closing_person_is_read_from_the_board():
    yesterday = receive_due(board_after(), 4)
    assert rotation.closing_front_desk(yesterday) == "C5"
    today = rotation.replay(rotation.build_day_order(C, rotation.closing_front_desk(yesterday)), [])
    assert lineup(today)[:2] == ["C5", "C6"]


def test_Q1_demoted_closing_person_hands_the_start_to_the_next():
    order = rotation.build_day_order(C, "C5", demoted={"C5"})
    assert order.members == ("C6", "C1", "C2", "C3", "C4")


def test_Q1_closing_person_not_in_lottery_starts_at_the_head():
    assert rotation.build_day_order(C, "X9").members == C


def test_lottery_with_a_duplicate_is_refused():
    with pytest.raises(DomainError) as err:
        rotation.build_day_order(("C1", "C2", "C1"), None)
    assert err.value.key == "rotation.error.lottery_duplicate"


def test_S4_old_customer_keeps_position_4():
    serving = board_after(ev("served_old", "C4"))
    slot = serving.slot_of("C4")
    assert (slot.number, slot.position, slot.state) == (4, Position.substitute, SlotState.serving_old)
    back = rotation.apply_event(serving, ev("back", "C4"))
    slot = back.slot_of("C4")
    assert (slot.number, slot.state) == (4, SlotState.waiting)
    assert back.history == ()
    assert back.due == "C1"


def test_S5_skip_hands_desk_to_next_and_no_group_this_round():
    board = board_after(ev("skip", "C1"))
    assert board.front_desk == "C2"
    assert board.due == "C2"
    assert board.skipped == {"C1"}
    with pytest.raises(DomainError) as err:
        rotation.apply_event(board, ev("received_new", "C1"))
    assert err.value.key == "rotation.error.already_had_turn"
    board = receive_due(board, 5)
    assert board.round_no == 2
    assert lineup(board) == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert rotation.groups_per_round_report(board)[1] == {
        "C1": 0,
        "C2": 1,
        "C3": 1,
        "C4": 1,
        "C5": 1,
        "C6": 1,
    }


def test_S5_only_the_person_due_can_skip():
    with pytest.raises(DomainError) as err:
        board_after(ev("skip", "C3"))
    assert err.value.key == "rotation.error.skip_only_when_due"


def test_S6_leaving_the_desk_without_successor_proposes_SQ1():
    board = board_after(ev("step_away", "C1"))
    assert [(w.code, w.consultant) for w in board.warnings] == [("SQ1", "C1")]
    assert board.front_desk == "C2"
    assert board.slot_of("C1").state == SlotState.stepped_away


def test_S6_handing_over_to_the_next_person_is_no_breach():
    board = board_after(ev("step_away", "C1", next_consultant="C2"))
    assert board.warnings == ()
    assert board.due == "C2"


def test_S6_successor_must_be_the_next_person():
    with pytest.raises(DomainError) as err:
        board_after(ev("step_away", "C1", next_consultant="C4"))
    assert (err.value.key, err.value.params) == ("rotation.error.successor_must_be_next", {"expected": "C2"})


def test_S6_substitute_stepping_away_needs_no_handover():
    assert board_after(ev("step_away", "C5")).warnings == ()


def test_S7_six_consultants_no_skips_each_get_one_group_per_round():
    board = receive_due(board_after(), 6)
    assert board.round_no == 2
    assert rotation.groups_per_round_report(board)[1] == {c: 1 for c in C}
    assert board.had_group == frozenset()
    assert lineup(board) == list(C)


def test_S8_demoted_consultant_is_not_queued_and_cannot_receive():
    order = rotation.build_day_order(C, None, demoted={"C6"})
    board = rotation.replay(order, [])
    assert "C6" not in lineup(board)
    with pytest.raises(DomainError) as err:
        rotation.apply_event(board, ev("received_new", "C6"))
    assert err.value.key == "rotation.error.demoted_cannot_receive"


def test_S9_reception_out_of_turn_is_flagged_as_possible_grab():
    board = board_after(ev("received_new", "C3", contact_id=42))
    assert [(f.kind, f.consultant, f.due) for f in board.flags] == [
        (rotation.FlagKind.possible_grab, "C3", "C1")
    ]
    assert board.history[0].out_of_turn is True
    assert board.history[0].contact_id == 42
    assert board.due == "C1"
    assert board.had_group == {"C3"}


def test_T6_a_consultant_not_due_is_refused_and_told_who_is_due():
    board = board_after()
    with pytest.raises(DomainError) as err:
        rotation.require_turn(board, "C3")
    assert err.value.key == "rotation.error.not_your_turn" and err.value.params["due"] == "C1"
    rotation.require_turn(board, "C1")
    rotation.require_turn(board, "C3", "客户指名找 C3")


def test_T6_out_of_turn_with_a_reason_is_flagged_with_that_reason():
    board = board_after(ev("received_new", "C3", reason="客户指名找 C3"))
    assert [(f.kind, f.consultant, f.due, f.reason) for f in board.flags] == [
        (rotation.FlagKind.out_of_turn, "C3", "C1", "客户指名找 C3")]
    assert board.due == "C1"


def test_T9_interns_are_left_out_of_the_default_draw_and_a_pinned_intern_is_refused():
    assert rotation.draw_defaults([("C1", False), ("I1", True), ("C2", False)]) == ("C1", "C2")
    rotation.check_draw(["C1", "C2"], "I1")
    rotation.check_draw(["C1", "I1"], None)
    with pytest.raises(DomainError) as err:
        rotation.check_draw(["C1", "I1"], "I1")
    assert err.value.key == "rotation.error.pinned_intern_in_draw"


def test_T18_someone_demoted_during_the_day_leaves_the_board_at_once():
    later = AT + dt.timedelta(hours=1)
    board = board_after(ev("received_new", "C1"), ev("received_new", "C2", at=later + dt.timedelta(minutes=5)),
                        removals=[(later, "C3")])
    assert "C3" not in lineup(board) and "C3" in board.demoted
    assert board.due == "C4"
    with pytest.raises(DomainError):
        rotation.apply_event(board, ev("received_new", "C3"))


def test_T18_removing_the_person_due_hands_the_turn_on():
    board = rotation.remove_member(board_after(), "C1", AT)
    assert board.due == "C2" and lineup(board)[0] == "C2" and board.slots[0].position == Position.front_desk


def test_reception_by_the_due_person_is_not_flagged():
    board = board_after(ev("received_new", "C1"))
    assert board.flags == ()
    assert lineup(board)[-1] == "C1"


def test_S1_reorder_without_reason_is_refused():
    with pytest.raises(DomainError) as err:
        board_after(
            ev("reorder", order=("C2", "C1", "C3", "C4", "C5", "C6"), reason="  ", by_supervisor=True)
        )
    assert err.value.key == "rotation.error.reorder_needs_reason"


def test_S1_reorder_with_reason_keeps_before_and_after():
    before = board_after()
    new_order = ("C3", "C1", "C2", "C4", "C5", "C6")
    after = rotation.apply_event(
        before, ev("reorder", order=new_order, reason="C3 约了客户", by_supervisor=True)
    )
    assert lineup(before) == list(C)
    assert lineup(after) == list(new_order)
    assert after.due == "C3"


def test_S1_reorder_is_for_the_supervisor_only():
    with pytest.raises(NotAllowed):
        board_after(ev("reorder", order=C, reason="x"))


def test_S1_reorder_must_name_everyone_once():
    with pytest.raises(DomainError) as err:
        board_after(ev("reorder", order=("C1", "C1", "C2", "C3", "C4", "C5"), reason="x", by_supervisor=True))
    assert err.value.key == "rotation.error.reorder_not_permutation"


def test_reorder_never_gives_a_second_group_in_the_round():
    board = board_after(ev("received_new", "C1"))
    board = rotation.apply_event(
        board, ev("reorder", order=("C1", "C2", "C3", "C4", "C5", "C6"), reason="x", by_supervisor=True)
    )
    assert board.due == "C2"
    assert lineup(board)[-1] == "C1"


def test_stepping_away_keeps_this_rounds_turn_when_back_in_time():
    board = board_after(ev("step_away", "C1", next_consultant="C2"))
    assert lineup(board) == ["C2", "C3", "C4", "C5", "C6", "C1"]
    board = rotation.apply_event(board, ev("back", "C1"))
    board = receive_due(board, 5)
    assert board.due == "C1"
    assert board.round_no == 1


def test_member_away_when_everyone_else_is_done_forfeits_the_round():
    board = board_after(ev("step_away", "C6"))
    board = receive_due(board, 5)
    assert board.round_no == 2
    assert [
        (t.round_no, t.consultant, t.outcome) for t in board.history if t.outcome != TurnOutcome.received
    ] == [(1, "C6", TurnOutcome.forfeited)]
    with pytest.raises(DomainError) as err:
        rotation.apply_event(board, ev("received_new", "C6"))
    assert err.value.key == "rotation.error.consultant_busy"


def test_back_while_waiting_is_refused():
    with pytest.raises(DomainError) as err:
        board_after(ev("back", "C2"))
    assert err.value.key == "rotation.error.not_away"


def test_event_for_someone_outside_the_queue_is_refused():
    with pytest.raises(DomainError) as err:
        board_after(ev("received_new", "X9"))
    assert err.value.key == "rotation.error.not_in_queue"


def test_intern_is_pinned_to_reception_pc_and_does_not_rotate():
    order = rotation.build_day_order(("C1", "C2", "I1", "C3", "C4"), None)
    board = rotation.replay(order, [], intern_pinned_to_reception_pc="I1")
    assert [(s.consultant, s.position, s.pinned) for s in board.slots] == [
        ("C1", Position.front_desk, False),
        ("C2", Position.hotline, False),
        ("I1", Position.reception_pc, True),
        ("C3", Position.substitute, False),
        ("C4", Position.substitute, False),
    ]
    board = rotation.apply_event(board, ev("received_new", "C1"))
    assert board.slot_of("I1").number == 3
    with pytest.raises(DomainError):
        rotation.apply_event(board, ev("received_new", "I1"))


def test_two_groups_per_round_setting():
    cfg = rotation.RotationSettings(groups_per_round=2)
    board = rotation.replay(rotation.build_day_order(("A", "B"), None), [], settings=cfg)
    board = receive_due(board, 3)
    assert board.round_no == 1
    assert board.due == "B"
    board = receive_due(board, 1)
    assert board.round_no == 2
    assert rotation.groups_per_round_report(board)[1] == {"A": 2, "B": 2}


def test_Q10_midday_groups_alternate_by_day():
    cfg = rotation.RotationSettings(midday_anchor_date=dt.date(2026, 5, 4))
    days = [dt.date(2026, 5, 4) + dt.timedelta(days=i) for i in range(4)]
    assert [rotation.midday_group(d, cfg) for d in days] == ["group_1", "group_2", "group_1", "group_2"]
    assert rotation.midday_group(dt.date(2026, 5, 3), cfg) == "group_2"
    assert rotation.in_midday_window(dt.time(12, 0)) is True
    assert rotation.in_midday_window(dt.time(13, 30)) is False


def test_settings_from_values():
    cfg = rotation.RotationSettings.from_values(
        {
            "queue.groups_per_round": 2,
            "queue.midday_window": ["11:30", "13:00"],
            "queue.midday_anchor_date": "2026-06-01",
        }
    )
    assert cfg == rotation.RotationSettings(2, dt.time(11, 30), dt.time(13, 0), dt.date(2026, 6, 1))
    assert rotation.RotationSettings.from_values({}) == rotation.RotationSettings()


def test_random_draw_is_reproducible_with_the_same_seed():
    first = rotation.draw_lots(C, random.Random(7))
    assert first == rotation.draw_lots(C, random.Random(7))
    assert sorted(first) == sorted(C)


def test_position_numbers():
    assert [rotation.position_for(n) for n in (1, 2, 3, 4, 9)] == [
        "front_desk",
        "hotline",
        "reception_pc",
        "substitute",
        "substitute",
    ]


# --- properties -----------------------------------------------------------------

POOL = tuple(f"P{i}" for i in range(8))
KINDS = [k for k in EventType]

raw_event = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, len(POOL) - 1),
    st.one_of(st.none(), st.integers(0, len(POOL) - 1)),
    st.permutations(range(len(POOL))),
)


def _to_event(board: rotation.Board, raw, minute: int) -> QueueEvent:
    kind, who, nxt, perm = raw
    at = AT + dt.timedelta(minutes=minute)
    if kind == EventType.reorder:
        members = {s.consultant for s in board.members}
        order = tuple(POOL[i] for i in perm if POOL[i] in members)
        return QueueEvent(kind, None, at, order=order, reason="调整", by_supervisor=True)
    return QueueEvent(kind, POOL[who], at, next_consultant=None if nxt is None else POOL[nxt])


def _valid_run(order: rotation.DayOrder, raws) -> tuple[rotation.Board, list[QueueEvent]]:
    board = rotation.replay(order, [])
    accepted = []
    for minute, raw in enumerate(raws):
        event = _to_event(board, raw, minute)
        try:
            board = rotation.apply_event(board, event)
        except DomainError:
            continue
        accepted.append(event)
    return board, accepted


scenario = st.tuples(
    st.lists(raw_event, max_size=60),
    st.sets(st.sampled_from(POOL), max_size=3),
    st.one_of(st.none(), st.sampled_from(POOL)),
)


@settings(max_examples=200, deadline=None)
@given(scenario)
def test_property_each_active_consultant_once_and_one_group_per_round(case):
    raws, demoted, closing = case
    order = rotation.build_day_order(POOL, closing, demoted=demoted)
    board = rotation.replay(order, [])
    last_round = board.round_no
    for minute, raw in enumerate(raws):
        event = _to_event(board, raw, minute)
        try:
            board = rotation.apply_event(board, event)
        except DomainError:
            continue
        on_board = [s.consultant for s in board.slots]
        assert sorted(on_board) == sorted(order.members)
        assert not set(on_board) & demoted
        assert [s.number for s in board.slots] == list(range(1, len(on_board) + 1))
        assert board.round_no >= last_round
        last_round = board.round_no
        received: dict[tuple[int, str], int] = {}
        for turn in board.history:
            if turn.outcome == TurnOutcome.received:
                received[(turn.round_no, turn.consultant)] = (
                    received.get((turn.round_no, turn.consultant), 0) + 1
                )
        for (round_no, who), count in received.items():
            everyone_had_one = all(received.get((round_no, c), 0) >= 1 for c in order.members)
            assert count == 1 or everyone_had_one, f"{who} received {count} groups in round {round_no}"
        if board.due is not None:
            assert board.slot_of(board.due).round_no == board.round_no


@settings(max_examples=100, deadline=None)
@given(scenario)
def test_property_replay_is_deterministic(case):
    raws, demoted, closing = case
    order = rotation.build_day_order(POOL, closing, demoted=demoted)
    board, accepted = _valid_run(order, raws)
    assert rotation.replay(order, accepted) == board
    assert rotation.replay(order, list(accepted)) == rotation.replay(order, tuple(accepted))
    if accepted:
        prefix = rotation.replay(order, accepted[:-1])
        assert rotation.apply_event(prefix, accepted[-1]) == board


# --- catalogs for the whole M1 module ------------------------------------------------

M1_MODULES = (rotation, roster, roster_presets, roster_requests, handover)
LOCALES = Path(__file__).resolve().parents[2] / "lib" / "locales"


def _catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALES / lang / "rotation.json").read_text(encoding="utf-8"))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _m1_keys() -> set[str]:
    keys = set()
    for module in M1_MODULES:
        source = Path(module.__file__).read_text(encoding="utf-8")
        keys |= set(re.findall(r'"(rotation\.[a-z_0-9.]+)"', source))
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, enum.StrEnum)
                and value.__module__ == module.__name__
            ):
                keys |= {f"rotation.{_snake(name)}.{member.value}" for member in value}
        keys |= {f"setting.{d.key}" for d in getattr(module, "SETTINGS", [])}
    for preset in roster_presets.presets().values():
        keys |= {f"rotation.shift.{s.code}" for s in preset.template.shifts}
    return keys


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_m1_key_is_in_both_catalogs(lang):
    missing = sorted(_m1_keys() - set(_catalog(lang)))
    assert missing == []


def test_both_catalogs_use_the_same_placeholders():
    zh, en = _catalog("zh_CN"), _catalog("en")
    assert set(zh) == set(en)
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    assert {k: fields(v) for k, v in zh.items()} == {k: fields(v) for k, v in en.items()}
