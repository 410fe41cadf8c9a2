"""Issue 12's figures: every contended action raced by 2 processes × 8 threads on SQLite and PostgreSQL.

Each test runs one :mod:`tests.races.scenarios` race for RACE_SECONDS (2 s unless set; ``make races`` runs 60)
and asserts 0 unhandled errors, 0 invariant breaks, and that the race was real (rounds run, winners and
refusals both seen). The rows go to the figures table (``RACE_REPORT``, default ``/tmp/race_report.md``).
"""

from __future__ import annotations

from tests.races import harness
from tests.races.scenarios import RACES


def run(name: str, fleet, backend) -> harness.RaceResult:
    race = RACES[name]
    label, engine, url = backend
    state = race.setup(engine)
    result = fleet.run(race, url=url, backend=label, state=state, seconds=harness.race_seconds())
    assert not result.harness_errors, "\n".join(result.harness_errors)[:4000]
    harness.judge(race, result, engine, state)
    harness.add_rows(race, result)
    unhandled = result.unhandled()
    assert not unhandled, f"{len(unhandled)} unhandled errors, e.g.:\n" + "\n".join(unhandled[:3])
    assert not result.breaks, f"{len(result.breaks)} invariant breaks, e.g.:\n" + "\n".join(result.breaks[:10])
    counted = result.outcomes()
    assert result.rounds and counted["won"] >= 1 and counted["refused"] >= 1, (len(result.rounds), counted)
    return result


def test_R10_T6_queue_take_one_turn_per_step(fleet, backend):
    """R10/T6: 16 presses of 「接待新客户」 for the person due: one turn per queue step, no 抢客 flag."""
    run("queue take (接待新客户)", fleet, backend)


def test_R10_queue_registration_carries_the_screens_step(fleet, backend):
    """R10: 16 walk-ins registered through the queue from one screen: one saved with its turn, the others
    refused and nothing of theirs written (no contact, queue_day or audit row)."""
    run("queue registration (walk-in with the screen's step)", fleet, backend)


def test_S29_day_sheet_signed_once(fleet, backend):
    """S29: the 销售经理 and the 供需 sign one day sheet at once: one signature, one audit row."""
    run("showroom day-sheet sign-off", fleet, backend)


def test_reception_review_is_one_step(fleet, backend):
    """Reception sign-off: two department managers review one application at once: one step."""
    run("reception sign-off (dept review)", fleet, backend)


def test_R9_two_swaps_of_one_shift_keep_every_shift_count(fleet, backend):
    """R9: two swaps of one shift approved at once: one applies, every person keeps their shift count."""
    run("swap sign-off (two swaps of one shift)", fleet, backend)


def test_R9_absence_decided_once(fleet, backend):
    """R9: an absence approved and rejected at once: one decision, one audit row."""
    run("absence sign-off", fleet, backend)


def test_ticket_take_one_owner(fleet, backend):
    """Ticket take: one owner, one 'take' step per seq."""
    run("ticket take", fleet, backend)


def test_ticket_dispatch_once(fleet, backend):
    """Ticket dispatch: two managers at once, one 'dispatch' step."""
    run("ticket dispatch", fleet, backend)


def test_ticket_close_once(fleet, backend):
    """Ticket close: one 'close' step, timeline and audit in step."""
    run("ticket close", fleet, backend)


def test_ticket_survey_once(fleet, backend):
    """Ticket survey (回访): one survey row and one 'close' per repair."""
    run("ticket survey (回访)", fleet, backend)


def test_R11_ledger_entry_decided_once(fleet, backend):
    """R11: waive and reverse of one confirmed entry at once: one decision stands."""
    run("ledger decision (waive vs reverse)", fleet, backend)


def test_S21_visitor_checked_out_once(fleet, backend):
    """S21: one visitor checked out from 16 screens: one time out, one audit row."""
    run("visitor check-out", fleet, backend)


def test_S16_handover_taken_once(fleet, backend):
    """S16: a handover nobody was named for, checked in by the whole day shift at once: one taker."""
    run("handover take (check-in)", fleet, backend)


def test_S16_handover_signed_once_per_side(fleet, backend):
    """S16: both sides sign from several screens: one signature each at most, completed iff both."""
    run("handover sign", fleet, backend)


def test_R1_lockout_under_thirty_concurrent_guesses(fleet, backend):
    """R1: 30 wrong guesses at once across two processes: at most the limit checked, locked, all audited."""
    run("login lockout (30 concurrent wrong guesses)", fleet, backend)


def test_R2_ended_session_is_ended_on_the_second_app_server(fleet, backend):
    """R2: logout, password reset and deactivation end the session on both app servers at once."""
    run("session ended", fleet, backend)


def test_the_harness_catches_an_unguarded_check_then_write(fleet, tmp_path):
    """The control: a read-then-write check-out without a guard, raced the same way, shows several winners per
    round and several check-out rows, so a race above that lost its guard would fail."""
    from tests.conftest import sqlite_engine

    race = RACES["control: unguarded check-out (must break)"]
    engine = sqlite_engine(tmp_path)
    try:
        state = race.setup(engine)
        result = fleet.run(race, url=engine.url.render_as_string(hide_password=False), backend="sqlite", state=state,
                           seconds=min(harness.race_seconds(), 2.0))
        assert not result.harness_errors, result.harness_errors
        harness.judge(race, result, engine, state)
        assert not result.unhandled(), result.unhandled()[:3]
        assert any("winners" in b for b in result.breaks) and any("check-outs" in b for b in result.breaks), \
            result.breaks[:5]
    finally:
        engine.dispose()
