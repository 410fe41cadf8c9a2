"""Shift rosters, swaps, absences and check-in (SPEC M1 1.2–1.3): scenarios S10–S15."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from lib.domain.errors import Conflict, DomainError, Locked, NotAllowed
from lib.domain.roster.rules import (
    EntryKind,
    PostRules,
    RosterEntry,
    RosterSettings,
    RosterStatus,
    Severity,
    StaffInfo,
    blocks_publish,
    change_status,
    ensure_editable,
    first_responsible,
    on_duty_now,
    validate_assignment,
    validate_roster,
)
from lib.domain.roster.presets import Preset, presets
from lib.domain.roster.requests import (
    AbsencePolicy,
    AbsenceReason,
    AbsenceStatus,
    CheckInStatus,
    PostAbsence,
    ShiftRef,
    SwapStatus,
    apply_swap,
    approve_absence,
    check_in_flag,
    decide_swap,
    ensure_request_window,
    reject_absence,
    request_cutoff,
    request_swap,
    request_window_open,
    submit_absence,
)

MON = dt.date(2026, 6, 8)
PRESETS = presets(post="control")


def trained(*names: str, cert: dt.date | None = None) -> dict[str, StaffInfo]:
    return {n: StaffInfo(n, n, frozenset({"control"}), cert) for n in names}


def keys(problems) -> list[str]:
    return [p.key for p in problems]


# --- presets --------------------------------------------------------------------------


def test_presets_follow_the_spec_table():
    three = PRESETS[Preset.three_crew_two_shift].template
    assert [(s.code, s.start.hour, s.end.hour) for s in three.shifts] == [("day", 8, 17), ("night", 17, 8)]
    assert three.crews == 3
    four = PRESETS[Preset.four_crew_three_shift].template
    assert [s.span(MON) for s in four.shifts][-1] == (
        dt.datetime(2026, 6, 8, 16),
        dt.datetime(2026, 6, 9, 0),
    )
    cs = PRESETS[Preset.cs_three_band]
    assert [s.min_staff for s in cs.template.shifts] == [2, 2, 2]
    assert cs.rules.rest_days_per_month == 4
    fire = PRESETS[Preset.fire_room].rules
    assert (fire.is_24x7, fire.min_staff, fire.max_continuous_h, fire.requires_certificate) == (
        True,
        1,
        12,
        True,
    )
    centre = PRESETS[Preset.call_centre_24h].template
    assert [(c.min_staff) for c in centre.coverage] == [8, 2]
    assert PRESETS[Preset.front_desk].rules.first_responsible_daily is True


# --- publish validation ---------------------------------------------------------------


def test_S13_gap_on_24x7_post_blocks_publishing_and_is_listed():
    preset = PRESETS[Preset.four_crew_three_shift]
    entries = [RosterEntry(MON, "early", "A"), RosterEntry(MON, "middle", "B")]
    problems = validate_roster(entries, preset.template, preset.rules, trained("A", "B"), MON, MON)
    gaps = [p for p in problems if p.key == "rotation.roster.gap"]
    assert [(g.start, g.end, g.params["span"]) for g in gaps] == [
        (dt.datetime(2026, 6, 8, 16), dt.datetime(2026, 6, 9, 0), "2026-06-08 16:00–24:00")
    ]
    assert blocks_publish(problems)
    with pytest.raises(DomainError) as err:
        change_status(RosterStatus.draft, RosterStatus.published, problems)
    assert err.value.key == "rotation.roster.error.publish_blocked"


def test_S13_full_cover_publishes_then_locks():
    preset = PRESETS[Preset.four_crew_three_shift]
    entries = [RosterEntry(MON, "early", "A"), RosterEntry(MON, "middle", "B"), RosterEntry(MON, "late", "C")]
    problems = validate_roster(entries, preset.template, preset.rules, trained("A", "B", "C"), MON, MON)
    assert problems == []
    published = change_status(RosterStatus.draft, RosterStatus.published, problems)
    assert change_status(published, RosterStatus.locked) == RosterStatus.locked


def test_night_shift_from_the_day_before_covers_the_first_morning():
    preset = PRESETS[Preset.three_crew_two_shift]
    sunday = MON - dt.timedelta(days=1)
    entries = [
        RosterEntry(sunday, "night", "A"),
        RosterEntry(MON, "day", "B"),
        RosterEntry(MON, "night", "C"),
    ]
    problems = validate_roster(entries, preset.template, preset.rules, trained("A", "B", "C"), MON, MON)
    assert problems == []


def test_S14_back_to_back_fire_shifts_are_rejected():
    rules = PRESETS[Preset.fire_room].rules
    template = PRESETS[Preset.three_crew_two_shift].template
    staff = trained("W", cert=dt.date(2027, 1, 1))
    day = RosterEntry(MON, "day", "W")
    validate_assignment(day, [], template, rules, staff)
    with pytest.raises(DomainError) as err:
        validate_assignment(RosterEntry(MON, "night", "W"), [day], template, rules, staff)
    assert err.value.key == "rotation.roster.over_max_continuous"
    assert err.value.params["hours"] == "24"
    assert err.value.params["span"] == "2026-06-08 08:00–06-09 08:00"


def test_S14_merged_stretch_is_listed_by_roster_validation():
    preset = PRESETS[Preset.fire_room]
    staff = trained("W", "X", cert=dt.date(2027, 1, 1))
    sunday_night = RosterEntry(MON - dt.timedelta(days=1), "night", "X")
    entries = [sunday_night, RosterEntry(MON, "day", "W"), RosterEntry(MON, "night", "W")]
    problems = validate_roster(entries, preset.template, preset.rules, staff, MON, MON)
    assert [(p.key, p.staff, p.params["hours"]) for p in problems] == [
        ("rotation.roster.over_max_continuous", "W", "24")
    ]
    split = [sunday_night, RosterEntry(MON, "day", "W"), RosterEntry(MON, "night", "X")]
    assert validate_roster(split, preset.template, preset.rules, staff, MON, MON) == []


def test_S14_uncertified_person_is_rejected_on_the_fire_post():
    preset = PRESETS[Preset.fire_room]
    for cert in (None, dt.date(2026, 6, 8)):
        with pytest.raises(DomainError) as err:
            validate_assignment(
                RosterEntry(MON, "night", "W"), [], preset.template, preset.rules, trained("W", cert=cert)
            )
        assert err.value.key == "rotation.roster.uncertified"


def test_untrained_staff_cannot_take_a_control_post():
    preset = PRESETS[Preset.three_crew_two_shift]
    staff = {"N": StaffInfo("N", "新人"), **trained("A")}
    entries = [
        RosterEntry(MON, "day", "N"),
        RosterEntry(MON, "night", "A"),
        RosterEntry(MON - dt.timedelta(1), "night", "A"),
    ]
    problems = validate_roster(entries, preset.template, preset.rules, staff, MON, MON)
    assert [(p.key, p.params["staff"]) for p in problems] == [("rotation.roster.untrained", "新人")]


def test_understaffed_shift_blocks_and_overlap_is_found():
    preset = PRESETS[Preset.cs_three_band]
    entries = [
        RosterEntry(MON, "day", "A"),
        RosterEntry(MON, "regular", "A"),
        RosterEntry(MON, "evening", "B"),
        RosterEntry(MON, "evening", "C"),
        RosterEntry(MON, "regular", "D"),
    ]
    problems = validate_roster(entries, preset.template, preset.rules, {}, MON, MON)
    assert sorted(keys(problems)) == ["rotation.roster.overlap", "rotation.roster.understaffed"]
    under = next(p for p in problems if p.key == "rotation.roster.understaffed")
    assert (under.params["span"], under.params["count"], under.params["minimum"]) == (
        "2026-06-08 08:00–17:00",
        1,
        2,
    )


def test_call_centre_shortfalls_only_warn():
    preset = PRESETS[Preset.call_centre_24h]
    entries = [RosterEntry(MON, "day", "A"), RosterEntry(MON, "mid", "B"), RosterEntry(MON, "night", "C")]
    problems = validate_roster(entries, preset.template, preset.rules, {}, MON, MON)
    assert problems and {p.severity for p in problems} == {Severity.warn}
    assert {p.key for p in problems} == {"rotation.roster.coverage_short"}
    assert not blocks_publish(problems)
    first = problems[0]
    # 08:00–09:00 has one agent, 09:00–20:00 two: one short stretch, reported with its lowest count.
    assert (first.params["span"], first.params["count"], first.params["minimum"]) == (
        "2026-06-08 08:00–20:00",
        1,
        8,
    )


def test_cs_rest_days_are_required_each_month():
    preset = PRESETS[Preset.cs_three_band]
    rules = PostRules("cs", min_staff=0, rest_days_per_month=4)
    template = replace(
        preset.template, shifts=tuple(replace(s, min_staff=None) for s in preset.template.shifts)
    )
    june = [dt.date(2026, 6, d) for d in range(1, 31)]
    busy = [RosterEntry(d, "day", "A") for d in june]
    rested = [RosterEntry(d, "regular", "B") for d in june[4:]]
    problems = validate_roster(busy + rested, template, rules, {}, june[0], june[-1])
    assert [(p.staff, p.params["rest"], p.params["required"]) for p in problems] == [("A", 0, 4)]
    week = validate_roster(busy[:7], template, rules, {}, june[0], june[6])
    assert week == []


def test_front_desk_needs_one_first_responsible_each_working_day():
    preset = presets(post="front")[Preset.front_desk]
    week = [MON + dt.timedelta(days=i) for i in range(7)]
    entries = [RosterEntry(d, "office", "R1", EntryKind.first_responsible) for d in week[:4]]
    entries += [RosterEntry(week[1], "office", "R2", EntryKind.first_responsible)]
    problems = validate_roster(entries, preset.template, preset.rules, {}, week[0], week[-1])
    assert sorted((p.key, p.day) for p in problems) == [
        ("rotation.roster.no_first_responsible", week[4]),
        ("rotation.roster.several_first_responsible", week[1]),
        ("rotation.roster.understaffed", week[4]),
    ]
    assert first_responsible(entries, week[0]) == "R1"
    assert first_responsible(entries, week[5]) is None


def test_unknown_shift_code_is_a_problem():
    preset = PRESETS[Preset.front_desk]
    problems = validate_roster([RosterEntry(MON, "night", "R1")], preset.template, preset.rules, {}, MON, MON)
    assert "rotation.roster.unknown_shift" in keys(problems)


def test_on_duty_now_includes_a_night_shift_after_midnight():
    template = PRESETS[Preset.three_crew_two_shift].template
    entries = [RosterEntry(MON, "day", "A"), RosterEntry(MON, "night", "B")]
    assert on_duty_now(entries, template, dt.datetime(2026, 6, 9, 2, 0)) == [entries[1]]
    assert on_duty_now(entries, template, dt.datetime(2026, 6, 8, 17, 0)) == [entries[1]]
    assert on_duty_now(entries, template, dt.datetime(2026, 6, 8, 16, 59)) == [entries[0]]


def test_status_transitions():
    with pytest.raises(Locked):
        change_status(RosterStatus.locked, RosterStatus.published)
    with pytest.raises(DomainError) as err:
        change_status(RosterStatus.published, RosterStatus.draft)
    assert err.value.key == "rotation.roster.error.bad_transition"
    with pytest.raises(DomainError):
        change_status(RosterStatus.draft, RosterStatus.locked)


def test_published_roster_changes_only_through_approved_requests():
    ensure_editable(RosterStatus.draft)
    ensure_editable(RosterStatus.published, via_approved_request=True)
    with pytest.raises(NotAllowed):
        ensure_editable(RosterStatus.published)
    with pytest.raises(Locked):
        ensure_editable(RosterStatus.locked, via_approved_request=True)


def test_roster_settings_from_values():
    cfg = RosterSettings.from_values(
        {"roster.callcentre_min": {"day": 6, "night": 1}, "post.fire": {"max_continuous_h": 8}}
    )
    assert (
        cfg.callcentre_day_min,
        cfg.callcentre_night_min,
        cfg.fire_max_continuous_h,
        cfg.fire_min_staff,
    ) == (6, 1, 8.0, 1)
    assert presets(cfg)[Preset.fire_room].rules.max_continuous_h == 8.0


# --- swaps ----------------------------------------------------------------------------

TUE = MON + dt.timedelta(days=1)
WED = MON + dt.timedelta(days=2)
WEEK = (RosterEntry(TUE, "day", "X"), RosterEntry(WED, "day", "Y"), RosterEntry(WED, "night", "Z"))


def test_S10_pending_or_rejected_swap_leaves_roster_unchanged():
    swap = request_swap(WEEK, "X", "Y", ShiftRef(TUE, "day"), ShiftRef(WED, "day"))
    assert swap.status == SwapStatus.requested
    assert apply_swap(WEEK, swap) == WEEK
    assert apply_swap(WEEK, decide_swap(swap, approve=False)) == WEEK


def test_S10_approved_swap_exchanges_the_two_shifts():
    swap = decide_swap(request_swap(WEEK, "X", "Y", ShiftRef(TUE, "day"), ShiftRef(WED, "day")), approve=True)
    assert apply_swap(WEEK, swap) == (
        RosterEntry(TUE, "day", "Y"),
        RosterEntry(WED, "day", "X"),
        RosterEntry(WED, "night", "Z"),
    )


def test_swap_is_decided_once_and_needs_real_shifts():
    swap = decide_swap(request_swap(WEEK, "X", "Y", ShiftRef(TUE, "day"), ShiftRef(WED, "day")), approve=True)
    with pytest.raises(Conflict):
        decide_swap(swap, approve=False)
    with pytest.raises(DomainError) as err:
        request_swap(WEEK, "X", "Y", ShiftRef(TUE, "day"), ShiftRef(TUE, "day"))
    assert err.value.key == "rotation.swap.error.entry_missing"
    with pytest.raises(DomainError):
        request_swap(WEEK, "X", "X", ShiftRef(TUE, "day"), ShiftRef(TUE, "day"))


# --- absences -------------------------------------------------------------------------


def absence(policy: AbsencePolicy, reason: AbsenceReason, cover: str | None = None) -> PostAbsence:
    return PostAbsence("R1", policy, dt.datetime(2026, 6, 8, 10), dt.datetime(2026, 6, 8, 11), reason, cover)


def test_S11_front_desk_private_absence_is_rejected():
    filed = submit_absence(
        absence(AbsencePolicy.front_desk, AbsenceReason.private, cover="R2"), on_duty_now=()
    )
    assert filed.status == AbsenceStatus.rejected
    assert filed.decision_key == "rotation.absence.private_not_allowed"
    allowed = submit_absence(
        absence(AbsencePolicy.front_desk, AbsenceReason.private),
        (),
        RosterSettings(frontdesk_private_leave=True),
    )
    assert allowed.status == AbsenceStatus.submitted


def test_S11_official_absence_without_cover_cannot_be_approved():
    filed = submit_absence(absence(AbsencePolicy.front_desk, AbsenceReason.official), on_duty_now=())
    assert filed.status == AbsenceStatus.submitted
    with pytest.raises(DomainError) as err:
        approve_absence(filed)
    assert err.value.key == "rotation.absence.error.needs_cover"
    covered = submit_absence(
        absence(AbsencePolicy.front_desk, AbsenceReason.official, cover="R2"), on_duty_now=()
    )
    assert approve_absence(covered).status == AbsenceStatus.approved
    with pytest.raises(Conflict):
        reject_absence(approve_absence(covered))


def test_control_room_absence_names_an_on_duty_substitute_first():
    with pytest.raises(DomainError) as err:
        submit_absence(
            absence(AbsencePolicy.control_room, AbsenceReason.urgent, cover="Q"), on_duty_now={"P"}
        )
    assert err.value.key == "rotation.absence.error.substitute_first"
    ok = submit_absence(
        absence(AbsencePolicy.control_room, AbsenceReason.urgent, cover="P"), on_duty_now={"P"}
    )
    assert ok.status == AbsenceStatus.submitted
    with pytest.raises(DomainError) as err:
        submit_absence(absence(AbsencePolicy.other, AbsenceReason.official, cover="R1"), on_duty_now=())
    assert err.value.key == "rotation.absence.error.cover_is_self"


# --- check-in and request window ------------------------------------------------------


def test_S12_check_in_0755_for_0800_is_flagged_0750_is_not():
    start = dt.datetime(2026, 6, 8, 8, 0)
    assert check_in_flag(start, dt.datetime(2026, 6, 8, 7, 55)) == CheckInStatus.short_notice
    assert check_in_flag(start, dt.datetime(2026, 6, 8, 7, 50)) == CheckInStatus.ok
    assert check_in_flag(start, dt.datetime(2026, 6, 8, 8, 1)) == CheckInStatus.late


def test_S15_saturday_request_for_next_week_is_refused_unless_supervisor_overrides():
    saturday = dt.datetime(2026, 6, 13, 10, 0)
    next_week = dt.date(2026, 6, 15)
    assert request_cutoff(next_week) == dt.datetime(2026, 6, 13, 0, 0)
    assert request_window_open(saturday, next_week) is False
    assert request_window_open(saturday, next_week, supervisor_override=True) is True
    assert request_window_open(dt.datetime(2026, 6, 12, 23, 59), next_week) is True
    with pytest.raises(DomainError) as err:
        ensure_request_window(saturday, next_week)
    assert err.value.params == {"cutoff": "2026-06-13 00:00"}
    ensure_request_window(saturday, next_week, supervisor_override=True)


def test_request_for_the_current_week_is_past_its_cutoff():
    assert request_window_open(dt.datetime(2026, 6, 9, 9, 0), dt.date(2026, 6, 10)) is False
