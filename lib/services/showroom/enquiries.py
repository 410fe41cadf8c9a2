"""Customer enquiries by phone (SPEC M2.2 Enquiry; seed 004 D17, seed 003 M#49).

Any employee logs a customer's question; one that cannot be answered at once is saved as
open with a promised response time (S34). A second call from a phone with an open enquiry
is flagged so the taker looks at it first. Answering is set once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import session_scope
from db.models import CustomerEnquiry
from lib.domain.showroom import enquiries as rules
from lib.domain import office, privacy
from lib.domain.showroom import daysheet
from lib.domain.errors import DomainError, FieldError, ValidationFailed
from lib.domain.text import clean, optional_text, required_text
from lib.services import settings
from lib.services.limits import column_max
from lib.services.base import WRITERS, Actor, acting, audit, require, snapshot, update_once, utcnow
from lib.services.showroom.write import names_of, renamed, sheet_settings

LIST_LIMIT = 500
FIELD_NAMES = {"question": "enquiry_question", "promised_response_at": "enquiry_promised_response_at",
               "caller_phone": "enquiry_caller_phone"}


@dataclass(frozen=True)
class EnquiryRow:
    id: int
    created_at: dt.datetime
    caller_name: str
    caller_phone: str
    question: str
    status: str
    promised_response_at: dt.datetime | None
    overdue: bool
    answer: str
    answered_at: dt.datetime | None
    answered_by: str
    repeat_of: tuple[int, ...]
    masked: bool = False


@acting
def log_enquiry(engine: Engine, *, actor: Actor, question: str, status: str, promised_response_at: dt.datetime | None,
                caller_name: str = "", caller_phone: str = "", answer: str = "",
                now: dt.datetime | None = None) -> tuple[int, tuple[int, ...]]:
    """Save a customer's question; open ones need a future promised time (S34). Returns the id and repeats."""
    require(actor, WRITERS)
    try:
        state = rules.EnquiryStatus(status)
    except ValueError:
        raise ValidationFailed([FieldError("enquiry_status", "field.bad_choice")]) from None
    now = now or utcnow()
    errors: list[FieldError] = []
    answer = optional_text("enquiry_answer", answer, column_max("customer_enquiry.answer"), errors)
    if state == rules.EnquiryStatus.answered and not answer:
        errors.append(FieldError("enquiry_answer", "field.required"))
    caller_name = optional_text("enquiry_caller_name", caller_name, column_max("customer_enquiry.caller_name"), errors)
    caller_phone = optional_text("enquiry_caller_phone", caller_phone, column_max("customer_enquiry.caller_phone"),
                                 errors)
    question_errors: list[FieldError] = []
    question = optional_text("enquiry_question", question, column_max("customer_enquiry.question"),
                             question_errors) or ""
    if errors or question_errors:
        raise ValidationFailed(question_errors + errors)
    with session_scope(engine) as session:
        open_rows = []
        try:
            phone = rules.normalise_phone(caller_phone) if clean(caller_phone) else None
        except DomainError:
            phone = None
        if phone:
            open_rows = session.exec(select(CustomerEnquiry).where(
                CustomerEnquiry.phone_norm == phone, CustomerEnquiry.status == rules.EnquiryStatus.open.value)).all()
        try:
            check = rules.validate_enquiry(
                question=question, status=state, promised_response_at=promised_response_at, now=now,
                caller_phone=caller_phone, open_enquiries=[rules.Enquiry(
                    e.id, e.question, rules.EnquiryStatus(e.status), e.promised_response_at, e.phone_norm)
                    for e in open_rows])
        except ValidationFailed as exc:
            raise renamed(exc, FIELD_NAMES) from None
        row = CustomerEnquiry(
            caller_name=caller_name, caller_phone=caller_phone,
            phone_norm=check.caller_phone or "",
            question=check.question, status=state.value,
            promised_response_at=promised_response_at if state == rules.EnquiryStatus.open else None,
            answer=answer, answered_at=now if state == rules.EnquiryStatus.answered else None,
            answered_by_id=actor.id if state == rules.EnquiryStatus.answered else None,
            repeat_of=list(check.repeat_of), created_by_id=actor.id, created_at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="enquiry", entity_id=row.id, action="log", after=snapshot(row), at=now)
        return row.id, tuple(check.repeat_of)


