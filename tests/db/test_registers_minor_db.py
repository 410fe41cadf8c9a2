"""The minor registers (REGISTERS.md §1.10) on the register engine, on SQLite and PostgreSQL: MR1 every register of
the seal, lost-and-found, equipment and office families takes an entry, lists it and exports it; MR2 an outside
organisation reads archives with a 介绍信 and the 分管档案领导's approval; MR3 minutes are due within 3 days;
MR4 a failed safety item needs the issue written."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from lib.domain.registers import families
from lib.domain.errors import NotAllowed, ValidationFailed
from lib.services import registers as R
from tests.db.registers_family_kit import DAY, NOW, at, make_office, sample_values

FAMILIES = ("seals", "lost_found", "equipment", "office")


@pytest.fixture
def office(engine):
    return engine, make_office(engine)


def test_MR1_every_family_register_takes_lists_and_exports_an_entry(office):
    """MR1: defined as data, each register works end to end from its definition alone."""
    engine, p = office
    actor = p["all_titles"]
    keys = [rdef.key for fam in FAMILIES for rdef in families()[fam]]
    assert len(keys) == 27  # EQ4 added the half-yearly equipment_stocktake
    for key in keys:
        values = sample_values(key, actor.id)
        if key == "seal_use":  # a use names a seal of the ledger in use (SE4): the sample seal, put in use first
            R.create_entry(engine, actor=actor, register="seal", now=NOW, values={
                "seal_type": values["seal_type"], "name": values["seal"], "carved_on": DAY - dt.timedelta(days=12),
                "issued_on": DAY - dt.timedelta(days=11), "keeper_id": actor.id,
                "activated_on": DAY - dt.timedelta(days=10)})
        entry_id = R.create_entry(engine, actor=actor, register=key, values=values, now=NOW)
        state = R.get_entry(engine, actor=actor, register=key, entry_id=entry_id, now=at(1)).entry.state
        assert state in ("recorded", "pending"), key
        rows = R.list_entries(engine, actor=actor, register=key, query=R.Query(first=DAY, last=DAY), now=at(1)).rows
        assert [r.id for r in rows] == [entry_id], key
        lines = list(csv.reader(io.StringIO(b"".join(R.export_csv(
            engine, actor=actor, register=key, query=R.Query(first=DAY, last=DAY), now=at(1))).decode("utf-8-sig"))))
        assert len(lines) == 2, key


def test_MR2_outside_archive_request_needs_a_letter_and_the_archive_leaders_approval(office):
    """MR2 (seed 003 X6#3): 「必须持单位介绍信…经本单位分管档案领导批准后可准予查阅」; returned after approval."""
    engine, p = office
    values = {"organisation": "市档案局", "letter": False, "archive": "2020 年会议档案", "purpose": "专项检查",
              "requested_at": NOW}
    with pytest.raises(ValidationFailed) as no_letter:
        R.create_entry(engine, actor=p["clerk"], register="archive_loan", values=values, now=NOW)
    assert no_letter.value.keys() == {"reg.archive_loan.letter": "registers.archive_loan.needs_letter"}
    loan = R.create_entry(engine, actor=p["clerk"], register="archive_loan", values={**values, "letter": True}, now=NOW)
    with pytest.raises(NotAllowed):
        R.approve_entry(engine, actor=p["admin_office"], register="archive_loan", entry_id=loan, now=at(1))
    R.approve_entry(engine, actor=p["vice"], register="archive_loan", entry_id=loan, now=at(2))
    R.edit_entry(engine, actor=p["clerk"], register="archive_loan", entry_id=loan, values={"returned_at": at(90)},
                 now=at(90))
    entry = R.get_entry(engine, actor=p["clerk"], register="archive_loan", entry_id=loan, now=at(91)).entry
    assert (entry.state, entry.values["approved_by"], entry.values["returned_at"]) == ("approved", "vice", at(90))


def test_MR3_meeting_minutes_are_due_within_three_days(office):
    """MR3 (seed 001 D10): 「会议纪要 (3天内完成起草)」: due three days after the meeting, overdue after, closed by
    the minutes."""
    engine, p = office
    meeting = R.create_entry(engine, actor=p["clerk"], register="meeting", now=NOW, values={
        "subject": "周例会", "held_at": NOW, "recorder_id": p["clerk"].id})
    (due,) = R.open_dues(engine, at(1), register="meeting")
    assert (due.entry_id, due.kind, due.due_at, due.overdue) == (meeting, "meeting_minutes", NOW + dt.timedelta(days=3),
                                                                 False)
    assert R.open_dues(engine, NOW + dt.timedelta(days=3, minutes=1), register="meeting")[0].overdue
    R.edit_entry(engine, actor=p["clerk"], register="meeting", entry_id=meeting, values={"minutes_at": at(600)},
                 now=at(600))
    assert R.open_dues(engine, NOW + dt.timedelta(days=5), register="meeting") == []


def test_MR4_a_failed_safety_item_needs_the_issue_written(office):
    """MR4 (seed 001 D22, seed 003 X7#38): 电源、插座、明火隐患、文件控制执行; a failed item needs 整改 notes."""
    engine, p = office
    values = {"checked_at": NOW, "checker_id": p["clerk"].id, "power_ok": True, "sockets_ok": False, "flame_ok": True,
              "document_control_ok": True}
    with pytest.raises(ValidationFailed) as silent:
        R.create_entry(engine, actor=p["clerk"], register="safety_check", values=values, now=NOW)
    assert silent.value.keys() == {"reg.safety_check.issues": "registers.safety_check.issues_required"}
    check = R.create_entry(engine, actor=p["clerk"], register="safety_check", now=NOW,
                           values={**values, "issues": "前台插座松动,通知工程部更换"})
    R.edit_entry(engine, actor=p["clerk"], register="safety_check", entry_id=check, values={"fixed_at": at(120)},
                 now=at(120))
