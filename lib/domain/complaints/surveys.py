"""Follow-up call after a repair (回访, seed 000 D2), recorded as a ``FollowUpSurvey``.

The call script asks, in order: is now convenient (else book a callback), was the
problem resolved, how was the technician's attitude, were you charged, a 1–10 score
and any suggestion; the heating-fee reminder closes the call only for a satisfied
customer who has not paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from lib.domain.errors import FieldError, ValidationFailed

DEFAULT_SCORE_RANGE: tuple[int, int] = (1, 10)


class Attitude(StrEnum):
    """The technician's attitude as the customer rates it (seed 000 D2)."""

    satisfied = "satisfied"
    average = "average"
    dissatisfied = "dissatisfied"


@dataclass(frozen=True, kw_only=True)
class FollowUpSurvey:
    """One follow-up call's answers (seed 000 D2 C5–C11); ``None`` means not asked yet."""

    convenient: bool
    callback_at: dt.datetime | None = None
    resolved: bool | None = None
    attitude: Attitude | None = None
    charged: bool | None = None
    score: int | None = None
    suggestion: str = ""
    fee_paid: bool | None = None


@dataclass(frozen=True)
class FollowUpTask:
    """A follow-up call to make for a repair; ``callback_at`` is the time the customer booked."""

    ticket_id: int | None
    created_at: dt.datetime
    callback_at: dt.datetime | None = None


def validate_survey(
    survey: FollowUpSurvey,
    now: dt.datetime,
    score_range: tuple[int, int] = DEFAULT_SCORE_RANGE,
) -> None:
    """Refuse an incomplete or out-of-range survey, field by field (seed 000 D2 C5, C9).

    Not convenient: only a callback time in the future is needed (「如不方便预约回访时间」).
    Convenient: resolved, attitude, charged and a score inside ``score_range``
    (inclusive, SPEC reading 26) are all required; the suggestion stays optional.
    """
    errors: list[FieldError] = []
    if not survey.convenient:
        if survey.callback_at is None:
            errors.append(FieldError("callback_at", "complaints.survey.error.callback_required"))
        elif survey.callback_at <= now:
            errors.append(FieldError("callback_at", "complaints.survey.error.callback_in_past"))
    else:
        for name in ("resolved", "attitude", "charged"):
            if getattr(survey, name) is None:
                errors.append(FieldError(name, f"complaints.survey.error.{name}_required"))
        low, high = score_range
        if survey.score is None:
            errors.append(FieldError("score", "complaints.survey.error.score_required"))
        elif isinstance(survey.score, bool) or not isinstance(survey.score, int) or not low <= survey.score <= high:
            errors.append(
                FieldError("score", "complaints.survey.error.score_range", {"low": low, "high": high})
            )
    if errors:
        raise ValidationFailed(errors)


def is_answered(survey: FollowUpSurvey | None) -> bool:
    """True when the call took place and every question of the script has an answer (seed 000 D2)."""
    return (
        survey is not None
        and survey.convenient
        and None not in (survey.resolved, survey.attitude, survey.charged, survey.score)
    )


def fee_reminder_shown(survey: FollowUpSurvey) -> bool:
    """Show the heating-fee reminder only to a satisfied customer who has not paid (seed 000 D2 C11).

    Reading: 「若满意」 is the attitude answer 满意, the only 满意 option in the script;
    an unknown payment status (``fee_paid is None``) shows no reminder.
    """
    return survey.convenient and survey.attitude is Attitude.satisfied and survey.fee_paid is False


def follow_up_for(ticket_id: int | None, completed_at: dt.datetime) -> FollowUpTask:
    """A completed repair (已返单) gets a follow-up call (seed 000 D2 C4)."""
    return FollowUpTask(ticket_id=ticket_id, created_at=completed_at)


def book_callback(
    task: FollowUpTask,
    survey: FollowUpSurvey,
    now: dt.datetime,
    score_range: tuple[int, int] = DEFAULT_SCORE_RANGE,
) -> FollowUpTask:
    """A "not convenient" answer keeps the task open with the booked callback time (seed 000 D2 C5)."""
    validate_survey(survey, now, score_range)
    if survey.convenient:
        return task
    return FollowUpTask(ticket_id=task.ticket_id, created_at=task.created_at, callback_at=survey.callback_at)


def callback_queue(tasks: Iterable[FollowUpTask], now: dt.datetime) -> list[FollowUpTask]:
    """Calls to make now: new tasks and callbacks whose booked time has come, earliest first (seed 000 D2)."""
    due = [t for t in tasks if t.callback_at is None or t.callback_at <= now]
    return sorted(due, key=lambda t: t.callback_at or t.created_at)
