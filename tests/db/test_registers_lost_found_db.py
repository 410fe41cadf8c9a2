"""Lost and found on the register engine (seed 004 D7, seed 003 X5; REGISTERS.md §1.7), on SQLite and PostgreSQL:
LF1 登记 → 保管 → 上缴 with a hand-in due that becomes overdue, LF2 an item returned to its owner is closed."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.domain.errors import Conflict, ValidationFailed
from lib.services import registers as R
from lib.services import settings as settings_service
from tests.db.registers_family_kit import NOW, at, make_office

H = dt.timedelta(hours=1)


@pytest.fixture
def office(engine):
    return engine, make_office(engine)


def item(p, **extra):
    return {"item": "黑色雨伞", "found_at": NOW, "found_place": "客户休息室", "finder": "保洁员",
            "custodian_id": p["clerk"].id, **extra}


def dues(engine, now):
    return [(d.entry_id, d.kind, d.overdue) for d in R.open_dues(engine, now, register="lost_item")]


def test_LF1_lost_item_is_kept_then_handed_in_and_overdue_when_it_is_not(office):
    """LF1: 「做好登记、保管、上缴的工作」: recorded and kept at once, due to be handed in within the set hours
    (assumed: no seed gives a period), overdue after; handing in closes it, and it is not also returned."""
    engine, p = office
    first = R.create_entry(engine, actor=p["clerk"], register="lost_item", values=item(p), now=NOW)
    entry = R.get_entry(engine, actor=p["clerk"], register="lost_item", entry_id=first, now=at(1)).entry
    assert (entry.state, entry.values["status"], entry.locked, entry.due_at) == ("recorded", "kept", True, NOW + 24 * H)
    assert dues(engine, NOW + 23 * H) == [(first, "lost_item_hand_in", False)]
    assert dues(engine, NOW + 25 * H) == [(first, "lost_item_hand_in", True)]
    (row,) = R.list_entries(engine, actor=p["clerk"], register="lost_item",
                            query=R.Query(first=NOW.date(), last=NOW.date()), now=NOW + 25 * H).rows
    assert row.overdue
    with pytest.raises(ValidationFailed) as half:
        R.edit_entry(engine, actor=p["clerk"], register="lost_item", entry_id=first, values={"handed_in_at": NOW + H},
                     now=NOW + H)
    assert half.value.keys() == {"reg.lost_item.handed_to": "registers.lost_item.both"}
    with pytest.raises(ValidationFailed) as early:
        R.edit_entry(engine, actor=p["clerk"], register="lost_item", entry_id=first, now=NOW + H,
                     values={"handed_in_at": NOW - H, "handed_to": "行政部"})
    assert early.value.keys() == {"reg.lost_item.handed_in_at": "registers.lost_item.before_found"}
    R.edit_entry(engine, actor=p["clerk"], register="lost_item", entry_id=first, now=NOW + 26 * H,
                 values={"handed_in_at": NOW + 26 * H, "handed_to": "行政部"})
    entry = R.get_entry(engine, actor=p["clerk"], register="lost_item", entry_id=first, now=NOW + 27 * H).entry
    assert (entry.values["status"], entry.due_at, entry.overdue) == ("handed_in", None, False)
    assert dues(engine, NOW + 27 * H) == []
    with pytest.raises(ValidationFailed) as twice:
        R.edit_entry(engine, actor=p["clerk"], register="lost_item", entry_id=first, now=NOW + 28 * H,
                     values={"returned_at": NOW + 28 * H, "owner": "王先生"})
    assert twice.value.keys() == {"reg.lost_item.returned_at": "registers.lost_item.already_closed"}
    with pytest.raises(Conflict):
        R.edit_entry(engine, actor=p["clerk"], register="lost_item", entry_id=first, now=NOW + 28 * H,
                     values={"handed_to": "保卫部"})


def test_LF2_an_item_returned_to_its_owner_is_closed_and_the_period_is_a_setting(office):
    """LF2: the owner claims it (the chosen reading, REGISTERS.md): returned, no longer due, never handed in after;
    the hand-in period comes from ``registers.lost_item.hand_in_hours``."""
    engine, p = office
    claimed = R.create_entry(engine, actor=p["clerk"], register="lost_item", values=item(p, item="手机"), now=NOW)
    R.edit_entry(engine, actor=p["clerk"], register="lost_item", entry_id=claimed, now=NOW + H,
                 values={"returned_at": NOW + H, "owner": "李女士 138****0000"})
    entry = R.get_entry(engine, actor=p["clerk"], register="lost_item", entry_id=claimed, now=NOW + 2 * H).entry
    assert (entry.values["status"], entry.due_at) == ("returned", None)
    assert dues(engine, NOW + 48 * H) == []
    with pytest.raises(ValidationFailed) as after:
        R.edit_entry(engine, actor=p["clerk"], register="lost_item", entry_id=claimed, now=NOW + 3 * H,
                     values={"handed_in_at": NOW + 3 * H, "handed_to": "行政部"})
    assert "registers.lost_item.already_closed" in after.value.keys().values()
    settings_service.change_setting(engine, actor=p["admin"], key="registers.lost_item.hand_in_hours", value=4)
    kept = R.create_entry(engine, actor=p["clerk"], register="lost_item", values=item(p, item="钥匙"), now=NOW)
    assert dues(engine, NOW + 5 * H) == [(kept, "lost_item_hand_in", True)]
