"""Visitor register and phone messages (SPEC M2.1, M2.2; seed 000 D6, D9, D13)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from lib.domain.errors import DomainError, FieldError, ValidationFailed
from lib.domain.phones import normalise_phone
from lib.domain.settings import SettingDef
from lib.domain.text import clean, optional_text, required_text

SETTINGS = [
    SettingDef("visitor.max_headcount", 200, "int", "persons", "(assumed)", minimum=1, maximum=10000),
    SettingDef("visitor.search_max_days", 366, "int", "days", "(assumed)", minimum=1, maximum=3660),
    SettingDef("phone.relay_overdue", 2, "int", "h", "(assumed)", minimum=1, maximum=72),
    SettingDef("visitor.prereg_days_ahead", 30, "int", "days",
               "seed 002 《客户接待申请表》 filled when a visit is booked (how far ahead: assumed)",
               minimum=0, maximum=366),
]

NAME_MAX = 50
PURPOSE_MAX = 200
COMPANY_MAX = 100
NOTE_MAX = 500
MATTER_MAX = 500
HOST_TEXT_MAX = 50


class Destination(StrEnum):
    """Where the visitor is taken (seed 003 X1#6)."""

    RECEPTION_AREA = "reception_area"
    MEETING_ROOM = "meeting_room"


class Level(StrEnum):
    """Reception level (seed 003 X1#4)."""

    HIGH = "high"
    STANDARD = "standard"


class VisitState(StrEnum):
    """起立—问询—安排接待—送客 (seed 000 D9)."""

    ARRIVED = "arrived"
    INQUIRED = "inquired"
    ARRANGED = "arranged"
    DEPARTED = "departed"


class Outcome(StrEnum):
    """How a visit ended (seed 000 D13, seed 004 D6)."""

    ESCORTED = "escorted"
    WAITING = "waiting"
    DECLINED = "declined"
    REFUSED = "refused"
    HR = "hr"
    TALENT_POOL = "talent_pool"


@dataclass(frozen=True)
class VisitorForm:
    """What the front desk typed; every field as it came from the form."""

    name: object = ""
    headcount: object = 1
    purpose: object = ""
    company: object = ""
    phone: object = ""
    host_id: int | None = None
    has_appointment: bool = False
    destination: str = Destination.RECEPTION_AREA.value
    level: str = Level.STANDARD.value
    time_in: dt.datetime | None = None
    note: object = ""


@dataclass(frozen=True)
class Visitor:
    """A validated visitor entry, ready to store."""

    name: str
    headcount: int
    purpose: str
    company: str
    phone: str
    phone_norm: str
    host_id: int | None
    has_appointment: bool
    destination: str
    level: str
    time_in: dt.datetime
    note: str


def validate_visitor(form: VisitorForm, *, now: dt.datetime, max_headcount: int = 200) -> Visitor:
    """Everyone entering is registered with name, headcount and purpose (V1; seed 000 D6, S21).

    Raises ValidationFailed listing every field to fix. The phone is optional, but
    when given it must be a plausible Chinese mobile or landline so a returning
    visitor can be recognised by it. Time in defaults to now and may not lie in the future.
    """
    errors: list[FieldError] = []
    name = required_text("visitor_name", form.name, NAME_MAX, errors)
    purpose = required_text("purpose", form.purpose, PURPOSE_MAX, errors)
    company = optional_text("company", form.company, COMPANY_MAX, errors)
    note = optional_text("note", form.note, NOTE_MAX, errors)
    headcount = _headcount(form.headcount, max_headcount, errors)
    phone = clean(form.phone)
    phone_norm = ""
    if phone:
        phone_norm = normalise_phone(phone) or ""
        if not phone_norm:
            errors.append(FieldError("phone", "phone.implausible"))
    if form.destination not in {d.value for d in Destination}:
        errors.append(FieldError("destination", "field.bad_choice"))
    if form.level not in {lv.value for lv in Level}:
        errors.append(FieldError("level", "field.bad_choice"))
    time_in = form.time_in or now
    if time_in.tzinfo is None:
        errors.append(FieldError("time_in", "field.bad_time"))
    elif time_in > now + dt.timedelta(minutes=5):
        errors.append(FieldError("time_in", "visitor.time_in_future"))
    if errors:
        raise ValidationFailed(errors)
    return Visitor(name=name, headcount=headcount, purpose=purpose, company=company, phone=phone,
                   phone_norm=phone_norm, host_id=form.host_id, has_appointment=bool(form.has_appointment),
                   destination=form.destination, level=form.level, time_in=time_in, note=note)


def _headcount(value: object, maximum: int, errors: list[FieldError]) -> int:
    text = clean(value)
    if not text:
        errors.append(FieldError("headcount", "field.required"))
        return 0
    try:
        count = int(text)
    except ValueError:
        errors.append(FieldError("headcount", "visitor.headcount_range", {"max": maximum}))
        return 0
    if not 1 <= count <= maximum:
        errors.append(FieldError("headcount", "visitor.headcount_range", {"max": maximum}))
    return count


def departure_time(*, time_in: dt.datetime, already_out: bool, now: dt.datetime) -> dt.datetime:
    """The time out recorded on departure: now, never before time in, only once (S21; seed 000 D6)."""
    if already_out:
        raise DomainError("visitor.already_out")
    return max(now, time_in)


def escort_allowed(*, host_is_leader: bool, has_appointment: bool, host_notified_at: dt.datetime | None) -> bool:
    """A leader's guest is escorted only after the host has been notified (V2; seed 000 D9, S22)."""
    if host_is_leader and has_appointment:
        return host_notified_at is not None
    return True


@dataclass(frozen=True)
class MessageForm:
    """A phone message as typed (来电时间, 来电人姓名, 事由, 相关事项, relay to)."""

    called_at: dt.datetime | None = None
    caller_name: object = ""
    caller_phone: object = ""
    matter: object = ""
    related: object = ""
    relay_to_id: int | None = None


@dataclass(frozen=True)
class Message:
    called_at: dt.datetime
    caller_name: str
    caller_phone: str
    matter: str
    related: str
    relay_to_id: int | None


def validate_message(form: MessageForm, *, now: dt.datetime) -> Message:
    """Call time, caller and matter are required; the relay target is stored (S23; seed 000 D9)."""
    errors: list[FieldError] = []
    caller = required_text("caller_name", form.caller_name, NAME_MAX, errors)
    matter = required_text("matter", form.matter, MATTER_MAX, errors)
    related = optional_text("related", form.related, MATTER_MAX, errors)
    phone = clean(form.caller_phone)
    if phone and not normalise_phone(phone):
        errors.append(FieldError("caller_phone", "phone.implausible"))
    called_at = form.called_at or now
    if called_at.tzinfo is None:
        errors.append(FieldError("called_at", "field.bad_time"))
    elif called_at > now + dt.timedelta(minutes=5):
        errors.append(FieldError("called_at", "message.called_in_future"))
    if form.relay_to_id is None:
        errors.append(FieldError("relay_to_id", "message.relay_required"))
    if errors:
        raise ValidationFailed(errors)
    return Message(called_at=called_at, caller_name=caller, caller_phone=phone, matter=matter,
                   related=related, relay_to_id=form.relay_to_id)


class RelayStatus(StrEnum):
    UNRELAYED = "unrelayed"
    OVERDUE = "overdue"
    RELAYED = "relayed"


def relay_status(*, called_at: dt.datetime, relayed_at: dt.datetime | None, now: dt.datetime,
                 overdue_hours: int) -> RelayStatus:
    """A message stays unrelayed until relayed, and is overdue after ``overdue_hours`` (S23; 2 h assumed)."""
    if relayed_at is not None:
        return RelayStatus.RELAYED
    if now - called_at > dt.timedelta(hours=overdue_hours):
        return RelayStatus.OVERDUE
    return RelayStatus.UNRELAYED


def relay_time(*, already_relayed: bool, now: dt.datetime) -> dt.datetime:
    """A message is relayed once; a second relay is refused (seed 000 D9)."""
    if already_relayed:
        raise DomainError("message.already_relayed")
    return now


# ---- one visitor, one visit on site (T4) -------------------------------------------------------------


@dataclass(frozen=True)
class OnSiteVisit:
    """A visit checked in and not yet out, as the duplicate check compares it."""

    id: int
    name: str
    company: str
    phone_norm: str
    time_in: dt.datetime


def _same_text(a: str, b: str) -> bool:
    return clean(a).casefold() == clean(b).casefold()


def still_on_site(visitor: Visitor, on_site: Iterable[OnSiteVisit]) -> list[OnSiteVisit]:
    """Visits of the same person still on site: same phone, or same name and company (T4; seed 000 D6).

    The register (seed 000 D6) holds name, headcount, purpose and times, no ID number, so a person is
    recognised by phone when one was given, otherwise by name together with company.
    """
    found = []
    for visit in on_site:
        same_phone = bool(visitor.phone_norm) and visitor.phone_norm == visit.phone_norm
        same_person = _same_text(visitor.name, visit.name) and _same_text(visitor.company, visit.company)
        if same_phone or same_person:
            found.append(visit)
    return found


class StillOnSite(DomainError):
    """The visitor already has a visit on site; the caller must have shown it before checking in again (T4)."""

    def __init__(self, visits: list[OnSiteVisit]) -> None:
        super().__init__("visitor.still_on_site", count=len(visits))
        self.visits = list(visits)


def unseen_duplicates(matches: Iterable[OnSiteVisit], seen: Iterable[int]) -> None:
    """Refuse a second check-in unless every on-site visit of this person was shown to the caller (T4).

    ``seen`` lists the visit ids the receptionist was warned about; a visit that appeared since
    (another desk checked the person in meanwhile) is a new warning, not a silent duplicate.
    """
    seen_ids = set(seen)
    if any(m.id not in seen_ids for m in matches):
        raise StillOnSite(list(matches))


# ---- pre-registration by a host (T21a) -------------------------------------------------------------

# No 0/O, 1/I/L: a code read aloud or typed from a phone screen has one reading.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LEN = 6


def make_code(randbelow: Callable[[int], int]) -> str:
    """A short visitor code from an unambiguous alphabet (T21; ``randbelow`` is ``secrets.randbelow``)."""
    return "".join(CODE_ALPHABET[randbelow(len(CODE_ALPHABET))] for _ in range(CODE_LEN))


def normalise_code(text: object) -> str | None:
    """The code as typed (spaces, dashes, lower case allowed), or None when it cannot be a code (T21)."""
    value = clean(text).upper().replace(" ", "").replace("-", "")
    if len(value) != CODE_LEN or any(ch not in CODE_ALPHABET for ch in value):
        return None
    return value


@dataclass(frozen=True)
class PreregForm:
    """An expected visitor as the host typed them (seed 002 《客户接待申请表》: 人数、时间、事由、负责人)."""

    name: object = ""
    phone: object = ""
    company: object = ""
    purpose: object = ""
    headcount: object = 1
    expected_day: dt.date | None = None
    expected_time: dt.time | None = None
    host_id: int | None = None


@dataclass(frozen=True)
class Prereg:
    name: str
    phone: str
    phone_norm: str
    company: str
    purpose: str
    headcount: int
    expected_day: dt.date
    expected_time: dt.time | None
    host_id: int


def validate_prereg(form: PreregForm, *, now: dt.datetime, today: dt.date, days_ahead: int,
                    max_headcount: int = 200) -> Prereg:
    """A host books a visitor for today or a later day within ``days_ahead`` (T21; seed 002 接待申请).

    Name, purpose and headcount follow the register's rules (the same ``validate_visitor``), so a
    pre-registered visitor can always be checked in as booked.
    """
    errors: list[FieldError] = []
    try:
        visitor = validate_visitor(VisitorForm(name=form.name, headcount=form.headcount, purpose=form.purpose,
                                               company=form.company, phone=form.phone),
                                   now=now, max_headcount=max_headcount)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        visitor = None
    day = form.expected_day
    if day is None:
        errors.append(FieldError("expected_day", "field.required"))
    elif day < today:
        errors.append(FieldError("expected_day", "visitor.prereg_day_past"))
    elif day > today + dt.timedelta(days=days_ahead):
        errors.append(FieldError("expected_day", "visitor.prereg_day_far", {"days": days_ahead}))
    if form.host_id is None:
        errors.append(FieldError("host_id", "visitor.host_required"))
    if errors or visitor is None:
        raise ValidationFailed(errors)
    return Prereg(name=visitor.name, phone=visitor.phone, phone_norm=visitor.phone_norm, company=visitor.company,
                  purpose=visitor.purpose, headcount=visitor.headcount, expected_day=day,
                  expected_time=form.expected_time, host_id=form.host_id)


def prereg_usable(*, expected_day: dt.date, today: dt.date, arrived: bool, cancelled: bool) -> None:
    """A code checks in once, on its day, unless the host cancelled it (T21)."""
    if cancelled:
        raise DomainError("visitor.code_cancelled")
    if arrived:
        raise DomainError("visitor.code_used")
    if expected_day != today:
        raise DomainError("visitor.code_other_day", day=expected_day.isoformat())


# ---- kiosk sign-in (T21b) ------------------------------------------------------------------------------


class SignInOutcome(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def validate_kiosk_host(text: object) -> str:
    """Whom the visitor comes to see, as typed at the kiosk; the receptionist resolves it (T21)."""
    errors: list[FieldError] = []
    value = optional_text("host_text", text, HOST_TEXT_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    return value
