"""Follow-up call survey after a repair (seed 000 D2; S43)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.domain.errors import ValidationFailed
from lib.domain.complaints.surveys import (
    Attitude,
    FollowUpSurvey,
    FollowUpTask,
    book_callback,
    callback_queue,
    fee_reminder_shown,
    follow_up_for,
    is_answered,
    validate_survey,
)

NOW = dt.datetime(2026, 1, 12, 14, 0)
ANSWERED = FollowUpSurvey(
    convenient=True, resolved=True, attitude=Attitude.satisfied, charged=False, score=10, suggestion="师傅很耐心"
)


def test_S43_completed_repair_gets_a_follow_up_task():
    assert follow_up_for(42, NOW) == FollowUpTask(ticket_id=42, created_at=NOW, callback_at=None)


def test_S43_not_convenient_needs_a_callback_time():
    with pytest.raises(ValidationFailed) as err:
        validate_survey(FollowUpSurvey(convenient=False), NOW)
    assert err.value.keys() == {"callback_at": "complaints.survey.error.callback_required"}
    with pytest.raises(ValidationFailed) as err:
        validate_survey(FollowUpSurvey(convenient=False, callback_at=NOW), NOW)
    assert err.value.keys() == {"callback_at": "complaints.survey.error.callback_in_past"}
    validate_survey(FollowUpSurvey(convenient=False, callback_at=NOW + dt.timedelta(hours=2)), NOW)


@pytest.mark.parametrize("score", [0, 11, -1, True])
def test_S43_scores_0_and_11_are_rejected(score):
    with pytest.raises(ValidationFailed) as err:
        validate_survey(dataclasses.replace(ANSWERED, score=score), NOW)
    assert err.value.keys() == {"score": "complaints.survey.error.score_range"}
    assert err.value.errors[0].params == {"low": 1, "high": 10}


@pytest.mark.parametrize("score", [1, 10])
def test_S43_scores_1_and_10_are_accepted(score):
    validate_survey(dataclasses.replace(ANSWERED, score=score), NOW)


def test_convenient_call_needs_every_answer_but_not_a_suggestion():
    with pytest.raises(ValidationFailed) as err:
        validate_survey(FollowUpSurvey(convenient=True), NOW)
    assert err.value.keys() == {
        "resolved": "complaints.survey.error.resolved_required",
        "attitude": "complaints.survey.error.attitude_required",
        "charged": "complaints.survey.error.charged_required",
        "score": "complaints.survey.error.score_required",
    }
    assert is_answered(dataclasses.replace(ANSWERED, suggestion=""))
    assert not is_answered(FollowUpSurvey(convenient=False, callback_at=NOW))
    assert not is_answered(None)


def test_score_range_follows_the_setting():
    validate_survey(dataclasses.replace(ANSWERED, score=0), NOW, score_range=(0, 5))
    with pytest.raises(ValidationFailed):
        validate_survey(dataclasses.replace(ANSWERED, score=6), NOW, score_range=(0, 5))


def test_fee_reminder_only_when_satisfied_and_unpaid():
    assert fee_reminder_shown(dataclasses.replace(ANSWERED, fee_paid=False))
    assert not fee_reminder_shown(dataclasses.replace(ANSWERED, fee_paid=True))
    assert not fee_reminder_shown(dataclasses.replace(ANSWERED, fee_paid=None))
    assert not fee_reminder_shown(dataclasses.replace(ANSWERED, attitude=Attitude.average, fee_paid=False))
    assert not fee_reminder_shown(FollowUpSurvey(convenient=False, callback_at=NOW, fee_paid=False))


def test_S43_not_convenient_keeps_the_task_with_the_booked_time():
    task = follow_up_for(42, NOW)
    later = NOW + dt.timedelta(days=1)
    booked = book_callback(task, FollowUpSurvey(convenient=False, callback_at=later), NOW)
    assert booked == FollowUpTask(ticket_id=42, created_at=NOW, callback_at=later)
    assert book_callback(task, ANSWERED, NOW) == task
    with pytest.raises(ValidationFailed):
        book_callback(task, FollowUpSurvey(convenient=False), NOW)


def test_callback_queue_lists_due_calls_earliest_first():
    new = FollowUpTask(1, NOW - dt.timedelta(hours=1))
    booked_past = FollowUpTask(2, NOW - dt.timedelta(days=1), callback_at=NOW - dt.timedelta(hours=2))
    booked_future = FollowUpTask(3, NOW - dt.timedelta(days=1), callback_at=NOW + dt.timedelta(hours=2))
    assert callback_queue([new, booked_future, booked_past], NOW) == [booked_past, new]


@settings(max_examples=200, deadline=None)
@given(st.integers(-50, 50))
def test_property_score_accepted_exactly_inside_1_to_10(score):
    survey = dataclasses.replace(ANSWERED, score=score)
    if 1 <= score <= 10:
        validate_survey(survey, NOW)
    else:
        with pytest.raises(ValidationFailed):
            validate_survey(survey, NOW)
