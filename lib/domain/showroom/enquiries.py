"""Customer enquiries taken by phone: open questions need a promised answer time (SPEC §M2 2.2).

Any employee may log a customer call (seed 003 M#49); a question that cannot be answered
at once is recorded with a definite response time (seed 004 D17), and a second call about
an issue that is still open is flagged, since the customer should not have had to call twice.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from lib.domain.showroom.customers import normalise_phone
from lib.domain.errors import DomainError, FieldError, ValidationFailed


class EnquiryStatus(enum.StrEnum):
    open = "open"
    answered = "answered"


@dataclass(frozen=True)
class Enquiry:
    id: int | str
    question: str
    status: EnquiryStatus
    promised_response_at: dt.datetime | None
    caller_phone: str | None = None


@dataclass(frozen=True)
class EnquiryCheck:
    """A valid enquiry: the canonical caller phone and the open enquiries it repeats."""

    question: str
    status: EnquiryStatus
    promised_response_at: dt.datetime | None
    caller_phone: str | None
    repeat_of: tuple[int | str, ...]


def validate_enquiry(
    *,
    question: str | None,
    status: EnquiryStatus,
    promised_response_at: dt.datetime | None,
    now: dt.datetime,
    caller_phone: str | None = None,
    open_enquiries: Iterable[Enquiry] = (),
) -> EnquiryCheck:
    """An open enquiry needs a future promised response time (seed 004 D17); repeats are flagged (seed 003 M#49).

    Reading: "the same issue" is matched by the caller's phone, the one identifier every
    call has; the flag asks the taker to look at the open enquiry rather than refusing.
    """
    errors: list[FieldError] = []
    text = (question or "").strip()
    if not text:
        errors.append(FieldError("question", "enquiries.question_required"))
    if status == EnquiryStatus.open:
        if promised_response_at is None:
            errors.append(FieldError("promised_response_at", "enquiries.promise_required"))
        elif (promised_response_at.tzinfo is None) != (now.tzinfo is None):  # cannot be compared with now (R15)
            errors.append(FieldError("promised_response_at", "field.bad_time"))
        elif promised_response_at <= now:
            errors.append(FieldError("promised_response_at", "enquiries.promise_in_past"))
    phone: str | None = None
    if (caller_phone or "").strip():
        try:
            phone = normalise_phone(caller_phone)
        except DomainError as exc:
            errors.append(FieldError("caller_phone", exc.key, dict(exc.params)))
    if errors:
        raise ValidationFailed(errors)
    repeats = tuple(
        e.id for e in open_enquiries if phone and e.status == EnquiryStatus.open and e.caller_phone == phone
    )
    return EnquiryCheck(text, status, promised_response_at, phone, repeats)


def enquiry_overdue(enquiry: Enquiry, now: dt.datetime) -> bool:
    """An open enquiry is overdue once its promised response time has passed (seed 004 D17)."""
    return (
        enquiry.status == EnquiryStatus.open
        and enquiry.promised_response_at is not None
        and now > enquiry.promised_response_at
    )