@acting
def answer_enquiry(engine: Engine, *, actor: Actor, enquiry_id: int, answer: str,
                   now: dt.datetime | None = None) -> None:
    """Record the answer given to the customer; a second click is told it is already answered."""
    require(actor, WRITERS)
    errors: list[FieldError] = []
    text = required_text("enquiry_answer", answer, column_max("customer_enquiry.answer"), errors)
    if errors:
        raise ValidationFailed(errors)
    now = now or utcnow()
    with session_scope(engine) as session:
        if session.get(CustomerEnquiry, enquiry_id) is None:
            raise DomainError("enquiry.not_found")
        update_once(session, CustomerEnquiry, enquiry_id, CustomerEnquiry.answered_at,
                    {"answered_at": now, "answered_by_id": actor.id, "answer": text,
                     "status": rules.EnquiryStatus.answered.value}, "enquiry.already_answered")
        audit(session, actor=actor, entity="enquiry", entity_id=enquiry_id, action="answer", after={"answer": text},
              at=now)


def enquiry_board(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> list[EnquiryRow]:
    """Open enquiries by promised time (overdue first), then today's answered ones (indexed ranges).

    The caller in full to whoever took or answered the call, customer service, the showroom's sheet signers and
    supervisors; masked for other staff, in the export too (R7)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        start, end = office.day_bounds(now.astimezone(tz).date(), tz)
        open_rows = session.exec(select(CustomerEnquiry).where(CustomerEnquiry.status == rules.EnquiryStatus.open.value)
                                 .order_by(CustomerEnquiry.promised_response_at).limit(LIST_LIMIT)).all()
        done_rows = session.exec(select(CustomerEnquiry).where(
            CustomerEnquiry.status == rules.EnquiryStatus.answered.value, CustomerEnquiry.answered_at >= start,
            CustomerEnquiry.answered_at < end).order_by(CustomerEnquiry.answered_at.desc()).limit(LIST_LIMIT)).all()
        rows = [*open_rows, *done_rows]
        names = names_of(session, {r.answered_by_id for r in rows})
        # Customer service and the showroom's sheet signers answer for every caller (seed 004 D19, D17).
        managers = (*settings.get(session, "privacy.customer_service_titles"),
                    *daysheet.signer_titles(sheet_settings(session)))
    viewer = privacy.Viewer(actor.id, actor.role, tuple(actor.titles))
    shown = [EnquiryRow(
        id=r.id, created_at=r.created_at, caller_name=r.caller_name, caller_phone=r.caller_phone, question=r.question,
        status=r.status, promised_response_at=r.promised_response_at,
        overdue=rules.enquiry_overdue(rules.Enquiry(r.id, r.question, rules.EnquiryStatus(r.status),
                                                    r.promised_response_at), now),
        answer=r.answer, answered_at=r.answered_at, answered_by=names.get(r.answered_by_id, ""),
        repeat_of=tuple(r.repeat_of)) for r in rows]
    on_record = {r.id: (r.created_by_id, r.answered_by_id) for r in rows}
    return [row if privacy.sees_in_full(viewer, on_record[row.id], managers) else _masked(row) for row in shown]


def _masked(row: EnquiryRow) -> EnquiryRow:
    """The caller as seen by staff who neither took nor answered the call (R7): who asked, masked; the question,
    which the board exists to get answered, with any phone number in it masked."""
    return replace(row, caller_name=privacy.mask_name(row.caller_name),
                   caller_phone=privacy.mask_phone(row.caller_phone),
                   question=privacy.mask_phones_in(row.question), answer=privacy.mask_phones_in(row.answer),
                   masked=True)
