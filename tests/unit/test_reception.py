"""Reception applications (SPEC §M2 2.5, seed 002; S32, S33)."""

from __future__ import annotations

import datetime as dt

import pytest

import lib.domain.reception as reception_module
from lib.i18n import catalog
from lib.domain.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from lib.domain.reception import (
    Action,
    Meal,
    ReceptionApplication,
    ReceptionClass,
    ReceptionSettings,
    ReceptionState,
    Venue,
    advance,
    feedback_due,
    feedback_overdue,
    meal_approver_titles,
    meal_flags,
    notice_warnings,
    validate_application,
)

THURSDAY = dt.date(2025, 6, 12)


def application(**kw):
    base = dict(guest_count=4, reception_class=ReceptionClass.B, starts_on=THURSDAY, reason="考察工厂", host="销售部张经理")
    base.update(kw)
    return ReceptionApplication(**base)


def test_complete_application_passes():
    validate_application(application(requirements="需要会议室"))


def test_missing_host_and_guest_count_are_reported():
    with pytest.raises(ValidationFailed) as err:
        validate_application(application(host=" ", guest_count=0))
    assert err.value.keys() == {"host": "reception.field_required", "guest_count": "reception.guest_count_required"}


def test_end_before_start_is_refused():
    with pytest.raises(ValidationFailed) as err:
        validate_application(application(ends_on=THURSDAY - dt.timedelta(days=1)))
    assert err.value.keys() == {"ends_on": "reception.ends_before_start"}


def test_S32_class_B_dinner_for_4_costing_600_is_over_cap():
    (flag,) = meal_flags(ReceptionClass.B, [Meal(Venue.outside, 4, 600)])
    assert flag.key == "reception.meal_over_cap"
    assert flag.params == {"per_head": "150.00", "cap": "130", "reception_class": "B"}
    assert flag.index == 0


def test_S32_cap_is_inclusive_and_per_class():
    assert meal_flags(ReceptionClass.B, [Meal(Venue.outside, 4, 520)]) == []
    assert meal_flags(ReceptionClass.A, [Meal(Venue.outside, 4, 600)]) == []
    assert [f.index for f in meal_flags(ReceptionClass.C, [Meal(Venue.canteen, 3, 300), Meal(Venue.outside, 3, "300.03")])] == [1]


def test_guest_paid_meals_are_not_checked():
    assert meal_flags(ReceptionClass.C, [Meal(Venue.outside, 2, 1000, paid_by_guest=True)]) == []


def test_class_D_company_paid_outside_meal_is_flagged():
    flags = meal_flags(ReceptionClass.D, [Meal(Venue.canteen, 5, 75), Meal(Venue.outside, 5, 300)])
    assert [(f.key, f.index) for f in flags] == [("reception.meal_d_guest_pays", 1)]


def test_meal_without_diners_is_refused():
    with pytest.raises(DomainError) as err:
        meal_flags(ReceptionClass.B, [Meal(Venue.outside, 0, 100)])
    assert err.value.key == "reception.meal_diners_invalid"


def test_meal_caps_are_settings():
    strict = ReceptionSettings.from_values({"reception.meal_cap_b": 100})
    assert strict.meal_caps[ReceptionClass.B] == 100
    assert len(meal_flags(ReceptionClass.B, [Meal(Venue.outside, 4, 440)], strict)) == 1


def test_meal_approvers():
    assert meal_approver_titles(Meal(Venue.canteen, 4, 100)) == ("副总", "总经理")
    assert meal_approver_titles(Meal(Venue.outside, 4, 100)) == ("总经理",)


def _walk(reception_class, until, chairman_confirmed=False):
    state = ReceptionState.draft
    for action in until:
        state = advance(state, action, reception_class=reception_class, chairman_confirmed=chairman_confirmed)
    return state


APPROVE = [Action.submit, Action.dept_review, Action.approve]


def test_S33_class_A_itinerary_not_final_before_chairman_confirms():
    with pytest.raises(NotAllowed) as err:
        _walk(ReceptionClass.A, [*APPROVE, Action.confirm_itinerary])
    assert err.value.key == "reception.chairman_confirmation_required"
    assert _walk(ReceptionClass.A, [*APPROVE, Action.confirm_itinerary], chairman_confirmed=True) == (
        ReceptionState.itinerary_confirmed
    )
    assert _walk(ReceptionClass.B, [*APPROVE, Action.confirm_itinerary]) == ReceptionState.itinerary_confirmed


def test_full_path_ends_with_feedback_filed():
    path = [*APPROVE, Action.confirm_itinerary, Action.hold, Action.file_feedback]
    assert _walk(ReceptionClass.C, path) == ReceptionState.feedback_filed


@pytest.mark.parametrize("state", [ReceptionState.draft, ReceptionState.submitted, ReceptionState.dept_reviewed])
def test_cannot_hold_before_approval(state):
    with pytest.raises(NotAllowed) as err:
        advance(state, Action.hold, reception_class=ReceptionClass.C)
    assert err.value.key == "reception.hold_before_approval"


def test_cannot_hold_before_itinerary_confirmed():
    with pytest.raises(NotAllowed) as err:
        advance(ReceptionState.approved, Action.hold, reception_class=ReceptionClass.C)
    assert err.value.key == "reception.itinerary_not_confirmed"


def test_invalid_transition_is_a_conflict():
    with pytest.raises(Conflict):
        advance(ReceptionState.draft, Action.approve, reception_class=ReceptionClass.C)
    assert advance(ReceptionState.submitted, Action.reject, reception_class=ReceptionClass.C) == ReceptionState.rejected
    with pytest.raises(Conflict):
        advance(ReceptionState.rejected, Action.submit, reception_class=ReceptionClass.C)


def test_S33_feedback_for_reception_ending_thursday_is_overdue_after_monday():
    monday = dt.date(2025, 6, 16)
    assert feedback_due(THURSDAY) == monday
    assert feedback_overdue(THURSDAY, filed=False, today=monday) is False
    assert feedback_overdue(THURSDAY, filed=False, today=monday + dt.timedelta(days=1)) is True
    assert feedback_overdue(THURSDAY, filed=True, today=monday + dt.timedelta(days=1)) is False


def test_feedback_due_skips_national_day_holiday():
    assert feedback_due(dt.date(2026, 9, 30)) == dt.date(2026, 10, 9)


@pytest.mark.parametrize(
    ("days_ahead", "needs_leader", "warned"),
    [(2, True, True), (3, True, False), (0, False, True), (1, False, False)],
)
def test_notice_warnings(days_ahead, needs_leader, warned):
    flags = notice_warnings(THURSDAY - dt.timedelta(days=days_ahead), THURSDAY, needs_leader)
    assert bool(flags) is warned
    if warned:
        assert flags[0].key == "reception.short_notice"
        assert flags[0].params == {"required": 3 if needs_leader else 1, "given": days_ahead}


def test_labels_and_setting_names_exist_in_both_languages():
    keys = {f"{prefix}.{member}" for enum_cls, prefix in [(reception_module.ReceptionClass, "reception.class"), (reception_module.ReceptionState, "reception.state"), (reception_module.Action, "reception.action"), (reception_module.Venue, "reception.venue")] for member in enum_cls}
    keys |= {f"setting.{s.key}" for s in reception_module.SETTINGS}
    for lang in ("zh_CN", "en"):
        assert keys <= catalog(lang).keys(), sorted(keys - catalog(lang).keys())
